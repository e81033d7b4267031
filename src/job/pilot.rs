//! The pilot run: what validates must run. A few trials of every grid point, refused if
//! a landed cost is not finite or too large to sum exactly (e.g. `unit_value = 1e308` or
//! `units_per_feu = 5e-324`), so a run never fails after minutes for a scenario value.

use super::LoadError;
use crate::engine::{self, RunSpec, Silent};
use crate::model::Plan;
use crate::scenario::Built;

/// Trials of the pilot run.
pub const PILOT_TRIALS: u64 = 64;

/// Largest landed cost per unit that is summed exactly (a block's sum of squares must
/// stay inside the fixed-point range; beyond it a mean would come out as `inf`).
pub const MAX_COST: f64 = 1e11;

/// Runs [`PILOT_TRIALS`] trials of `built`; `file` names it in messages.
pub fn pilot(file: &str, built: &Built) -> Result<(), LoadError> {
    let s = &built.scenario;
    let plan = Plan::new(s.clone()).map_err(|e| LoadError::Plan(e.to_string()))?;
    let spec = RunSpec::new(PILOT_TRIALS, s.seed, 1);
    let hint = "a value such as unit_value or units_per_feu is too large or too small";
    let refuse = |message: String| LoadError::Pilot {
        file: file.to_string(),
        message,
    };
    let acc = match engine::run(&plan, &spec, &Silent, None) {
        Ok(acc) => acc,
        Err(engine::EngineError::NonFinite { regime, route, .. }) => {
            return Err(refuse(format!(
                "regime `{regime}`, route `{route}`: the landed cost is not a finite \
                 number ({hint})"
            )))
        }
        Err(e) => return Err(LoadError::Engine(e)),
    };
    for (i, c) in acc.cells.iter().enumerate() {
        let m = c.cost_sketch.min().unwrap_or(0.0).abs();
        let m = m.max(c.cost_sketch.max().unwrap_or(0.0).abs());
        if m > MAX_COST {
            let routes = plan.n_routes();
            return Err(refuse(format!(
                "regime `{}`, route `{}`: a landed cost of {m:e} USD per unit is \
                 beyond {MAX_COST:e}, the largest summed exactly ({hint})",
                s.regimes[i / routes].name,
                s.routes[i % routes].name
            )));
        }
    }
    Ok(())
}
