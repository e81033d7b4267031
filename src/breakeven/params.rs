//! The searched parameter in the document: its current value (the default interval is
//! 0 to twice it), the regime it lies under, and the refusals of questions a search
//! cannot answer (a distribution as the parameter, a parameter that moves neither cost).

use super::search::Search;
use crate::scenario::path;
use crate::scenario::tree::{Node, Table, Value};

/// The node at `p` in the document, if there is one (array entries by `name` or index).
pub fn node_at<'a>(root: &'a Table, p: &str) -> Option<&'a Node> {
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
pub fn current_value(root: &Table, p: &str) -> Option<f64> {
    match node_at(root, p)?.value {
        Value::Int(i) => Some(i as f64),
        Value::Float(f) => Some(f),
        _ => None,
    }
}

/// The interval searched when none is given: 0 to twice the current value, or 0 to 1.
pub fn default_between(root: &Table, p: &str) -> (f64, f64) {
    match current_value(root, p) {
        Some(v) if v > 0.0 => (0.0, 2.0 * v),
        _ => (0.0, 1.0),
    }
}

/// Refuses a parameter that names a distribution: every step would replace it by a
/// fixed number, so the search would answer another question than the scenario asks.
/// Returns the message (options spelt with `prefix`).
pub fn refuse_distribution(root: &Table, p: &str, prefix: &str) -> Result<(), String> {
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
    let example = params.first().map_or(String::new(), |k| {
        format!(" (e.g. {prefix}param {}.{k})", p)
    });
    Err(format!(
        "{prefix}param {}: {} gives a distribution there ({} {{ {} }}); the search would \
         replace it by a fixed number at every step. Search one of its parameters \
         instead{example}, or fix it first with {prefix}set",
        p,
        node.loc,
        kind,
        params.join(", ")
    ))
}

/// The name of the regime that `p` lies under (`regimes.NAME...` or `regimes.INDEX...`).
pub fn regime_of(root: &Table, p: &str) -> Option<String> {
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

/// Whether a search's parameter changed neither compared cost between the two ends: a
/// parameter of another regime (`other`, that the compared one does not inherit) cannot
/// move them, and "cheaper at both ends" would hide that the question was not asked.
/// Returns the refusal (options spelt with `prefix`, amounts by `money`).
pub fn no_effect(
    s: &Search,
    param: &str,
    regime: &str,
    other: Option<&str>,
    [ra, rb]: [&str; 2],
    prefix: &str,
    money: impl Fn(f64) -> String,
) -> Result<(), String> {
    let (Some(first), Some(last)) = (s.evals.first(), s.evals.get(1)) else {
        return Ok(());
    };
    if s.evals.len() != 2 || (first.a, first.b) != (last.a, last.b) {
        return Ok(());
    }
    let why = match other {
        Some(o) => format!(
            "it belongs to regime `{o}`, and the break-even is sought in regime `{regime}` \
             ({prefix}regime); choose a parameter of `{regime}`, or {prefix}regime {o}"
        ),
        None => format!(
            "neither cost depends on it in regime `{regime}`, at least at the ends of the \
             interval; choose a parameter these routes use, or another interval"
        ),
    };
    Err(format!(
        "{prefix}param {param}: it does not change the cost of `{ra}` or `{rb}` in regime \
         `{regime}` (the same at both ends of {prefix}between: {} and {}): {why}",
        money(first.a),
        money(first.b)
    ))
}
