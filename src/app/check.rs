//! `tariffsim check`: validate, then show each regime's duty stack per origin.

use std::fmt::Write as _;

use anyhow::anyhow;
use tariffsim::model::Plan;

use super::load::{self, Job};
use super::{print_stdout, Failure};
use crate::cli::CheckArgs;

pub fn check(args: CheckArgs) -> Result<(), Failure> {
    let mut failed = None;
    let mut out = String::new();
    for path in &args.scenarios {
        match load::job(path, &args.set, &[]) {
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

fn pct(x: f64) -> String {
    let p = (x * 1e6).round() / 1e4;
    format!("{p}%")
}

/// The report: each regime's duty stack for every origin that appears, without a
/// preference and claiming each agreement open to that origin.
fn describe(out: &mut String, job: &Job, plan: &Plan) {
    let built = &job.points[0].1;
    let s = &built.scenario;
    let _ = writeln!(
        out,
        "{}: OK: {} routes, {} regimes, {} warnings{}",
        job.path.display(),
        s.routes.len(),
        s.regimes.len(),
        built.warnings.len(),
        if job.points.len() > 1 {
            format!(", {} sweep points (all valid)", job.points.len())
        } else {
            String::new()
        }
    );
    let mut origins: Vec<&str> = Vec::new();
    for r in &s.routes {
        for o in [r.true_origin(), r.filed_origin()] {
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
    }
    for (g, regime) in s.regimes.iter().enumerate() {
        let _ = writeln!(out, "  regime `{}`", regime.name);
        for o in &origins {
            let mut claims: Vec<(String, u64)> = vec![("no preference".into(), 0)];
            for (i, a) in regime.agreements.iter().enumerate() {
                if a.origins.iter().any(|x| x == o) {
                    claims.push((format!("claiming {}", a.name), 1u64 << i));
                }
            }
            for (label, mask) in claims {
                let (names, rate, per_unit) = plan.duty_stack(g, o, mask);
                let list = if names.is_empty() {
                    "no measures".to_string()
                } else {
                    names.join(" + ")
                };
                let specific = if per_unit > 0.0 {
                    format!(" + {per_unit} USD/unit")
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "    origin {o} ({label}): {list} = {} ad valorem{specific}",
                    pct(rate)
                );
            }
        }
    }
}
