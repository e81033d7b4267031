//! Criterion benchmarks of the simulation hot path (issues 7 and 16), calling the library only.
//!
//!   cargo bench --bench engine                 # everything, a few minutes
//!   cargo bench --bench engine -- block/       # one block of each shipped scenario
//!   cargo bench --bench engine -- block-parts/ # one block of korea-jv, split into its parts
//!   cargo bench --bench engine -- run/         # whole korea-jv runs of 1e6 trials, 1 and 2 threads
//!
//! Groups:
//! - `block/<scenario>`: one block of `engine::BLOCK` trials of each shipped scenario
//!   (`scenarios/*.toml`, families through `extends`; a sweep file at its base point),
//!   simulated and recorded as a worker does (`Plan::simulate` into the block's
//!   `Recorder`, then `end_chunk` and `flush`). Throughput is in cells x trials, so
//!   1e9 / (elements/s) = ns per (trial x regime x route).
//! - `block-parts/korea-jv/*`: one block of korea-jv: simulating alone (outcomes
//!   discarded); simulating and recording; and `engine::run` over blocks 0..1 on one
//!   thread (adds the Rayon pool set-up and the final merge). The differences split a
//!   block's time between the model, the statistics (sketch inserts, sums, pair
//!   differences) and fixed per-run costs.
//! - `run/korea-jv-1e6/threads-N`: `engine::run` of 1e6 trials; throughput in trials.
//!
//! CI runs `cargo test --release`, which does not run benches (it builds them only with
//! `--benches`/`--all-targets`), so none of this is a timing test.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use tariffsim::engine::{self, acc::BlockSums, Acc, RunSpec, Silent, BLOCK};
use tariffsim::model::{CellSink, Outcome, Plan};
use tariffsim::scenario::{self, diag::Diagnostics};

fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The shipped scenarios, sorted by file name.
fn shipped() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("scenarios/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    v.sort();
    v
}

/// Loads a scenario file with its `extends` bases; a sweep file is built at its base
/// point (its sweeps removed), like one grid point of `tariffsim run`.
fn plan_of(path: &Path) -> Plan {
    let mut d = Diagnostics::default();
    let read = |p: &Path| std::fs::read_to_string(p);
    let mut root = scenario::load::load_tree(path, &read, &mut d);
    let _sweeps = tariffsim::sweep::take_from_doc(&mut root, &mut d);
    assert!(!d.has_errors(), "{}: {:?}", path.display(), d.errors());
    let name = path.display().to_string();
    let built = scenario::build::build(&root, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
    Plan::new(built.scenario).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

fn korea_jv() -> Plan {
    plan_of(&scenarios_dir().join("korea-jv.toml"))
}

/// Ignores every outcome: simulating alone.
struct Discard;
impl CellSink for Discard {
    fn outcome(&mut self, _: usize, _: usize, o: &Outcome) {
        black_box(o);
    }
}

/// One block of every shipped scenario, simulated and recorded as a worker does.
fn bench_block(c: &mut Criterion) {
    let mut g = c.benchmark_group("block");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    for path in shipped() {
        let plan = plan_of(&path);
        let cells = (plan.n_regimes() * plan.n_routes()) as u64;
        let seed = plan.scenario().seed;
        let mut acc = Acc::new(&plan);
        let mut sums = BlockSums::new(&acc, BLOCK as usize);
        let mut s = plan.block_scratch(BLOCK as usize);
        let routes = plan.n_routes();
        let mut block = 0u64;
        g.throughput(Throughput::Elements(cells * BLOCK));
        g.bench_function(BenchmarkId::from_parameter(stem(&path)), |b| {
            b.iter(|| {
                // A new block each time: every iteration draws fresh numbers, as a run does.
                let mut rec = sums.recorder(&mut acc);
                plan.simulate(seed, block * BLOCK, BLOCK as usize, &mut s, &mut rec);
                sums.end_chunk(&mut acc, BLOCK as usize, routes);
                sums.flush(&mut acc);
                block += 1;
            })
        });
        black_box(&acc);
    }
    g.finish();
}

/// One block of korea-jv, and what it is made of.
fn bench_block_parts(c: &mut Criterion) {
    let plan = korea_jv();
    let seed = plan.scenario().seed;
    let mut g = c.benchmark_group("block-parts/korea-jv");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3))
        .throughput(Throughput::Elements(BLOCK));
    let n = BLOCK as usize;
    let mut s = plan.block_scratch(n);
    let mut block = 0u64;
    g.bench_function("simulate", |b| {
        b.iter(|| {
            plan.simulate(seed, block * BLOCK, n, &mut s, &mut Discard);
            block += 1;
        })
    });

    let mut acc = Acc::new(&plan);
    let mut sums = BlockSums::new(&acc, n);
    let routes = plan.n_routes();
    let mut block = 0u64;
    g.bench_function("simulate+record", |b| {
        b.iter(|| {
            let mut rec = sums.recorder(&mut acc);
            plan.simulate(seed, block * BLOCK, n, &mut s, &mut rec);
            sums.end_chunk(&mut acc, n, routes);
            sums.flush(&mut acc);
            block += 1;
        })
    });
    black_box(&acc);

    let mut spec = RunSpec::new(BLOCK, seed, 1);
    spec.blocks = 0..1;
    g.bench_function("engine-run-1-thread", |b| {
        b.iter(|| black_box(engine::run(&plan, &spec, &Silent, None).unwrap()))
    });
    g.finish();
}

/// Whole runs of korea-jv at 1e6 trials.
fn bench_run(c: &mut Criterion) {
    const TRIALS: u64 = 1_000_000;
    let plan = korea_jv();
    let seed = plan.scenario().seed;
    let mut g = c.benchmark_group("run/korea-jv-1e6");
    // Criterion's minimum of 10 samples, each one run (0.2-2 s): flat sampling (one
    // iteration per sample), no warm-up beyond one run; about 10-20 s per thread count.
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .measurement_time(Duration::from_secs(10))
        .throughput(Throughput::Elements(TRIALS));
    for threads in [1usize, 2] {
        let spec = RunSpec::new(TRIALS, seed, threads);
        g.bench_function(format!("threads-{threads}"), |b| {
            b.iter(|| black_box(engine::run(&plan, &spec, &Silent, None).unwrap()))
        });
    }
    g.finish();
}

criterion_group!(benches, bench_block, bench_block_parts, bench_run);
criterion_main!(benches);
