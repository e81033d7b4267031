//! `tariffsim breakeven`: the parameter value at which two routes cost the same.

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::anyhow;
use tariffsim::breakeven::{self, Eval, Found};
use tariffsim::engine::{self, Acc, RunSpec, Silent};
use tariffsim::model::Plan;
use tariffsim::scenario::path;
use tariffsim::scenario::tree::{Node, Table, Value};
use tariffsim::stats::Sketch;
use tariffsim::sweep::GridPoint;

use super::load;
use super::outputs::Outputs;
use super::{cancel_flag, print_stdout, threads, Failure};
use crate::cli::{BreakevenArgs, Metric};

/// Independent slices of the trials used to estimate the standard error of a quantile
/// difference (the mean's comes exactly from the paired moments).
const SLICES: u64 = 10;

fn input(m: String) -> Failure {
    Failure::Input(anyhow!(m))
}

/// The node at `p` in the document, if there is one.
fn node_at<'a>(root: &'a Table, p: &str) -> Option<&'a Node> {
    let segs = path::segments(p).ok()?;
    let mut n: &Node = root.get(&segs[0])?;
    for s in &segs[1..] {
        n = match &n.value {
            Value::Table(t) => t.get(s)?,
            Value::Array(a) => a
                .iter()
                .find(|e| matches!(&e.value, Value::Table(t) if t.get("name").is_some_and(|n| n.value == Value::Str(s.clone()))))
                .or_else(|| a.get(s.parse::<usize>().ok()?))?,
            _ => return None,
        };
    }
    Some(n)
}

/// The numeric value at `p` in the document, if there is one.
fn current_value(root: &Table, p: &str) -> Option<f64> {
    match node_at(root, p)?.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// Refuses a `--param` that names a distribution: every step would replace it by a
/// fixed number, so the search would answer another question than the scenario asks.
fn refuse_distribution(root: &Table, p: &str) -> Result<(), Failure> {
    let Some(node) = node_at(root, p) else {
        return Ok(());
    };
    let Value::Table(t) = &node.value else {
        return Ok(());
    };
    let Some(kind) = t.get("dist") else {
        return Ok(());
    };
    let kind = match &kind.value {
        Value::Str(k) => k.clone(),
        _ => "distribution".into(),
    };
    let params: Vec<&str> = t.keys().filter(|k| *k != "dist").collect();
    let example = params
        .first()
        .map_or(String::new(), |k| format!(" (e.g. --param {}.{k})", p));
    Err(input(format!(
        "--param {}: {} gives a distribution there ({} {{ {} }}); the search would replace \
         it by a fixed number at every step. Search one of its parameters instead{example}, \
         or fix it first with --set",
        p,
        node.loc,
        kind,
        params.join(", ")
    )))
}

/// The name of the regime that `p` lies under (`regimes.NAME...` or `regimes.INDEX...`).
fn regime_of(root: &Table, p: &str) -> Option<String> {
    let segs = path::segments(p).ok()?;
    if segs.first().map(String::as_str) != Some("regimes") || segs.len() < 2 {
        return None;
    }
    let n = node_at(root, &format!("regimes.\"{}\"", segs[1]))?;
    match &n.value {
        Value::Table(t) => match &t.get("name")?.value {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn metric(s: &Sketch, mean: Option<f64>, m: Metric) -> f64 {
    match m {
        Metric::Mean => mean.unwrap_or(f64::NAN),
        Metric::P50 => s.quantile(0.5).unwrap_or(f64::NAN),
        Metric::P95 => s.quantile(0.95).unwrap_or(f64::NAN),
    }
}

/// Refuses a search whose parameter changed neither compared cost between the two ends:
/// a parameter of another regime (that the compared one does not inherit) cannot move
/// them, and "cheaper at both ends" would hide that the question was not asked.
fn no_effect(
    s: &breakeven::Search,
    param: &str,
    regime: &str,
    other: Option<&str>,
    [ra, rb]: [&String; 2],
) -> Result<(), Failure> {
    let (Some(first), Some(last)) = (s.evals.first(), s.evals.get(1)) else {
        return Ok(());
    };
    if s.evals.len() != 2 || (first.a, first.b) != (last.a, last.b) {
        return Ok(());
    }
    let why = match other {
        Some(o) => format!(
            "it belongs to regime `{o}`, and the break-even is sought in regime `{regime}` \
             (--regime); choose a parameter of `{regime}`, or --regime {o}"
        ),
        None => format!(
            "neither cost depends on it in regime `{regime}`, at least at the ends of the \
             interval; choose a parameter these routes use, or another interval"
        ),
    };
    Err(input(format!(
        "--param {param}: it does not change the cost of `{ra}` or `{rb}` in regime \
         `{regime}` (the same at both ends of --between: {} and {}): {why}",
        super::be_out::money(first.a),
        super::be_out::money(first.b)
    )))
}

pub fn breakeven(args: BreakevenArgs) -> Result<(), Failure> {
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
    let [ra, rb] = args.routes.as_slice() else {
        return Err(input(format!(
            "--routes takes two route names, e.g. --routes direct,korea-jv (got {})",
            args.routes.len()
        )));
    };
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
    refuse_distribution(&root, &args.param)?;
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
    let (lo, hi) = match args.between.as_deref() {
        Some([lo, hi]) => (*lo, *hi),
        Some(_) => return Err(input("--between takes two numbers: LO,HI".into())),
        None => match current_value(&root, &args.param) {
            Some(v) if v > 0.0 => (0.0, 2.0 * v),
            _ => (0.0, 1.0),
        },
    };
    if lo.partial_cmp(&hi) != Some(std::cmp::Ordering::Less) {
        return Err(input(format!(
            "--between: LO ({lo}) must be below HI ({hi})"
        )));
    }
    let trials = args.trials.unwrap_or(s.trials);
    let seed = args.seed.unwrap_or(s.seed);
    let threads = threads(args.threads);
    let n_routes = s.routes.len();
    let (cell_a, cell_b) = (g * n_routes + a, g * n_routes + b);
    let over = args
        .over
        .as_deref()
        .map(super::be_out::parse_over)
        .transpose()?;
    let eval_at = |x: f64, q: Option<f64>| -> Result<Eval, Failure> {
        let node = Node {
            value: Value::Float(x),
            loc: tariffsim::scenario::Loc::synthetic(&format!("--param {}", args.param)),
        };
        let mut point = GridPoint {
            settings: vec![(args.param.clone(), node)],
        };
        if let (Some((qp, _)), Some(q)) = (&over, q) {
            let loc = tariffsim::scenario::Loc::synthetic(&format!("--over {qp}"));
            point.settings.push((
                qp.clone(),
                Node {
                    value: Value::Float(q),
                    loc,
                },
            ));
        }
        let built = load::build_point(&root, &file, &point)?;
        let plan = Plan::new(built.scenario).map_err(|e| Failure::Input(anyhow!(e)))?;
        let mut total: Option<Acc> = None;
        let mut slice_diffs = Vec::new();
        for k in 0..SLICES.min(engine::n_blocks(trials)) {
            let spec =
                RunSpec::new(trials, seed, threads).shard(k, SLICES.min(engine::n_blocks(trials)));
            let acc = engine::run(&plan, &spec, &Silent, None).map_err(|e| match e {
                engine::EngineError::NonFinite { regime, route, .. } => input(format!(
                    "--param {} = {x}: regime `{regime}`, route `{route}`: the landed cost is \
                     not a finite number; narrow --between",
                    args.param
                )),
                e => Failure::Run(anyhow!(e)),
            })?;
            if cancel_flag().load(std::sync::atomic::Ordering::Relaxed) {
                return Err(Failure::Run(anyhow!("interrupted; nothing was written")));
            }
            let (ca, cb) = (&acc.cells[cell_a], &acc.cells[cell_b]);
            slice_diffs.push(
                metric(&ca.cost_sketch, ca.cost.mean(), args.metric)
                    - metric(&cb.cost_sketch, cb.cost.mean(), args.metric),
            );
            match total.as_mut() {
                Some(t) => t.merge(&acc),
                None => total = Some(acc),
            }
        }
        let total = total.ok_or_else(|| input("no trials to run".into()))?;
        let (ca, cb) = (&total.cells[cell_a], &total.cells[cell_b]);
        for (c, r) in [(ca, ra), (cb, rb)] {
            let m = c.cost_sketch.min().unwrap_or(0.0).abs();
            let m = m.max(c.cost_sketch.max().unwrap_or(0.0).abs());
            if m.is_nan() || m > load::MAX_COST {
                return Err(input(format!(
                    "--param {} = {x}: regime `{}`, route `{r}`: a landed cost of {m:e} USD \
                     per unit is beyond {:e}, the largest summed exactly, so no difference \
                     there can be trusted; narrow --between",
                    args.param,
                    regime_names[g],
                    load::MAX_COST
                )));
            }
        }
        let (ma, mb) = (
            metric(&ca.cost_sketch, ca.cost.mean(), args.metric),
            metric(&cb.cost_sketch, cb.cost.mean(), args.metric),
        );
        if !(ma.is_finite() && mb.is_finite()) {
            return Err(input(format!(
                "--param {} = {x}: the {:?} cost of `{ra}` ({ma}) or `{rb}` ({mb}) is not a \
                 finite number; narrow --between",
                args.param, args.metric
            )));
        }
        let se = match args.metric {
            Metric::Mean => {
                let pair = total
                    .pairs
                    .iter()
                    .position(|p| (p.a, p.b) == (cell_a.min(cell_b), cell_a.max(cell_b)));
                pair.and_then(|k| total.pair_accs[k].diff.se())
                    .unwrap_or(0.0)
            }
            _ => {
                let n = slice_diffs.len() as f64;
                let m = slice_diffs.iter().sum::<f64>() / n;
                let var =
                    slice_diffs.iter().map(|d| (d - m) * (d - m)).sum::<f64>() / (n - 1.0).max(1.0);
                (var / n).sqrt()
            }
        };
        if !args.quiet {
            use super::be_out::money;
            say!(
                "  {} = {x}: {ra} {}, {rb} {}, difference {} (se {})",
                args.param,
                money(ma),
                money(mb),
                money(ma - mb),
                money(se)
            );
        }
        Ok(Eval {
            x,
            diff: ma - mb,
            se,
            a: ma,
            b: mb,
        })
    };
    let metric_name = format!("{:?}", args.metric).to_lowercase();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from("output").join(&s.name));
    let prov = super::be_out::BeProvenance {
        scenario_file: &file,
        scenario: &s.name,
        param: &args.param,
        routes: [ra.as_str(), rb.as_str()],
        regime: regime_names[g],
        metric: &metric_name,
        between: (lo, hi),
        trials,
        seed,
        overrides: &args.set,
        over: over.as_ref().map(|(p, v)| (p.as_str(), v.clone())),
    };
    // The folder is locked and staged before the search, not after it: a second run into
    // it is refused at once, not after minutes of simulation.
    let other_regime = regime_of(&root, &args.param).filter(|r| r != regime_names[g]);
    let effect = |s: &breakeven::Search| {
        no_effect(
            s,
            &args.param,
            regime_names[g],
            other_regime.as_deref(),
            [ra, rb],
        )
    };
    if let Some((_, values)) = &over {
        let files = Outputs::update(&dir, &["frontier.csv", "breakeven-manifest.json"])?;
        return super::be_out::frontier(&prov, values, files, args.quiet, |_, q| {
            let s = breakeven::find(lo, hi, |x| eval_at(x, Some(q)))?;
            effect(&s)?;
            Ok(s)
        });
    }
    let mut files = Outputs::update(&dir, &["breakeven.csv", "breakeven-manifest.json"])?;
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
    let mut csv = String::from("step,x,metric_a,metric_b,diff,se\n");
    for (i, e) in search.evals.iter().enumerate() {
        let _ = writeln!(csv, "{i},{},{},{},{},{}", e.x, e.a, e.b, e.diff, e.se);
    }
    match &search.found {
        Found::Crossing { x, lo, hi } => {
            let _ = writeln!(csv, "result,{x},,,,\nci_lo,{lo},,,,\nci_hi,{hi},,,,");
        }
        Found::NoCrossing { .. } => csv.push_str("result,none,,,,\n"),
    }
    files.add("breakeven.csv", csv.as_bytes())?;
    let m = super::be_out::manifest(&prov, std::slice::from_ref(&search));
    super::be_out::add_outputs(&mut files, &m, Some(&csv), None)?;
    files.commit()?;
    print_stdout(&report)?;
    Ok(())
}
