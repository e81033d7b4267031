//! The draws of a block of trials, shared by every regime: one array per purpose.
//!
//! Every value is the inverse CDF of the uniform keyed by (seed, trial, purpose), as in
//! docs/model.md; a block only changes the loop order (purpose outer, trial inner), so
//! each distribution's kind is decided once per array and the loops are tight. The
//! rare uniforms that only some cells need (detection, seizure, inspection, ...) are not
//! drawn here: a cell draws them from the trial's generator when it needs them.

use super::plan::Plan;
use crate::dist::{std_normal_quantile_slice, Dist};
use crate::rng::TrialRng;
use crate::scenario::Mode;

/// What one route costs before any regime, per trial of the block.
#[derive(Clone, Debug, Default)]
pub(super) struct RouteCols {
    /// Freight (with leg fees) of the legs before processing, per unit.
    pub freight_before: Vec<f64>,
    /// Freight of the other legs, per unit.
    pub freight_after: Vec<f64>,
    /// Customs value per unit.
    pub cv: Vec<f64>,
    /// Regional value content (build-down), for RVC rules.
    pub rvc: Vec<f64>,
    /// Legs plus processing days.
    pub days: Vec<f64>,
}

/// Buffers for simulating up to `cap` trials at a time, reused from block to block so
/// simulating allocates nothing. One per worker thread; its size is fixed by the plan
/// and `cap`, never by the trial count.
#[derive(Clone, Debug)]
pub struct BlockScratch {
    /// Most trials simulated at once.
    pub(super) cap: usize,
    /// Trials of the last call.
    pub(super) n: usize,
    /// Each trial's generator.
    pub(super) rngs: Vec<TrialRng>,
    /// Goods value per unit, USD.
    pub(super) v: Vec<f64>,
    /// Per currency: units per USD.
    pub(super) fx: Vec<Vec<f64>>,
    /// Per in-force draw (measure, sanction or group): its uniform.
    pub(super) in_force_u: Vec<Vec<f64>>,
    /// Per market: its common shock Z (standard normal).
    pub(super) market_z: Vec<Vec<f64>>,
    /// Per timing draw: its uniform (shared by regimes).
    pub(super) effective_u: Vec<Vec<f64>>,
    /// The departure day.
    pub(super) departure: Vec<f64>,
    /// Per route.
    pub(super) routes: Vec<RouteCols>,
    /// The current regime's measures in force (bit per measure), per trial.
    pub(super) in_force: Vec<u128>,
    /// The current regime's sanctions in force (bit per sanction), per trial.
    pub(super) sanctions_in_force: Vec<u128>,
    /// Per trial, what the sanctions in force do to the route being simulated: 0 nothing,
    /// 1 reroute, 2 seize.
    pub(super) stopped: Vec<u8>,
    /// The current regime's effective day, per measure (timed measures only), per trial.
    pub(super) effective_day: Vec<Vec<f64>>,
    /// Working arrays of one leg's draws.
    tmp: [Vec<f64>; 3],
    /// The current regime's (cost, days) per route, trial `t` of route `r` at
    /// `r * cap + t`: what a route whose fallback it is reads.
    pub(super) fallback: Vec<(f64, f64)>,
}

impl BlockScratch {
    /// Most trials one call can simulate.
    pub fn capacity(&self) -> usize {
        self.cap
    }
}

impl Plan {
    /// Buffers for [`Plan::simulate`] of up to `cap` (>= 1) trials at a time.
    pub fn block_scratch(&self, cap: usize) -> BlockScratch {
        let cap = cap.max(1);
        let col = || vec![0.0; cap];
        let cols = |k: usize| (0..k).map(|_| col()).collect::<Vec<_>>();
        let max_measures = self
            .regimes
            .iter()
            .map(|g| g.measures.len())
            .max()
            .unwrap_or(0);
        BlockScratch {
            cap,
            n: 0,
            rngs: vec![TrialRng::new(0, 0); cap],
            v: col(),
            fx: cols(self.fx_keys.len()),
            in_force_u: cols(self.draw_keys.len()),
            market_z: cols(self.market_keys.len()),
            effective_u: cols(self.timing.len()),
            departure: col(),
            routes: (0..self.n_routes())
                .map(|_| RouteCols {
                    freight_before: col(),
                    freight_after: col(),
                    cv: col(),
                    rvc: col(),
                    days: col(),
                })
                .collect(),
            in_force: vec![0; cap],
            sanctions_in_force: vec![0; cap],
            stopped: vec![0; cap],
            effective_day: cols(max_measures),
            tmp: [col(), col(), col()],
            fallback: vec![(0.0, 0.0); cap * self.n_routes()],
        }
    }

    /// Draws everything the regimes share for trials `first..first + s.n`, compiled for
    /// the CPU's vector instructions (see `cpu`).
    pub(super) fn draw_block(&self, seed: u64, first: u64, s: &mut BlockScratch) {
        crate::dispatch!(self: &Plan, draw_block_body(seed: u64, first: u64, s: &mut BlockScratch))
    }

    #[inline(always)]
    fn draw_block_body(&self, seed: u64, first: u64, s: &mut BlockScratch) {
        let n = s.n;
        let sc = &self.scenario;
        for (t, r) in s.rngs[..n].iter_mut().enumerate() {
            *r = TrialRng::new(seed, first + t as u64);
        }
        let rngs = &s.rngs[..n];
        for (i, f) in sc.fx.iter().enumerate() {
            sample(&f.rate, rngs, self.fx_keys[i], &mut s.fx[i][..n]);
        }
        for (i, &k) in self.draw_keys.iter().enumerate() {
            uniforms(rngs, k, &mut s.in_force_u[i][..n]);
        }
        for (i, &k) in self.market_keys.iter().enumerate() {
            let z = &mut s.market_z[i][..n];
            uniforms(rngs, k, z);
            std_normal_quantile_slice(z);
        }
        for (i, &k) in self.timing.iter().enumerate() {
            uniforms(rngs, k, &mut s.effective_u[i][..n]);
        }
        sample(
            &sc.departure,
            rngs,
            self.departure_key,
            &mut s.departure[..n],
        );
        let v = &mut s.v[..n];
        sample(&sc.goods.unit_value.dist, rngs, self.goods_key, v);
        to_usd(v, &s.fx, sc.goods.unit_value.currency, n);
        for r in 0..sc.routes.len() {
            self.draw_route(r, s);
        }
    }

    /// One route's freight, days, customs value and RVC for the block's trials.
    #[inline(always)]
    fn draw_route(&self, r: usize, s: &mut BlockScratch) {
        let n = s.n;
        let sc = &self.scenario;
        let route = &sc.routes[r];
        let keys = &self.routes[r];
        let rngs = &s.rngs[..n];
        let [rate, fees, days] = &mut s.tmp;
        let (rate, fees, days) = (&mut rate[..n], &mut fees[..n], &mut days[..n]);
        let d = &mut s.routes[r];
        let (fb, fa) = (&mut d.freight_before[..n], &mut d.freight_after[..n]);
        let (cv, rvc, total_days) = (&mut d.cv[..n], &mut d.rvc[..n], &mut d.days[..n]);
        fb.fill(0.0);
        fa.fill(0.0);
        total_days.fill(0.0);
        rvc.fill(0.0);
        let split = if route.processing.is_some() {
            route.legs_before
        } else {
            0
        };
        for (j, leg) in route.legs.iter().enumerate() {
            let k = &keys.legs[j];
            match (leg.market, &leg.rate) {
                (_, Dist::Fixed(v)) => rate.fill(*v),
                (None, dist) => sample(dist, rngs, k.rate, rate),
                // Gaussian copula: the leg's normal score loads `rho` on the market's
                // common shock; its marginal distribution is unchanged.
                (Some((m, rho)), dist) => {
                    uniforms(rngs, k.rate, rate);
                    std_normal_quantile_slice(rate);
                    let own = (1.0 - rho * rho).sqrt();
                    for (x, mz) in rate.iter_mut().zip(&s.market_z[m][..n]) {
                        *x = rho * mz + own * *x;
                    }
                    dist.at_normal_score_slice(rate);
                }
            }
            sample(&leg.fees, rngs, k.fees, fees);
            sample(&leg.days, rngs, k.days, days);
            let into = if j < split { &mut *fb } else { &mut *fa };
            match leg.mode {
                Mode::Ocean => {
                    let per_feu = sc.goods.units_per_feu;
                    for t in 0..n {
                        into[t] += rate[t] / per_feu + fees[t];
                    }
                }
                Mode::Air | Mode::Parcel => {
                    let kg = sc.goods.kg_per_unit;
                    for t in 0..n {
                        into[t] += rate[t] * kg + fees[t];
                    }
                }
            }
            for t in 0..n {
                total_days[t] += days[t];
            }
        }
        cv.copy_from_slice(&s.v[..n]);
        let Some(p) = &route.processing else {
            return;
        };
        let [cost, materials, markup] = &mut s.tmp;
        let (cost, materials, markup) = (&mut cost[..n], &mut materials[..n], &mut markup[..n]);
        sample(&p.cost.dist, rngs, keys.proc_cost, cost);
        to_usd(cost, &s.fx, p.cost.currency, n);
        sample(&p.materials.dist, rngs, keys.proc_materials, materials);
        to_usd(materials, &s.fx, p.materials.currency, n);
        sample(&p.markup, rngs, keys.proc_markup, markup);
        for t in 0..n {
            let v = s.v[t];
            cv[t] = (v + fb[t] + cost[t] + materials[t]) * (1.0 + markup[t]);
            let vnm = v
                + fb[t]
                + if p.materials_originating {
                    0.0
                } else {
                    materials[t]
                };
            rvc[t] = if cv[t] > 0.0 {
                (cv[t] - vnm) / cv[t]
            } else {
                0.0
            };
        }
        let days = &mut s.tmp[0][..n];
        sample(&p.days, rngs, keys.proc_days, days);
        for t in 0..n {
            total_days[t] += days[t];
        }
    }
}

/// The uniforms of purpose `key` for each trial.
#[inline(always)]
fn uniforms(rngs: &[TrialRng], key: u64, out: &mut [f64]) {
    for (o, r) in out.iter_mut().zip(rngs) {
        *o = r.uniform(key);
    }
}

/// Draws `dist` at the uniforms of `key`; a fixed value skips the generator.
#[inline(always)]
fn sample(dist: &Dist, rngs: &[TrialRng], key: u64, out: &mut [f64]) {
    match dist {
        Dist::Fixed(v) => out.fill(*v),
        d => {
            uniforms(rngs, key, out);
            d.quantile_slice(out);
        }
    }
}

/// Converts amounts in currency `cur` (units per USD in `fx`) to USD in place.
#[inline(always)]
fn to_usd(xs: &mut [f64], fx: &[Vec<f64>], cur: Option<usize>, n: usize) {
    if let Some(c) = cur {
        for (x, rate) in xs.iter_mut().zip(&fx[c][..n]) {
            *x /= rate;
        }
    }
}
