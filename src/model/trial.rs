//! One trial: the draws shared by all regimes, then every (regime, route) cell.
//!
//! The order of docs/model.md: physical route (legs, hub, customs value, RVC), then per regime
//! sanctions, claims, duty and de minimis, fees, enforcement, inspection, losses and
//! holding. Fallbacks are evaluated before the routes that use them, so a stopped route's
//! rerouting cost is the fallback's own outcome in the same trial and regime.

use super::duty;
use super::plan::{CellPlan, Plan, RegimePlan};
use super::{flag, part, Outcome};
use crate::dist::{std_normal_quantile, Dist};
use crate::rng::TrialRng;
use crate::scenario::{Declare, Effect, Mode, Rule};

/// What a route costs before any regime: the same in every regime of a trial.
#[derive(Clone, Copy, Debug, Default)]
struct RouteDraw {
    /// Freight (with leg fees) of the legs before processing, per unit.
    freight_before: f64,
    /// Freight of the other legs, per unit.
    freight_after: f64,
    /// Customs value per unit.
    cv: f64,
    /// Regional value content (build-down), for RVC rules.
    rvc: f64,
    /// Legs plus processing days.
    days: f64,
    /// Whether the last leg into the US is by ocean (HMF).
    last_ocean: bool,
    u_detect: f64,
    u_seize: f64,
    u_inspect: f64,
    u_inspect_days: f64,
    u_exclude: f64,
    u_penalty: f64,
    u_lookback: f64,
}

/// Buffers reused across trials, so a trial allocates nothing. One per thread.
#[derive(Clone, Debug)]
pub struct TrialScratch {
    routes: Vec<RouteDraw>,
    in_force_u: Vec<f64>,
    fx: Vec<f64>,
    /// Each market's common shock Z (standard normal) this trial.
    market_z: Vec<f64>,
    /// Each timing draw's uniform this trial (shared by regimes).
    effective_u: Vec<f64>,
    /// The current regime's effective day per measure (timed measures only).
    effective_day: Vec<f64>,
    /// The departure day this trial.
    departure: f64,
    /// The outcomes of the last trial, indexed `regime * n_routes + route`.
    pub outcomes: Vec<Outcome>,
}

/// Draws `dist` at the uniform for `key`; fixed values skip the generator.
#[inline]
fn draw(dist: &Dist, rng: &TrialRng, key: u64) -> f64 {
    match dist {
        Dist::Fixed(v) => *v,
        d => d.quantile(rng.uniform(key)),
    }
}

impl Plan {
    /// Fresh buffers for [`Plan::trial`].
    pub fn scratch(&self) -> TrialScratch {
        TrialScratch {
            routes: vec![RouteDraw::default(); self.n_routes()],
            in_force_u: vec![0.0; self.draw_keys.len()],
            fx: vec![1.0; self.fx_keys.len()],
            market_z: vec![0.0; self.market_keys.len()],
            effective_u: vec![0.0; self.timing.len()],
            effective_day: vec![
                f64::NEG_INFINITY;
                self.regimes
                    .iter()
                    .map(|g| g.measures.len())
                    .max()
                    .unwrap_or(0)
            ],
            departure: 0.0,
            outcomes: vec![Outcome::default(); self.n_regimes() * self.n_routes()],
        }
    }

    /// Simulates trial `trial` of a run seeded `seed`; results land in `s.outcomes`.
    pub fn trial(&self, seed: u64, trial: u64, s: &mut TrialScratch) {
        let rng = TrialRng::new(seed, trial);
        let sc = &self.scenario;
        for (i, f) in sc.fx.iter().enumerate() {
            s.fx[i] = draw(&f.rate, &rng, self.fx_keys[i]);
        }
        for (i, &k) in self.draw_keys.iter().enumerate() {
            s.in_force_u[i] = rng.uniform(k);
        }
        for (i, &k) in self.market_keys.iter().enumerate() {
            s.market_z[i] = std_normal_quantile(rng.uniform(k));
        }
        for (i, &k) in self.timing.iter().enumerate() {
            s.effective_u[i] = rng.uniform(k);
        }
        s.departure = draw(&sc.departure, &rng, self.departure_key);
        let to_usd = |fx: &[f64], cur: Option<usize>| cur.map_or(1.0, |c| fx[c]);
        let v = draw(&sc.goods.unit_value.dist, &rng, self.goods_key)
            / to_usd(&s.fx, sc.goods.unit_value.currency);
        for (r, route) in sc.routes.iter().enumerate() {
            let keys = &self.routes[r];
            let mut d = RouteDraw::default();
            let split = if route.processing.is_some() {
                route.legs_before
            } else {
                0
            };
            for (j, leg) in route.legs.iter().enumerate() {
                let k = &keys.legs[j];
                let rate = match (leg.market, &leg.rate) {
                    (_, Dist::Fixed(v)) => *v,
                    (None, d) => d.quantile(rng.uniform(k.rate)),
                    // Gaussian copula: the leg's normal score loads `rho` on the market's
                    // common shock; its marginal distribution is unchanged.
                    (Some((m, rho)), d) => {
                        let e = std_normal_quantile(rng.uniform(k.rate));
                        let z = rho * s.market_z[m] + (1.0 - rho * rho).sqrt() * e;
                        d.at_normal_score(z)
                    }
                };
                let per_unit = match leg.mode {
                    Mode::Ocean => rate / sc.goods.units_per_feu,
                    Mode::Air | Mode::Parcel => rate * sc.goods.kg_per_unit,
                } + draw(&leg.fees, &rng, k.fees);
                if j < split {
                    d.freight_before += per_unit;
                } else {
                    d.freight_after += per_unit;
                }
                d.days += draw(&leg.days, &rng, k.days);
            }
            d.last_ocean = route.legs.last().is_some_and(|l| l.mode == Mode::Ocean);
            d.cv = v;
            if let Some(p) = &route.processing {
                let fx = to_usd(&s.fx, p.cost.currency);
                let cost = draw(&p.cost.dist, &rng, keys.proc_cost) / fx;
                let materials = draw(&p.materials.dist, &rng, keys.proc_materials) / fx;
                let markup = draw(&p.markup, &rng, keys.proc_markup);
                d.days += draw(&p.days, &rng, keys.proc_days);
                d.cv = (v + d.freight_before + cost + materials) * (1.0 + markup);
                let vnm = v
                    + d.freight_before
                    + if p.materials_originating {
                        0.0
                    } else {
                        materials
                    };
                d.rvc = if d.cv > 0.0 { (d.cv - vnm) / d.cv } else { 0.0 };
            }
            d.u_detect = rng.uniform(keys.detection);
            d.u_seize = rng.uniform(keys.seizure);
            d.u_inspect = rng.uniform(keys.inspection);
            d.u_inspect_days = rng.uniform(keys.inspection_days);
            d.u_exclude = rng.uniform(keys.exclusion);
            d.u_penalty = rng.uniform(keys.penalty_multiple);
            d.u_lookback = rng.uniform(keys.lookback);
            s.routes[r] = d;
        }
        let n = self.n_routes();
        for (g, rp) in self.regimes.iter().enumerate() {
            let in_force = rp
                .measures
                .iter()
                .enumerate()
                .filter(|(_, m)| s.in_force_u[m.draw] < m.probability)
                .fold(0u128, |acc, (i, _)| acc | 1u128 << i);
            effective_days(rp, &s.effective_u, &mut s.effective_day);
            for &r in &self.order {
                let out = self.cell(g, rp, r, v, in_force, s);
                s.outcomes[g * n + r] = out;
            }
        }
    }

    /// One (regime, route) cell of the current trial.
    fn cell(
        &self,
        g: usize,
        rp: &RegimePlan,
        r: usize,
        v: f64,
        in_force: u128,
        s: &TrialScratch,
    ) -> Outcome {
        let sc = &self.scenario;
        let regime = &sc.regimes[g];
        let route = &sc.routes[r];
        let cell = &rp.cells[r];
        let d = &s.routes[r];
        let (in_force, before) = if rp.timed == 0 {
            (in_force, 0)
        } else {
            timed_in_force(rp, in_force, s.departure + d.days, &s.effective_day)
        };
        let n = self.n_routes();
        let fallback = route.fallback.map(|f| s.outcomes[g * n + f]);
        let mut out = Outcome {
            before_effective: before,
            ..Outcome::default()
        };

        if let (Some(effect), Some(fb)) = (self.sanction_effect(rp, cell, regime, r, s), fallback) {
            match effect {
                Effect::Reroute => {
                    out.parts[part::REROUTING] = fb.cost;
                    out.days = fb.days;
                    out.flags = flag::BLOCKED;
                }
                Effect::Seize => {
                    lost(&mut out, v, d, fb, 0.0, d.days);
                    out.flags = flag::BLOCKED | flag::SEIZED;
                }
            }
            out.cost = out.parts.iter().sum();
            return out;
        }

        let transforms = route.processing.as_ref().is_some_and(|p| p.transforms);
        if transforms {
            out.flags |= flag::TRUE_ORIGIN_HUB;
        }
        let true_claims = true_claims(cell, regime, transforms, d.rvc);
        let filed_claims = match route.declare {
            Declare::Truth => true_claims,
            Declare::Country(_) => cell.open_mask,
        };
        // A preference is a claim of an agreement the goods truly qualify for; a false
        // claim of one counts as a false claim only.
        if filed_claims & true_claims != 0 {
            out.flags |= flag::PREFERENCE;
        }
        let false_claim = cell.false_origin || filed_claims & !true_claims != 0;
        if false_claim {
            out.flags |= flag::FALSE_CLAIM;
        }
        let filed = Filing {
            measures: cell.filed_static,
            claims: filed_claims,
            de_minimis_origin: cell.dm_filed,
        };
        let mut entry = self.assess(rp, regime, d, in_force, filed);

        let mut seized = false;
        if let (true, Some(e)) = (false_claim, &regime.enforcement) {
            if d.u_detect < e.detection {
                out.flags |= flag::CAUGHT;
                // Reassessed whole at the true filing: duty, de minimis, fees and the MPF
                // waiver, with `when = "caught"` measures now applying.
                let truth = Filing {
                    measures: cell.true_static,
                    claims: true_claims,
                    de_minimis_origin: cell.dm_true,
                };
                let reassessed = self.assess(rp, regime, d, in_force, truth);
                let evaded = (reassessed.duty - entry.duty).max(0.0);
                let entries = e.lookback.entries(d.u_lookback, e.detection);
                let multiple = e.penalty_multiple.quantile_or_fixed(d.u_penalty);
                let charge = evaded + multiple * evaded + e.penalty_ad_valorem * d.cv;
                // This entry's own true duty is in `duty`; the rest of the charges (and
                // any refund of duty filed above what was owed) is the penalty.
                out.parts[part::PENALTY] = entries * charge - evaded;
                entry = reassessed;
                seized = d.u_seize < e.seizure;
            }
        }
        if entry.de_minimis {
            out.flags |= flag::DE_MINIMIS;
        }
        out.parts[part::DUTY] = entry.duty;
        out.parts[part::FEES] = entry.fees;
        let mut days = d.days;
        let mut excluded = false;
        if let (false, Some(i), true) = (seized, &regime.inspection, cell.inspected_origin) {
            if d.u_inspect < i.probability {
                out.flags |= flag::INSPECTED;
                days += i.days.quantile_or_fixed(d.u_inspect_days);
                out.parts[part::INSPECTION] = i.fee / sc.goods.units;
                excluded = d.u_exclude < i.exclusion;
            }
        }
        match (seized || excluded, fallback) {
            (true, Some(fb)) => {
                out.flags |= if seized { flag::SEIZED } else { flag::EXCLUDED };
                let penalty = out.parts[part::PENALTY];
                lost(&mut out, v, d, fb, penalty, days);
            }
            _ => {
                out.parts[part::GOODS] = v;
                out.parts[part::FREIGHT] = d.freight_before + d.freight_after;
                out.parts[part::PROCESSING] = d.cv - v - d.freight_before;
                out.parts[part::HOLDING] = sc.goods.carrying_rate * d.cv * days / 365.0;
                out.days = days;
                out.entered = true;
                out.cv = d.cv;
            }
        }
        out.cost = out.parts.iter().sum();
        out
    }

    /// Which sanction effect stops this route in this trial, if any. A reroute (known
    /// before shipping) wins over a seizure when both apply.
    fn sanction_effect(
        &self,
        rp: &RegimePlan,
        cell: &CellPlan,
        regime: &crate::scenario::Regime,
        r: usize,
        s: &TrialScratch,
    ) -> Option<Effect> {
        let links = &cell.sanctions.links;
        if links.is_empty() {
            return None;
        }
        let in_force = |i: usize| {
            let (draw, p) = rp.sanction_draws[i];
            s.in_force_u[draw] < p
        };
        if !cell.sanctions.table.is_empty() {
            let set = links
                .iter()
                .enumerate()
                .filter(|(_, &i)| in_force(i))
                .fold(0usize, |acc, (k, _)| acc | 1 << k);
            return match cell.sanctions.table[set] {
                0 => None,
                1 => Some(Effect::Reroute),
                _ => Some(Effect::Seize),
            };
        }
        let operator = self.scenario.routes[r].operator.as_deref()?;
        let live: Vec<&crate::scenario::Sanction> = links
            .iter()
            .filter(|&&i| in_force(i))
            .map(|&i| &regime.sanctions[i])
            .collect();
        self.scenario.sanction_effect(operator, &live)
    }

    /// Duty, fees and de minimis for one filing of the route's shipment.
    fn assess(
        &self,
        rp: &RegimePlan,
        regime: &crate::scenario::Regime,
        d: &RouteDraw,
        in_force: u128,
        filing: Filing,
    ) -> Assessment {
        let units = self.scenario.goods.units;
        let value = d.cv * units;
        let de_minimis = filing.de_minimis_origin
            && regime
                .de_minimis
                .as_ref()
                .is_some_and(|m| value <= m.threshold);
        if de_minimis {
            return Assessment {
                duty: 0.0,
                fees: 0.0,
                de_minimis,
            };
        }
        let (rate, per_unit) =
            duty::rate(rp, duty::kept(rp, filing.measures, in_force, filing.claims));
        let fees = regime.fees.as_ref().map_or(0.0, |f| {
            let mpf = if rp.waives_mpf & filing.claims != 0 {
                0.0
            } else if value <= f.informal_threshold {
                f.mpf_informal
            } else {
                (f.mpf_rate * value).max(f.mpf_min).min(f.mpf_max)
            };
            let hmf = if d.last_ocean {
                f.hmf_rate * value
            } else {
                0.0
            };
            (mpf + hmf + f.entry_fee) / units
        });
        Assessment {
            duty: rate * d.cv + per_unit,
            fees,
            de_minimis,
        }
    }
}

/// What an entry files, for assessing it.
#[derive(Clone, Copy, Debug)]
struct Filing {
    /// Measures that can apply to the filed origin.
    measures: u128,
    /// Agreements claimed (bit per agreement).
    claims: u64,
    /// Whether de minimis is open to the filed origin.
    de_minimis_origin: bool,
}

/// Duty, fees (per unit) and de minimis of one filing.
#[derive(Clone, Copy, Debug)]
struct Assessment {
    duty: f64,
    fees: f64,
    de_minimis: bool,
}

/// This regime's effective day of each timed measure: the shared uniform of its name (or
/// group) through the regime's own `effective_day` distribution, so regimes that time a
/// measure differently get comonotone days.
fn effective_days(rp: &RegimePlan, uniforms: &[f64], out: &mut [f64]) {
    let mut bits = rp.timed;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let m = &rp.measures[i];
        out[i] = match (&m.effective_day, m.timing) {
            (Some(d), Some(t)) => d.quantile_or_fixed(uniforms[t]),
            _ => f64::NEG_INFINITY,
        };
    }
}

/// Applies timed measures to a shipment entering the US on `entry_day`: a timed measure
/// applies only when `effective_day <= entry_day < end_day`. Returns the measures in
/// force for this shipment and those it entered before (bit per measure).
fn timed_in_force(
    rp: &RegimePlan,
    in_force: u128,
    entry_day: f64,
    effective_day: &[f64],
) -> (u128, u128) {
    let mut mask = in_force;
    let mut before = 0u128;
    let mut bits = rp.timed;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let m = &rp.measures[i];
        let eff = effective_day[i];
        if entry_day < eff {
            before |= 1u128 << i;
        }
        if !(entry_day >= eff && entry_day < m.end_day) {
            mask &= !(1u128 << i);
        }
    }
    (mask, before)
}

/// Goods, freight, hub costs and penalty are lost; the fallback's whole cost follows.
fn lost(out: &mut Outcome, v: f64, d: &RouteDraw, fb: Outcome, penalty: f64, own_days: f64) {
    out.parts = [0.0; 9];
    out.parts[part::GOODS] = v;
    out.parts[part::FREIGHT] = d.freight_before + d.freight_after;
    out.parts[part::PROCESSING] = d.cv - v - d.freight_before;
    out.parts[part::PENALTY] = penalty;
    out.parts[part::REROUTING] = fb.cost;
    out.days = own_days + fb.days;
}

/// The agreements whose preference the goods truly qualify for in this trial.
fn true_claims(
    cell: &CellPlan,
    regime: &crate::scenario::Regime,
    transforms: bool,
    rvc: f64,
) -> u64 {
    let mut mask = cell.qualify_always;
    let mut bits = cell.qualify_sometimes;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let a = &regime.agreements[i];
        let rvc_ok = rvc >= a.rvc_threshold;
        let ok = match a.rule {
            Rule::Shift => transforms,
            Rule::Rvc => rvc_ok,
            Rule::ShiftOrRvc => transforms || rvc_ok,
            Rule::ShiftAndRvc => transforms && rvc_ok,
        };
        if ok {
            mask |= 1u64 << i;
        }
    }
    mask
}
