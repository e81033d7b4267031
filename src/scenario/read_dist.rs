//! Distributions as written: `{ dist = "KIND", ... }` tables (or plain numbers) read into
//! a [`Dist`], with unknown keys, bad parameters and supports that break a value's unit
//! (a price that can go negative) reported where they were written.
//!
//! Owns the kinds and their keys. It must not know what a value means in the model.

use super::diag::{nearest, Diagnostics};
use super::read::{expected, fmt_pct, number_node, TableReader, Unit};
use super::tree::{Node, Value};
use crate::dist::Dist;

/// The distribution keys of a table being read: defined here, beside the kinds, so the
/// reader of plain values (`read`) does not depend on this file.
impl TableReader<'_> {
    /// An optional distribution (a plain number is a fixed one).
    pub fn dist(&mut self, key: &'static str, unit: Unit, d: &mut Diagnostics) -> Option<Dist> {
        let n = self.node(key)?;
        dist_node(n, &self.key_path(key), unit, d)
    }

    /// A distribution, or a fixed `default` when absent.
    pub fn dist_or(
        &mut self,
        key: &'static str,
        unit: Unit,
        default: f64,
        d: &mut Diagnostics,
    ) -> Dist {
        self.dist(key, unit, d).unwrap_or(Dist::Fixed(default))
    }

    /// A required distribution.
    pub fn dist_req(&mut self, key: &'static str, unit: Unit, d: &mut Diagnostics) -> Option<Dist> {
        self.required(key, "a number or a distribution table", d)?;
        self.dist(key, unit, d)
    }
}

/// The distribution kinds and the keys each takes.
const DIST_KINDS: &[(&str, &[&str])] = &[
    ("fixed", &["value"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("pert", &["min", "mode", "max"]),
    ("normal", &["mean", "sd", "min", "max"]),
    ("lognormal", &["median", "sigma"]),
    ("beta", &["alpha", "beta", "min", "max"]),
    ("empirical", &["values", "weights"]),
];

/// Reads a distribution: a plain number (or rate string) is fixed; a table names its `dist`.
pub fn dist_node(n: &Node, path: &str, unit: Unit, d: &mut Diagnostics) -> Option<Dist> {
    let Value::Table(t) = &n.value else {
        let x = number_node(n, path, unit, d)?;
        return Some(Dist::Fixed(x));
    };
    let mut r = TableReader::new(t, path, n.loc.clone());
    let (kind, kind_loc) = r.string_req("dist", d)?;
    let Some((_, keys)) = DIST_KINDS.iter().find(|(k, _)| *k == kind) else {
        let names: Vec<&str> = DIST_KINDS.iter().map(|(k, _)| *k).collect();
        let help = match nearest(&kind, names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? kinds: {}", names.join(", ")),
            None => format!("kinds: {}", names.join(", ")),
        };
        d.error_help(
            &kind_loc,
            &r.key_path("dist"),
            format!("unknown distribution `{kind}`"),
            help,
        );
        return None;
    };
    r.allow(keys);
    // Unknown keys first, so a typo is reported even when a required key is missing.
    let mut keys_only = TableReader::new(t, path, n.loc.clone());
    keys_only.allow(keys);
    keys_only.allow(&["dist"]);
    keys_only.finish(d);
    // Parameters are read as plain numbers: the unit's range applies to the distribution's
    // support below, so a normal with a negative tail is caught unless truncated.
    let mut param = |key: &'static str, required: bool, d: &mut Diagnostics| -> Option<f64> {
        if required {
            r.number_req(key, Unit::Any, d)
        } else {
            r.number(key, Unit::Any, d)
        }
    };
    let built = match kind.as_str() {
        "fixed" => param("value", true, d).map(Dist::fixed),
        "uniform" => {
            let (a, b) = (param("min", true, d), param("max", true, d));
            Some(Dist::uniform(a?, b?))
        }
        "triangular" | "pert" => {
            let (a, m, b) = (
                param("min", true, d),
                param("mode", true, d),
                param("max", true, d),
            );
            let (a, m, b) = (a?, m?, b?);
            Some(if kind == "pert" {
                Dist::pert(a, m, b)
            } else {
                Dist::triangular(a, m, b)
            })
        }
        "normal" => {
            let (mean, sd) = (param("mean", true, d), param("sd", true, d));
            let (lo, hi) = (param("min", false, d), param("max", false, d));
            Some(Dist::normal(mean?, sd?, lo, hi))
        }
        "lognormal" => {
            let (m, s) = (param("median", true, d), param("sigma", true, d));
            Some(Dist::lognormal(m?, s?))
        }
        "beta" => {
            let (a, b) = (param("alpha", true, d), param("beta", true, d));
            let (lo, hi) = (param("min", false, d), param("max", false, d));
            Some(Dist::beta(a?, b?, lo, hi))
        }
        "empirical" => {
            let values = number_list(r.node("values"), &r.key_path("values"), d);
            let weights = number_list(r.node("weights"), &r.key_path("weights"), d);
            if r.peek_loc("values").is_none() {
                d.error(
                    &n.loc,
                    &r.key_path("values"),
                    "missing key `values`: expected a list of numbers",
                );
            }
            values.map(|v| Dist::empirical(v, weights))
        }
        _ => None,
    };
    // Unknown keys were reported above, by `keys_only`.
    match built? {
        Ok(dist) => check_support(dist, n, path, unit, d),
        Err(e) => {
            let key = e.param();
            let loc = t.get(key).map_or(n.loc.clone(), |p| p.loc.clone());
            d.error(&loc, &format!("{path}.{key}"), e.to_string());
            None
        }
    }
}

fn number_list(n: Option<&Node>, path: &str, d: &mut Diagnostics) -> Option<Vec<f64>> {
    let n = n?;
    let Value::Array(items) = &n.value else {
        d.error(
            &n.loc,
            path,
            format!("expected a list of numbers, found {}", n.value.kind()),
        );
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        out.push(number_node(item, &format!("{path}[{i}]"), Unit::Any, d)?);
    }
    Some(out)
}

/// Every value a distribution can draw must lie in the unit's range.
fn check_support(
    dist: Dist,
    n: &Node,
    path: &str,
    unit: Unit,
    d: &mut Diagnostics,
) -> Option<Dist> {
    // docs/model.md: an untruncated normal at least 8 sd above 0 is accepted for a value that
    // cannot be negative (a negative draw has chance below 1e-15); it is truncated at 0,
    // which is the "redrawn" of the contract, so no draw can ever be negative.
    let dist = match dist {
        Dist::Normal { mean, sd, .. }
            if matches!(unit, Unit::NonNegative | Unit::Rate | Unit::Positive)
                && dist.support().0 == f64::NEG_INFINITY
                && mean >= 8.0 * sd =>
        {
            let hi = dist.support().1;
            let hi = hi.is_finite().then_some(hi);
            Dist::normal(mean, sd, Some(0.0), hi).unwrap_or(dist)
        }
        other => other,
    };
    let (lo, hi) = dist.support();
    let what = match unit {
        Unit::NonNegative => (lo < 0.0).then_some("can draw negative values"),
        Unit::Rate => (lo < 0.0).then_some("can draw negative rates"),
        // A continuous distribution never draws its bound exactly, so only an atom at 0
        // (fixed, empirical) or a negative bound fails.
        Unit::Positive => (lo < 0.0
            || (lo == 0.0 && matches!(dist, Dist::Fixed(_) | Dist::Empirical(_))))
        .then_some("can draw values <= 0"),
        Unit::Probability => (lo < 0.0 || hi > 1.0).then_some("can draw values outside [0, 1]"),
        Unit::Any => None,
    };
    if let Some(what) = what {
        let help = if matches!(dist, Dist::Normal { .. }) {
            "truncate it with `min` (and `max`), or use a lognormal"
        } else {
            "change its parameters so every draw is in range"
        };
        d.error_help(
            &n.loc,
            path,
            format!(
                "this distribution {what} (support {lo} to {hi}); expected {}",
                expected(unit)
            ),
            help,
        );
        return None;
    }
    if unit == Unit::Rate {
        if hi > 5.0 && hi.is_finite() {
            d.error_help(
                &n.loc,
                path,
                format!("this rate distribution reaches {hi}, i.e. {}%", fmt_pct(hi)),
                "rates are fractions: 0.25 is 25%",
            );
            return None;
        }
        if hi > 1.0 {
            d.warning(
                &n.loc,
                path,
                format!("this rate distribution reaches {hi}, i.e. {}%", fmt_pct(hi)),
            );
        }
    }
    Some(dist)
}
