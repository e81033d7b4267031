//! Probability distributions for tariffsim and their inverse CDFs.
//!
//! This module owns the distribution kinds of the scenario contract (fixed, uniform,
//! triangular, PERT, truncated normal, lognormal, scaled beta, empirical): validating
//! their parameters once at scenario load, and mapping one uniform `u` in (0,1) to a
//! value through the inverse CDF (`Dist::quantile`). It also provides closed-form
//! means/variances and CDFs, used by tests and to document accuracy.
//!
//! What it must NOT do: draw random numbers (the caller supplies `u`, from the
//! counter-based RNG or the copula), perform I/O, or parse scenario files.
//!
//! Determinism: every transcendental function comes from the pure-Rust `libm` crate, never
//! from `f64::exp`/`ln`/`powf` (which call the platform libm and can differ in the last bits
//! across machines). Only `sqrt` and `+ - * /` (IEEE-exact) are used from std.
//!
//! Accuracy: for every continuous kind, `|cdf(quantile(u)) - u| <= 1e-9` on
//! `u in (1e-12, 1 - 1e-12)` (tested). Beta and PERT quantiles use a precomputed
//! node table, cubic Hermite interpolation and safeguarded Newton steps on the exact
//! regularized incomplete beta function (continued fraction, modified Lentz).
//! The one unavoidable exception is f64 resolution itself: where a density is infinite at a
//! bound (beta with a shape below 1, e.g. beta(0.5, 0.5) near 1), or where a truncated normal
//! range is only a few thousand ulps wide, two adjacent doubles can be more than 1e-9 apart
//! in probability; `quantile` then returns the nearest representable
//! value (the tests check this bracketing explicitly). Near 0 doubles are dense enough.

// Validation deliberately uses negated comparisons (`if !(sd > 0.0)`) so that NaN fails.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

use std::fmt;
use std::sync::Arc;

use libm::{erfc, exp, expm1, lgamma, log, log1p};

/// Smallest `u` accepted by `quantile`; smaller inputs are clamped up to it.
pub(super) const U_MIN: f64 = f64::MIN_POSITIVE;
/// Largest `u` accepted by `quantile` (1 - 2^-53, the largest f64 below 1).
pub(super) const U_MAX: f64 = 1.0 - f64::EPSILON / 2.0;
/// A truncated normal must keep more than this probability inside `[min, max]`.
pub(super) const MIN_TRUNCATED_MASS: f64 = 1e-12;
/// Number of intervals of the beta quantile table (nodes at u = i / N).
pub(super) const BETA_TABLE_N: usize = 4096;

/// Interpolation is trusted without Newton refinement where it is this close (in
/// probability) at the quarter points of an interval: ten times inside the 1e-9 promise.
pub(super) const BETA_TRUST: f64 = 1e-10;
/// 1 / sqrt(2 pi).
pub(super) const FRAC_1_SQRT_2PI: f64 = 0.398_942_280_401_432_7;

/// Clamp `u` into `[U_MIN, U_MAX]`; NaN (a caller bug) is mapped to the median.
pub(super) fn clamp_u(u: f64) -> f64 {
    if u.is_nan() {
        0.5
    } else {
        u.clamp(U_MIN, U_MAX)
    }
}

mod beta;
mod empirical;
mod errors;
mod normal;
mod slices;
#[cfg(test)]
mod tests;
mod truncation;

pub use beta::*;
pub use empirical::*;
pub use errors::*;
pub use normal::*;
pub use slices::{exp_slice, std_normal_quantile_slice};
pub use truncation::*;

// ---------------------------------------------------------------------------------------
// Dist
// ---------------------------------------------------------------------------------------

/// A validated distribution, ready to sample. Built once at scenario load through the
/// constructors (which check parameters and precompute tables); sampling cannot fail.
/// Degenerate inputs (e.g. `uniform(3, 3)`, `normal` with sd 0, a single empirical value)
/// are normalised to `Fixed`.
#[derive(Clone, Debug, PartialEq)]
pub enum Dist {
    /// Always the same value.
    Fixed(f64),
    /// Uniform on [min, max].
    Uniform {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// Triangular with the given mode.
    Triangular {
        /// Lower bound.
        min: f64,
        /// Most likely value.
        mode: f64,
        /// Upper bound.
        max: f64,
    },
    /// Beta-PERT (shape 4): a beta on [min, max] with alpha = 1 + 4(mode-min)/(max-min).
    Pert(BetaDist),
    /// Normal, optionally truncated to [min, max] (equivalent to resampling until inside).
    Normal {
        /// Mean of the parent (untruncated) normal.
        mean: f64,
        /// Standard deviation of the parent normal (> 0).
        sd: f64,
        /// Precomputed truncation (infinite bounds when untruncated).
        trunc: Truncation,
    },
    /// Lognormal: `median * exp(sigma * Z)`.
    LogNormal {
        /// Median (> 0).
        median: f64,
        /// Standard deviation of the log (> 0).
        sigma: f64,
    },
    /// Beta(alpha, beta) scaled to [min, max].
    Beta(BetaDist),
    /// One of a finite set of values with given probabilities.
    Empirical(Empirical),
}

impl Dist {
    /// A constant; `v` must be finite.
    pub fn fixed(v: f64) -> Result<Dist, DistError> {
        Ok(Dist::Fixed(finite("value", v)?))
    }

    /// Uniform on [min, max]; requires min <= max (equal bounds give `Fixed`).
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        finite("min", min)?;
        finite("max", max)?;
        if !(min <= max) {
            return Err(DistError::BadRange {
                param: "max",
                min,
                max,
                hint: "",
            });
        }
        if min == max {
            return Ok(Dist::Fixed(min));
        }
        Ok(Dist::Uniform { min, max })
    }

    /// Triangular; requires min <= mode <= max and min < max (all equal gives `Fixed`).
    pub fn triangular(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        check_min_mode_max(min, mode, max)?;
        if min == max {
            return Ok(Dist::Fixed(min));
        }
        Ok(Dist::Triangular { min, mode, max })
    }

    /// Beta-PERT with shape 4; same parameter rules as `triangular`.
    pub fn pert(min: f64, mode: f64, max: f64) -> Result<Dist, DistError> {
        check_min_mode_max(min, mode, max)?;
        if min == max {
            return Ok(Dist::Fixed(min));
        }
        let w = max - min;
        let alpha = 1.0 + 4.0 * (mode - min) / w;
        let beta = 1.0 + 4.0 * (max - mode) / w;
        Ok(Dist::Pert(BetaDist::new(alpha, beta, min, max)))
    }

    /// Normal(mean, sd), optionally truncated to [min, max]. sd = 0 gives `Fixed(mean)` (mean
    /// must then lie inside the bounds); min < max; the range must keep probability > 1e-12.
    pub fn normal(
        mean: f64,
        sd: f64,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Dist, DistError> {
        finite("mean", mean)?;
        non_negative("sd", sd)?;
        let lo = match min {
            Some(v) => finite("min", v)?,
            None => f64::NEG_INFINITY,
        };
        let hi = match max {
            Some(v) => finite("max", v)?,
            None => f64::INFINITY,
        };
        if !(lo < hi) {
            return Err(DistError::BadRange {
                param: "max",
                min: lo,
                max: hi,
                hint: "",
            });
        }
        if sd == 0.0 {
            if lo <= mean && mean <= hi {
                return Ok(Dist::Fixed(mean));
            }
            return Err(DistError::FixedOutsideBounds {
                mean,
                min: lo,
                max: hi,
            });
        }
        let za = (lo - mean) / sd;
        let zb = (hi - mean) / sd;
        let trunc = Truncation::new(za, zb, lo, hi);
        let mass = trunc.mass();
        if !(mass > MIN_TRUNCATED_MASS) {
            let param = if min.is_some() && (max.is_none() || za > -zb) {
                "min"
            } else {
                "max"
            };
            return Err(DistError::NegligibleMass {
                param,
                mean,
                sd,
                min: lo,
                max: hi,
                mass,
            });
        }
        Ok(Dist::Normal { mean, sd, trunc })
    }

    /// Lognormal with the given median (> 0) and log-sd sigma (>= 0; 0 gives `Fixed`).
    pub fn lognormal(median: f64, sigma: f64) -> Result<Dist, DistError> {
        positive("median", median)?;
        non_negative("sigma", sigma)?;
        if sigma == 0.0 {
            return Ok(Dist::Fixed(median));
        }
        Ok(Dist::LogNormal { median, sigma })
    }

    /// Beta(alpha, beta) scaled to [min, max] (defaults 0 and 1); alpha, beta > 0, min < max.
    pub fn beta(
        alpha: f64,
        beta: f64,
        min: Option<f64>,
        max: Option<f64>,
    ) -> Result<Dist, DistError> {
        positive("alpha", alpha)?;
        positive("beta", beta)?;
        let lo = finite("min", min.unwrap_or(0.0))?;
        let hi = finite("max", max.unwrap_or(1.0))?;
        if !(lo < hi) {
            let (param, hint) = match (min.is_some(), max.is_some()) {
                (true, false) => ("min", " (`max` defaults to 1)"),
                (false, true) => ("max", " (`min` defaults to 0)"),
                _ => ("max", ""),
            };
            return Err(DistError::BadRange {
                param,
                min: lo,
                max: hi,
                hint,
            });
        }
        Ok(Dist::Beta(BetaDist::new(alpha, beta, lo, hi)))
    }

    /// One of `values` with probabilities proportional to `weights` (equal if absent).
    /// Values are sorted ascending and ties merged; zero-weight values are dropped.
    pub fn empirical(values: Vec<f64>, weights: Option<Vec<f64>>) -> Result<Dist, DistError> {
        if values.is_empty() {
            return Err(DistError::Empty { param: "values" });
        }
        for (index, &value) in values.iter().enumerate() {
            if !value.is_finite() {
                return Err(DistError::NotFiniteItem {
                    param: "values",
                    index,
                    value,
                });
            }
        }
        let weights = match weights {
            Some(w) => {
                if w.len() != values.len() {
                    return Err(DistError::LengthMismatch {
                        got: w.len(),
                        expected: values.len(),
                    });
                }
                for (index, &value) in w.iter().enumerate() {
                    if !value.is_finite() {
                        return Err(DistError::NotFiniteItem {
                            param: "weights",
                            index,
                            value,
                        });
                    }
                    if !(value >= 0.0) {
                        return Err(DistError::NegativeWeight { index, value });
                    }
                }
                w
            }
            None => vec![1.0; values.len()],
        };
        let total: f64 = weights.iter().sum();
        if !(total > 0.0 && total.is_finite()) {
            return Err(DistError::BadWeightSum { total });
        }
        let mut pairs: Vec<(f64, f64)> = values
            .into_iter()
            .zip(weights)
            .filter(|&(_, w)| w > 0.0)
            .collect();
        pairs.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut merged: Vec<(f64, f64)> = Vec::with_capacity(pairs.len());
        for (v, w) in pairs {
            match merged.last_mut() {
                Some(last) if last.0 == v => last.1 += w,
                _ => merged.push((v, w)),
            }
        }
        if merged.len() == 1 {
            return Ok(Dist::Fixed(merged[0].0));
        }
        let mut run = 0.0;
        let mut cum: Vec<f64> = merged
            .iter()
            .map(|&(_, w)| {
                run += w;
                (run / total).min(1.0)
            })
            .collect();
        if let Some(last) = cum.last_mut() {
            *last = 1.0;
        }
        let values: Vec<f64> = merged.iter().map(|&(v, _)| v).collect();
        Ok(Dist::Empirical(Empirical {
            values: values.into(),
            cum: cum.into(),
        }))
    }

    /// Inverse CDF at u in (0,1): the value with P(X <= value) = u (for empirical, the smallest
    /// value whose cumulative probability is >= u). Monotone non-decreasing in u (up to the
    /// last-ulp rounding of the Newton-refined beta/PERT kinds), always inside `support()`,
    /// never NaN; u is clamped into [f64::MIN_POSITIVE, 1 - 2^-53] first (NaN maps to 0.5).
    #[inline]
    pub fn quantile(&self, u: f64) -> f64 {
        let u = clamp_u(u);
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { min, max } => uniform_q(*min, *max, u),
            Dist::Triangular { min, mode, max } => triangular_q(*min, *mode, *max, u),
            Dist::Pert(b) | Dist::Beta(b) => b.quantile(u),
            Dist::Normal { mean, sd, trunc } => normal_q(*mean, *sd, trunc, u),
            Dist::LogNormal { median, sigma } => lognormal_q(*median, *sigma, u),
            Dist::Empirical(e) => e.quantile(u),
        }
    }

    /// [`Dist::quantile`] of every element of `xs` in place: the same numbers, bit for
    /// bit, with the kind decided once per slice rather than per value (the engine's
    /// inner loop over a block of trials).
    #[inline(always)]
    pub fn quantile_slice(&self, xs: &mut [f64]) {
        #[inline(always)]
        fn each(xs: &mut [f64], f: impl Fn(f64) -> f64) {
            for x in xs {
                *x = f(clamp_u(*x));
            }
        }
        match self {
            Dist::Fixed(v) => xs.fill(*v),
            Dist::Uniform { min, max } => each(xs, |u| uniform_q(*min, *max, u)),
            Dist::Triangular { min, mode, max } => each(xs, |u| triangular_q(*min, *mode, *max, u)),
            Dist::Pert(b) | Dist::Beta(b) => each(xs, |u| b.quantile(u)),
            Dist::Normal { mean, sd, trunc } => each(xs, |u| normal_q(*mean, *sd, trunc, u)),
            Dist::LogNormal { median, sigma } => {
                slices::lognormal_quantile_slice(*median, *sigma, xs)
            }
            Dist::Empirical(e) => each(xs, |u| e.quantile(u)),
        }
    }

    /// CDF P(X <= x); used by tests and to document the accuracy of `quantile`.
    pub fn cdf(&self, x: f64) -> f64 {
        match self {
            Dist::Fixed(v) => {
                if x >= *v {
                    1.0
                } else {
                    0.0
                }
            }
            Dist::Uniform { min, max } => {
                if x < *min {
                    0.0
                } else if x >= *max {
                    1.0
                } else {
                    ((x - min) / (max - min)).clamp(0.0, 1.0)
                }
            }
            Dist::Triangular { min, mode, max } => {
                let w = max - min;
                if x <= *min {
                    0.0
                } else if x >= *max {
                    1.0
                } else if x < *mode {
                    (x - min) * (x - min) / (w * (mode - min))
                } else {
                    1.0 - (max - x) * (max - x) / (w * (max - mode))
                }
            }
            Dist::Pert(b) | Dist::Beta(b) => b.cdf(x),
            Dist::Normal { mean, sd, trunc } => {
                if x <= trunc.lo {
                    0.0
                } else if x >= trunc.hi {
                    1.0
                } else {
                    trunc.z_cdf((x - mean) / sd)
                }
            }
            Dist::LogNormal { median, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    std_normal_cdf((log(x) - log(*median)) / sigma)
                }
            }
            Dist::Empirical(e) => {
                let k = e.values.partition_point(|&v| v <= x);
                if k == 0 {
                    0.0
                } else {
                    e.cum[k - 1]
                }
            }
        }
    }

    /// Mean, in closed form.
    pub fn mean(&self) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::Uniform { min, max } => 0.5 * (min + max),
            Dist::Triangular { min, mode, max } => (min + mode + max) / 3.0,
            Dist::Pert(b) | Dist::Beta(b) => b.mean(),
            Dist::Normal { mean, sd, trunc } => {
                let (m, _) = trunc.work_moments();
                let m = if trunc.flip { -m } else { m };
                mean + sd * m
            }
            Dist::LogNormal { median, sigma } => median * exp(0.5 * sigma * sigma),
            Dist::Empirical(e) => e.probs().map(|(v, p)| v * p).sum(),
        }
    }

    /// Variance, in closed form.
    pub fn variance(&self) -> f64 {
        match self {
            Dist::Fixed(_) => 0.0,
            Dist::Uniform { min, max } => (max - min) * (max - min) / 12.0,
            Dist::Triangular { min, mode, max } => {
                let (a, c, b) = (*min, *mode, *max);
                (a * a + b * b + c * c - a * b - a * c - b * c) / 18.0
            }
            Dist::Pert(b) | Dist::Beta(b) => b.variance(),
            Dist::Normal { sd, trunc, .. } => {
                let (_, v) = trunc.work_moments();
                sd * sd * v
            }
            Dist::LogNormal { median, sigma } => {
                let s2 = sigma * sigma;
                median * median * exp(s2) * expm1(s2)
            }
            Dist::Empirical(e) => {
                let m = self.mean();
                e.probs().map(|(v, p)| p * (v - m) * (v - m)).sum()
            }
        }
    }

    /// (lowest, highest) possible value; may be infinite for the normal and lognormal.
    pub fn support(&self) -> (f64, f64) {
        match self {
            Dist::Fixed(v) => (*v, *v),
            Dist::Uniform { min, max } | Dist::Triangular { min, max, .. } => (*min, *max),
            Dist::Pert(b) | Dist::Beta(b) => b.bounds(),
            Dist::Normal { trunc, .. } => (trunc.lo, trunc.hi),
            Dist::LogNormal { .. } => (0.0, f64::INFINITY),
            Dist::Empirical(e) => (e.values[0], e.values[e.values.len() - 1]),
        }
    }

    /// `Some(v)` when the distribution always yields `v` (lets callers skip sampling).
    pub fn is_fixed(&self) -> Option<f64> {
        match self {
            Dist::Fixed(v) => Some(*v),
            _ => {
                let (lo, hi) = self.support();
                if lo == hi {
                    Some(lo)
                } else {
                    None
                }
            }
        }
    }
}

// The inverse CDF of each kind, at a clamped `u`: shared by `quantile` and
// `quantile_slice`, so the two cannot drift apart.

#[inline(always)]
fn uniform_q(min: f64, max: f64, u: f64) -> f64 {
    (min + u * (max - min)).clamp(min, max)
}

#[inline(always)]
fn triangular_q(min: f64, mode: f64, max: f64, u: f64) -> f64 {
    let w = max - min;
    let fc = (mode - min) / w;
    // Both sides, then a select: the side is a coin toss per draw, so a branch would be
    // mispredicted often and would keep a slice's loop from vectorising. Both radicands
    // are >= 0 for u in (0, 1), so the side not taken is a number, never a NaN.
    let below = (min + (u * w * (mode - min)).sqrt()).clamp(min, mode);
    let above = (max - ((1.0 - u) * w * (max - mode)).sqrt()).clamp(mode, max);
    if u <= fc {
        below
    } else {
        above
    }
}

#[inline(always)]
fn normal_q(mean: f64, sd: f64, trunc: &Truncation, u: f64) -> f64 {
    (mean + sd * trunc.z_quantile(u)).clamp(trunc.lo, trunc.hi)
}

#[inline(always)]
fn lognormal_q(median: f64, sigma: f64, u: f64) -> f64 {
    (median * exp(sigma * lognormal_z(u))).max(0.0)
}

/// The normal score of `u` taken from the nearer tail (`-z(1 - u)` above the median),
/// which keeps the upper tail's relative accuracy.
#[inline(always)]
pub(super) fn lognormal_z(u: f64) -> f64 {
    if u <= 0.5 {
        std_normal_quantile(u)
    } else {
        -std_normal_quantile(1.0 - u)
    }
}

impl Dist {
    /// The value at the standard normal score `z`, i.e. `quantile(Phi(z))`: used by the
    /// Gaussian copula. Speed and accuracy: lognormal and untruncated normal map `z`
    /// directly (no CDF and inverse CDF that cancel); other kinds go through `Phi`.
    #[inline]
    pub fn at_normal_score(&self, z: f64) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            Dist::LogNormal { median, sigma } => median * libm::exp(sigma * z),
            d => d.quantile(std_normal_cdf(z)),
        }
    }

    /// [`Dist::at_normal_score`] of every element, in place: the block engine's form.
    #[inline(always)]
    pub fn at_normal_score_slice(&self, zs: &mut [f64]) {
        match self {
            Dist::LogNormal { median, sigma } => slices::lognormal_at_scores(*median, *sigma, zs),
            d => zs.iter_mut().for_each(|z| *z = d.at_normal_score(*z)),
        }
    }

    /// The value at `u`, skipping the inverse CDF for fixed values.
    #[inline]
    pub fn quantile_or_fixed(&self, u: f64) -> f64 {
        match self {
            Dist::Fixed(v) => *v,
            d => d.quantile(u),
        }
    }
}

/// Any scenario distribution samples with any `rand` generator, by its inverse CDF at a
/// uniform in the open interval (0, 1) built from 53 random bits, as the engine draws.
impl rand::distr::Distribution<f64> for Dist {
    fn sample<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let bits = rng.next_u64() >> 11;
        self.quantile((bits as f64 + 0.5) * (1.0 / (1u64 << 53) as f64))
    }
}
