//! `NativeScenario.breakeven`: the library's search and evaluations
//! ([`tariffsim::breakeven`]) and files ([`tariffsim::output::breakeven`]), with the
//! arguments checked as Python's.

use std::sync::atomic::AtomicBool;

use tariffsim::breakeven::{self, params, Eval, Found, Metric, Question};
use tariffsim::engine::CancelFlag;
use tariffsim::job;
use tariffsim::output::breakeven::{breakeven_csv, manifest, money, BeProvenance};
use tariffsim::sweep::GridPoint;

use crate::errors::{value, Res};
use crate::native::NativeScenario;
use crate::run::threads;

/// What a search hands to Python: the evaluations, the answer, breakeven.csv, the
/// manifest (JSON text) and the regime compared in.
pub(crate) type BreakevenOut = (Vec<Eval>, Found, String, String, String);

/// The arguments of a search, as Python gives them.
pub(crate) struct BreakevenArgs<'a> {
    pub(crate) param: &'a str,
    pub(crate) routes: [&'a str; 2],
    pub(crate) regime: Option<&'a str>,
    pub(crate) between: Option<(f64, f64)>,
    pub(crate) metric: &'a str,
    pub(crate) trials: Option<u64>,
    pub(crate) seed: Option<u64>,
    pub(crate) threads: Option<usize>,
}

impl NativeScenario {
    /// Runs the search.
    pub(crate) fn breakeven_inner(
        &self,
        a: &BreakevenArgs,
        cancel: &AtomicBool,
    ) -> Res<BreakevenOut> {
        let Some(metric) = Metric::from_name(a.metric) else {
            return Err(value(format!(
                "metric must be one of mean, p50, p95, got {:?}",
                a.metric
            )));
        };
        if a.threads == Some(0) {
            return Err(value("threads must be at least 1"));
        }
        if a.trials == Some(0) {
            return Err(value("trials must be at least 1"));
        }
        let (root, file) = (&self.root, &self.file);
        let base = job::build_point(
            root,
            file,
            &GridPoint {
                settings: Vec::new(),
            },
        )?;
        let s = &base.scenario;
        let route_names: Vec<&str> = s.routes.iter().map(|r| r.name.as_str()).collect();
        let find_route = |n: &str| {
            route_names.iter().position(|r| *r == n).ok_or_else(|| {
                value(format!(
                    "routes: no route `{n}`; routes: {}",
                    route_names.join(", ")
                ))
            })
        };
        let [ra, rb] = a.routes;
        let (ia, ib) = (find_route(ra)?, find_route(rb)?);
        if ia == ib {
            return Err(value(format!(
                "routes: `{ra}` twice; a break-even compares two different routes \
                 (routes: {})",
                route_names.join(", ")
            )));
        }
        params::refuse_distribution(root, a.param, "").map_err(value)?;
        let regime_names: Vec<&str> = s.regimes.iter().map(|r| r.name.as_str()).collect();
        let g = match a.regime {
            Some(n) => regime_names.iter().position(|r| *r == n).ok_or_else(|| {
                value(format!(
                    "regime: no regime `{n}`; regimes: {}",
                    regime_names.join(", ")
                ))
            })?,
            None => 0,
        };
        let (lo, hi) = a
            .between
            .unwrap_or_else(|| params::default_between(root, a.param));
        if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
            return Err(value(format!("between: LO ({lo}) must be below HI ({hi})")));
        }
        let n_routes = s.routes.len();
        let q = Question {
            root,
            file,
            param: a.param,
            regime: regime_names[g],
            routes: [ra, rb],
            cells: (g * n_routes + ia, g * n_routes + ib),
            metric,
            trials: a.trials.unwrap_or(s.trials),
            seed: a.seed.unwrap_or(s.seed),
            threads: threads(a.threads),
            prefix: "",
        };
        let observer = CancelFlag(cancel);
        let search = breakeven::find(lo, hi, |x| {
            breakeven::evaluate(&q, x, None, &observer).map_err(crate::errors::Fail::from)
        })?;
        let other_regime = params::regime_of(root, a.param).filter(|r| r != regime_names[g]);
        params::no_effect(
            &search,
            a.param,
            regime_names[g],
            other_regime.as_deref(),
            [ra, rb],
            "",
            money,
        )
        .map_err(value)?;
        let csv = breakeven_csv(&search);
        let prov = BeProvenance {
            scenario_file: file,
            scenario: &s.name,
            param: a.param,
            routes: [ra, rb],
            regime: regime_names[g],
            metric: metric.name(),
            between: (lo, hi),
            trials: q.trials,
            seed: q.seed,
            overrides: &self.overrides,
            over: None,
        };
        let m = manifest(&prov, std::slice::from_ref(&search));
        let m = String::from_utf8_lossy(&m).into_owned();
        Ok((
            search.evals,
            search.found,
            csv,
            m,
            regime_names[g].to_string(),
        ))
    }
}
