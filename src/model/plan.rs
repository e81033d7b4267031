//! Compiling a scenario into what a trial needs: purpose keys, masks and static filters.
//!
//! Everything that does not depend on the draws is decided here once, so the per-trial
//! code is arithmetic on precomputed numbers: no string compares, no allocation.

use crate::rng::purpose_key;
use crate::scenario::model::*;

/// Purpose keys of one leg.
pub(super) struct LegKeys {
    /// The leg's own draw (its idiosyncratic normal when on a market).
    pub rate: u64,
    pub days: u64,
    pub fees: u64,
}

/// Purpose keys of one route's draws (shared by every regime).
pub(super) struct RouteKeys {
    pub legs: Vec<LegKeys>,
    pub proc_cost: u64,
    pub proc_materials: u64,
    pub proc_markup: u64,
    pub proc_days: u64,
    pub detection: u64,
    pub seizure: u64,
    pub inspection: u64,
    pub inspection_days: u64,
    pub exclusion: u64,
    pub penalty_multiple: u64,
    pub lookback: u64,
}

impl RouteKeys {
    fn new(name: &str, legs: usize) -> Self {
        let k = |what: &str| purpose_key(&format!("route:{name}/{what}"));
        RouteKeys {
            legs: (0..legs)
                .map(|j| LegKeys {
                    rate: k(&format!("leg{j}/rate")),
                    days: k(&format!("leg{j}/days")),
                    fees: k(&format!("leg{j}/fees")),
                })
                .collect(),
            proc_cost: k("processing/cost"),
            proc_materials: k("processing/materials"),
            proc_markup: k("processing/markup"),
            proc_days: k("processing/days"),
            detection: k("detection"),
            seizure: k("seizure"),
            inspection: k("inspection"),
            inspection_days: k("inspection/days"),
            exclusion: k("exclusion"),
            penalty_multiple: k("penalty_multiple"),
            lookback: k("lookback_entries"),
        }
    }
}

/// Most sanctions reaching one operator for which every combination in force is
/// tabulated at compile time (2^12 entries); beyond that, each trial decides afresh.
const MAX_TABULATED_SANCTIONS: usize = 12;

/// The sanctions that can reach one route's operator, and what each combination of them
/// in force does.
#[derive(Clone, Debug, Default)]
pub(super) struct SanctionPlan {
    /// Indices (in the regime) of the sanctions whose target is the operator or holds a
    /// stake in it, directly or through entities.
    pub links: Vec<usize>,
    /// Per subset of `links` in force (bit k = `links[k]`): 0 none, 1 reroute, 2 seize.
    /// Empty when there are too many links to tabulate.
    pub table: Vec<u8>,
}

impl SanctionPlan {
    fn new(s: &Scenario, g: &Regime, operator: &str) -> SanctionPlan {
        let links: Vec<usize> = g
            .sanctions
            .iter()
            .enumerate()
            .filter(|(_, x)| s.has_stake(operator, &x.target))
            .map(|(i, _)| i)
            .collect();
        let table = if links.len() <= MAX_TABULATED_SANCTIONS {
            (0..1usize << links.len())
                .map(|set| {
                    let in_force: Vec<&Sanction> = links
                        .iter()
                        .enumerate()
                        .filter(|(k, _)| set & (1 << k) != 0)
                        .map(|(_, &i)| &g.sanctions[i])
                        .collect();
                    encode(s.sanction_effect(operator, &in_force))
                })
                .collect()
        } else {
            Vec::new()
        };
        SanctionPlan { links, table }
    }
}

/// A sanction effect as a table entry.
pub(super) fn encode(e: Option<Effect>) -> u8 {
    match e {
        None => 0,
        Some(Effect::Reroute) => 1,
        Some(Effect::Seize) => 2,
    }
}

/// Static facts about one route under one regime.
pub(super) struct CellPlan {
    /// Measures that can apply to the filed origin (origins, except, hs, `when = always`).
    pub filed_static: u128,
    /// Measures that can apply on reassessment at the true origin (`always` or `caught`).
    pub true_static: u128,
    /// Agreements open to the filed origin (claimed under `declare = "XX"`).
    pub open_mask: u64,
    /// Agreements the goods always qualify for (bit per agreement).
    pub qualify_always: u64,
    /// Agreements whose qualification depends on the draws (an RVC test).
    pub qualify_sometimes: u64,
    /// Whether the filed origin differs from the true one.
    pub false_origin: bool,
    /// Whether de minimis can apply to the filed origin / the true origin.
    pub dm_filed: bool,
    pub dm_true: bool,
    /// Whether inspection covers the filed origin.
    pub inspected_origin: bool,
    /// Sanctions that can reach this route's operator.
    pub sanctions: SanctionPlan,
}

/// A measure's trial-independent numbers.
pub(super) struct MeasurePlan {
    pub draw: usize,
    /// Index of its effective-day uniform among the plan's timing draws, if timed.
    pub timing: Option<usize>,
    /// This regime's own distribution of the day it takes effect (`None`: in force from
    /// the start, e.g. a measure with only an `end_day`).
    pub effective_day: Option<crate::dist::Dist>,
    /// The day it ends (exclusive); infinity when open-ended.
    pub end_day: f64,
    pub probability: f64,
    pub ad_valorem: f64,
    pub per_unit: f64,
    pub replaces: u128,
    pub waived_by: u64,
    pub floor: f64,
    /// The measures its floor covers (all bits when `floor_over` is empty).
    pub floor_over: u128,
}

/// One regime, compiled.
pub(super) struct RegimePlan {
    /// Agreements that waive the MPF (bit per agreement).
    pub waives_mpf: u64,
    pub measures: Vec<MeasurePlan>,
    /// Measures with an `effective_day` or `end_day`.
    pub timed: u128,
    /// Measures that carry a floor.
    pub floors: u128,
    /// Per sanction: index of its in-force draw and its probability.
    pub sanction_draws: Vec<(usize, f64)>,
    /// Per route (scenario order).
    pub cells: Vec<CellPlan>,
}

/// A scenario compiled for simulation. Build once, share across threads.
pub struct Plan {
    pub(super) scenario: Scenario,
    pub(super) goods_key: u64,
    pub(super) fx_keys: Vec<u64>,
    /// Keys of the in-force draws (one per measure or sanction name, or group).
    pub(super) draw_keys: Vec<u64>,
    /// Names of the in-force draws (`measure:NAME`, `sanction:NAME` or `group:NAME`).
    pub(super) draw_names: Vec<String>,
    /// Names of the timing draws (`effective_day:...`).
    pub(super) timing_names: Vec<String>,
    /// Keys of the effective-day uniforms (one per timed measure name or group, shared
    /// by regimes and routes; each regime maps it through its own distribution).
    pub(super) timing: Vec<u64>,
    /// Key of the departure-day draw.
    pub(super) departure_key: u64,
    /// Keys of the markets' common shocks.
    pub(super) market_keys: Vec<u64>,
    pub(super) routes: Vec<RouteKeys>,
    /// Routes in evaluation order: every fallback before the routes that use it.
    pub(super) order: Vec<usize>,
    pub(super) regimes: Vec<RegimePlan>,
}

/// Why a scenario cannot be compiled (limits of the bit masks).
#[derive(Debug, Clone, thiserror::Error)]
pub enum PlanError {
    /// Too many measures, agreements or sanctions in one regime for the bit masks.
    #[error("regime `{regime}` has {count} {what}; at most {limit} are supported")]
    TooMany {
        /// The regime's name.
        regime: String,
        /// What there are too many of ("measures", ...).
        what: &'static str,
        /// How many it has.
        count: usize,
        /// The most supported.
        limit: usize,
    },
}

fn all_bits(n: usize) -> u128 {
    if n >= 128 {
        u128::MAX
    } else {
        (1u128 << n) - 1
    }
}

impl Plan {
    /// Compiles a validated scenario.
    pub fn new(scenario: Scenario) -> Result<Plan, PlanError> {
        let mut draw_names: Vec<String> = Vec::new();
        let mut draw_index = |key: &str| -> usize {
            match draw_names.iter().position(|k| k == key) {
                Some(i) => i,
                None => {
                    draw_names.push(key.to_string());
                    draw_names.len() - 1
                }
            }
        };
        let mut timing_names: Vec<String> = Vec::new();
        let mut timing: Vec<u64> = Vec::new();
        let mut regimes = Vec::new();
        for g in &scenario.regimes {
            for (what, count, limit) in [
                ("measures", g.measures.len(), 128),
                ("agreements", g.agreements.len(), 64),
                ("sanctions", g.sanctions.len(), 128),
            ] {
                if count > limit {
                    return Err(PlanError::TooMany {
                        regime: g.name.clone(),
                        what,
                        count,
                        limit,
                    });
                }
            }
            let measures = g
                .measures
                .iter()
                .map(|m| MeasurePlan {
                    draw: draw_index(&m.draw_key),
                    timing: (m.effective_day.is_some() || m.end_day.is_some()).then(|| {
                        let key = format!("effective_day:{}", m.draw_key);
                        match timing_names.iter().position(|k| *k == key) {
                            Some(i) => i,
                            None => {
                                timing_names.push(key.clone());
                                timing.push(purpose_key(&key));
                                timing.len() - 1
                            }
                        }
                    }),
                    effective_day: m.effective_day.clone(),
                    end_day: m.end_day.unwrap_or(f64::INFINITY),
                    probability: m.probability,
                    ad_valorem: m.ad_valorem,
                    per_unit: m.per_unit,
                    replaces: m.replaces.iter().fold(0, |acc, &j| acc | 1u128 << j),
                    waived_by: m.waived_by.iter().fold(0, |acc, &j| acc | 1u64 << j),
                    floor: m.floor,
                    floor_over: if m.floor_over.is_empty() {
                        all_bits(g.measures.len())
                    } else {
                        m.floor_over.iter().fold(0, |acc, &j| acc | 1u128 << j)
                    },
                })
                .collect::<Vec<_>>();
            let floors = g
                .measures
                .iter()
                .enumerate()
                .filter(|(_, m)| m.floor > 0.0)
                .fold(0u128, |acc, (i, _)| acc | 1u128 << i);
            let sanction_draws = g
                .sanctions
                .iter()
                .map(|s| (draw_index(&s.draw_key), s.probability))
                .collect();
            let cells = scenario
                .routes
                .iter()
                .map(|r| cell_plan(&scenario, g, r))
                .collect();
            let timed = measures
                .iter()
                .enumerate()
                .filter(|(_, m)| m.timing.is_some())
                .fold(0u128, |acc, (i, _)| acc | 1u128 << i);
            let waives_mpf = g
                .agreements
                .iter()
                .enumerate()
                .filter(|(_, a)| a.waives_mpf)
                .fold(0u64, |acc, (i, _)| acc | 1u64 << i);
            regimes.push(RegimePlan {
                waives_mpf,
                timed,
                measures,
                floors,
                sanction_draws,
                cells,
            });
        }
        let draw_keys = draw_names
            .iter()
            .map(|k| purpose_key(&format!("in_force:{k}")))
            .collect();
        let routes = scenario
            .routes
            .iter()
            .map(|r| RouteKeys::new(&r.name, r.legs.len()))
            .collect();
        let order = evaluation_order(&scenario.routes);
        Ok(Plan {
            draw_names,
            timing_names,
            timing,
            departure_key: purpose_key("scenario/departure"),
            market_keys: scenario
                .markets
                .iter()
                .map(|m| purpose_key(&format!("market:{m}")))
                .collect(),
            goods_key: purpose_key("goods/unit_value"),
            fx_keys: scenario
                .fx
                .iter()
                .map(|f| purpose_key(&format!("fx:{}", f.code)))
                .collect(),
            draw_keys,
            routes,
            order,
            regimes,
            scenario,
        })
    }

    /// The scenario this plan was compiled from.
    pub fn scenario(&self) -> &Scenario {
        &self.scenario
    }

    /// Number of regimes.
    pub fn n_regimes(&self) -> usize {
        self.scenario.regimes.len()
    }

    /// Number of routes.
    pub fn n_routes(&self) -> usize {
        self.scenario.routes.len()
    }
}

/// Measures that can apply to goods filed from `origin` (origins, except, hs, when).
pub(super) fn static_mask(g: &Regime, origin: &str, hs: Option<&str>, caught: bool) -> u128 {
    g.measures
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            m.origins.contains(origin)
                && !m.except.iter().any(|e| e == origin)
                && (m.hs.is_empty()
                    || hs.is_some_and(|h| m.hs.iter().any(|p| h.starts_with(p.as_str()))))
                && (caught || m.when == When::Always)
        })
        .fold(0u128, |acc, (i, _)| acc | 1u128 << i)
}

/// Agreements of `g` that route `r` qualifies for as `q` says, as a bit mask.
fn mask_of(g: &Regime, r: &Route, q: Qualifies) -> u64 {
    g.agreements
        .iter()
        .enumerate()
        .filter(|(_, a)| r.qualification(a) == q)
        .fold(0u64, |acc, (i, _)| acc | 1u64 << i)
}

fn cell_plan(s: &Scenario, g: &Regime, r: &Route) -> CellPlan {
    let hs = s.goods.hs.as_deref();
    let filed = r.filed_origin();
    let truth = r.true_origin();
    let open_mask = g
        .agreements
        .iter()
        .enumerate()
        .filter(|(_, a)| a.origins.iter().any(|o| o == filed))
        .fold(0u64, |acc, (i, _)| acc | 1u64 << i);
    let dm = |origin: &str| {
        g.de_minimis
            .as_ref()
            .is_some_and(|d| !d.except.iter().any(|e| e == origin))
    };
    let sanctions = r
        .operator
        .as_ref()
        .map_or_else(SanctionPlan::default, |op| SanctionPlan::new(s, g, op));
    CellPlan {
        filed_static: static_mask(g, filed, hs, false),
        true_static: static_mask(g, truth, hs, true),
        open_mask,
        qualify_always: mask_of(g, r, Qualifies::Always),
        qualify_sometimes: mask_of(g, r, Qualifies::Sometimes),
        false_origin: filed != truth,
        dm_filed: dm(filed),
        dm_true: dm(truth),
        inspected_origin: g
            .inspection
            .as_ref()
            .is_some_and(|i| i.origins.contains(filed)),
        sanctions,
    }
}

/// Orders routes so that each comes after its fallback (fallbacks never loop: validated).
fn evaluation_order(routes: &[Route]) -> Vec<usize> {
    let mut order = Vec::with_capacity(routes.len());
    let mut placed = vec![false; routes.len()];
    fn place(
        i: usize,
        routes: &[Route],
        placed: &mut [bool],
        order: &mut Vec<usize>,
        depth: usize,
    ) {
        if placed[i] || depth > routes.len() {
            return;
        }
        if let Some(f) = routes[i].fallback {
            place(f, routes, placed, order, depth + 1);
        }
        placed[i] = true;
        order.push(i);
    }
    for i in 0..routes.len() {
        place(i, routes, &mut placed, &mut order, 0);
    }
    order
}
