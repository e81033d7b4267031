//! One trial: the draws shared by all regimes, then every (regime, route) cell.
//!
//! The order of docs/model.md: physical route (legs, hub, customs value, RVC), then per regime
//! sanctions, claims, duty and de minimis, fees, enforcement, inspection, losses and
//! holding. Fallbacks are evaluated before the routes that use them, so a stopped route's
//! rerouting cost is the fallback's own outcome in the same trial and regime.

use super::draws::BlockScratch;
use super::duty;
use super::plan::{CellPlan, Plan, RegimePlan, RouteKeys};
use super::sink::CellSink;
use super::{flag, part, Outcome};
use crate::rng::TrialRng;
use crate::scenario::{Declare, Effect, Mode, Rule};

/// One route's draws in one trial, as a cell reads them.
#[derive(Clone, Copy)]
struct RouteDraw<'a> {
    freight_before: f64,
    freight_after: f64,
    cv: f64,
    rvc: f64,
    days: f64,
    /// Whether the last leg into the US is by ocean (HMF).
    last_ocean: bool,
    /// The trial's generator and the route's purpose keys, for the draws only some cells
    /// need (detection, seizure, inspection, ...).
    rng: TrialRng,
    keys: &'a RouteKeys,
}

impl RouteDraw<'_> {
    #[inline]
    fn u(&self, key: impl Fn(&RouteKeys) -> u64) -> f64 {
        self.rng.uniform(key(self.keys))
    }
}

/// Buffers of [`Plan::trial`]: one trial's outcomes.
#[derive(Clone, Debug)]
pub struct TrialScratch {
    block: BlockScratch,
    /// The outcomes of the last trial, indexed `regime * n_routes + route`.
    pub outcomes: Vec<Outcome>,
}

/// Measures applying and agreements claimed: what a duty rate depends on.
type RateKey = (u128, u64);

/// The last two duty rates computed for one cell, by (measures applying, claims): in a
/// block most trials file the same stack, so the stack's sum is mostly looked up.
#[derive(Clone, Copy, Default)]
struct RateMemo {
    slots: [Option<(RateKey, (f64, f64))>; 2],
    next: usize,
}

impl RateMemo {
    #[inline]
    fn rate(&mut self, rp: &RegimePlan, active: u128, claims: u64) -> (f64, f64) {
        let key = (active, claims);
        for (k, v) in self.slots.iter().flatten() {
            if *k == key {
                return *v;
            }
        }
        let v = duty::rate(rp, duty::kept(rp, active, u128::MAX, claims));
        self.slots[self.next] = Some((key, v));
        self.next ^= 1;
        v
    }
}

impl Plan {
    /// Fresh buffers for [`Plan::trial`].
    pub fn scratch(&self) -> TrialScratch {
        TrialScratch {
            block: self.block_scratch(1),
            outcomes: vec![Outcome::default(); self.n_regimes() * self.n_routes()],
        }
    }

    /// Simulates trial `trial` of a run seeded `seed`; results land in `s.outcomes`.
    /// The same numbers as that trial of [`Plan::simulate`].
    pub fn trial(&self, seed: u64, trial: u64, s: &mut TrialScratch) {
        struct One<'a>(&'a mut [Outcome]);
        impl CellSink for One<'_> {
            fn outcome(&mut self, cell: usize, _: usize, o: &Outcome) {
                self.0[cell] = *o;
            }
        }
        self.simulate(seed, trial, 1, &mut s.block, &mut One(&mut s.outcomes));
    }

    /// Simulates trials `first..first + n` (`n` at most the scratch's capacity) of a run
    /// seeded `seed`: every (regime, route) cell over the block, each outcome handed to
    /// `sink` as it is computed.
    pub fn simulate(
        &self,
        seed: u64,
        first: u64,
        n: usize,
        s: &mut BlockScratch,
        sink: &mut impl CellSink,
    ) {
        s.n = n.min(s.cap);
        sink.start(s.n);
        self.draw_block(seed, first, s);
        for (g, rp) in self.regimes.iter().enumerate() {
            self.regime_block(g, rp, s, sink);
        }
    }

    /// Every route of regime `g` over the block, fallbacks first.
    fn regime_block(
        &self,
        g: usize,
        rp: &RegimePlan,
        s: &mut BlockScratch,
        sink: &mut impl CellSink,
    ) {
        let n = s.n;
        // A measure is in force when its uniform (in (0, 1)) is below its probability:
        // always at probability 1, never at 0; only the others are looked at per trial.
        let always = rp
            .measures
            .iter()
            .enumerate()
            .filter(|(_, m)| m.probability >= 1.0)
            .fold(0u128, |acc, (i, _)| acc | 1u128 << i);
        s.in_force[..n].fill(always);
        for (i, m) in rp.measures.iter().enumerate() {
            if m.probability > 0.0 && m.probability < 1.0 {
                let u = &s.in_force_u[m.draw][..n];
                for (mask, &u) in s.in_force[..n].iter_mut().zip(u) {
                    *mask |= u128::from(u < m.probability) << i;
                }
            }
        }
        s.sanctions_in_force[..n].fill(0);
        for (i, &(draw, p)) in rp.sanction_draws.iter().enumerate() {
            let u = &s.in_force_u[draw][..n];
            for (mask, &u) in s.sanctions_in_force[..n].iter_mut().zip(u) {
                *mask |= u128::from(u < p) << i;
            }
        }
        effective_days(rp, &s.effective_u, &mut s.effective_day, n);
        let routes = self.n_routes();
        for &r in &self.order {
            self.sanction_column(&rp.cells[r], &self.scenario.regimes[g], r, s);
            let mut memo = [RateMemo::default(); 2];
            for t in 0..n {
                let out = self.cell(g, rp, r, t, s, &mut memo);
                s.fallback[r * s.cap + t] = (out.cost, out.days);
                sink.outcome(g * routes + r, t, &out);
            }
        }
    }

    /// One (regime, route) cell of the current trial.
    #[inline(always)]
    fn cell(
        &self,
        g: usize,
        rp: &RegimePlan,
        r: usize,
        t: usize,
        s: &BlockScratch,
        memo: &mut [RateMemo; 2],
    ) -> Outcome {
        let sc = &self.scenario;
        let regime = &sc.regimes[g];
        let route = &sc.routes[r];
        let cell = &rp.cells[r];
        let cols = &s.routes[r];
        let d = RouteDraw {
            freight_before: cols.freight_before[t],
            freight_after: cols.freight_after[t],
            cv: cols.cv[t],
            rvc: cols.rvc[t],
            days: cols.days[t],
            last_ocean: route.legs.last().is_some_and(|l| l.mode == Mode::Ocean),
            rng: s.rngs[t],
            keys: &self.routes[r],
        };
        let d = &d;
        let v = s.v[t];
        let in_force = s.in_force[t];
        let (in_force, before) = if rp.timed == 0 {
            (in_force, 0)
        } else {
            timed_in_force(rp, in_force, s.departure[t] + d.days, &s.effective_day, t)
        };
        let fallback = route.fallback.map(|f| s.fallback[f * s.cap + t]);
        let mut out = Outcome {
            before_effective: before,
            ..Outcome::default()
        };

        let effect = match s.stopped[t] {
            0 => None,
            1 => Some(Effect::Reroute),
            _ => Some(Effect::Seize),
        };
        if let (Some(effect), Some(fb)) = (effect, fallback) {
            match effect {
                Effect::Reroute => {
                    out.parts[part::REROUTING] = fb.0;
                    out.days = fb.1;
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
        let mut entry = self.assess(rp, regime, d, in_force, filed, &mut memo[0]);

        let mut seized = false;
        if let (true, Some(e)) = (false_claim, &regime.enforcement) {
            if d.u(|k| k.detection) < e.detection {
                out.flags |= flag::CAUGHT;
                // Reassessed whole at the true filing: duty, de minimis, fees and the MPF
                // waiver, with `when = "caught"` measures now applying.
                let truth = Filing {
                    measures: cell.true_static,
                    claims: true_claims,
                    de_minimis_origin: cell.dm_true,
                };
                let reassessed = self.assess(rp, regime, d, in_force, truth, &mut memo[1]);
                let evaded = (reassessed.duty - entry.duty).max(0.0);
                let entries = e.lookback.entries(d.u(|k| k.lookback), e.detection);
                let multiple = e
                    .penalty_multiple
                    .quantile_or_fixed(d.u(|k| k.penalty_multiple));
                let charge = evaded + multiple * evaded + e.penalty_ad_valorem * d.cv;
                // This entry's own true duty is in `duty`; the rest of the charges (and
                // any refund of duty filed above what was owed) is the penalty.
                out.parts[part::PENALTY] = entries * charge - evaded;
                entry = reassessed;
                seized = d.u(|k| k.seizure) < e.seizure;
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
            if d.u(|k| k.inspection) < i.probability {
                out.flags |= flag::INSPECTED;
                days += i.days.quantile_or_fixed(d.u(|k| k.inspection_days));
                out.parts[part::INSPECTION] = i.fee / sc.goods.units;
                excluded = d.u(|k| k.exclusion) < i.exclusion;
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

    /// [`Plan::sanction_effect`] of route `r` in every trial of the block, into
    /// `s.stopped`: tabulated sets of sanctions in one tight loop.
    fn sanction_column(
        &self,
        cell: &CellPlan,
        regime: &crate::scenario::Regime,
        r: usize,
        s: &mut BlockScratch,
    ) {
        let n = s.n;
        let links = &cell.sanctions.links;
        let table = &cell.sanctions.table;
        if links.is_empty() {
            s.stopped[..n].fill(0);
        } else if !table.is_empty() {
            for (out, &in_force) in s.stopped[..n].iter_mut().zip(&s.sanctions_in_force[..n]) {
                let set = links.iter().enumerate().fold(0usize, |acc, (k, &i)| {
                    acc | (((in_force >> i) & 1) as usize) << k
                });
                *out = table[set];
            }
        } else {
            for t in 0..n {
                s.stopped[t] = match self.sanction_effect(cell, regime, r, s, t) {
                    None => 0,
                    Some(Effect::Reroute) => 1,
                    Some(Effect::Seize) => 2,
                };
            }
        }
    }

    /// Which sanction effect stops this route in this trial, if any. A reroute (known
    /// before shipping) wins over a seizure when both apply.
    fn sanction_effect(
        &self,
        cell: &CellPlan,
        regime: &crate::scenario::Regime,
        r: usize,
        s: &BlockScratch,
        t: usize,
    ) -> Option<Effect> {
        let links = &cell.sanctions.links;
        if links.is_empty() {
            return None;
        }
        let in_force = s.sanctions_in_force[t];
        if !cell.sanctions.table.is_empty() {
            let set = links.iter().enumerate().fold(0usize, |acc, (k, &i)| {
                acc | (((in_force >> i) & 1) as usize) << k
            });
            return match cell.sanctions.table[set] {
                0 => None,
                1 => Some(Effect::Reroute),
                _ => Some(Effect::Seize),
            };
        }
        let operator = self.scenario.routes[r].operator.as_deref()?;
        let live: Vec<&crate::scenario::Sanction> = links
            .iter()
            .filter(|&&i| (in_force >> i) & 1 != 0)
            .map(|&i| &regime.sanctions[i])
            .collect();
        self.scenario.sanction_effect(operator, &live)
    }

    /// Duty, fees and de minimis for one filing of the route's shipment.
    #[inline(always)]
    fn assess(
        &self,
        rp: &RegimePlan,
        regime: &crate::scenario::Regime,
        d: &RouteDraw,
        in_force: u128,
        filing: Filing,
        memo: &mut RateMemo,
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
        let (rate, per_unit) = memo.rate(rp, filing.measures & in_force, filing.claims);
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
fn effective_days(rp: &RegimePlan, uniforms: &[Vec<f64>], out: &mut [Vec<f64>], n: usize) {
    let mut bits = rp.timed;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let m = &rp.measures[i];
        let day = &mut out[i][..n];
        match (&m.effective_day, m.timing) {
            (Some(d), Some(t)) => {
                day.copy_from_slice(&uniforms[t][..n]);
                d.quantile_slice(day);
            }
            _ => day.fill(f64::NEG_INFINITY),
        }
    }
}

/// Applies timed measures to a shipment entering the US on `entry_day`: a timed measure
/// applies only when `effective_day <= entry_day < end_day`. Returns the measures in
/// force for this shipment and those it entered before (bit per measure).
fn timed_in_force(
    rp: &RegimePlan,
    in_force: u128,
    entry_day: f64,
    effective_day: &[Vec<f64>],
    t: usize,
) -> (u128, u128) {
    let mut mask = in_force;
    let mut before = 0u128;
    let mut bits = rp.timed;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        let m = &rp.measures[i];
        let eff = effective_day[i][t];
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
/// `fb` is the fallback's (cost, days).
fn lost(out: &mut Outcome, v: f64, d: &RouteDraw, fb: (f64, f64), penalty: f64, own_days: f64) {
    out.parts = [0.0; 9];
    out.parts[part::GOODS] = v;
    out.parts[part::FREIGHT] = d.freight_before + d.freight_after;
    out.parts[part::PROCESSING] = d.cv - v - d.freight_before;
    out.parts[part::PENALTY] = penalty;
    out.parts[part::REROUTING] = fb.0;
    out.days = own_days + fb.1;
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
