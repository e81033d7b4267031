//! `tariffsim check`: validate, then show each regime's duty stack per origin.

use anyhow::anyhow;
use tariffsim::model::Plan;

use super::load::{self, Job};
use super::options::CheckOptions;
use super::{print_stdout, Failure};

/// Validates every scenario of `o` and prints each one's duty stacks; reports every
/// failure, exiting with the last one's code.
pub fn check(o: &CheckOptions) -> Result<(), Failure> {
    let mut failed = None;
    let mut out = String::new();
    for path in &o.scenarios {
        match load::job(path, &o.set, &[]) {
            Ok(job) => {
                let built = &job.points[0].1;
                for w in &built.warnings {
                    say!("{w}");
                }
                let plan =
                    Plan::new(built.scenario.clone()).map_err(|e| Failure::Input(anyhow!(e)))?;
                describe(&mut out, &job, &plan);
            }
            Err(e) => {
                if let Some(Failure::Input(prev) | Failure::Run(prev)) = failed.replace(e) {
                    say!("{prev:#}");
                }
            }
        }
    }
    let printed = print_stdout(&out);
    match failed {
        Some(f) => Err(f),
        None => printed,
    }
}

/// The report: each regime's duty stack for every origin that appears (the library's
/// `check_text`, shared with the Python package).
fn describe(out: &mut String, job: &Job, plan: &Plan) {
    let built = &job.points[0].1;
    let file = job.path.display().to_string();
    out.push_str(&tariffsim::output::check_text(
        &file,
        built,
        plan,
        job.points.len(),
    ));
}
