//! The engine: trials in fixed-size blocks on a Rayon pool, merged exactly.
//!
//! A block is [`BLOCK`] consecutive trials; its float sums are added in trial order and
//! made exact at the block's end, so results depend only on (scenario, seed, trials):
//! not on threads, scheduling, or which shard ran which blocks. Each worker thread keeps
//! one accumulator for all the blocks it runs, so memory is threads × accumulator size,
//! flat in the trial count. Per-trial rows, when asked for, are produced in windows of a
//! few blocks and handed to the caller in trial order. Each block is simulated whole
//! ([`Plan::simulate`]) into the worker's `acc::Recorder`, which keeps only what the
//! statistics need; per-worker memory is bounded by the block.
//!
//! Must not: do I/O or format output (the caller's [`Rows`] formats per-trial rows and
//! its sink writes them; the caller's observer shows progress), or import `output`,
//! `report` or `app`.

pub mod acc;
pub mod sensitivity;

use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::model::{BlockScratch, Outcomes, Plan};
pub use acc::Acc;
use acc::BlockSums;

/// Trials per block. Part of the results' definition: changing it changes the last bits
/// of float sums within a block (never the sketches or counts).
pub const BLOCK: u64 = 1024;

/// What to run.
#[derive(Clone, Debug)]
pub struct RunSpec {
    /// Trials of the whole run (all shards).
    pub trials: u64,
    /// Seed of the run.
    pub seed: u64,
    /// Worker threads (>= 1).
    pub threads: usize,
    /// The blocks to run (all of them unless this is a shard).
    pub blocks: Range<u64>,
    /// Stop early once every mean is this precise (checked every [`CHECK_BLOCKS`] blocks).
    pub stop: Option<Precision>,
}

/// A precision target for early stopping: `--target-se` and/or `--target-rse`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Absolute standard error of every cell's mean cost, USD per unit.
    pub se: Option<f64>,
    /// Standard error relative to the mean.
    pub rse: Option<f64>,
}

impl Precision {
    /// Whether every cell's mean has reached the target.
    pub fn reached(&self, acc: &Acc) -> bool {
        acc.cells.iter().all(|c| {
            let (Some(se), Some(mean)) = (c.cost.se(), c.cost.mean()) else {
                return false;
            };
            self.se.is_none_or(|t| se <= t) && self.rse.is_none_or(|t| se <= t * mean.abs())
        })
    }
}

/// Blocks between precision checks. Fixed (not tied to threads) so that where a run
/// stops depends only on the scenario, seed and target.
pub const CHECK_BLOCKS: u64 = 8;

impl RunSpec {
    /// A whole run.
    pub fn new(trials: u64, seed: u64, threads: usize) -> Self {
        RunSpec {
            trials,
            seed,
            threads: threads.max(1),
            blocks: 0..n_blocks(trials),
            stop: None,
        }
    }

    /// Shard `k` (0-based) of `n`: a contiguous run of blocks.
    pub fn shard(mut self, k: u64, n: u64) -> Self {
        // In u128: blocks × shards overflows u64 for large runs (2^40 trials, 2^20 shards).
        let total = u128::from(n_blocks(self.trials));
        let at = |k: u64| (total * u128::from(k) / u128::from(n.max(1))) as u64;
        self.blocks = at(k)..at(k + 1);
        self
    }
}

/// Number of blocks for `trials` trials.
pub fn n_blocks(trials: u64) -> u64 {
    trials.div_ceil(BLOCK)
}

/// Why a run stopped early.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    /// The observer asked to stop (Ctrl-C).
    #[error("interrupted")]
    Interrupted,
    /// The thread pool could not start.
    #[error("cannot start {threads} worker threads: {source}")]
    Pool {
        /// Threads requested.
        threads: usize,
        /// The cause.
        source: rayon::ThreadPoolBuildError,
    },
    /// The row sink failed (disk full, closed pipe).
    #[error("writing per-trial rows: {0}")]
    Sink(#[from] std::io::Error),
    /// A cost came out as NaN: a bug or a degenerate scenario.
    #[error("trial {trial}: regime `{regime}`, route `{route}` produced a non-finite cost")]
    NonFinite {
        /// Trial index.
        trial: u64,
        /// Regime name.
        regime: String,
        /// Route name.
        route: String,
    },
}

/// Progress and cancellation, supplied by the caller.
pub trait Observer: Sync {
    /// `trials` more trials are done. Called from worker threads.
    fn advance(&self, _trials: u64) {}
    /// Whether to stop at the next block boundary.
    fn cancelled(&self) -> bool {
        false
    }
}

/// An observer that shows nothing and never cancels.
pub struct Silent;
impl Observer for Silent {}

/// Cancels when a flag is set (e.g. by a Ctrl-C handler).
pub struct CancelFlag<'a>(pub &'a AtomicBool);
impl Observer for CancelFlag<'_> {
    fn cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Receives per-trial rows (CSV text, header excluded), in trial order.
pub trait RowSink {
    /// Takes a chunk of rows.
    fn write_rows(&mut self, rows: &[u8]) -> std::io::Result<()>;
}

impl<W: std::io::Write> RowSink for W {
    fn write_rows(&mut self, rows: &[u8]) -> std::io::Result<()> {
        self.write_all(rows)
    }
}

/// Formats the rows of trials `first..` held in a chunk's outcomes onto a buffer.
pub type RowFormat<'f> = dyn Fn(&mut Vec<u8>, u64, &Outcomes) + Sync + 'f;

/// Per-trial rows: how to format a chunk of outcomes (on worker threads) and where the
/// text goes (in trial order). The format is the caller's (`output::trials::rows`), so
/// the engine does no formatting of its own.
pub struct Rows<'a> {
    /// Appends the rows of trials `first..` held in the outcomes to the buffer.
    pub format: &'a RowFormat<'a>,
    /// Receives the rows.
    pub sink: &'a mut dyn RowSink,
}

/// Runs the blocks of `spec` and returns the merged accumulators.
pub fn run(
    plan: &Plan,
    spec: &RunSpec,
    observer: &dyn Observer,
    mut rows: Option<Rows<'_>>,
) -> Result<Acc, EngineError> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(spec.threads)
        .build()
        .map_err(|source| EngineError::Pool {
            threads: spec.threads,
            source,
        })?;
    // Each worker's state is built by its own thread on first use, so its buffers come
    // from that thread's allocator arena and never share a cache line with another
    // worker's (built side by side on one thread they sometimes did, and halved the
    // two-thread speed-up in some runs).
    let workers: Vec<Padded<Mutex<Option<Worker>>>> = (0..spec.threads)
        .map(|_| Padded(Mutex::new(None)))
        .collect();
    let stop = AtomicBool::new(false);
    let format = rows.as_ref().map(|r| r.format);
    let want_rows = format.is_some();
    // Without rows, one window holds every block; with rows, a few blocks per thread, so
    // the rows held at once stay bounded; with a precision target, fixed checkpoints.
    let window = match (spec.stop, want_rows) {
        (Some(_), _) => CHECK_BLOCKS,
        (None, true) => 2 * spec.threads as u64,
        (None, false) => u64::MAX,
    };
    let mut start = spec.blocks.start;
    while start < spec.blocks.end {
        let end = spec.blocks.end.min(start.saturating_add(window));
        let run_block = |b: u64| -> Result<Vec<u8>, EngineError> {
            if stop.load(Ordering::Relaxed) || observer.cancelled() {
                stop.store(true, Ordering::Relaxed);
                return Err(EngineError::Interrupted);
            }
            let me = rayon::current_thread_index().unwrap_or(0) % workers.len();
            let mut w = workers[me].0.lock().unwrap_or_else(|e| e.into_inner());
            let rows = w
                .get_or_insert_with(|| Worker::new(plan, want_rows))
                .block(plan, spec, b, format)?;
            observer.advance(block_range(spec.trials, b).count() as u64);
            Ok(rows)
        };
        // Collect rows only when someone wants them: otherwise a list of empty buffers,
        // one per block, would grow with the trial count.
        let texts: Vec<Vec<u8>> = if want_rows {
            pool.install(|| {
                (start..end)
                    .into_par_iter()
                    .map(run_block)
                    .collect::<Result<_, _>>()
            })?
        } else {
            pool.install(|| {
                (start..end)
                    .into_par_iter()
                    .try_for_each(|b| run_block(b).map(drop))
            })?;
            Vec::new()
        };
        if let Some(r) = rows.as_mut() {
            for text in &texts {
                r.sink.write_rows(text)?;
            }
        }
        start = end;
        if let Some(p) = &spec.stop {
            if p.reached(&merged(plan, &workers)) {
                break;
            }
        }
    }
    // Merge into the first worker's accumulator rather than a fresh one: a third copy
    // of every sketch would be the largest allocation of the run.
    let mut accs = workers.into_iter().filter_map(|w| {
        w.0.into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .map(|w| w.acc)
    });
    let mut total = accs.next().unwrap_or_else(|| Acc::new(plan));
    for a in accs {
        total.merge(&a);
    }
    Ok(total)
}

/// The sum of every worker's accumulator (exact, so the order does not matter).
fn merged(plan: &Plan, workers: &[Padded<Mutex<Option<Worker>>>]) -> Acc {
    let mut total = Acc::new(plan);
    for w in workers {
        if let Some(w) = w.0.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            total.merge(&w.acc);
        }
    }
    total
}

/// The first trial of block `b` of a run of `trials` trials (`trials` itself past the
/// end): the one place the block arithmetic lives, without overflow for any count.
pub fn block_start(trials: u64, b: u64) -> u64 {
    b.saturating_mul(BLOCK).min(trials)
}

/// The trials of block `b`.
pub(crate) fn block_range(trials: u64, b: u64) -> Range<u64> {
    block_start(trials, b)..block_start(trials, b.saturating_add(1))
}

/// Keeps each worker's state on its own cache lines. Speed: workers write their block
/// sums and scratch on every trial; packed side by side in one Vec, neighbouring
/// workers' fields shared cache lines and the cores fought over them (false sharing).
#[repr(align(128))]
struct Padded<T>(T);

/// One worker thread's state: its accumulator and reusable buffers.
struct Worker {
    acc: Acc,
    sums: BlockSums,
    block: BlockScratch,
    /// Every outcome of a chunk, kept only when per-trial rows are written.
    rows: Option<Outcomes>,
}

impl Worker {
    fn new(plan: &Plan, want_rows: bool) -> Self {
        let acc = Acc::new(plan);
        let cap = BLOCK as usize;
        Worker {
            sums: BlockSums::new(&acc, cap),
            block: plan.block_scratch(cap),
            rows: want_rows.then(|| Outcomes::new(acc.cells.len(), cap)),
            acc,
        }
    }

    fn block(
        &mut self,
        plan: &Plan,
        spec: &RunSpec,
        b: u64,
        format: Option<&RowFormat<'_>>,
    ) -> Result<Vec<u8>, EngineError> {
        let routes = plan.n_routes();
        let mut rows = Vec::new();
        let range = block_range(spec.trials, b);
        let n = (range.end - range.start) as usize;
        let mut recorder = self.sums.recorder(&mut self.acc);
        match &mut self.rows {
            Some(outcomes) => {
                let mut both = (recorder, &mut *outcomes);
                plan.simulate(spec.seed, range.start, n, &mut self.block, &mut both);
            }
            None => plan.simulate(spec.seed, range.start, n, &mut self.block, &mut recorder),
        }
        check_finite(plan, &self.sums, range.start, n)?;
        self.sums.end_chunk(&mut self.acc, n, routes);
        if let (Some(outcomes), Some(format)) = (&self.rows, format) {
            format(&mut rows, range.start, outcomes);
        }
        self.sums.flush(&mut self.acc);
        Ok(rows)
    }
}

/// Refuses a block with a non-finite cost, naming its first trial and cell.
fn check_finite(plan: &Plan, sums: &BlockSums, first: u64, n: usize) -> Result<(), EngineError> {
    let cells = plan.n_regimes() * plan.n_routes();
    let bad = (0..cells)
        .filter_map(|i| {
            let t = sums.costs(i, n).iter().position(|c| !c.is_finite())?;
            Some((t, i))
        })
        .min();
    let Some((t, i)) = bad else {
        return Ok(());
    };
    let s = plan.scenario();
    let routes = plan.n_routes();
    Err(EngineError::NonFinite {
        trial: first + t as u64,
        regime: s.regimes[i / routes].name.clone(),
        route: s.routes[i % routes].name.clone(),
    })
}
