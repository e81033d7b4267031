//! Routes: `[[routes]]`, their legs and processing, read and chained; fallbacks bound.
//!
//! Owns the geography rules of the model (legs chain origin → … → US, the legs before
//! processing are decided by where it happens) and the route's located sources for
//! later checks. It must not judge regimes (see `checks`).

use super::diag::{Diagnostics, Loc};
use super::model::*;
use super::read::{TableReader, Unit};
use super::regime::{dangling, NameRef};

/// Where parts of the scenario were written, for checks that run after reading.
pub(super) struct RouteSource {
    pub name: String,
    pub name_loc: Loc,
    pub loc: Loc,
    pub path: String,
    pub fallback: Option<NameRef>,
    pub operator: Option<NameRef>,
    pub declare_loc: Loc,
}

/// Resolves a `currency` key to an `[fx]` entry; USD is always known.
pub(super) fn currency(t: &mut TableReader<'_>, fx: &[Fx], d: &mut Diagnostics) -> Option<usize> {
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

/// A leg as read, with where its `from` and `to` were written.
struct LegRead {
    leg: Leg,
    path: String,
    from_loc: Loc,
    to_loc: Loc,
}

/// Processing as read, with where its `country` was written.
struct ProcessingRead {
    processing: Option<Processing>,
    country_loc: Loc,
    path: String,
}

/// Reads a route. The source is returned whenever the route has a name, even if another
/// part is wrong, so that references to it (`fallback`) are not reported as dangling.
pub(super) fn read_route(
    mut t: TableReader<'_>,
    fx: &[Fx],
    markets: &[String],
    d: &mut Diagnostics,
) -> Option<(Option<Route>, RouteSource)> {
    let name = t.name(d);
    let origin = country_req(&mut t, "origin", d);
    let operator = t.string("operator", d).map(|(name, loc)| NameRef {
        name,
        loc,
        path: t.key_path("operator"),
    });
    let declare_loc = t.node("declare").map_or(t.loc.clone(), |n| n.loc.clone());
    let declare = match t.node("declare").map(|n| &n.value) {
        None => Some(Declare::Truth),
        Some(super::tree::Value::Str(s)) if s == "true" => Some(Declare::Truth),
        Some(super::tree::Value::Str(s)) => {
            let path = t.key_path("declare");
            if s.eq_ignore_ascii_case("true") {
                d.error_help(
                    &declare_loc,
                    &path,
                    format!("`{s}` is neither \"true\" nor a country code"),
                    "write declare = \"true\" in lower case to file the truth",
                );
                None
            } else if !super::countries::is_code(s) && super::countries::suggest(s).is_none() {
                d.error_help(
                    &declare_loc,
                    &path,
                    format!("`{s}` is neither \"true\" nor a country code"),
                    "write declare = \"true\" to file the truth, or an ISO 3166-1 alpha-2 code such as declare = \"KR\"",
                );
                None
            } else {
                super::countries::check(s, false, &declare_loc, &path, d)
                    .then(|| Declare::Country(s.clone()))
            }
        }
        Some(other) => {
            d.error_help(
                &declare_loc,
                &t.key_path("declare"),
                format!("expected a string, found {}", other.kind()),
                "write declare = \"true\" (quoted) to file the truth, or a country code such as declare = \"KR\"",
            );
            None
        }
    };
    let fallback = t.string("fallback", d).map(|(name, loc)| NameRef {
        name,
        loc,
        path: t.key_path("fallback"),
    });
    let leg_tables = t.tables("legs", d);
    let n_leg_tables = leg_tables.len();
    let legs: Vec<LegRead> = leg_tables
        .into_iter()
        .filter_map(|l| read_leg(l, markets, d))
        .collect();
    let processing = t.table("processing", d).map(|p| read_processing(p, fx, d));
    let (loc, path) = (t.loc.clone(), t.path.clone());
    if t.node("legs").is_none() {
        d.error(
            &loc,
            &t.key_path("legs"),
            "a route needs at least one `[[routes.legs]]`",
        );
    }
    t.finish(d);
    let (name, name_loc) = name?;
    let source = RouteSource {
        name: name.clone(),
        name_loc,
        loc,
        path: path.clone(),
        fallback,
        operator,
        declare_loc,
    };
    // A leg that could not be read is reported already; checking the chain without it
    // would only add false "do not chain" errors.
    let legs_before = match (&origin, legs.len() == n_leg_tables) {
        (Some((o, _)), true) => chain_legs(o, &name, &legs, processing.as_ref(), d),
        _ => None,
    };
    let route = (|| {
        Some(Route {
            name,
            origin: origin?.0,
            operator: source.operator.as_ref().map(|o| o.name.clone()),
            declare: declare?,
            fallback: None,
            legs: legs.into_iter().map(|l| l.leg).collect(),
            processing: match processing {
                Some(p) => Some(p.processing?),
                None => None,
            },
            legs_before: legs_before?,
        })
    })();
    Some((route, source))
}

/// Checks that legs chain from the origin to the US; returns how many precede processing.
fn chain_legs(
    origin: &str,
    route: &str,
    legs: &[LegRead],
    processing: Option<&ProcessingRead>,
    d: &mut Diagnostics,
) -> Option<usize> {
    let mut at = origin.to_string();
    let mut ok = true;
    for l in legs {
        if l.leg.from != at {
            d.error_help(
                &l.from_loc,
                &format!("{}.from", l.path),
                format!(
                    "legs do not chain: this leg leaves `{}` but the goods are in `{at}`",
                    l.leg.from
                ),
                "the first leg leaves the route's `origin`; each next leg leaves where the last arrived",
            );
            ok = false;
        }
        at = l.leg.to.clone();
    }
    if let Some(l) = legs.last() {
        if l.leg.to != "US" {
            d.error(
                &l.to_loc,
                &format!("{}.to", l.path),
                format!("the last leg must arrive in `US`, not `{}`", l.leg.to),
            );
            ok = false;
        }
    }
    if !ok || legs.is_empty() {
        return None;
    }
    let Some(pr) = processing else {
        return Some(legs.len());
    };
    let p = pr.processing.as_ref()?;
    if p.country == origin {
        return Some(0);
    }
    match legs.iter().position(|l| l.leg.to == p.country) {
        Some(i) => Some(i + 1),
        None => {
            d.error_help(
                &pr.country_loc,
                &format!("{}.country", pr.path),
                format!(
                    "processing in `{}`, but no leg of route `{route}` arrives there",
                    p.country
                ),
                "add a leg arriving in the processing country before the leg that leaves it",
            );
            None
        }
    }
}

/// A required country code, checked against ISO 3166-1 (docs/model.md v2.2).
fn country_req(
    t: &mut TableReader<'_>,
    key: &'static str,
    d: &mut Diagnostics,
) -> Option<(String, Loc)> {
    let (code, loc) = t.string_req(key, d)?;
    super::countries::check(&code, false, &loc, &t.key_path(key), d).then_some((code, loc))
}

fn read_leg(mut t: TableReader<'_>, markets: &[String], d: &mut Diagnostics) -> Option<LegRead> {
    let from = country_req(&mut t, "from", d);
    let to = country_req(&mut t, "to", d);
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
    let path = t.path.clone();
    t.finish(d);
    let ((from, from_loc), (to, to_loc)) = (from?, to?);
    Some(LegRead {
        leg: Leg {
            from,
            to,
            mode: mode?,
            rate: rate?,
            days,
            fees,
            market,
        },
        path,
        from_loc,
        to_loc,
    })
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
    let rho_ok = match (rho, rho_node) {
        (Some(r), Some(n)) if !(-1.0..=1.0).contains(&r) => {
            d.error(
                &n.loc,
                &t.key_path("correlation"),
                format!("expected a correlation in [-1, 1], found {r}"),
            );
            false
        }
        _ => true,
    };
    let Some((m, loc)) = name else {
        if let Some(n) = rho_node {
            d.error(
                &n.loc,
                &t.key_path("correlation"),
                "`correlation` needs a `market` to correlate with",
            );
        }
        return None;
    };
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
    match (rho, rho_node) {
        (Some(r), _) if rho_ok => Some((i, r)),
        (None, None) => {
            d.error_help(
                &loc,
                &t.key_path("correlation"),
                "a leg on a market needs `correlation`",
                "its loading on the market's common shock, in [-1, 1] (e.g. 0.9)",
            );
            None
        }
        _ => None,
    }
}

fn read_processing(mut t: TableReader<'_>, fx: &[Fx], d: &mut Diagnostics) -> ProcessingRead {
    let country = country_req(&mut t, "country", d);
    let country_loc = country.as_ref().map_or(t.loc.clone(), |(_, l)| l.clone());
    let path = t.path.clone();
    let cost = t.dist_or("cost", Unit::NonNegative, 0.0, d);
    let materials = t.dist_or("materials", Unit::NonNegative, 0.0, d);
    let cur = currency(&mut t, fx, d);
    let materials_originating = t.boolean("materials_originating", true, d);
    let markup = t.dist_or("markup", Unit::Rate, 0.0, d);
    let days = t.dist_or("days", Unit::NonNegative, 0.0, d);
    let transforms = t.boolean("transforms", false, d);
    t.finish(d);
    let processing = country.map(|(country, _)| Processing {
        country,
        cost: Money {
            dist: cost,
            currency: cur,
        },
        materials: Money {
            dist: materials,
            currency: cur,
        },
        materials_originating,
        markup,
        days,
        transforms,
    });
    ProcessingRead {
        processing,
        country_loc,
        path,
    }
}

/// Resolves `fallback` names and rejects loops.
pub(super) fn bind_fallbacks(
    routes: &mut [Route],
    sources: &[RouteSource],
    known: &[&str],
    d: &mut Diagnostics,
) {
    let names: Vec<String> = routes.iter().map(|r| r.name.clone()).collect();
    for (r, s) in routes.iter_mut().zip(sources) {
        if let Some(f) = &s.fallback {
            r.fallback = names.iter().position(|n| *n == f.name);
            // A route that exists but has its own errors is not a dangling name.
            if r.fallback.is_none() && !known.contains(&f.name.as_str()) {
                dangling(f, "route", known, d);
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
