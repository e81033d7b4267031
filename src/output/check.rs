//! The text of `tariffsim check`: a scenario's summary line and each regime's duty stack
//! for every origin that appears, without a preference and claiming each agreement open
//! to that origin. The CLI prints it and the Python package returns it, so both say the
//! same thing.

use std::fmt::Write as _;

use crate::model::Plan;
use crate::scenario::Built;

fn pct(x: f64) -> String {
    let p = (x * 1e6).round() / 1e4;
    format!("{p}%")
}

/// The check report of `built` (compiled as `plan`), read from `file`, with `points`
/// sweep points.
pub fn check_text(file: &str, built: &Built, plan: &Plan, points: usize) -> String {
    let s = &built.scenario;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}: OK: {} routes, {} regimes, {} warnings{}",
        file,
        s.routes.len(),
        s.regimes.len(),
        built.warnings.len(),
        if points > 1 {
            format!(", {points} sweep points (all valid)")
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
        let timed: Vec<String> = regime
            .measures
            .iter()
            .filter_map(|m| {
                let from = m.effective_day.as_ref().map(|d| match d.is_fixed() {
                    Some(v) => format!("from day {v}"),
                    None => {
                        let (lo, hi) = d.support();
                        format!("from a day in {lo}..{hi}")
                    }
                });
                let until = m.end_day.map(|e| format!("until day {e}"));
                let window: Vec<String> = from.into_iter().chain(until).collect();
                (!window.is_empty()).then(|| format!("{} ({})", m.name, window.join(", ")))
            })
            .collect();
        if !timed.is_empty() {
            // The stacks above add every measure as if all were in force at once; timed
            // measures may never overlap, so a stack can hold two that never meet.
            let _ = writeln!(
                out,
                "    timed, summed above as if all in force at once: {}",
                timed.join("; ")
            );
        }
    }
    out
}
