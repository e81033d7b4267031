//! Sweeps: grids of scenario variants that differ in a few values.
//!
//! A sweep names a path (see `scenario::path`) and its values, from `[[sweep]]` tables
//! (`path` and `values = [...]`, or `from`, `to`, `steps`) or from `--sweep PATH=V1,V2`
//! / `--sweep PATH=FROM:TO:STEPS`. `steps` counts points, ends included: `0:1:11` is
//! 0, 0.1, …, 1. Several sweeps form a grid (cartesian product, the first sweep varying
//! slowest). Every point runs with the same seed and trials, so neighbouring points
//! differ by the policy alone. This module only builds the points; it runs nothing.

use super::diag::{Diagnostics, Loc};
use super::path::{self, PathError};
use super::read::{TableReader, Unit};
use super::tree::{Node, Table, Value};

/// One swept path and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Sweep {
    /// The path, as written.
    pub path: String,
    /// Where the path was written.
    pub loc: Loc,
    /// The values, as document nodes.
    pub values: Vec<Node>,
}

/// One point of the grid: a value per sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct GridPoint {
    /// `(path, value node)` per sweep, in sweep order.
    pub settings: Vec<(String, Node)>,
}

impl GridPoint {
    /// The point's values as text for the output columns.
    pub fn labels(&self) -> Vec<(String, String)> {
        self.settings
            .iter()
            .map(|(p, n)| (p.clone(), label(&n.value)))
            .collect()
    }
}

/// How a value prints in a sweep column: numbers as numbers, so a percentage written
/// `"30%"` prints as `0.3` (the value the model uses).
pub fn label(v: &Value) -> String {
    match v {
        Value::Str(s) => match percent(s) {
            Some(x) => format!("{}", (x * 1e12).round() / 1e12),
            None => s.clone(),
        },
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f}"),
        Value::Bool(b) => b.to_string(),
        other => super::tree::to_toml(&Table {
            entries: vec![(
                super::tree::Key {
                    name: "v".into(),
                    loc: Loc::synthetic(""),
                },
                Node {
                    value: other.clone(),
                    loc: Loc::synthetic(""),
                },
            )],
        })
        .trim_start_matches("v = ")
        .trim()
        .to_string(),
    }
}

fn range(from: f64, to: f64, steps: u64, loc: &Loc) -> Vec<Node> {
    (0..steps)
        .map(|i| {
            let x = if steps == 1 {
                from
            } else {
                from + (to - from) * i as f64 / (steps - 1) as f64
            };
            // Round away float noise so labels read 0.3, not 0.30000000000000004.
            let x = (x * 1e12).round() / 1e12;
            Node {
                value: Value::Float(x),
                loc: loc.clone(),
            }
        })
        .collect()
}

/// Reads and removes the `[[sweep]]` tables of a document.
pub fn take_from_doc(root: &mut Table, d: &mut Diagnostics) -> Vec<Sweep> {
    let Some(node) = root.remove("sweep") else {
        return Vec::new();
    };
    let holder = Table {
        entries: vec![(
            super::tree::Key {
                name: "sweep".into(),
                loc: node.loc.clone(),
            },
            node,
        )],
    };
    let mut top = TableReader::new(&holder, "", Loc::synthetic(""));
    let mut out = Vec::new();
    for mut t in top.tables("sweep", d) {
        let path = t.string_req("path", d);
        let values = t.node("values");
        let from = t.number("from", Unit::Any, d);
        let to = t.number("to", Unit::Any, d);
        let steps = t.node("steps");
        let loc = t.loc.clone();
        let vals = match (values, from, to, steps) {
            (Some(n), None, None, None) => match &n.value {
                Value::Array(items) if !items.is_empty() => Some(items.clone()),
                _ => {
                    d.error(
                        &n.loc,
                        &t.key_path("values"),
                        "expected a non-empty list of values",
                    );
                    None
                }
            },
            (None, Some(a), Some(b), Some(s)) => match &s.value {
                Value::Int(k) if *k >= 1 && *k as u64 <= MAX_POINTS => {
                    Some(range(a, b, *k as u64, &loc))
                }
                _ => {
                    d.error(
                        &s.loc,
                        &t.key_path("steps"),
                        format!(
                            "expected an integer from 1 to {MAX_POINTS} (the number of points, \
                             ends included)"
                        ),
                    );
                    None
                }
            },
            _ => {
                d.error_help(
                    &loc,
                    &t.path,
                    "a sweep needs `values`, or `from`, `to` and `steps`",
                    "e.g. values = [0.0, 0.3, 0.6] or from = 0.0, to = 1.0, steps = 11",
                );
                None
            }
        };
        t.finish(d);
        if let (Some((p, ploc)), Some(values)) = (path, vals) {
            if let Err(e) = path::segments(&p) {
                d.error(&ploc, "sweep.path", e.to_string());
            } else {
                out.push(Sweep {
                    path: p,
                    loc: ploc,
                    values,
                });
            }
        }
    }
    out
}

/// `"30%"` as 0.3.
fn percent(s: &str) -> Option<f64> {
    let x: f64 = s.trim().strip_suffix('%')?.trim().parse().ok()?;
    x.is_finite().then_some(x / 100.0)
}

/// Points of a `PATH=FROM:TO` sweep given without a count.
pub const DEFAULT_STEPS: u64 = 11;

/// Parses a command-line sweep: `PATH=V1,V2,...`, `PATH=FROM:TO:STEPS` or `PATH=FROM:TO`
/// ([`DEFAULT_STEPS`] points).
pub fn parse_cli(spec: &str) -> Result<Sweep, PathError> {
    let Some((p, vals)) = spec.split_once('=') else {
        return Err(PathError::Syntax(
            spec.into(),
            "expected PATH=V1,V2,... or PATH=FROM:TO:STEPS".into(),
        ));
    };
    let p = p.trim().to_string();
    path::segments(&p)?;
    let loc = Loc::synthetic(&format!("--sweep {p}"));
    let parts: Vec<&str> = vals.split(':').collect();
    if parts.len() == 2 || parts.len() == 3 {
        let nums: Option<Vec<f64>> = parts[..2].iter().map(|s| s.trim().parse().ok()).collect();
        let steps: Option<u64> = match parts.get(2) {
            Some(k) => k
                .trim()
                .parse()
                .ok()
                .filter(|&k| (1..=MAX_POINTS).contains(&k)),
            None => Some(DEFAULT_STEPS),
        };
        return match (nums, steps) {
            (Some(n), Some(k)) => Ok(Sweep {
                values: range(n[0], n[1], k, &loc),
                path: p,
                loc,
            }),
            _ => Err(PathError::Value(p, vals.into())),
        };
    }
    let values = vals
        .split(',')
        .map(|v| path::parse_value(&p, v.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    if values.is_empty() {
        return Err(PathError::Value(p, vals.into()));
    }
    Ok(Sweep {
        path: p,
        loc,
        values,
    })
}

/// The grid of all sweeps (one empty point when there are none).
/// Most points a run may have (one sweep, or a grid of several): every point's results
/// stay in memory until the run is written.
pub const MAX_POINTS: u64 = 10_000;

/// The number of grid points, `None` past `u64` (check it against [`MAX_POINTS`] before
/// calling [`grid`]).
pub fn grid_size(sweeps: &[Sweep]) -> Option<u64> {
    sweeps
        .iter()
        .try_fold(1u64, |n, s| n.checked_mul(s.values.len() as u64))
}

/// Every combination of the sweeps' values, the first sweep varying slowest.
pub fn grid(sweeps: &[Sweep]) -> Vec<GridPoint> {
    let mut points = vec![GridPoint {
        settings: Vec::new(),
    }];
    for s in sweeps {
        let mut next = Vec::with_capacity(points.len() * s.values.len());
        for p in &points {
            for v in &s.values {
                let mut q = p.clone();
                q.settings.push((s.path.clone(), v.clone()));
                next.push(q);
            }
        }
        points = next;
    }
    points
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_lists_and_ranges() {
        let s = parse_cli("regimes.x.measures.y.ad_valorem=0:1:11").unwrap();
        assert_eq!(s.values.len(), 11);
        assert_eq!(label(&s.values[3].value), "0.3");
        assert_eq!(label(&s.values[10].value), "1");
        let s = parse_cli("routes.a.declare=KR,true").unwrap();
        assert_eq!(
            s.values.iter().map(|v| label(&v.value)).collect::<Vec<_>>(),
            ["KR", "true"]
        );
        assert!(parse_cli("nopath").is_err());
        assert!(parse_cli("a.b=0:1:zero").is_err());
    }

    #[test]
    fn grid_is_the_cartesian_product_first_slowest() {
        let a = parse_cli("a=1,2").unwrap();
        let b = parse_cli("b=10,20,30").unwrap();
        let g = grid(&[a, b]);
        assert_eq!(g.len(), 6);
        let labels: Vec<String> = g
            .iter()
            .map(|p| {
                p.labels()
                    .iter()
                    .map(|(_, v)| v.clone())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .collect();
        assert_eq!(labels, ["1/10", "1/20", "1/30", "2/10", "2/20", "2/30"]);
        assert_eq!(grid(&[]).len(), 1);
    }

    #[test]
    fn doc_sweeps_are_read_and_removed() {
        let mut d = Diagnostics::default();
        let mut t = super::super::tree::parse(
            "s.toml",
            "[[sweep]]\npath = \"goods.units\"\nvalues = [1, 2]\n[[sweep]]\npath = \"goods.kg_per_unit\"\nfrom = 0.0\nto = 1.0\nsteps = 3\n",
            &mut d,
        );
        let s = take_from_doc(&mut t, &mut d);
        assert!(!d.has_errors(), "{:?}", d.errors());
        assert!(t.get("sweep").is_none());
        assert_eq!(s.len(), 2);
        assert_eq!(s[1].values.len(), 3);
    }
}
