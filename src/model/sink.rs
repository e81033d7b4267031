//! Where a block's outcomes go: the [`CellSink`] the model hands each (cell, trial)
//! outcome to as it computes it, the sinks that combine others, and [`Outcomes`], the
//! sink that stores a whole block (for per-trial rows and the sensitivity pass).

use super::Outcome;

/// Receives every (cell, trial) outcome of a block as it is computed, so a caller can
/// keep what it needs (statistics, rows) without the block's outcomes being stored.
/// Cells come regime by regime; within a cell, trials in order.
pub trait CellSink {
    /// A block of `n` trials starts.
    fn start(&mut self, _n: usize) {}
    /// The outcome of cell `cell` (`regime * routes + route`) in trial `t` of the block.
    fn outcome(&mut self, cell: usize, t: usize, o: &Outcome);
}

/// Every outcome of a block, stored cell-major: what per-trial output and the
/// sensitivity pass read.
#[derive(Clone, Debug, Default)]
pub struct Outcomes {
    cap: usize,
    n: usize,
    all: Vec<Outcome>,
}

impl Outcomes {
    /// Room for `cap` trials of `cells` cells.
    pub fn new(cells: usize, cap: usize) -> Self {
        Outcomes {
            cap,
            n: 0,
            all: vec![Outcome::default(); cells * cap],
        }
    }

    /// Trials held.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether no trial is held.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// The outcomes of cell `cell` (`regime * routes + route`), in trial order.
    pub fn cell(&self, cell: usize) -> &[Outcome] {
        let at = cell * self.cap;
        &self.all[at..at + self.n]
    }
}

/// Both sinks get every outcome.
impl<A: CellSink, B: CellSink> CellSink for (A, B) {
    fn start(&mut self, n: usize) {
        self.0.start(n);
        self.1.start(n);
    }

    #[inline]
    fn outcome(&mut self, cell: usize, t: usize, o: &Outcome) {
        self.0.outcome(cell, t, o);
        self.1.outcome(cell, t, o);
    }
}

impl<S: CellSink + ?Sized> CellSink for &mut S {
    fn start(&mut self, n: usize) {
        (**self).start(n);
    }

    #[inline]
    fn outcome(&mut self, cell: usize, t: usize, o: &Outcome) {
        (**self).outcome(cell, t, o);
    }
}

impl CellSink for Outcomes {
    #[inline]
    fn outcome(&mut self, cell: usize, t: usize, o: &Outcome) {
        self.all[cell * self.cap + t] = *o;
    }

    fn start(&mut self, n: usize) {
        self.n = n.min(self.cap);
    }
}
