//! Checks that span tables: operators, what can stop a route, claims without enforcement,
//! and the goods keys each leg mode needs.
//!
//! Owns the judgements docs/model.md makes about a whole scenario once its parts are read. It
//! must not read the tree: `build` hands it the scenario and where each part was written.

use super::diag::{Diagnostics, Loc};
use super::model::*;
use super::routes::RouteSource;

/// Why a route can be stopped in a regime, if it can.
pub fn stop_reason(s: &Scenario, route: &Route, regime: &Regime) -> Option<String> {
    if let Some(op) = &route.operator {
        let live: Vec<&Sanction> = regime
            .sanctions
            .iter()
            .filter(|x| x.probability > 0.0)
            .collect();
        if let Some(x) = live.iter().find(|x| s.sanction_stops(op, x, &live)) {
            return Some(format!("sanction `{}` can stop it", x.name));
        }
    }
    if let Some(e) = &regime.enforcement {
        if e.detection > 0.0 && e.seizure > 0.0 && route.can_claim_falsely(regime) {
            return Some("its false claim can be caught and the goods seized".into());
        }
    }
    if let Some(i) = &regime.inspection {
        if i.probability > 0.0 && i.exclusion > 0.0 && i.origins.contains(route.filed_origin()) {
            return Some(format!(
                "inspection can refuse entry to goods declared `{}`",
                route.filed_origin()
            ));
        }
    }
    None
}

/// Runs the cross-table checks.
pub(super) fn check(
    s: &Scenario,
    sources: &[RouteSource],
    regime_locs: &[Loc],
    d: &mut Diagnostics,
) {
    let parties: Vec<&str> = s
        .entities
        .iter()
        .flat_map(|e| {
            std::iter::once(e.name.as_str()).chain(e.owners.iter().map(|(o, _)| o.as_str()))
        })
        .chain(
            s.regimes
                .iter()
                .flat_map(|r| r.sanctions.iter().map(|x| x.target.as_str())),
        )
        .collect();
    let mut reported: Vec<&str> = Vec::new();
    for (route, src) in s.routes.iter().zip(sources) {
        if let Some(op) = &src.operator {
            if !parties.contains(&op.name.as_str()) {
                super::regime::dangling(op, "entity, owner or sanction target", &parties, d);
            }
        }
        for (leg, i) in route.legs.iter().zip(0..) {
            let need = match leg.mode {
                Mode::Ocean => (s.goods.units_per_feu <= 0.0).then_some("units_per_feu"),
                Mode::Air | Mode::Parcel => (s.goods.kg_per_unit <= 0.0).then_some("kg_per_unit"),
            };
            if let Some(key) = need {
                if !reported.contains(&key) {
                    reported.push(key);
                    d.error(
                        &src.loc,
                        &format!("{}.legs[{i}].mode", src.path),
                        format!(
                            "{} {} leg needs `goods.{key}` > 0 to turn its rate into a cost per unit",
                            if leg.mode == Mode::Ocean { "an" } else { "a" },
                            leg.mode.as_str()
                        ),
                    );
                }
            }
        }
        for (regime, rloc) in s.regimes.iter().zip(regime_locs) {
            // A written `fallback` that failed to bind is reported where it is written.
            if route.fallback.is_none() && src.fallback.is_none() {
                if let Some(why) = stop_reason(s, route, regime) {
                    d.error_help(
                        &src.loc,
                        &src.path,
                        format!(
                            "route `{}` can be stopped in regime `{}` ({why}) but has no `fallback`",
                            route.name, regime.name
                        ),
                        "add `fallback = \"<route>\"` naming the route the shipment takes instead",
                    );
                }
            }
            if regime.enforcement.is_none() && route.can_claim_falsely(regime) {
                let _ = rloc;
                d.warning(
                    &src.declare_loc,
                    &format!("{}.declare", src.path),
                    format!(
                        "route `{}` can file a false claim in regime `{}`, which has no `[regimes.enforcement]`: it is never caught there",
                        route.name, regime.name
                    ),
                );
            }
        }
    }
}
