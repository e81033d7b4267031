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
use crate::model::{Input, InputUse, Plan};
use crate::stats::{ExactSum, Sketch};

/// Mid-rank CDF lookup built from a sketch: F(x) = (count below x's bucket + half of its
/// bucket) / n, at the sketch's 0.1% bucket resolution.
pub struct RankTable {
    upper: Vec<f64>,
    mid: Vec<f64>,
}

impl RankTable {
    /// The table of a cost sketch.
    pub fn new(s: &Sketch) -> Self {
        let n = s.count().max(1) as f64;
        let (mut upper, mut mid) = (Vec::new(), Vec::new());
        let mut below = 0u64;
        for (_, hi, k) in s.buckets() {
            upper.push(hi);
            mid.push((below as f64 + 0.5 * k as f64) / n);
            below += k;
        }
        RankTable { upper, mid }
    }

    /// The mid-rank of `x`, in (0, 1).
    pub fn rank(&self, x: f64) -> f64 {
        let i = self
            .upper
            .partition_point(|&h| h < x)
            .min(self.mid.len().saturating_sub(1));
        self.mid.get(i).copied().unwrap_or(0.5)
    }
}

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

    fn merge(&mut self, o: &SensAcc) {
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
    let workers: Vec<Mutex<SensAcc>> = (0..spec.threads)
        .map(|_| Mutex::new(SensAcc::new(&uses)))
        .collect();
    pool.install(|| {
        spec.blocks.clone().into_par_iter().try_for_each(|b| {
            if observer.cancelled() {
                return Err(EngineError::Interrupted);
            }
            let mut scratch = plan.scratch();
            let mut u = vec![0.0; inputs.len()];
            let mut block: Vec<Vec<[f64; sums::N]>> =
                uses.iter().map(|c| vec![[0.0; sums::N]; c.len()]).collect();
            let range = block_range(spec.trials, b);
            let n = range.end - range.start;
            for t in range {
                plan.trial(spec.seed, t, &mut scratch);
                plan.input_uniforms(spec.seed, t, &inputs, &mut u);
                for (i, o) in scratch.outcomes.iter().enumerate() {
                    let y = ranks[i].rank(o.cost);
                    for (use_, s) in uses[i].iter().zip(block[i].iter_mut()) {
                        let ui = u[use_.input];
                        let (x, top, bottom) = match use_.threshold {
                            Some(p) => {
                                let hit = ui < p;
                                (f64::from(u8::from(hit)), hit, !hit)
                            }
                            None => (ui, ui >= 0.9, ui < 0.1),
                        };
                        s[0] += x;
                        s[1] += y;
                        s[2] += x * y;
                        s[3] += x * x;
                        s[4] += y * y;
                        let c = o.cost;
                        if top {
                            s[sums::TOP_N] += 1.0;
                            s[sums::TOP_SUM] += c;
                            s[sums::TOP_SQ] += c * c;
                        } else if bottom {
                            s[sums::BOT_N] += 1.0;
                            s[sums::BOT_SUM] += c;
                            s[sums::BOT_SQ] += c * c;
                        }
                    }
                }
            }
            let me = rayon::current_thread_index().unwrap_or(0) % workers.len();
            let mut w = workers[me].lock().unwrap_or_else(|e| e.into_inner());
            w.n += n;
            for (a, b) in w.sums.iter_mut().zip(&block) {
                for (x, y) in a.iter_mut().zip(b) {
                    for k in 0..sums::N {
                        x[k].add(ExactSum::from_f64(y[k]));
                    }
                }
            }
            observer.advance(n);
            Ok(())
        })
    })?;
    let mut acc = SensAcc::new(&uses);
    for w in workers {
        acc.merge(&w.into_inner().unwrap_or_else(|e| e.into_inner()));
    }
    Ok(Sensitivity { inputs, uses, acc })
}
