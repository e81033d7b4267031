//! From the located tree to a runnable [`Scenario`]: reading every table of docs/model.md and
//! reporting every mistake at once.
//!
//! Owns the top-level tables (`[scenario]`, `[goods]`, `[fx]`, `[[entities]]`) and the
//! order of the checks; routes live in `routes`, regimes in `regime`, cross-cutting
//! route checks in `checks`. It must not do I/O.

use super::checks;
use super::diag::{Diagnostic, Diagnostics, Loc, ScenarioError};
use super::model::*;
use super::read::{TableReader, Unit};
use super::regime::{check_unique, dangling, read_regimes, NameRef};
use super::routes::{bind_fallbacks, currency, read_route};
use super::tree::Table;
use crate::dist::Dist;

/// Keys of the top level a scenario may have.
const TOP_KEYS: &[&str] = &[
    "scenario", "goods", "fx", "markets", "entities", "routes", "regimes", "sweep",
];

/// A scenario that passed validation, with the warnings found on the way.
#[derive(Clone, Debug)]
pub struct Built {
    /// The runnable scenario.
    pub scenario: Scenario,
    /// Warnings (rates above 1, false claims without enforcement, ...).
    pub warnings: Vec<Diagnostic>,
    /// The document it was built from, as TOML text (after merges and overrides).
    pub document: String,
}

/// Validates a parsed document. `root` is the whole file (after any merges and overrides).
pub fn build(root: &Table, file: &str) -> Result<Built, ScenarioError> {
    let mut d = Diagnostics::default();
    let top_loc = Loc {
        file: file.into(),
        line: 1,
        col: 1,
    };
    let mut top = TableReader::new(root, "", top_loc.clone());
    top.allow(TOP_KEYS);
    let scenario = read_scenario(&mut top, &mut d);
    let markets = read_markets(&mut top, &mut d);
    let fx = read_fx(&mut top, &mut d);
    let goods = read_goods(&mut top, &fx, &mut d);
    let entities = read_entities(&mut top, &mut d);
    let route_tables = top.tables("routes", &mut d);
    let mut pending_fallbacks: Vec<NameRef> = Vec::new();
    if route_tables.is_empty() {
        d.error(
            &top_loc,
            "routes",
            "a scenario needs at least one `[[routes]]`",
        );
    }
    let mut routes = Vec::new();
    let mut sources = Vec::new();
    let mut all_names = Vec::new();
    for t in route_tables {
        if let Some((r, s)) = read_route(t, &fx, &markets, &mut d) {
            all_names.push((
                s.name.clone(),
                s.name_loc.clone(),
                format!("{}.name", s.path),
            ));
            if let Some(r) = r {
                routes.push(r);
                sources.push(s);
            } else if let Some(f) = &s.fallback {
                // Still report a dangling fallback of a route that has other errors.
                if !all_names.iter().any(|(n, _, _)| *n == f.name) {
                    pending_fallbacks.push(f.clone());
                }
            }
        }
    }
    check_unique(
        all_names
            .iter()
            .map(|(n, l, p)| (n.as_str(), l, p.as_str())),
        "route",
        &mut d,
    );
    let known: Vec<&str> = all_names.iter().map(|(n, _, _)| n.as_str()).collect();
    for f in pending_fallbacks
        .iter()
        .filter(|f| !known.contains(&f.name.as_str()))
    {
        dangling(f, "route", &known, &mut d);
    }
    bind_fallbacks(&mut routes, &sources, &known, &mut d);
    let regime_tables = top.tables("regimes", &mut d);
    if regime_tables.is_empty() {
        d.error(
            &top_loc,
            "regimes",
            "a scenario needs at least one `[[regimes]]`",
        );
    }
    let ctx = schedule_context(root, scenario.as_ref(), goods.as_ref(), &routes);
    let (regimes, regime_locs) = read_regimes(regime_tables, &ctx, &mut d);
    check_sweeps(root, &mut d);
    top.finish(&mut d);

    // Cross-table checks run even when `[scenario]` or `[goods]` failed, so that every
    // mistake of the file is reported at once; placeholders stand in for what failed.
    let h = scenario.unwrap_or(Header {
        name: String::new(),
        description: String::new(),
        trials: 1,
        seed: 0,
        departure: Dist::Fixed(0.0),
        start_date: None,
    });
    let goods = goods.unwrap_or(Goods {
        hs: None,
        metal_share: None,
        unit_value: Money {
            dist: Dist::Fixed(0.0),
            currency: None,
        },
        units: 1.0,
        kg_per_unit: 1.0,
        units_per_feu: 1.0,
        carrying_rate: 0.0,
    });
    let scenario = Scenario {
        name: h.name,
        description: h.description,
        trials: h.trials,
        seed: h.seed,
        departure: h.departure,
        markets,
        goods,
        fx,
        entities,
        routes,
        regimes,
    };
    checks::check(&scenario, &sources, &regime_locs, &mut d);
    if d.has_errors() {
        return Err(fail(d));
    }
    Ok(Built {
        scenario,
        warnings: d.warnings(),
        document: super::tree::to_toml(root),
    })
}

fn fail(d: Diagnostics) -> ScenarioError {
    ScenarioError {
        errors: d.errors(),
        warnings: d.warnings(),
    }
}

/// The `[scenario]` table.
struct Header {
    name: String,
    description: String,
    trials: u64,
    seed: u64,
    departure: Dist,
    /// `start_date`: the calendar day of day 0, for regimes timed from the schedule.
    start_date: Option<(crate::schedule::Date, Loc)>,
}

/// What regimes built from the schedule need: the goods' line and metal share, the
/// start date, and every origin the routes file or truly have.
fn schedule_context(
    root: &Table,
    h: Option<&Header>,
    goods: Option<&Goods>,
    routes: &[Route],
) -> super::regime_schedule::ScheduleContext {
    let mut origins: Vec<String> = routes
        .iter()
        .flat_map(|r| [r.true_origin().to_string(), r.filed_origin().to_string()])
        .collect();
    origins.sort();
    origins.dedup();
    let hs_loc = root.get("goods").and_then(|g| match &g.value {
        super::tree::Value::Table(t) => t.get("hs").map(|n| n.loc.clone()),
        _ => None,
    });
    super::regime_schedule::ScheduleContext {
        inputs: super::from_schedule::Inputs {
            hs: goods.and_then(|g| g.hs.clone()),
            metal_share: goods.and_then(|g| g.metal_share),
            start_date: h.and_then(|h| h.start_date.as_ref().map(|(d, _)| *d)),
            origins,
        },
        hs_loc,
        start_loc: h.and_then(|h| h.start_date.as_ref().map(|(_, l)| l.clone())),
        goods_failed: goods.is_none(),
    }
}

fn read_scenario(top: &mut TableReader<'_>, d: &mut Diagnostics) -> Option<Header> {
    let Some(mut t) = top.table("scenario", d) else {
        d.error(
            &top.loc,
            "scenario",
            "missing table `[scenario]` (it needs at least `name`)",
        );
        return None;
    };
    let name = t.name(d);
    if let Some((n, loc)) = &name {
        if n.contains(['/', '\\']) || n == "." || n == ".." {
            d.error(
                loc,
                &t.key_path("name"),
                "the name becomes a folder name: no slashes",
            );
        }
    }
    let description = t
        .string("description", d)
        .map(|(s, _)| s)
        .unwrap_or_default();
    let trials = integer(&mut t, "trials", 100_000, 1, d);
    let seed = integer(&mut t, "seed", 1, 0, d);
    let departure = t.dist_or("departure", Unit::NonNegative, 0.0, d);
    let start_date = t.date("start_date", d);
    t.finish(d);
    Some(Header {
        name: name?.0,
        description,
        trials,
        seed,
        departure,
        start_date,
    })
}

/// `[markets.NAME]`: common freight shocks. A market table may hold a `description`.
fn read_markets(top: &mut TableReader<'_>, d: &mut Diagnostics) -> Vec<String> {
    let Some(t) = top.table("markets", d) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, node) in t.entries() {
        let path = t.key_path(&key.name);
        match &node.value {
            super::tree::Value::Table(mt) => {
                let mut r = TableReader::new(mt, path, node.loc.clone());
                let _ = r.string("description", d);
                r.finish(d);
                out.push(key.name.clone());
            }
            other => d.error_help(
                &node.loc,
                &path,
                format!("expected a table, found {}", other.kind()),
                format!("declare a market as `[markets.{}]`", key.name),
            ),
        }
    }
    out
}

/// `[[sweep]]` tables: their form, and that each path names a value of the document.
fn check_sweeps(root: &Table, d: &mut Diagnostics) {
    if root.get("sweep").is_none() {
        return;
    }
    let mut doc = root.clone();
    for (i, s) in super::sweep::take_from_doc(&mut doc, d)
        .into_iter()
        .enumerate()
    {
        let Some(first) = s.values.first() else {
            continue;
        };
        let mut probe = doc.clone();
        let key = format!("sweep[{i}].path");
        if let Err(e) = super::path::set(&mut probe, &s.path, first.clone()) {
            match e {
                super::path::PathError::NotFound {
                    segment, at, valid, ..
                } => d.error_help(
                    &s.loc,
                    &key,
                    format!("`{}` names nothing: no `{segment}` at `{at}`", s.path),
                    format!("valid here: {valid}"),
                ),
                e => d.error(&s.loc, &key, e.to_string()),
            }
        } else if !super::path::exists(&doc, &s.path) {
            d.error_help(
                &s.loc,
                &key,
                format!("`{}` names no value of the scenario", s.path),
                "a sweep changes a value the scenario already has; write the key in the scenario first",
            );
        }
    }
}

/// An optional non-negative integer of at least `min`.
fn integer(
    t: &mut TableReader<'_>,
    key: &'static str,
    default: u64,
    min: u64,
    d: &mut Diagnostics,
) -> u64 {
    let Some(n) = t.node(key) else {
        return default;
    };
    match &n.value {
        super::tree::Value::Int(i) if *i >= min as i64 => *i as u64,
        other => {
            d.error(
                &n.loc,
                &t.key_path(key),
                format!("expected an integer >= {min}, found {}", describe(other)),
            );
            default
        }
    }
}

fn describe(v: &super::tree::Value) -> String {
    match v {
        super::tree::Value::Int(i) => i.to_string(),
        super::tree::Value::Float(f) => f.to_string(),
        other => other.kind().to_string(),
    }
}

fn read_fx(top: &mut TableReader<'_>, d: &mut Diagnostics) -> Vec<Fx> {
    let Some(t) = top.table("fx", d) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, node) in t.entries() {
        let path = t.key_path(&key.name);
        // An invalid rate is reported; the code stays known so `currency` keys that name
        // it are not reported as dangling too.
        let rate =
            super::read_dist::dist_node(node, &path, Unit::Positive, d).unwrap_or(Dist::Fixed(1.0));
        out.push(Fx {
            code: key.name.clone(),
            rate,
        });
    }
    out
}

fn read_goods(top: &mut TableReader<'_>, fx: &[Fx], d: &mut Diagnostics) -> Option<Goods> {
    let Some(mut t) = top.table("goods", d) else {
        d.error(&top.loc, "goods", "missing table `[goods]`");
        return None;
    };
    let hs = t.string("hs", d).map(|(s, _)| hs_digits(&s));
    let value = t.dist_req("unit_value", Unit::NonNegative, d);
    let cur = currency(&mut t, fx, d);
    let units = t.number_req("units", Unit::Positive, d);
    let kg_per_unit = t.number_or("kg_per_unit", Unit::NonNegative, 0.0, d);
    let units_per_feu = t.number_or("units_per_feu", Unit::NonNegative, 0.0, d);
    let carrying_rate = t.number_or("carrying_rate", Unit::Rate, 0.0, d);
    let metal_share = t.number("metal_share", Unit::Probability, d);
    t.finish(d);
    Some(Goods {
        hs,
        metal_share,
        unit_value: Money {
            dist: value?,
            currency: cur,
        },
        units: units?,
        kg_per_unit,
        units_per_feu,
        carrying_rate,
    })
}

fn read_entities(top: &mut TableReader<'_>, d: &mut Diagnostics) -> Vec<Entity> {
    let mut out: Vec<(Entity, Loc, String)> = Vec::new();
    for mut t in top.tables("entities", d) {
        let name = t.name(d);
        let mut owners = Vec::new();
        if let Some(o) = t.table("owners", d) {
            for (key, node) in o.entries() {
                let path = o.key_path(&key.name);
                if let Some(share) = super::read::number_node(node, &path, Unit::Probability, d) {
                    owners.push((key.name.clone(), share));
                }
            }
            let total: f64 = owners.iter().map(|(_, s)| s).sum();
            if total > 1.0 + 1e-9 {
                d.error(
                    &o.loc,
                    &o.path,
                    format!("owner shares sum to {total}, above 1"),
                );
            }
        }
        let (loc, path) = (t.loc.clone(), t.path.clone());
        t.finish(d);
        if let Some((name, _)) = name {
            out.push((Entity { name, owners }, loc, path));
        }
    }
    check_unique(
        out.iter().map(|(e, l, p)| (e.name.as_str(), l, p.as_str())),
        "entity",
        d,
    );
    out.into_iter().map(|(e, _, _)| e).collect()
}
