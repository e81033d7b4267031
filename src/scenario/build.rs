//! From the located tree to a runnable [`Scenario`]: reading every table of MODEL.md and
//! reporting every mistake at once.
//!
//! Owns the top-level tables (`[scenario]`, `[goods]`, `[fx]`, `[[entities]]`,
//! `[[routes]]`) and the order of the checks; regimes live in `regime`, cross-cutting
//! route checks in `checks`. It must not do I/O.

use super::checks;
use super::diag::{Diagnostic, Diagnostics, Loc, ScenarioError};
use super::model::*;
use super::read::{TableReader, Unit};
use super::regime::{check_unique, dangling, read_regimes, NameRef};
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

impl Built {
    /// The scenario as resolved TOML: reading it back gives the same scenario.
    pub fn resolved_toml(&self) -> String {
        self.document.clone()
    }
}

/// Where parts of the scenario were written, for checks that run after reading.
pub(super) struct RouteSource {
    pub loc: Loc,
    pub path: String,
    pub fallback: Option<NameRef>,
    pub operator: Option<NameRef>,
    pub declare_loc: Loc,
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
    if route_tables.is_empty() {
        d.error(
            &top_loc,
            "routes",
            "a scenario needs at least one `[[routes]]`",
        );
    }
    let mut routes = Vec::new();
    let mut sources = Vec::new();
    for t in route_tables {
        if let Some((r, s)) = read_route(t, &fx, &markets, &mut d) {
            routes.push(r);
            sources.push(s);
        }
    }
    check_unique(
        routes
            .iter()
            .zip(&sources)
            .map(|(r, s)| (r.name.as_str(), &s.loc, s.path.as_str())),
        "route",
        &mut d,
    );
    bind_fallbacks(&mut routes, &sources, &mut d);
    let regime_tables = top.tables("regimes", &mut d);
    if regime_tables.is_empty() {
        d.error(
            &top_loc,
            "regimes",
            "a scenario needs at least one `[[regimes]]`",
        );
    }
    let (regimes, regime_locs) = read_regimes(regime_tables, &mut d);
    top.finish(&mut d);

    let (Some(h), Some(goods)) = (scenario, goods) else {
        return Err(fail(d));
    };
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
    t.finish(d);
    Some(Header {
        name: name?.0,
        description,
        trials,
        seed,
        departure,
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
            super::read::dist_node(node, &path, Unit::Positive, d).unwrap_or(Dist::Fixed(1.0));
        out.push(Fx {
            code: key.name.clone(),
            rate,
        });
    }
    out
}

/// Resolves a `currency` key to an `[fx]` entry; USD is always known.
fn currency(t: &mut TableReader<'_>, fx: &[Fx], d: &mut Diagnostics) -> Option<usize> {
    let (code, loc) = t.string("currency", d)?;
    if code == "USD" {
        return None;
    }
    let found = fx.iter().position(|f| f.code == code);
    if found.is_none() {
        let names: Vec<&str> = fx.iter().map(|f| f.code.as_str()).collect();
        let r = NameRef {
            name: code,
            loc,
            path: t.key_path("currency"),
        };
        dangling(&r, "currency in `[fx]` (USD needs no entry)", &names, d);
    }
    found
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
    t.finish(d);
    Some(Goods {
        hs,
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

fn read_route(
    mut t: TableReader<'_>,
    fx: &[Fx],
    markets: &[String],
    d: &mut Diagnostics,
) -> Option<(Route, RouteSource)> {
    let name = t.name(d);
    let origin = t.string_req("origin", d);
    let operator = t.string("operator", d).map(|(name, loc)| NameRef {
        name,
        loc,
        path: t.key_path("operator"),
    });
    let declare_node = t.string("declare", d);
    let declare_loc = declare_node
        .as_ref()
        .map_or(t.loc.clone(), |(_, l)| l.clone());
    let declare = match declare_node {
        None => Declare::Truth,
        Some((s, _)) if s == "true" => Declare::Truth,
        Some((s, _)) => Declare::Country(s),
    };
    let fallback = t.string("fallback", d).map(|(name, loc)| NameRef {
        name,
        loc,
        path: t.key_path("fallback"),
    });
    let legs: Vec<(Leg, Loc, String)> = t
        .tables("legs", d)
        .into_iter()
        .filter_map(|l| read_leg(l, markets, d))
        .collect();
    let processing = t
        .table("processing", d)
        .map(|p| (p.loc.clone(), p.path.clone(), read_processing(p, fx, d)));
    let (loc, path) = (t.loc.clone(), t.path.clone());
    if t.node("legs").is_none() {
        d.error(
            &loc,
            &t.key_path("legs"),
            "a route needs at least one `[[routes.legs]]`",
        );
    }
    t.finish(d);
    let (origin, origin_loc) = origin?;
    let legs_before = chain_legs(&origin, &origin_loc, &legs, processing.as_ref(), &path, d);
    let processing = match processing {
        Some((_, _, p)) => Some(p?),
        None => None,
    };
    let route = Route {
        name: name?.0,
        origin,
        operator: operator.as_ref().map(|o| o.name.clone()),
        declare,
        fallback: None,
        legs: legs.into_iter().map(|(l, _, _)| l).collect(),
        processing,
        legs_before: legs_before?,
    };
    Some((
        route,
        RouteSource {
            loc,
            path,
            fallback,
            operator,
            declare_loc,
        },
    ))
}

/// Checks that legs chain from the origin to the US; returns how many precede processing.
fn chain_legs(
    origin: &str,
    origin_loc: &Loc,
    legs: &[(Leg, Loc, String)],
    processing: Option<&(Loc, String, Option<Processing>)>,
    path: &str,
    d: &mut Diagnostics,
) -> Option<usize> {
    let mut at = origin.to_string();
    let mut ok = true;
    for (leg, loc, lpath) in legs {
        if leg.from != at {
            d.error_help(
                loc,
                &format!("{lpath}.from"),
                format!("legs do not chain: this leg leaves `{}` but the goods are in `{at}`", leg.from),
                "the first leg leaves the route's `origin`; each next leg leaves where the last arrived",
            );
            ok = false;
        }
        at = leg.to.clone();
    }
    if let Some((leg, loc, lpath)) = legs.last() {
        if leg.to != "US" {
            d.error(
                loc,
                &format!("{lpath}.to"),
                format!("the last leg must arrive in `US`, not `{}`", leg.to),
            );
            ok = false;
        }
    }
    if !ok || legs.is_empty() {
        return None;
    }
    let Some((ploc, ppath, Some(p))) = processing else {
        return if processing.is_some() {
            None
        } else {
            Some(legs.len())
        };
    };
    if p.country == origin {
        return Some(0);
    }
    match legs.iter().position(|(l, _, _)| l.to == p.country) {
        Some(i) => Some(i + 1),
        None => {
            let _ = origin_loc;
            d.error(
                ploc,
                &format!("{ppath}.country"),
                format!(
                    "processing in `{}`, but no leg of route `{path}` arrives there",
                    p.country
                ),
            );
            None
        }
    }
}

fn read_leg(
    mut t: TableReader<'_>,
    markets: &[String],
    d: &mut Diagnostics,
) -> Option<(Leg, Loc, String)> {
    let from = t.string_req("from", d);
    let to = t.string_req("to", d);
    let mode = match t.string_req("mode", d) {
        None => None,
        Some((m, loc)) => match m.as_str() {
            "ocean" => Some(Mode::Ocean),
            "air" => Some(Mode::Air),
            "parcel" => Some(Mode::Parcel),
            other => {
                d.error_help(
                    &loc,
                    &t.key_path("mode"),
                    format!("unknown mode `{other}`"),
                    "expected \"ocean\", \"air\" or \"parcel\"",
                );
                None
            }
        },
    };
    let rate = t.dist_req("rate", Unit::NonNegative, d);
    let days = t.dist_or("days", Unit::NonNegative, 0.0, d);
    let fees = t.dist_or("fees", Unit::NonNegative, 0.0, d);
    let market = read_market(&mut t, markets, d);
    let (loc, path) = (t.loc.clone(), t.path.clone());
    t.finish(d);
    Some((
        Leg {
            from: from?.0,
            to: to?.0,
            mode: mode?,
            rate: rate?,
            days,
            fees,
            market,
        },
        loc,
        path,
    ))
}

/// A leg's `market` and `correlation`: the market's index and the leg's loading.
fn read_market(
    t: &mut TableReader<'_>,
    markets: &[String],
    d: &mut Diagnostics,
) -> Option<(usize, f64)> {
    let name = t.string("market", d);
    let rho_node = t.node("correlation");
    let rho = t.number("correlation", Unit::Any, d);
    match (name, rho) {
        (None, None) => {
            if let Some(n) = rho_node {
                d.error(
                    &n.loc,
                    &t.key_path("correlation"),
                    "`correlation` needs a `market` to correlate with",
                );
            }
            None
        }
        (Some((m, loc)), rho) => {
            let Some(i) = markets.iter().position(|x| *x == m) else {
                let names: Vec<&str> = markets.iter().map(String::as_str).collect();
                let r = NameRef {
                    name: m,
                    loc,
                    path: t.key_path("market"),
                };
                dangling(&r, "market in `[markets]`", &names, d);
                return None;
            };
            let Some(rho) = rho else {
                if rho_node.is_none() {
                    d.error_help(
                        &loc,
                        &t.key_path("correlation"),
                        "a leg on a market needs `correlation`",
                        "its loading on the market's common shock, in [-1, 1] (e.g. 0.9)",
                    );
                }
                return None;
            };
            if !(-1.0..=1.0).contains(&rho) {
                let l = rho_node.map_or(loc, |n| n.loc.clone());
                d.error(
                    &l,
                    &t.key_path("correlation"),
                    format!("expected a correlation in [-1, 1], found {rho}"),
                );
                return None;
            }
            Some((i, rho))
        }
        (None, Some(_)) => {
            if let Some(n) = rho_node {
                d.error(
                    &n.loc,
                    &t.key_path("correlation"),
                    "`correlation` needs a `market` to correlate with",
                );
            }
            None
        }
    }
}

fn read_processing(mut t: TableReader<'_>, fx: &[Fx], d: &mut Diagnostics) -> Option<Processing> {
    let country = t.string_req("country", d);
    let cost = t.dist_or("cost", Unit::NonNegative, 0.0, d);
    let materials = t.dist_or("materials", Unit::NonNegative, 0.0, d);
    let cur = currency(&mut t, fx, d);
    let p = Processing {
        country: country?.0,
        cost: Money {
            dist: cost,
            currency: cur,
        },
        materials: Money {
            dist: materials,
            currency: cur,
        },
        materials_originating: t.boolean("materials_originating", true, d),
        markup: t.dist_or("markup", Unit::Rate, 0.0, d),
        days: t.dist_or("days", Unit::NonNegative, 0.0, d),
        transforms: t.boolean("transforms", false, d),
    };
    t.finish(d);
    Some(p)
}

/// Resolves `fallback` names and rejects loops.
fn bind_fallbacks(routes: &mut [Route], sources: &[RouteSource], d: &mut Diagnostics) {
    let names: Vec<String> = routes.iter().map(|r| r.name.clone()).collect();
    let name_refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for (r, s) in routes.iter_mut().zip(sources) {
        if let Some(f) = &s.fallback {
            r.fallback = names.iter().position(|n| *n == f.name);
            if r.fallback.is_none() {
                dangling(f, "route", &name_refs, d);
            }
        }
    }
    let mut looped = false;
    for (i, s) in sources.iter().enumerate() {
        let mut seen = vec![i];
        let mut at = routes[i].fallback;
        while let Some(j) = at {
            if seen.contains(&j) {
                if j == i {
                    let chain: Vec<&str> = seen.iter().map(|&k| routes[k].name.as_str()).collect();
                    looped = true;
                    if let Some(f) = &s.fallback {
                        d.error(
                            &f.loc,
                            &f.path,
                            format!(
                                "fallbacks form a loop: {} -> {}",
                                chain.join(" -> "),
                                routes[i].name
                            ),
                        );
                    }
                }
                break;
            }
            seen.push(j);
            at = routes[j].fallback;
        }
    }
    // Break loops so later stages can walk fallbacks safely.
    if looped {
        for r in routes.iter_mut() {
            r.fallback = None;
        }
    }
}
