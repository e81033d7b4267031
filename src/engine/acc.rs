//! The run's accumulators: what is kept of every trial, merged exactly.
//!
//! Every field merges exactly associatively (integer counts, fixed-point sums, sketches
//! of integer counts), so the final numbers are the same whichever thread ran which block
//! and in whatever order blocks were merged, and memory is flat in the trial count.

use serde::{Deserialize, Serialize};

use crate::model::{CellSink, Outcome, Plan};
use crate::stats::{ExactSum, Moments, Sketch};

/// Sums kept per cell, besides the cost moments.
pub mod sum {
    /// The nine components occupy indices 0..9 (see `model::part`).
    pub const DAYS: usize = 9;
    /// Duty over trials whose own shipment entered.
    pub const DUTY_ENTERED: usize = 10;
    /// Customs value over trials whose own shipment entered.
    pub const CV_ENTERED: usize = 11;
    /// Landed cost over trials in which a false claim was caught.
    pub const COST_CAUGHT: usize = 12;
    /// How many sums.
    pub const N: usize = 13;
}

/// Counts kept per cell.
pub mod count {
    /// The nine flags occupy indices 0..9 (see `model::flag`).
    /// Trials in which the route was (one of) the cheapest in its regime.
    pub const CHEAPEST: usize = 9;
    /// Trials in which the route's own shipment entered.
    pub const ENTERED: usize = 10;
    /// Trials in which the route's own shipment entered and was (one of) the cheapest:
    /// a rerouted or lost shipment that ties with its fallback does not count.
    pub const CHEAPEST_OWN: usize = 11;
    /// How many counts.
    pub const N: usize = 12;
}

/// What is kept of one (regime, route) cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellAcc {
    /// Count, sum and sum of squares of the landed cost.
    pub cost: Moments,
    /// Distribution of the landed cost.
    pub cost_sketch: Sketch,
    /// Distribution of the delivery days.
    pub days_sketch: Sketch,
    /// Sums, indexed by [`sum`].
    pub sums: Vec<ExactSum>,
    /// Counts, indexed by [`count`].
    pub counts: Vec<u64>,
    /// Per measure of the regime: trials whose shipment reached the US before the
    /// measure took effect (timed measures only; zero otherwise).
    pub before_effective: Vec<u64>,
}

/// Which two cells a paired comparison subtracts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Pair {
    /// The first cell (regime * routes + route).
    pub a: usize,
    /// The second cell.
    pub b: usize,
}

/// What is kept of a paired difference `a - b` (same trials).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairAcc {
    /// Moments of the difference.
    pub diff: Moments,
    /// Distribution of the difference.
    pub sketch: Sketch,
    /// Trials in which `a` was strictly cheaper.
    pub first_cheaper: u64,
}

/// Everything a run keeps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Acc {
    /// Trials accumulated.
    pub trials: u64,
    /// Per cell, indexed `regime * n_routes + route`.
    pub cells: Vec<CellAcc>,
    /// The pairs compared: routes within each regime, then each regime against the first.
    pub pairs: Vec<Pair>,
    /// Per pair.
    pub pair_accs: Vec<PairAcc>,
}

/// The pairs compared for `regimes` × `routes` cells: every route pair within a regime,
/// then, for each route, every regime against the first (baseline) regime.
pub fn pairs(regimes: usize, routes: usize) -> Vec<Pair> {
    let mut v = Vec::new();
    for g in 0..regimes {
        for a in 0..routes {
            for b in a + 1..routes {
                v.push(Pair {
                    a: g * routes + a,
                    b: g * routes + b,
                });
            }
        }
    }
    // Regimes are compared with the first regime of the file (the baseline): all pairs
    // would grow with the square of the regime count on the hot path, and the mean
    // difference of any other pair is the difference of its summary.csv means.
    for r in 0..routes {
        for g in 1..regimes {
            v.push(Pair {
                a: g * routes + r,
                b: r,
            });
        }
    }
    v
}

impl CellAcc {
    fn new(measures: usize) -> Self {
        CellAcc {
            before_effective: vec![0; measures],
            cost: Moments::new(),
            cost_sketch: Sketch::new(),
            days_sketch: Sketch::new(),
            sums: vec![ExactSum::default(); sum::N],
            counts: vec![0; count::N],
        }
    }

    fn merge(&mut self, o: &CellAcc) {
        self.cost.merge(&o.cost);
        self.cost_sketch.merge(&o.cost_sketch);
        self.days_sketch.merge(&o.days_sketch);
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            a.add(*b);
        }
        // A shard written before a count was added has fewer: grow to the longer.
        if self.counts.len() < o.counts.len() {
            self.counts.resize(o.counts.len(), 0);
        }
        for (a, b) in self.counts.iter_mut().zip(&o.counts) {
            *a += b;
        }
        for (a, b) in self.before_effective.iter_mut().zip(&o.before_effective) {
            *a += b;
        }
    }
}

impl Acc {
    /// Empty accumulators for a plan.
    pub fn new(plan: &Plan) -> Acc {
        let pairs = pairs(plan.n_regimes(), plan.n_routes());
        let s = plan.scenario();
        Acc {
            trials: 0,
            cells: s
                .regimes
                .iter()
                .flat_map(|g| (0..plan.n_routes()).map(|_| CellAcc::new(g.measures.len())))
                .collect(),
            pair_accs: pairs
                .iter()
                .map(|_| PairAcc {
                    diff: Moments::new(),
                    sketch: Sketch::new(),
                    first_cheaper: 0,
                })
                .collect(),
            pairs,
        }
    }

    /// Adds `other` (exact: order of merges never matters).
    pub fn merge(&mut self, other: &Acc) {
        self.trials += other.trials;
        for (a, b) in self.cells.iter_mut().zip(&other.cells) {
            a.merge(b);
        }
        for (a, b) in self.pair_accs.iter_mut().zip(&other.pair_accs) {
            a.diff.merge(&b.diff);
            a.sketch.merge(&b.sketch);
            a.first_cheaper += b.first_cheaper;
        }
    }
}

/// Plain float sums of one block, turned exact once at the block's end. Within a block
/// the trials are added in trial order, so the float sums are deterministic; across
/// blocks the exact sums make the merge order irrelevant.
///
/// A block is simulated in chunks of up to `cap` trials; while a chunk is simulated its
/// [`Recorder`] adds each outcome to the sums and counts at once and keeps only its cost,
/// days and whether it entered; [`BlockSums::end_chunk`] then records what needs every
/// route of a trial (the cheapest) or a whole column (sketches, paired differences).
pub struct BlockSums {
    n: u64,
    cap: usize,
    cost: Vec<[f64; 2]>,
    sums: Vec<[f64; sum::N]>,
    pairs: Vec<[f64; 2]>,
    /// The chunk's costs, days and entered flags, cell-major (`cell * cap + t`).
    cost_col: Vec<f64>,
    days_col: Vec<f64>,
    entered_col: Vec<bool>,
    /// Per trial of the chunk, the cheapest cost in the current regime.
    min: Vec<f64>,
    /// Per trial of the chunk, one pair's difference.
    diff: Vec<f64>,
}

impl BlockSums {
    /// Zeroed sums for an accumulator's shape and chunks of up to `cap` trials.
    pub fn new(acc: &Acc, cap: usize) -> Self {
        let cells = acc.cells.len();
        BlockSums {
            n: 0,
            cap,
            cost: vec![[0.0; 2]; cells],
            sums: vec![[0.0; sum::N]; cells],
            pairs: vec![[0.0; 2]; acc.pairs.len()],
            cost_col: vec![0.0; cells * cap],
            days_col: vec![0.0; cells * cap],
            entered_col: vec![false; cells * cap],
            min: vec![0.0; cap],
            diff: vec![0.0; cap],
        }
    }

    /// The sink that records a chunk's outcomes as they are simulated.
    pub fn recorder<'a>(&'a mut self, acc: &'a mut Acc) -> Recorder<'a> {
        Recorder { sums: self, acc }
    }

    /// The costs of cell `cell` in the chunk's first `n` trials.
    pub fn costs(&self, cell: usize, n: usize) -> &[f64] {
        &self.cost_col[cell * self.cap..cell * self.cap + n]
    }

    /// Records what needs a whole chunk of `n` trials: the cheapest route of each
    /// regime, the sketches of cost and days, and the paired differences.
    pub fn end_chunk(&mut self, acc: &mut Acc, n: usize, routes: usize) {
        self.n += n as u64;
        let cap = self.cap;
        let col = |i: usize| i * cap..i * cap + n;
        let min = &mut self.min[..n];
        for g in 0..acc.cells.len() / routes {
            min.fill(f64::INFINITY);
            for r in 0..routes {
                let costs = &self.cost_col[col(g * routes + r)];
                for (m, &c) in min.iter_mut().zip(costs) {
                    *m = m.min(c);
                }
            }
            for r in 0..routes {
                let i = g * routes + r;
                let cell = &mut acc.cells[i];
                let costs = &self.cost_col[col(i)];
                let entered = &self.entered_col[col(i)];
                let (mut cheapest, mut cheapest_own) = (0, 0);
                for ((&c, &m), &e) in costs.iter().zip(min.iter()).zip(entered) {
                    let is_min = c == m;
                    cheapest += u64::from(is_min);
                    cheapest_own += u64::from(is_min && e);
                }
                cell.counts[count::CHEAPEST] += cheapest;
                cell.counts[count::CHEAPEST_OWN] += cheapest_own;
                cell.cost_sketch.insert_slice(costs);
                cell.days_sketch.insert_slice(&self.days_col[col(i)]);
            }
        }
        for (k, p) in acc.pairs.iter().enumerate() {
            let a = &self.cost_col[col(p.a)];
            let b = &self.cost_col[col(p.b)];
            let pa = &mut acc.pair_accs[k];
            let diff = &mut self.diff[..n];
            for ((d, a), b) in diff.iter_mut().zip(a).zip(b) {
                *d = a - b;
            }
            pa.sketch.insert_slice(diff);
            // The sums in locals: kept in memory they would chain every trial's add
            // through a store and a load.
            let s = &mut self.pairs[k];
            let (mut sum, mut sq, mut cheaper) = (s[0], s[1], 0);
            for &d in diff.iter() {
                cheaper += u64::from(d < 0.0);
                sum += d;
                sq += d * d;
            }
            *s = [sum, sq];
            pa.first_cheaper += cheaper;
        }
    }

    /// Moves the block's sums into `acc`, exactly, and resets.
    pub fn flush(&mut self, acc: &mut Acc) {
        if self.n == 0 {
            return;
        }
        acc.trials += self.n;
        for (i, cell) in acc.cells.iter_mut().enumerate() {
            let c = self.cost[i];
            cell.cost.add_block(self.n, c[0], c[1]);
            for (k, x) in self.sums[i].iter().enumerate() {
                cell.sums[k].add(ExactSum::from_f64(*x));
            }
        }
        for (k, pa) in acc.pair_accs.iter_mut().enumerate() {
            let s = self.pairs[k];
            pa.diff.add_block(self.n, s[0], s[1]);
        }
        self.n = 0;
        self.cost.iter_mut().for_each(|c| *c = [0.0; 2]);
        self.sums.iter_mut().for_each(|c| *c = [0.0; sum::N]);
        self.pairs.iter_mut().for_each(|c| *c = [0.0; 2]);
    }
}

/// Adds each outcome to its cell's sums and counts as the model computes it.
pub struct Recorder<'a> {
    sums: &'a mut BlockSums,
    acc: &'a mut Acc,
}

impl CellSink for Recorder<'_> {
    #[inline(always)]
    fn outcome(&mut self, i: usize, t: usize, o: &Outcome) {
        let b = &mut *self.sums;
        let at = i * b.cap + t;
        b.cost_col[at] = o.cost;
        b.days_col[at] = o.days;
        b.entered_col[at] = o.entered;
        let c = &mut b.cost[i];
        c[0] += o.cost;
        c[1] += o.cost * o.cost;
        let s = &mut b.sums[i];
        for (k, p) in o.parts.iter().enumerate() {
            s[k] += p;
        }
        s[sum::DAYS] += o.days;
        let cell = &mut self.acc.cells[i];
        let mut bits = o.flags;
        while bits != 0 {
            let k = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            cell.counts[k] += 1;
        }
        let mut before = o.before_effective;
        while before != 0 {
            let k = before.trailing_zeros() as usize;
            before &= before - 1;
            cell.before_effective[k] += 1;
        }
        if o.entered {
            cell.counts[count::ENTERED] += 1;
            s[sum::DUTY_ENTERED] += o.parts[crate::model::part::DUTY];
            s[sum::CV_ENTERED] += o.cv;
        }
        if o.has(crate::model::flag::CAUGHT) {
            s[sum::COST_CAUGHT] += o.cost;
        }
    }
}
