//! Sensitivity: which sampled inputs drive the spread of each cell's landed cost.
//!
//! A second pass over the same trials (the draws are a pure function of seed and trial,
//! so it sees exactly the first pass's shipments). For every cell and every input that
//! can move it, it accumulates the Pearson sums of (input rank, cost rank): the input's
//! rank is its driving uniform (or its 0/1 indicator for events), the cost's rank is its
//! mid-rank CDF from the first pass's sketch. Their correlation is Spearman's rank
//! correlation. Sums are exact per block, so results are deterministic for any thread
//! count; memory is cells × inputs × 5 sums, flat in the trial count.

use std::sync::Mutex;

use rayon::prelude::*;

use super::{block_range, EngineError, Observer, RunSpec};
use crate::model::{CellSink, Outcome};
use crate::model::{Input, InputUse, Plan};
use crate::stats::sketch::RankTable;
use crate::stats::{ExactSum, Sketch};

/// Indices into [`Sums`].
pub mod sums {
    /// Trials with the input in its top decile (an event: it happened).
    pub const TOP_N: usize = 5;
    /// Their sum of costs.
    pub const TOP_SUM: usize = 6;
    /// Their sum of squared costs.
    pub const TOP_SQ: usize = 7;
    /// Trials with the input in its bottom decile (an event: it did not happen).
    pub const BOT_N: usize = 8;
    /// Their sum of costs.
    pub const BOT_SUM: usize = 9;
    /// Their sum of squared costs.
    pub const BOT_SQ: usize = 10;
    /// How many sums.
    pub const N: usize = 11;
}

/// The sums of one (cell, input): the five Pearson sums Σx, Σy, Σxy, Σx², Σy² of
/// (input rank, cost rank), then count, Σcost and Σcost² of the trials with the input in
/// its top and in its bottom decile (see [`sums`]).
pub type Sums = [ExactSum; sums::N];

/// The second pass's accumulators.
#[derive(Clone, Debug, PartialEq)]
pub struct SensAcc {
    /// Trials.
    pub n: u64,
    /// Per cell, per input use (as in [`Plan::cell_inputs`]).
    pub sums: Vec<Vec<Sums>>,
}

impl SensAcc {
    fn new(uses: &[Vec<InputUse>]) -> Self {
        SensAcc {
            n: 0,
            sums: uses
                .iter()
                .map(|u| vec![[ExactSum::default(); sums::N]; u.len()])
                .collect(),
        }
    }

    /// Adds `o`'s sums (exact: the order of merges never matters).
    pub fn merge(&mut self, o: &SensAcc) {
        self.n += o.n;
        for (a, b) in self.sums.iter_mut().zip(&o.sums) {
            for (x, y) in a.iter_mut().zip(b) {
                for k in 0..sums::N {
                    x[k].add(y[k]);
                }
            }
        }
    }
}

/// The inputs, the uses per cell, and the accumulated sums.
pub struct Sensitivity {
    /// Every sampled input.
    pub inputs: Vec<Input>,
    /// Per cell, the inputs that can move it.
    pub uses: Vec<Vec<InputUse>>,
    /// The sums.
    pub acc: SensAcc,
}

/// One way an input enters the sums: the input and, for an event, its threshold. Uses
/// that share it share its x values and their sums.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Event {
    input: usize,
    threshold: Option<f64>,
}

/// A block's x values of one [`Event`], its top/bottom-decile indicators, and the sums
/// that depend on the event alone: Σx, Σx², top count, bottom count.
#[derive(Clone, Debug, Default)]
struct EventBlock {
    x: Vec<f64>,
    top: Vec<bool>,
    bottom: Vec<bool>,
    sums: [f64; 4],
}

/// A block's landed costs, cell-major (`cell * cap + t`): all the second pass keeps of
/// each outcome.
struct CostColumns {
    cap: usize,
    n: usize,
    all: Vec<f64>,
}

impl CostColumns {
    fn cell(&self, cell: usize) -> &[f64] {
        &self.all[cell * self.cap..cell * self.cap + self.n]
    }
}

impl CellSink for CostColumns {
    fn start(&mut self, n: usize) {
        self.n = n.min(self.cap);
    }

    #[inline]
    fn outcome(&mut self, cell: usize, t: usize, o: &Outcome) {
        self.all[cell * self.cap + t] = o.cost;
    }
}

/// One worker thread's sums and reusable buffers (one block's worth).
struct SensWorker {
    acc: SensAcc,
    scratch: crate::model::BlockScratch,
    /// The block's costs, cell-major.
    costs: CostColumns,
    /// The block's input uniforms, trial-major.
    u: Vec<f64>,
    /// Per event.
    events: Vec<EventBlock>,
    /// The block's cost ranks of one cell.
    y: Vec<f64>,
    /// The block's float sums per cell and input use.
    block: Vec<Vec<[f64; sums::N]>>,
}

impl SensWorker {
    fn new(plan: &Plan, uses: &[Vec<InputUse>], inputs: usize, events: usize) -> Self {
        let cap = super::BLOCK as usize;
        SensWorker {
            acc: SensAcc::new(uses),
            scratch: plan.block_scratch(cap),
            costs: CostColumns {
                cap,
                n: 0,
                all: vec![0.0; uses.len() * cap],
            },
            u: vec![0.0; cap * inputs],
            events: vec![
                EventBlock {
                    x: vec![0.0; cap],
                    top: vec![false; cap],
                    bottom: vec![false; cap],
                    sums: [0.0; 4],
                };
                events
            ],
            y: vec![0.0; cap],
            block: uses.iter().map(|c| vec![[0.0; sums::N]; c.len()]).collect(),
        }
    }

    /// The block's sums of every (cell, use), each added in trial order: Σx, Σx² and the
    /// decile counts once per event, Σy and Σy² once per cell, the rest per use.
    fn sums(
        &mut self,
        n: usize,
        k: usize,
        events: &[Event],
        uses: &[Vec<usize>],
        ranks: &[RankTable],
    ) {
        crate::dispatch!(self: &mut SensWorker, sums_body(n: usize, k: usize, events: &[Event], uses: &[Vec<usize>], ranks: &[RankTable]))
    }

    #[inline(always)]
    fn sums_body(
        &mut self,
        n: usize,
        k: usize,
        events: &[Event],
        uses: &[Vec<usize>],
        ranks: &[RankTable],
    ) {
        for (e, eb) in events.iter().zip(self.events.iter_mut()) {
            let mut sx = [0.0; 4];
            for t in 0..n {
                let ui = self.u[t * k + e.input];
                let (x, top, bottom) = match e.threshold {
                    Some(p) => {
                        let hit = ui < p;
                        (f64::from(u8::from(hit)), hit, !hit)
                    }
                    None => (ui, ui >= 0.9, ui < 0.1),
                };
                eb.x[t] = x;
                eb.top[t] = top;
                eb.bottom[t] = bottom;
                sx[0] += x;
                sx[1] += x * x;
                if top {
                    sx[2] += 1.0;
                } else if bottom {
                    sx[3] += 1.0;
                }
            }
            eb.sums = sx;
        }
        for (i, cell) in self.block.iter_mut().enumerate() {
            let costs = self.costs.cell(i);
            let (mut sy, mut syy) = (0.0, 0.0);
            for (y, &c) in self.y.iter_mut().zip(costs) {
                *y = ranks[i].rank(c);
                sy += *y;
                syy += *y * *y;
            }
            // Four uses per pass over the trials: twenty independent sums keep the adder
            // busy where five would wait on each other's latency. Each sum still adds its
            // trials in order.
            let (c, y) = (costs, &self.y[..n]);
            let mut quads = uses[i].chunks_exact(4);
            let mut out = cell.chunks_exact_mut(4);
            for (q, o) in (&mut quads).zip(&mut out) {
                let evs = [0, 1, 2, 3].map(|j| &self.events[q[j]]);
                for (o, (sums, eb)) in o.iter_mut().zip(use_sums(evs, y, c).into_iter().zip(evs)) {
                    *o = use_row(eb, sy, syy, sums);
                }
            }
            for (&ev, o) in quads.remainder().iter().zip(out.into_remainder()) {
                let eb = &self.events[ev];
                *o = use_row(eb, sy, syy, use_sums([eb], y, c)[0]);
            }
        }
    }
}

/// The sums of one use over a block, in the order of [`sums`]: those of its event, of its
/// cell (Σy, Σy²), and its own (Σxy and the decile sums of cost).
fn use_row(eb: &EventBlock, sy: f64, syy: f64, own: [f64; 5]) -> [f64; sums::N] {
    let [sx, sxx, tn, bn] = eb.sums;
    let [sxy, ts, tq, bs, bq] = own;
    [sx, sy, sxy, sxx, syy, tn, ts, tq, bn, bs, bq]
}

/// Σxy and the top and bottom decile sums of cost and cost² of `K` uses of one cell,
/// each added in trial order. Adding 0.0 leaves a sum that starts at +0.0 unchanged, so
/// the decile sums need no branch.
#[inline(always)]
fn use_sums<const K: usize>(evs: [&EventBlock; K], y: &[f64], costs: &[f64]) -> [[f64; 5]; K] {
    let mut acc = [[0.0; 5]; K];
    // Every column cut to the block's length first, so indexing by `t` needs no checks.
    let n = y.len().min(costs.len());
    let (y, costs) = (&y[..n], &costs[..n]);
    let cols = evs.map(|eb| (&eb.x[..n], &eb.top[..n], &eb.bottom[..n]));
    for t in 0..n {
        let (y, c) = (y[t], costs[t]);
        for (a, (xs, tops, bottoms)) in acc.iter_mut().zip(cols) {
            let (x, top, bottom) = (xs[t], tops[t], bottoms[t]);
            a[0] += x * y;
            a[1] += if top { c } else { 0.0 };
            a[2] += if top { c * c } else { 0.0 };
            a[3] += if bottom { c } else { 0.0 };
            a[4] += if bottom { c * c } else { 0.0 };
        }
    }
    acc
}

/// Runs the second pass over `spec`'s blocks. `cost` holds each cell's cost sketch from
/// the first pass (the whole run's, so ranks are global).
pub fn run(
    plan: &Plan,
    spec: &RunSpec,
    cost: &[&Sketch],
    observer: &dyn Observer,
) -> Result<Sensitivity, EngineError> {
    let inputs = plan.inputs();
    let routes = plan.n_routes();
    let uses: Vec<Vec<InputUse>> = (0..plan.n_regimes() * routes)
        .map(|i| plan.cell_inputs(i / routes, i % routes, &inputs))
        .collect();
    let ranks: Vec<RankTable> = cost.iter().map(|s| RankTable::new(s)).collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(spec.threads)
        .build()
        .map_err(|source| EngineError::Pool {
            threads: spec.threads,
            source,
        })?;
    let workers: Vec<Mutex<Option<SensWorker>>> =
        (0..spec.threads).map(|_| Mutex::new(None)).collect();
    let k = inputs.len();
    let mut events: Vec<Event> = Vec::new();
    let use_events: Vec<Vec<usize>> = uses
        .iter()
        .map(|cell| {
            cell.iter()
                .map(|u| {
                    let e = Event {
                        input: u.input,
                        threshold: u.threshold,
                    };
                    events.iter().position(|x| *x == e).unwrap_or_else(|| {
                        events.push(e);
                        events.len() - 1
                    })
                })
                .collect()
        })
        .collect();
    pool.install(|| {
        spec.blocks.clone().into_par_iter().try_for_each(|b| {
            if observer.cancelled() {
                return Err(EngineError::Interrupted);
            }
            let me = rayon::current_thread_index().unwrap_or(0) % workers.len();
            let mut w = workers[me].lock().unwrap_or_else(|e| e.into_inner());
            let w = w.get_or_insert_with(|| SensWorker::new(plan, &uses, k, events.len()));
            let range = block_range(spec.trials, b);
            let n = (range.end - range.start) as usize;
            plan.simulate(spec.seed, range.start, n, &mut w.scratch, &mut w.costs);
            // Each trial's input uniforms, trial-major.
            for (t, row) in w.u.chunks_exact_mut(k.max(1)).enumerate().take(n) {
                plan.input_uniforms(spec.seed, range.start + t as u64, &inputs, row);
            }
            w.sums(n, k, &events, &use_events, &ranks);
            w.acc.n += n as u64;
            for (a, b) in w.acc.sums.iter_mut().zip(&w.block) {
                for (x, y) in a.iter_mut().zip(b) {
                    for k in 0..sums::N {
                        x[k].add(ExactSum::from_f64(y[k]));
                    }
                }
            }
            observer.advance(n as u64);
            Ok(())
        })
    })?;
    let mut acc = SensAcc::new(&uses);
    for w in workers {
        if let Some(w) = w.into_inner().unwrap_or_else(|e| e.into_inner()) {
            acc.merge(&w.acc);
        }
    }
    Ok(Sensitivity { inputs, uses, acc })
}
