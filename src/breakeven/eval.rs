//! One evaluation of the break-even difference: the scenario rebuilt with the parameter
//! at `x`, run in [`SLICES`] independent slices of the trials, and `metric(A) −
//! metric(B)` with its standard error: exactly from the paired moments for the mean,
//! from the spread of the slices' differences for a quantile.

use super::search::Eval;
use crate::engine::{self, Acc, EngineError, Observer, RunSpec};
use crate::job::{self, LoadError, MAX_COST};
use crate::model::Plan;
use crate::scenario::tree::{Node, Table, Value};
use crate::scenario::Loc;
use crate::stats::Sketch;
use crate::sweep::GridPoint;

/// Independent slices of the trials used to estimate the standard error of a quantile
/// difference (the mean's comes exactly from the paired moments).
pub const SLICES: u64 = 10;

/// The statistic of the landed cost compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Metric {
    /// The mean.
    Mean,
    /// The median.
    P50,
    /// The 95th percentile.
    P95,
}

impl Metric {
    /// The name in files and messages: `mean`, `p50`, `p95`.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Mean => "mean",
            Metric::P50 => "p50",
            Metric::P95 => "p95",
        }
    }

    /// The metric of that name.
    pub fn from_name(name: &str) -> Option<Metric> {
        [Metric::Mean, Metric::P50, Metric::P95]
            .into_iter()
            .find(|m| m.name() == name)
    }

    /// The metric of one cell (NaN when it has no trials).
    pub fn of(self, sketch: &Sketch, mean: Option<f64>) -> f64 {
        match self {
            Metric::Mean => mean.unwrap_or(f64::NAN),
            Metric::P50 => sketch.quantile(0.5).unwrap_or(f64::NAN),
            Metric::P95 => sketch.quantile(0.95).unwrap_or(f64::NAN),
        }
    }
}

/// What is asked: the document, the parameter, the two cells compared and how to run.
pub struct Question<'a> {
    /// The document (after `extends` and the overrides).
    pub root: &'a Table,
    /// The scenario file, for messages.
    pub file: &'a str,
    /// The path of the parameter searched.
    pub param: &'a str,
    /// The compared regime's name.
    pub regime: &'a str,
    /// The two routes' names.
    pub routes: [&'a str; 2],
    /// The two compared cells (regime × routes + route).
    pub cells: (usize, usize),
    /// The statistic compared.
    pub metric: Metric,
    /// Trials per evaluation, seed and worker threads.
    pub trials: u64,
    /// The seed (every evaluation reuses it: common random numbers).
    pub seed: u64,
    /// Worker threads.
    pub threads: usize,
    /// How options are spelt in messages: `"--"` for the binary, `""` for Python.
    pub prefix: &'static str,
}

/// Why an evaluation failed.
#[derive(Debug)]
pub enum EvalError {
    /// The scenario does not build at this value.
    Load(LoadError),
    /// The value gives costs no difference can be trusted at (not finite, too large to
    /// sum): a refusal of the question, with its message.
    Refused(String),
    /// The observer stopped the run.
    Interrupted,
    /// The run failed.
    Engine(EngineError),
}

/// Evaluates the difference at `x`; `over` also sets another path (`--over Q`) to a
/// value. Every evaluation runs the same trials with the same seed.
pub fn evaluate(
    q: &Question,
    x: f64,
    over: Option<(&str, f64)>,
    observer: &dyn Observer,
) -> Result<Eval, EvalError> {
    let (pre, param) = (q.prefix, q.param);
    let node = Node {
        value: Value::Float(x),
        loc: Loc::synthetic(&format!("--param {param}")),
    };
    let mut point = GridPoint {
        settings: vec![(param.to_string(), node)],
    };
    if let Some((qp, v)) = over {
        let loc = Loc::synthetic(&format!("--over {qp}"));
        point.settings.push((
            qp.to_string(),
            Node {
                value: Value::Float(v),
                loc,
            },
        ));
    }
    let built = job::build_point(q.root, q.file, &point).map_err(EvalError::Load)?;
    let plan =
        Plan::new(built.scenario).map_err(|e| EvalError::Load(LoadError::Plan(e.to_string())))?;
    let (cell_a, cell_b) = q.cells;
    let [ra, rb] = q.routes;
    let diff_of = |acc: &Acc| {
        let (ca, cb) = (&acc.cells[cell_a], &acc.cells[cell_b]);
        (
            q.metric.of(&ca.cost_sketch, ca.cost.mean()),
            q.metric.of(&cb.cost_sketch, cb.cost.mean()),
        )
    };
    let mut total: Option<Acc> = None;
    let mut slice_diffs = Vec::new();
    let slices = SLICES.min(engine::n_blocks(q.trials));
    for k in 0..slices {
        let spec = RunSpec::new(q.trials, q.seed, q.threads).shard(k, slices);
        let acc = engine::run(&plan, &spec, observer, None).map_err(|e| match e {
            EngineError::NonFinite { regime, route, .. } => EvalError::Refused(format!(
                "{pre}param {param} = {x}: regime `{regime}`, route `{route}`: the landed \
                 cost is not a finite number; narrow {pre}between"
            )),
            EngineError::Interrupted => EvalError::Interrupted,
            e => EvalError::Engine(e),
        })?;
        if observer.cancelled() {
            return Err(EvalError::Interrupted);
        }
        let (ma, mb) = diff_of(&acc);
        slice_diffs.push(ma - mb);
        match total.as_mut() {
            Some(t) => t.merge(&acc),
            None => total = Some(acc),
        }
    }
    let Some(total) = total else {
        return Err(EvalError::Refused("no trials to run".into()));
    };
    for (c, r) in [(&total.cells[cell_a], ra), (&total.cells[cell_b], rb)] {
        let m = c.cost_sketch.min().unwrap_or(0.0).abs();
        let m = m.max(c.cost_sketch.max().unwrap_or(0.0).abs());
        if m.is_nan() || m > MAX_COST {
            return Err(EvalError::Refused(format!(
                "{pre}param {param} = {x}: regime `{}`, route `{r}`: a landed cost of {m:e} \
                 USD per unit is beyond {MAX_COST:e}, the largest summed exactly, so no \
                 difference there can be trusted; narrow {pre}between",
                q.regime
            )));
        }
    }
    let (ma, mb) = diff_of(&total);
    if !(ma.is_finite() && mb.is_finite()) {
        return Err(EvalError::Refused(format!(
            "{pre}param {param} = {x}: the {:?} cost of `{ra}` ({ma}) or `{rb}` ({mb}) is \
             not a finite number; narrow {pre}between",
            q.metric
        )));
    }
    let se = match q.metric {
        Metric::Mean => {
            let pair = total
                .pairs
                .iter()
                .position(|p| (p.a, p.b) == (cell_a.min(cell_b), cell_a.max(cell_b)));
            pair.and_then(|k| total.pair_accs[k].diff.se())
                .unwrap_or(0.0)
        }
        _ => slices_se(&slice_diffs),
    };
    Ok(Eval {
        x,
        diff: ma - mb,
        se,
        a: ma,
        b: mb,
    })
}

/// The standard error of the mean of the slices' differences.
fn slices_se(d: &[f64]) -> f64 {
    let n = d.len() as f64;
    let m = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1.0).max(1.0);
    (var / n).sqrt()
}
