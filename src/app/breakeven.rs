//! `tariffsim breakeven`: the parameter value at which two routes cost the same. The
//! search and its evaluations are the library's ([`tariffsim::breakeven`]); this resolves
//! the options, prints progress and the answer, and writes the files.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::anyhow;
use tariffsim::breakeven::{self, params, EvalError, Found, Question};
use tariffsim::engine::CancelFlag;
use tariffsim::output::breakeven::{breakeven_csv, BeProvenance, MANIFEST};
use tariffsim::sweep::GridPoint;

use super::be_out::money;
use super::load;
use super::options::BreakevenOptions;
use super::outputs::Outputs;
use super::{cancel_flag, print_stdout, threads, Failure};

fn input(m: String) -> Failure {
    Failure::Input(anyhow!(m))
}

/// An evaluation's failure as the binary reports it.
fn eval_failure(e: EvalError) -> Failure {
    match e {
        EvalError::Load(e) => load::failure(e),
        EvalError::Refused(m) => input(m),
        EvalError::Interrupted => Failure::Run(anyhow!("interrupted; nothing was written")),
        EvalError::Engine(e) => Failure::Run(anyhow!(e)),
    }
}

/// Runs the search (or, with `--over`, one search per value) and writes its files.
pub fn breakeven(args: &BreakevenOptions) -> Result<(), Failure> {
    let (root, _) = load::document(&args.scenario, &args.set)?;
    let file = args.scenario.display().to_string();
    let base = load::build_point(
        &root,
        &file,
        &GridPoint {
            settings: Vec::new(),
        },
    )?;
    let s = &base.scenario;
    let routes = args.routes.clone().map_err(input)?;
    let [ra, rb] = &routes;
    let route_names: Vec<&str> = s.routes.iter().map(|r| r.name.as_str()).collect();
    let find_route = |n: &str| {
        route_names.iter().position(|r| *r == n).ok_or_else(|| {
            input(format!(
                "--routes: no route `{n}`; routes: {}",
                route_names.join(", ")
            ))
        })
    };
    let (a, b) = (find_route(ra)?, find_route(rb)?);
    if a == b {
        return Err(input(format!(
            "--routes {ra},{rb}: the two routes are the same; a break-even compares two \
             different routes (routes: {})",
            route_names.join(", ")
        )));
    }
    params::refuse_distribution(&root, &args.param, "--").map_err(input)?;
    let regime_names: Vec<&str> = s.regimes.iter().map(|r| r.name.as_str()).collect();
    let g = match &args.regime {
        Some(n) => regime_names.iter().position(|r| r == n).ok_or_else(|| {
            input(format!(
                "--regime: no regime `{n}`; regimes: {}",
                regime_names.join(", ")
            ))
        })?,
        None => {
            if regime_names.len() > 1 && !args.quiet {
                say!(
                    "note: no --regime given; using the first, `{}`",
                    regime_names[0]
                );
            }
            0
        }
    };
    let (lo, hi) = match &args.between {
        Some(b) => b.clone().map_err(input)?,
        None => params::default_between(&root, &args.param),
    };
    if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
        return Err(input(format!(
            "--between: LO ({lo}) must be below HI ({hi})"
        )));
    }
    let n_routes = s.routes.len();
    let question = Question {
        root: &root,
        file: &file,
        param: &args.param,
        regime: regime_names[g],
        routes: [ra.as_str(), rb.as_str()],
        cells: (g * n_routes + a, g * n_routes + b),
        metric: args.metric,
        trials: args.trials.unwrap_or(s.trials),
        seed: args.seed.unwrap_or(s.seed),
        threads: threads(args.threads),
        prefix: "--",
    };
    let over = args.over.clone().transpose().map_err(input)?;
    let observer = CancelFlag(cancel_flag());
    let eval_at = |x: f64, q: Option<f64>| -> Result<breakeven::Eval, Failure> {
        let over_at = over.as_ref().zip(q).map(|((qp, _), q)| (qp.as_str(), q));
        let e = breakeven::evaluate(&question, x, over_at, &observer).map_err(eval_failure)?;
        if !args.quiet {
            say!(
                "  {} = {x}: {ra} {}, {rb} {}, difference {} (se {})",
                args.param,
                money(e.a),
                money(e.b),
                money(e.diff),
                money(e.se)
            );
        }
        Ok(e)
    };
    let metric_name = question.metric.name();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&s.name));
    let prov = BeProvenance {
        scenario_file: &file,
        scenario: &s.name,
        param: &args.param,
        routes: [ra.as_str(), rb.as_str()],
        regime: regime_names[g],
        metric: metric_name,
        between: (lo, hi),
        trials: question.trials,
        seed: question.seed,
        overrides: &args.set,
        over: over.as_ref().map(|(p, v)| (p.as_str(), v.clone())),
    };
    // The folder is locked and staged before the search, not after it: a second run into
    // it is refused at once, not after minutes of simulation.
    let other_regime = params::regime_of(&root, &args.param).filter(|r| r != regime_names[g]);
    let effect = |s: &breakeven::Search| {
        params::no_effect(
            s,
            &args.param,
            regime_names[g],
            other_regime.as_deref(),
            [ra, rb],
            "--",
            money,
        )
        .map_err(input)
    };
    if let Some((_, values)) = &over {
        let files = Outputs::update(&dir, &["frontier.csv", MANIFEST])?;
        return super::be_out::frontier(&prov, values, files, args.quiet, |_, q| {
            let s = breakeven::find(lo, hi, |x| eval_at(x, Some(q)))?;
            effect(&s)?;
            Ok(s)
        });
    }
    let mut files = Outputs::update(&dir, &["breakeven.csv", MANIFEST])?;
    let search = breakeven::find(lo, hi, |x| eval_at(x, None))?;
    effect(&search)?;
    let mut report = String::new();
    match &search.found {
        Found::Crossing { x, lo: cl, hi: ch } => {
            let first = search.evals[0];
            let a_cheaper_below = first.diff < 0.0;
            let show = |v: f64| super::be_out::shown(v, *cl, *ch);
            let _ = writeln!(
                report,
                "break-even {} = {} (95% CI {} to {}) on {metric_name} cost in regime `{}`: `{}` is cheaper {} it, `{}` {} it",
                args.param,
                show(*x),
                show(*cl),
                show(*ch),
                regime_names[g],
                ra,
                if a_cheaper_below { "below" } else { "above" },
                rb,
                if a_cheaper_below { "above" } else { "below" }
            );
        }
        Found::NoCrossing { why } => {
            let _ = writeln!(
                report,
                "no break-even for {} in [{lo}, {hi}] on {metric_name} cost in regime `{}`: {why} (A = `{ra}`, B = `{rb}`)",
                args.param, regime_names[g]
            );
        }
    }
    let csv = breakeven_csv(&search);
    files.add("breakeven.csv", csv.as_bytes())?;
    let m = tariffsim::output::breakeven::manifest(&prov, std::slice::from_ref(&search));
    super::be_out::add_outputs(&mut files, &m, Some(&csv), None)?;
    files.commit()?;
    print_stdout(&report)?;
    Ok(())
}
