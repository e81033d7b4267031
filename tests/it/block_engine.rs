//! The block engine (issue 16): simulating a block gives every trial's outcome exactly as
//! a block of one does, whatever the block size and where it starts; a worker reused for
//! a shorter last block forgets the longer one; per-trial rows and the sensitivity pass
//! are the same for one thread and several when the last block is partial.

use tariffsim::engine::{self, sensitivity, RunSpec, Silent};
use tariffsim::model::{Outcome, Outcomes, Plan};

const SEED: u64 = 11;

/// Every shipped scenario (a sweep file at its first grid point).
fn shipped() -> Vec<(String, Plan)> {
    let mut files: Vec<_> = std::fs::read_dir("scenarios")
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let job = tariffsim::job::job(path, &tariffsim::job::read_scenario_file, &[], &[])
                .unwrap_or_else(|e| panic!("{}: {}", path.display(), e.message("--")));
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, Plan::new(job.points[0].1.scenario.clone()).unwrap())
        })
        .collect()
}

/// Bit-for-bit equality of two outcomes (`==` would let -0.0 equal 0.0).
fn same(a: &Outcome, b: &Outcome) -> bool {
    let bits = |o: &Outcome| {
        let mut v = vec![o.cost.to_bits(), o.days.to_bits(), o.cv.to_bits()];
        v.extend(o.parts.iter().map(|p| p.to_bits()));
        (v, o.flags, o.entered, o.before_effective)
    };
    bits(a) == bits(b)
}

#[test]
fn a_block_equals_its_trials_one_by_one() {
    for (name, plan) in shipped() {
        let cells = plan.n_regimes() * plan.n_routes();
        let mut one = plan.scratch();
        for (first, n) in [
            (0u64, 1usize),
            (5, 7),
            (1000, 300),
            (3 * engine::BLOCK, 1024),
        ] {
            let mut block = plan.block_scratch(n);
            let mut outcomes = Outcomes::new(cells, n);
            plan.simulate(SEED, first, n, &mut block, &mut outcomes);
            assert_eq!(outcomes.len(), n);
            for t in 0..n {
                plan.trial(SEED, first + t as u64, &mut one);
                for (i, o) in one.outcomes.iter().enumerate() {
                    assert!(
                        same(&outcomes.cell(i)[t], o),
                        "{name}: trial {} cell {i}: block of {n} from {first} differs from the trial alone",
                        first + t as u64
                    );
                }
            }
        }
    }
}

#[test]
fn a_reused_sink_holds_only_the_last_block() {
    let (_, plan) = shipped().remove(0);
    let cells = plan.n_regimes() * plan.n_routes();
    let mut block = plan.block_scratch(64);
    let mut outcomes = Outcomes::new(cells, 64);
    plan.simulate(SEED, 0, 64, &mut block, &mut outcomes);
    plan.simulate(SEED, 64, 10, &mut block, &mut outcomes);
    assert_eq!(outcomes.len(), 10);
    assert_eq!(outcomes.cell(cells - 1).len(), 10);
}

/// trials.csv text of a run of `trials` trials with `threads` threads.
fn rows(plan: &Plan, trials: u64, threads: usize) -> Vec<u8> {
    let mut text = Vec::new();
    let format = |buf: &mut Vec<u8>, first: u64, o: &Outcomes| {
        tariffsim::output::trials::rows(buf, plan, first, o)
    };
    let spec = RunSpec::new(trials, SEED, threads);
    let r = engine::Rows {
        format: &format,
        sink: &mut text,
    };
    engine::run(plan, &spec, &Silent, Some(r)).unwrap();
    text
}

#[test]
fn rows_and_sensitivity_do_not_depend_on_threads_with_a_partial_last_block() {
    let plan = shipped()
        .into_iter()
        .find(|(n, _)| n == "korea-jv.toml")
        .unwrap()
        .1;
    let trials = 3 * engine::BLOCK + 17;
    let one = rows(&plan, trials, 1);
    let cells = (plan.n_regimes() * plan.n_routes()) as u64;
    let lines = one.iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(lines, trials * cells, "one row per trial and cell");
    assert!(
        one == rows(&plan, trials, 3),
        "trials.csv differs between 1 and 3 threads"
    );

    let acc = engine::run(&plan, &RunSpec::new(trials, SEED, 2), &Silent, None).unwrap();
    let sketches: Vec<_> = acc.cells.iter().map(|c| &c.cost_sketch).collect();
    let pass = |threads| {
        sensitivity::run(
            &plan,
            &RunSpec::new(trials, SEED, threads),
            &sketches,
            &Silent,
        )
        .unwrap()
        .acc
    };
    assert!(
        pass(1) == pass(3),
        "the sensitivity sums differ between 1 and 3 threads"
    );
}
