//! The sampled inputs of a trial, for sensitivity analysis.
//!
//! Every input is drawn by inverse CDF from one uniform, so the uniform *is* the input's
//! rank (its rank divided by the trial count, in the limit): Spearman's correlation of an
//! input with the landed cost is the Pearson correlation of that uniform with the cost's
//! rank. Events (a measure or sanction in force, detection, inspection, ...) enter as
//! their 0/1 indicator, whose ranks are an affine function of the indicator. This module
//! names the inputs, says which cells each can affect, and recomputes their uniforms for
//! a trial (a pure function of seed, trial and purpose keys: the hot path is untouched).

use super::plan::Plan;
use crate::dist::{std_normal_cdf, std_normal_quantile, Dist};
use crate::rng::TrialRng;

/// What an input's uniform stands for.
#[derive(Clone, Debug, PartialEq)]
enum Source {
    /// `uniform(key)` directly.
    Key(u64),
    /// A leg's rate on a market: the copula-transformed uniform.
    MarketLeg { key: u64, market: usize, rho: f64 },
}

/// A sampled input.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    /// Readable name, e.g. `routes.direct.legs.0.rate` or `in force: measure china-60`.
    pub name: String,
    source: Source,
}

/// How an input enters one cell: its uniform, or an indicator `uniform < threshold`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputUse {
    /// Index into [`Plan::inputs`].
    pub input: usize,
    /// `Some(p)`: the input is the event `uniform < p`.
    pub threshold: Option<f64>,
}

fn varies(d: &Dist) -> bool {
    d.is_fixed().is_none()
}

fn event(p: f64) -> bool {
    p > 0.0 && p < 1.0
}

impl Plan {
    /// Every sampled input of the scenario (those that can vary), in a stable order.
    pub fn inputs(&self) -> Vec<Input> {
        let s = &self.scenario;
        let mut v = Vec::new();
        let mut add = |name: String, source: Source| v.push(Input { name, source });
        if varies(&s.goods.unit_value.dist) {
            add("goods.unit_value".into(), Source::Key(self.goods_key));
        }
        for (i, f) in s.fx.iter().enumerate() {
            if varies(&f.rate) {
                add(format!("fx.{}", f.code), Source::Key(self.fx_keys[i]));
            }
        }
        if varies(&s.departure) {
            add("scenario.departure".into(), Source::Key(self.departure_key));
        }
        for (i, m) in s.markets.iter().enumerate() {
            add(format!("markets.{m}"), Source::Key(self.market_keys[i]));
        }
        for (i, &k) in self.draw_keys.iter().enumerate() {
            add(format!("in force: {}", self.draw_names[i]), Source::Key(k));
        }
        for (name, &k) in self.timing_names.iter().zip(&self.timing) {
            add(name.clone(), Source::Key(k));
        }
        for (r, route) in s.routes.iter().enumerate() {
            let keys = &self.routes[r];
            let p = |what: &str| format!("routes.{}.{what}", route.name);
            for (j, leg) in route.legs.iter().enumerate() {
                let k = &keys.legs[j];
                if varies(&leg.rate) {
                    let source = match leg.market {
                        Some((market, rho)) => Source::MarketLeg {
                            key: k.rate,
                            market,
                            rho,
                        },
                        None => Source::Key(k.rate),
                    };
                    add(p(&format!("legs.{j}.rate")), source);
                }
                if varies(&leg.days) {
                    add(p(&format!("legs.{j}.days")), Source::Key(k.days));
                }
                if varies(&leg.fees) {
                    add(p(&format!("legs.{j}.fees")), Source::Key(k.fees));
                }
            }
            if let Some(pr) = &route.processing {
                for (what, d, key) in [
                    ("processing.cost", &pr.cost.dist, keys.proc_cost),
                    (
                        "processing.materials",
                        &pr.materials.dist,
                        keys.proc_materials,
                    ),
                    ("processing.markup", &pr.markup, keys.proc_markup),
                    ("processing.days", &pr.days, keys.proc_days),
                ] {
                    if varies(d) {
                        add(p(what), Source::Key(key));
                    }
                }
            }
            for (what, key) in [
                ("detection (caught)", keys.detection),
                ("seizure (seized)", keys.seizure),
                ("inspection (inspected)", keys.inspection),
                ("inspection.days", keys.inspection_days),
                ("exclusion (excluded)", keys.exclusion),
                ("penalty_multiple", keys.penalty_multiple),
                ("lookback_entries", keys.lookback),
            ] {
                add(p(what), Source::Key(key));
            }
        }
        v
    }

    /// The inputs that can move cell (regime `g`, route `r`), and how each enters.
    pub fn cell_inputs(&self, g: usize, r: usize, inputs: &[Input]) -> Vec<InputUse> {
        let s = &self.scenario;
        let regime = &s.regimes[g];
        let rp = &self.regimes[g];
        let find = |name: &str| inputs.iter().position(|i| i.name == name);
        let mut uses = Vec::new();
        let mut push = |input: Option<usize>, threshold: Option<f64>| {
            if let Some(input) = input {
                if !uses.iter().any(|u: &InputUse| u.input == input) {
                    uses.push(InputUse { input, threshold });
                }
            }
        };
        push(find("goods.unit_value"), None);
        push(find("scenario.departure"), None);
        for m in &s.markets {
            push(find(&format!("markets.{m}")), None);
        }
        for (i, m) in regime.measures.iter().enumerate() {
            if event(m.probability) {
                push(
                    find(&format!(
                        "in force: {}",
                        self.draw_names[rp.measures[i].draw]
                    )),
                    Some(m.probability),
                );
            }
            if let Some(t) = rp.measures[i].timing {
                push(find(&self.timing_names[t]), None);
            }
        }
        // This route and the routes it falls back to.
        let mut chain = vec![r];
        while let Some(f) = s.routes[*chain.last().unwrap_or(&r)].fallback {
            if chain.contains(&f) {
                break;
            }
            chain.push(f);
        }
        // Exchange rates that convert something this cell pays: goods, or hub costs on
        // the route or its fallbacks (an unused `[fx]` entry is not an input).
        let mut currencies: Vec<usize> = s.goods.unit_value.currency.into_iter().collect();
        currencies.extend(chain.iter().filter_map(|&q| {
            s.routes[q]
                .processing
                .as_ref()
                .and_then(|p| p.cost.currency)
        }));
        for (i, f) in s.fx.iter().enumerate() {
            if currencies.contains(&i) {
                push(find(&format!("fx.{}", f.code)), None);
            }
        }
        for &q in &chain {
            let route = &s.routes[q];
            let cell = &rp.cells[q];
            for &link in &cell.sanctions.links {
                let x = &regime.sanctions[link];
                if event(x.probability) {
                    push(
                        find(&format!(
                            "in force: {}",
                            self.draw_names[rp.sanction_draws[link].0]
                        )),
                        Some(x.probability),
                    );
                }
            }
            let p = |what: &str| format!("routes.{}.{what}", route.name);
            for (j, _) in route.legs.iter().enumerate() {
                for what in ["rate", "days", "fees"] {
                    push(find(&p(&format!("legs.{j}.{what}"))), None);
                }
            }
            for what in [
                "processing.cost",
                "processing.materials",
                "processing.markup",
                "processing.days",
            ] {
                push(find(&p(what)), None);
            }
            let false_claim = route.can_claim_falsely(regime);
            if let (true, Some(e)) = (false_claim, &regime.enforcement) {
                if event(e.detection) {
                    push(find(&p("detection (caught)")), Some(e.detection));
                }
                if event(e.seizure) {
                    push(find(&p("seizure (seized)")), Some(e.seizure));
                }
                if varies(&e.penalty_multiple) {
                    push(find(&p("penalty_multiple")), None);
                }
                if e.lookback.varies(e.detection) {
                    push(find(&p("lookback_entries")), None);
                }
            }
            if let (true, Some(i)) = (cell.inspected_origin, &regime.inspection) {
                if event(i.probability) {
                    push(find(&p("inspection (inspected)")), Some(i.probability));
                }
                if varies(&i.days) {
                    push(find(&p("inspection.days")), None);
                }
                if event(i.exclusion) {
                    push(find(&p("exclusion (excluded)")), Some(i.exclusion));
                }
            }
        }
        uses
    }

    /// The uniforms of `inputs` in trial `trial` (recomputed from their keys).
    pub fn input_uniforms(&self, seed: u64, trial: u64, inputs: &[Input], out: &mut [f64]) {
        let rng = TrialRng::new(seed, trial);
        for (o, i) in out.iter_mut().zip(inputs) {
            *o = match i.source {
                Source::Key(k) => rng.uniform(k),
                Source::MarketLeg { key, market, rho } => {
                    let z = std_normal_quantile(rng.uniform(self.market_keys[market]));
                    let e = std_normal_quantile(rng.uniform(key));
                    std_normal_cdf(rho * z + (1.0 - rho * rho).sqrt() * e)
                }
            };
        }
    }
}
