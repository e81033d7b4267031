//! One trial: the draws shared by all regimes, then every (regime, route) cell.
//!
//! The order of MODEL.md: physical route (legs, hub, customs value, RVC), then per regime
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
    /// Each timing draw's effective day this trial.
    effective: Vec<f64>,
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
            effective: vec![0.0; self.timing.len()],
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
        for (i, (k, dist)) in self.timing.iter().enumerate() {
            s.effective[i] = draw(dist, &rng, *k);
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
            timed_in_force(rp, in_force, s.departure + d.days, &s.effective)
        };
        let n = self.n_routes();
        let fallback = route.fallback.map(|f| s.outcomes[g * n + f]);
        let mut out = Outcome {
            before_effective: before,
            ..Outcome::default()
        };

        if let (Some(effect), Some(fb)) = (self.sanction_effect(rp, cell, regime, s), fallback) {
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
        if filed_claims != 0 {
            out.flags |= flag::PREFERENCE;
        }
        let false_claim = cell.false_origin || filed_claims & !true_claims != 0;
        if false_claim {
            out.flags |= flag::FALSE_CLAIM;
        }
        let units = sc.goods.units;
        let value = d.cv * units;
        let dm_threshold = regime
            .de_minimis
            .as_ref()
            .map_or(f64::NEG_INFINITY, |m| m.threshold);
        let de_minimis = cell.dm_filed && value <= dm_threshold;
        let filed_duty = if de_minimis {
            out.flags |= flag::DE_MINIMIS;
            0.0
        } else {
            let (rate, per_unit) = duty::rate(
                rp,
                duty::kept(rp, cell.filed_static, in_force, filed_claims),
            );
            rate * d.cv + per_unit
        };
        let fees = match (&regime.fees, de_minimis) {
            (Some(f), false) => {
                let waived = rp.waives_mpf & filed_claims != 0;
                let mpf = if waived {
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
            }
            _ => 0.0,
        };
        out.parts[part::DUTY] = filed_duty;
        out.parts[part::FEES] = fees;

        let mut seized = false;
        if let (true, Some(e)) = (false_claim, &regime.enforcement) {
            if d.u_detect < e.detection {
                out.flags |= flag::CAUGHT;
                let true_duty = if cell.dm_true && value <= dm_threshold {
                    0.0
                } else {
                    let (rate, per_unit) =
                        duty::rate(rp, duty::kept(rp, cell.true_static, in_force, true_claims));
                    rate * d.cv + per_unit
                };
                let evaded = (true_duty - filed_duty).max(0.0);
                let entries = e.lookback_entries.quantile_or_fixed(d.u_lookback);
                let multiple = e.penalty_multiple.quantile_or_fixed(d.u_penalty);
                let charge = evaded + multiple * evaded + e.penalty_ad_valorem * d.cv;
                out.parts[part::DUTY] = true_duty;
                out.parts[part::PENALTY] = filed_duty + entries * charge - true_duty;
                seized = d.u_seize < e.seizure;
            }
        }
        let mut days = d.days;
        let mut excluded = false;
        if let (false, Some(i), true) = (seized, &regime.inspection, cell.inspected_origin) {
            if d.u_inspect < i.probability {
                out.flags |= flag::INSPECTED;
                days += i.days.quantile_or_fixed(d.u_inspect_days);
                out.parts[part::INSPECTION] = i.fee / units;
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
        s: &TrialScratch,
    ) -> Option<Effect> {
        if cell.sanctions.is_empty() {
            return None;
        }
        let in_force = |i: usize| {
            let (draw, p) = rp.sanction_draws[i];
            s.in_force_u[draw] < p
        };
        // Shares owned by distinct targets in force, added once per target.
        let mut owned = 0.0;
        for (k, link) in cell.sanctions.iter().enumerate() {
            let first_of_target = !cell.sanctions[..k]
                .iter()
                .any(|o| o.target == link.target && in_force(o.sanction));
            if in_force(link.sanction) && first_of_target {
                owned += link.share;
            }
        }
        let mut effect = None;
        for link in &cell.sanctions {
            let x = &regime.sanctions[link.sanction];
            if in_force(link.sanction) && (link.direct || owned >= x.ownership_threshold - 1e-12) {
                effect = match (effect, x.effect) {
                    (_, Effect::Reroute) | (Some(Effect::Reroute), _) => Some(Effect::Reroute),
                    _ => Some(Effect::Seize),
                };
            }
        }
        effect
    }
}

/// Applies timed measures to a shipment entering the US on `entry_day`: a timed measure
/// applies only when `effective_day <= entry_day < end_day`. Returns the measures in
/// force for this shipment and those it entered before (bit per measure).
fn timed_in_force(
    rp: &RegimePlan,
    in_force: u128,
    entry_day: f64,
    effective: &[f64],
) -> (u128, u128) {
    let mut mask = in_force;
    let mut before = 0u128;
    let mut bits = rp.timed;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let m = &rp.measures[i];
        let eff = m.timing.map_or(f64::NEG_INFINITY, |t| effective[t]);
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
