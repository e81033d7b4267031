//! The validated scenario: the types the engine runs, with every invariant of docs/model.md
//! already checked and every name resolved to an index.
//!
//! Owns the shape of a runnable scenario. It must not parse or print: `build` makes these
//! from the located tree, the engine reads them.

use crate::dist::Dist;

/// A country code as written (`"CN"`, `"KR"`, `"US"`).
pub type Country = String;

/// A runnable scenario.
#[derive(Clone, Debug)]
pub struct Scenario {
    /// `[scenario] name`: names the output folder.
    pub name: String,
    /// `[scenario] description`.
    pub description: String,
    /// Default number of trials (`--trials` overrides).
    pub trials: u64,
    /// Default seed (`--seed` overrides).
    pub seed: u64,
    /// Day the shipment leaves, from the scenario's day 0 (Extensions: timing).
    pub departure: Dist,
    /// Correlated freight markets (Extensions), by name.
    pub markets: Vec<String>,
    /// The goods shipped.
    pub goods: Goods,
    /// Exchange rates: local currency per USD, each a distribution drawn once per trial.
    pub fx: Vec<Fx>,
    /// Parties that operate routes and who owns them.
    pub entities: Vec<Entity>,
    /// The routes, in file order.
    pub routes: Vec<Route>,
    /// The regimes, in file order, each fully resolved (bases applied).
    pub regimes: Vec<Regime>,
}

/// One `[fx]` entry.
#[derive(Clone, Debug)]
pub struct Fx {
    /// Currency code, e.g. `KRW`.
    pub code: String,
    /// Units of the currency per USD.
    pub rate: Dist,
}

/// An amount of money drawn from a distribution, in a currency (`None` = USD).
#[derive(Clone, Debug)]
pub struct Money {
    /// The amount in `currency`.
    pub dist: Dist,
    /// Index into [`Scenario::fx`], or `None` for USD.
    pub currency: Option<usize>,
}

/// `[goods]`.
#[derive(Clone, Debug)]
pub struct Goods {
    /// HS code, digits only (dots removed), if given.
    pub hs: Option<String>,
    /// Share of the value that is steel, aluminium or copper, for schedule duties on the
    /// metal content (`goods.metal_share`), if given.
    pub metal_share: Option<f64>,
    /// FOB value per unit at the factory's port (price of the first sale).
    pub unit_value: Money,
    /// Units per shipment (one customs entry).
    pub units: f64,
    /// Weight per unit, kg (air and parcel freight are per kg).
    pub kg_per_unit: f64,
    /// Units filling one 40-foot container (ocean freight is per FEU).
    pub units_per_feu: f64,
    /// Annual cost of capital tied up in goods, fraction.
    pub carrying_rate: f64,
}

/// A party that operates routes.
#[derive(Clone, Debug)]
pub struct Entity {
    /// Its name.
    pub name: String,
    /// Owners and their shares (sum <= 1).
    pub owners: Vec<(String, f64)>,
}

/// How a leg moves goods; sets the unit of its freight rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// USD per FEU container.
    Ocean,
    /// USD per kg.
    Air,
    /// USD per kg.
    Parcel,
}

impl Mode {
    /// The name as written in a scenario.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Ocean => "ocean",
            Mode::Air => "air",
            Mode::Parcel => "parcel",
        }
    }
}

/// One leg of a route.
#[derive(Clone, Debug)]
pub struct Leg {
    /// Where it leaves.
    pub from: Country,
    /// Where it arrives.
    pub to: Country,
    /// Ocean, air or parcel.
    pub mode: Mode,
    /// Freight rate (per FEU for ocean, per kg otherwise), USD.
    pub rate: Dist,
    /// Transit days.
    pub days: Dist,
    /// Per-unit fees (handling, port, last mile), USD.
    pub fees: Dist,
    /// A correlated freight market this leg's rate loads on (Extensions), with its loading.
    pub market: Option<(usize, f64)>,
}

/// `[routes.processing]`: work done at a hub.
#[derive(Clone, Debug)]
pub struct Processing {
    /// Where.
    pub country: Country,
    /// Labour, overhead, packing per unit.
    pub cost: Money,
    /// Materials bought at the hub per unit.
    pub materials: Money,
    /// Whether those materials count as hub content (RVC).
    pub materials_originating: bool,
    /// The hub seller's margin on its costs (enters customs value).
    pub markup: Dist,
    /// Days spent at the hub.
    pub days: Dist,
    /// Substantial transformation: a new name, character or use.
    pub transforms: bool,
}

/// What origin a route files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Declare {
    /// File the true origin and claim the preferences the goods qualify for.
    Truth,
    /// File this origin and claim every agreement open to it, whatever the truth.
    Country(Country),
}

/// A way to bring the goods to the US.
#[derive(Clone, Debug)]
pub struct Route {
    /// Its name.
    pub name: String,
    /// Where the goods were made.
    pub origin: Country,
    /// Who operates it: an entity, an owner or a sanction target.
    pub operator: Option<String>,
    /// What it files.
    pub declare: Declare,
    /// Index of the route taken when this one is stopped.
    pub fallback: Option<usize>,
    /// Legs in travel order.
    pub legs: Vec<Leg>,
    /// Processing at a hub, if any.
    pub processing: Option<Processing>,
    /// How many legs come before processing (all legs when there is none).
    pub legs_before: usize,
}

/// Whether an agreement's rule can hold, must hold, or may fail for a route's goods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifies {
    /// Every trial.
    Always,
    /// In no trial.
    Never,
    /// Depends on the draws (an RVC test).
    Sometimes,
}

impl Route {
    /// How this route's goods fare under `agreement`'s rule of origin, before any draw.
    pub fn qualification(&self, agreement: &Agreement) -> Qualifies {
        if !agreement.origins.iter().any(|o| o == self.last_made()) {
            return Qualifies::Never;
        }
        let Some(p) = &self.processing else {
            return Qualifies::Always;
        };
        let shift = p.transforms;
        match (agreement.rule, shift) {
            (Rule::Shift, s) | (Rule::ShiftAndRvc, s @ false) => {
                if s {
                    Qualifies::Always
                } else {
                    Qualifies::Never
                }
            }
            (Rule::ShiftOrRvc, true) => Qualifies::Always,
            (Rule::Rvc | Rule::ShiftOrRvc | Rule::ShiftAndRvc, _) => Qualifies::Sometimes,
        }
    }

    /// Whether the route can file a false claim in `regime`: a declared origin that is
    /// not its true one, or a claimed preference its goods may not qualify for.
    pub fn can_claim_falsely(&self, regime: &Regime) -> bool {
        match &self.declare {
            Declare::Truth => false,
            Declare::Country(c) => {
                c != self.true_origin()
                    || regime
                        .agreements
                        .iter()
                        .filter(|a| a.origins.iter().any(|o| o == c))
                        .any(|a| self.qualification(a) != Qualifies::Always)
            }
        }
    }

    /// The country where the goods were last made: the hub, else the origin.
    pub fn last_made(&self) -> &str {
        self.processing
            .as_ref()
            .map_or(self.origin.as_str(), |p| p.country.as_str())
    }

    /// Non-preferential origin: the hub when processing transforms the goods, else the origin.
    pub fn true_origin(&self) -> &str {
        match &self.processing {
            Some(p) if p.transforms => &p.country,
            _ => &self.origin,
        }
    }

    /// The origin this route files.
    pub fn filed_origin(&self) -> &str {
        match &self.declare {
            Declare::Truth => self.true_origin(),
            Declare::Country(c) => c,
        }
    }
}

/// Which shipments a measure or inspection applies to, by origin.
#[derive(Clone, Debug, PartialEq)]
pub enum Origins {
    /// `"*"`: every origin.
    All,
    /// These origins.
    List(Vec<Country>),
}

impl Origins {
    /// Whether `c` is covered.
    pub fn contains(&self, c: &str) -> bool {
        match self {
            Origins::All => true,
            Origins::List(v) => v.iter().any(|x| x == c),
        }
    }
}

/// When a measure applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum When {
    /// On every entry it covers.
    Always,
    /// Only on reassessment of a false claim that was caught.
    Caught,
}

/// A tariff measure of a regime.
#[derive(Clone, Debug)]
pub struct Measure {
    /// Its name (measures named alike share their in-force draw).
    pub name: String,
    /// Origins covered.
    pub origins: Origins,
    /// Origins it skips.
    pub except: Vec<Country>,
    /// Agreements whose qualifying, claimed goods skip it (indices into the regime's agreements).
    pub waived_by: Vec<usize>,
    /// Fraction of customs value.
    pub ad_valorem: f64,
    /// USD per unit.
    pub per_unit: f64,
    /// HS prefixes (digits only); empty = all goods.
    pub hs: Vec<String>,
    /// Chance it is in force in a trial.
    pub probability: f64,
    /// The key of its in-force draw: its group, else its name.
    pub draw_key: String,
    /// The measures in `floor_over` sum to at least this.
    pub floor: f64,
    /// Indices of the measures the floor covers; empty = every applicable measure.
    pub floor_over: Vec<usize>,
    /// Indices of measures it switches off while in force.
    pub replaces: Vec<usize>,
    /// Always, or only when a false claim is caught.
    pub when: When,
    /// Timing (Extensions): a dist of the day it takes effect, if timed.
    pub effective_day: Option<Dist>,
    /// Timing (Extensions): the day it ends (exclusive), if any.
    pub end_day: Option<f64>,
}

/// Agreement rule of origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// Tariff shift: substantial transformation.
    Shift,
    /// Regional value content at least the threshold.
    Rvc,
    /// Either.
    ShiftOrRvc,
    /// Both.
    ShiftAndRvc,
}

/// A preferential trade agreement.
#[derive(Clone, Debug)]
pub struct Agreement {
    /// Its name.
    pub name: String,
    /// Countries whose goods it covers.
    pub origins: Vec<Country>,
    /// The rule of origin.
    pub rule: Rule,
    /// Build-down RVC threshold.
    pub rvc_threshold: f64,
    /// Whether qualifying, claimed goods pay no MPF.
    pub waives_mpf: bool,
}

/// `[regimes.de_minimis]`.
#[derive(Clone, Debug)]
pub struct DeMinimis {
    /// Shipments valued at or under it enter free of duty and fees.
    pub threshold: f64,
    /// Filed origins excluded.
    pub except: Vec<Country>,
}

/// `[regimes.fees]`, USD.
#[derive(Clone, Debug)]
pub struct Fees {
    /// Formal-entry MPF rate on the shipment value.
    pub mpf_rate: f64,
    /// Formal-entry MPF minimum.
    pub mpf_min: f64,
    /// Formal-entry MPF maximum.
    pub mpf_max: f64,
    /// Entries valued at or under it are informal.
    pub informal_threshold: f64,
    /// MPF of an informal entry.
    pub mpf_informal: f64,
    /// HMF rate on the shipment value, ocean arrivals only.
    pub hmf_rate: f64,
    /// Broker, bond and security filing, per entry.
    pub entry_fee: f64,
}

/// `[regimes.enforcement]`: what happens to false claims.
#[derive(Clone, Debug)]
pub struct Enforcement {
    /// Chance a false claim is caught, per entry.
    pub detection: f64,
    /// How many entries are reassessed once caught (this one and earlier ones).
    pub lookback: Lookback,
    /// Penalty as a fraction of customs value, per reassessed entry.
    pub penalty_ad_valorem: f64,
    /// Penalty as a multiple of the duty evaded.
    pub penalty_multiple: Dist,
    /// Chance the goods are seized once caught.
    pub seizure: f64,
}

/// `lookback_entries` (and `lookback_limit`): how far back a caught scheme is reassessed.
#[derive(Clone, Debug, PartialEq)]
pub enum Lookback {
    /// A number of entries, drawn from a distribution.
    Entries(Dist),
    /// `"since_first"`: back to the scheme's first entry, G ~ Geometric(detection), capped
    /// at `limit` entries (the statute of limitations; infinity when unlimited).
    SinceFirst {
        /// `lookback_limit`: at most this many entries (>= 1).
        limit: f64,
    },
}

impl Lookback {
    /// The number of entries reassessed at the route's look-back uniform `u`, for a false
    /// claim caught with per-entry probability `detection`.
    pub fn entries(&self, u: f64, detection: f64) -> f64 {
        match self {
            Lookback::Entries(d) => d.quantile_or_fixed(u),
            Lookback::SinceFirst { limit } => {
                // G = max(1, ceil(ln(1 - u) / ln(1 - detection))): the inverse CDF of the
                // geometric distribution on 1, 2, ... (detection 1 gives G = 1).
                let g = (libm::log1p(-u) / libm::log1p(-detection)).ceil().max(1.0);
                g.min(*limit)
            }
        }
    }

    /// Whether the number of entries depends on the draws.
    pub fn varies(&self, detection: f64) -> bool {
        match self {
            Lookback::Entries(d) => d.is_fixed().is_none(),
            Lookback::SinceFirst { limit } => detection < 1.0 && *limit > 1.0,
        }
    }
}

/// `[regimes.inspection]`.
#[derive(Clone, Debug)]
pub struct Inspection {
    /// Filed origins inspected.
    pub origins: Origins,
    /// Chance of inspection.
    pub probability: f64,
    /// Delay, days.
    pub days: Dist,
    /// Fee per entry, USD.
    pub fee: f64,
    /// Chance an inspected shipment is refused entry.
    pub exclusion: f64,
}

/// What a sanction does to a route it stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Known before shipping: the shipment takes the fallback.
    Reroute,
    /// Caught in transit: the goods are lost, then the fallback.
    Seize,
}

/// A blocking sanction.
#[derive(Clone, Debug)]
pub struct Sanction {
    /// Its name.
    pub name: String,
    /// The party targeted.
    pub target: String,
    /// Chance it is in force for a shipment.
    pub probability: f64,
    /// The key of its in-force draw: its group, else its name.
    pub draw_key: String,
    /// Operators owned at least this much by targets in force are caught.
    pub ownership_threshold: f64,
    /// Reroute or seize.
    pub effect: Effect,
}

/// A tariff regime, resolved.
#[derive(Clone, Debug)]
pub struct Regime {
    /// Its name.
    pub name: String,
    /// Measures in order.
    pub measures: Vec<Measure>,
    /// Agreements in order.
    pub agreements: Vec<Agreement>,
    /// De minimis rule, if any.
    pub de_minimis: Option<DeMinimis>,
    /// Entry fees, if any.
    pub fees: Option<Fees>,
    /// Enforcement against false claims, if any.
    pub enforcement: Option<Enforcement>,
    /// Inspection, if any.
    pub inspection: Option<Inspection>,
    /// Sanctions in order.
    pub sanctions: Vec<Sanction>,
}

/// The digits of an HS code (`"8517.62"` → `"851762"`).
pub fn hs_digits(s: &str) -> String {
    s.chars().filter(|c| c.is_ascii_digit()).collect()
}

impl Scenario {
    /// The share of `operator` that `party` owns directly: 1 when they are the same
    /// party, the owner's share when `operator` is an entity, else 0.
    pub fn ownership(&self, operator: &str, party: &str) -> f64 {
        if operator == party {
            return 1.0;
        }
        self.entities
            .iter()
            .find(|e| e.name == operator)
            .map_or(0.0, |e| {
                e.owners
                    .iter()
                    .filter(|(o, _)| o == party)
                    .map(|(_, s)| s)
                    .sum()
            })
    }

    /// Whether `party` holds a stake in `operator`, directly or through entities that
    /// own entities (or is the operator).
    pub fn has_stake(&self, operator: &str, party: &str) -> bool {
        let mut seen: Vec<&str> = Vec::new();
        let mut todo: Vec<&str> = vec![operator];
        while let Some(p) = todo.pop() {
            if p == party {
                return true;
            }
            if seen.contains(&p) {
                continue;
            }
            seen.push(p);
            if let Some(e) = self.entities.iter().find(|e| e.name == p) {
                todo.extend(
                    e.owners
                        .iter()
                        .filter(|(_, s)| *s > 0.0)
                        .map(|(o, _)| o.as_str()),
                );
            }
        }
        false
    }

    /// The parties blocked when the `targets` are: the targets, then every entity whose
    /// blocked owners together hold at least `threshold` of it, until nothing changes
    /// (OFAC's 50% rule, applied through entities that own entities).
    pub fn blocked_parties<'a>(&'a self, targets: &[&'a str], threshold: f64) -> Vec<&'a str> {
        let mut blocked: Vec<&str> = targets.to_vec();
        loop {
            let mut changed = false;
            for e in &self.entities {
                if blocked.contains(&e.name.as_str()) {
                    continue;
                }
                let owned: f64 = e
                    .owners
                    .iter()
                    .filter(|(o, _)| blocked.contains(&o.as_str()))
                    .map(|(_, s)| s)
                    .sum();
                if owned > 0.0 && owned >= threshold - 1e-12 {
                    blocked.push(&e.name);
                    changed = true;
                }
            }
            if !changed {
                return blocked;
            }
        }
    }

    /// Whether `sanction` stops a route run by `operator`, given which sanctions are in
    /// force: the operator is its target, or its target holds a stake in the operator
    /// (directly or through entities) and the operator is blocked at its
    /// `ownership_threshold` when every target in force is (OFAC's 50% rule aggregates
    /// blocked owners, and a blocked entity's shares count as the targets').
    pub fn sanction_stops(
        &self,
        operator: &str,
        sanction: &Sanction,
        in_force: &[&Sanction],
    ) -> bool {
        if operator == sanction.target {
            return true;
        }
        if !self.has_stake(operator, &sanction.target) {
            return false;
        }
        let targets: Vec<&str> = in_force.iter().map(|s| s.target.as_str()).collect();
        self.blocked_parties(&targets, sanction.ownership_threshold)
            .contains(&operator)
    }

    /// What the sanctions `in_force` do to a route run by `operator`: none, reroute or
    /// seize. A reroute (known before shipping) wins over a seizure when both apply.
    pub fn sanction_effect(&self, operator: &str, in_force: &[&Sanction]) -> Option<Effect> {
        let mut effect = None;
        for x in in_force {
            if self.sanction_stops(operator, x, in_force) {
                effect = match (effect, x.effect) {
                    (_, Effect::Reroute) | (Some(Effect::Reroute), _) => Some(Effect::Reroute),
                    _ => Some(Effect::Seize),
                };
            }
        }
        effect
    }
}
