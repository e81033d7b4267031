//! A mergeable, deterministic quantile sketch ([`Sketch`]).
//!
//! Owns: the bucket layout (log-linear, read straight off the IEEE-754 bits),
//! the integer bucket counts, exact min/max, and every query derived from them
//! (quantiles, rank-based confidence intervals, CVaR, CDF, histogram buckets).
//! Must not: do I/O, use an RNG, or hold any floating-point *accumulated*
//! state — all state is integer counts plus a total-order min/max, so merging
//! is exactly associative and commutative and queries are pure functions of
//! the merged state.

use std::iter;
use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

use super::StatsError;

/// Mantissa bits kept in a bucket key: 2^10 = 1024 buckets per octave.
pub const MANTISSA_BITS: u32 = 10;
/// Magnitudes below this (USD, a ten-thousandth of a cent) are recorded as
/// exactly 0. This bounds the key range of differences that are numerically near
/// zero: paired differences of two routes reach ever smaller magnitudes as trials
/// grow, and each octave costs a bucket array, so a lower threshold made memory
/// creep with the trial count.
pub const ZERO_THRESHOLD: f64 = 1e-6;
/// Relative half-width of a bucket, the worst relative error of a midpoint: 2^-11 ≈ 0.049 %.
pub const RELATIVE_ERROR: f64 = 1.0 / (1u64 << (MANTISSA_BITS + 1)) as f64;

pub(super) const SHIFT: u32 = 52 - MANTISSA_BITS;
/// Buckets per octave; stores grow in whole, aligned octaves.
pub(super) const OCTAVE: u32 = 1 << MANTISSA_BITS;
/// Key of the smallest magnitude that is not recorded as zero.
pub(super) const MIN_KEY: u32 = key_of(ZERO_THRESHOLD);
/// Key of +inf: one past the largest key a finite magnitude can have.
pub(super) const KEY_END: u32 = key_of(f64::INFINITY);

// The bucketing trick: for a non-negative f64 the bit pattern, read as an
// integer, is monotone in the value, and its top bits are
// [exponent | mantissa]. Keeping the exponent and the top 10 mantissa bits
// (one shift) splits every octave [2^e, 2^(e+1)) into 1024 equal-width
// buckets, i.e. log-linear buckets of relative width <= 2^-10, with no log or
// float math. The inverse (key << 42 as bits) is the bucket's exact lower edge.
#[inline(always)]
pub(super) const fn key_of(magnitude: f64) -> u32 {
    (magnitude.to_bits() >> SHIFT) as u32
}

/// Exact lower edge of bucket `key` (the upper edge is `key_lo(key + 1)`).
#[inline]
pub(super) fn key_lo(key: u32) -> f64 {
    f64::from_bits((key as u64) << SHIFT)
}

mod rank;
mod store;
#[cfg(test)]
mod tests;

pub use rank::RankTable;
use store::{Cell, Store};

/// Mergeable quantile sketch with log-linear buckets (HDR-histogram style).
///
/// * Values with |x| ≥ 1e-6 go into 1024 buckets per power of two (relative
///   bucket width ≤ 2^-10), split into a positive and a negative store
///   (negatives bucketed by |x|). Reported values are bucket midpoints,
///   relative error ≤ 2^-11 ≈ 0.049 %.
/// * |x| < 1e-6 (USD) is recorded as exactly 0 (a separate zero count).
/// * ±inf are counted separately (they take part in ranks as ±inf);
///   NaN is counted in `nan` and excluded from everything else.
/// * Exact min/max of all non-NaN values are kept (by `f64::total_cmp`, so
///   `-0.0 < 0.0` and the result never depends on merge order).
///
/// Memory depends only on the range of values: 2 KiB per octave spanned per
/// sign (e.g. 1..1e3 ≈ 10 octaves ≈ 20 KiB; 1e-9..1e15 ≈ 80 octaves ≈ 160 KiB),
/// and 8 KiB more per octave once some bucket of the sign's range holds 65,536
/// values; never on the number of values.
///
/// Determinism: all state is integer counts plus total-order min/max in a
/// canonical layout, so merging in any order or grouping yields `==` (and
/// byte-identical serialized) sketches.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SketchRepr")]
pub struct Sketch {
    /// Number of non-NaN values.
    count: u64,
    nan: u64,
    zero: u64,
    pos_inf: u64,
    neg_inf: u64,
    /// Min of all non-NaN values; `+inf` while empty.
    #[serde(with = "super::serde_util::f64_str")]
    min: f64,
    /// Max of all non-NaN values; `-inf` while empty.
    #[serde(with = "super::serde_util::f64_str")]
    max: f64,
    pos: Store,
    neg: Store,
}

#[derive(Deserialize)]
struct SketchRepr {
    count: u64,
    nan: u64,
    zero: u64,
    pos_inf: u64,
    neg_inf: u64,
    #[serde(with = "super::serde_util::f64_str")]
    min: f64,
    #[serde(with = "super::serde_util::f64_str")]
    max: f64,
    pos: Store,
    neg: Store,
}

impl TryFrom<SketchRepr> for Sketch {
    type Error = StatsError;

    fn try_from(r: SketchRepr) -> Result<Sketch, StatsError> {
        let total = [r.zero, r.pos_inf, r.neg_inf, r.pos.total(), r.neg.total()]
            .iter()
            .try_fold(0u64, |a, &b| a.checked_add(b));
        if total != Some(r.count) {
            return Err(StatsError::InvalidSketch("count does not match buckets"));
        }
        let minmax_ok = if r.count == 0 {
            r.min == f64::INFINITY && r.max == f64::NEG_INFINITY
        } else {
            r.min <= r.max // false for NaN
        };
        if !minmax_ok {
            return Err(StatsError::InvalidSketch("inconsistent min/max"));
        }
        Ok(Sketch {
            count: r.count,
            nan: r.nan,
            zero: r.zero,
            pos_inf: r.pos_inf,
            neg_inf: r.neg_inf,
            min: r.min,
            max: r.max,
            pos: r.pos,
            neg: r.neg,
        })
    }
}

impl Default for Sketch {
    fn default() -> Sketch {
        Sketch::new()
    }
}

impl Sketch {
    /// An empty sketch. Allocates nothing until the first non-zero value.
    pub fn new() -> Sketch {
        Sketch {
            count: 0,
            nan: 0,
            zero: 0,
            pos_inf: 0,
            neg_inf: 0,
            min: f64::INFINITY,
            max: f64::NEG_INFINITY,
            pos: Store::default(),
            neg: Store::default(),
        }
    }

    /// Records one value. Never panics: NaN goes to the `nan` counter,
    /// ±inf to their own counters, |x| < 1e-6 to the zero count.
    #[inline]
    pub fn insert(&mut self, x: f64) {
        self.insert_n(x, 1);
    }

    /// Records `n` copies of `x` (e.g. a pre-aggregated block); `n = 0` is a no-op.
    /// Hot path for ordinary values: a shift, a subtraction and an increment.
    #[inline]
    pub fn insert_n(&mut self, x: f64, n: u64) {
        let a = x.abs();
        // false for NaN, ±inf, tiny values and n == 0: all handled out of line
        if n != 0 && (ZERO_THRESHOLD..f64::INFINITY).contains(&a) {
            let key = key_of(a);
            if x.is_sign_negative() {
                self.neg.add(key, n);
            } else {
                self.pos.add(key, n);
            }
            self.count += n;
            // |x| >= 1e-6 here, so plain min/max agree with total_cmp.
            self.min = self.min.min(x);
            self.max = self.max.max(x);
        } else {
            self.insert_special(x, n);
        }
    }

    /// Records every value of `xs`: the same sketch as inserting them one by one. The
    /// min and max of the ordinary values are found first, four lanes at a time, so the
    /// bucket loop carries no chain of comparisons from one value to the next (the
    /// engine records a block of trials of one cell at a time).
    pub fn insert_slice(&mut self, xs: &[f64]) {
        #[inline(always)]
        fn ordinary(x: f64) -> bool {
            (ZERO_THRESHOLD..f64::INFINITY).contains(&x.abs())
        }
        let (mut lo, mut hi) = ([f64::INFINITY; 4], [f64::NEG_INFINITY; 4]);
        let lanes = xs.chunks_exact(4);
        for &x in lanes.remainder() {
            // A NaN never wins a comparison: it stands for "not an ordinary value".
            let x = if ordinary(x) { x } else { f64::NAN };
            lo[0] = if x < lo[0] { x } else { lo[0] };
            hi[0] = if x > hi[0] { x } else { hi[0] };
        }
        for c in lanes {
            for k in 0..4 {
                let x = if ordinary(c[k]) { c[k] } else { f64::NAN };
                lo[k] = if x < lo[k] { x } else { lo[k] };
                hi[k] = if x > hi[k] { x } else { hi[k] };
            }
        }
        let (mut n, mut zeros) = (0u64, 0u64);
        for &x in xs {
            let a = x.abs();
            if ordinary(x) {
                let key = key_of(a);
                if x.is_sign_negative() {
                    self.neg.add(key, 1);
                } else {
                    self.pos.add(key, 1);
                }
                n += 1;
            } else if x.to_bits() == 0 {
                // +0.0, the difference of two equal costs: counted here, as
                // `insert_special` would, without a call per value.
                zeros += 1;
            } else {
                self.insert_special(x, 1);
            }
        }
        if zeros > 0 {
            self.insert_special(0.0, zeros);
        }
        if n > 0 {
            self.count += n;
            // Every value here has |x| >= 1e-6, so plain min/max agree with total_cmp
            // and the order of updates does not matter.
            let lo = lo.iter().fold(f64::INFINITY, |a, &b| a.min(b));
            let hi = hi.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
            self.min = self.min.min(lo);
            self.max = self.max.max(hi);
        }
    }

    #[cold]
    fn insert_special(&mut self, x: f64, n: u64) {
        if n == 0 {
            return;
        }
        if x.is_nan() {
            self.nan += n;
            return;
        }
        if x == f64::INFINITY {
            self.pos_inf += n;
        } else if x == f64::NEG_INFINITY {
            self.neg_inf += n;
        } else {
            self.zero += n; // |x| < 1e-6
        }
        self.count += n;
        self.update_min_max(x, x);
    }

    fn update_min_max(&mut self, lo: f64, hi: f64) {
        if lo.total_cmp(&self.min).is_lt() {
            self.min = lo;
        }
        if hi.total_cmp(&self.max).is_gt() {
            self.max = hi;
        }
    }

    /// Adds all of `other`'s values. Exactly associative and commutative
    /// (integer counts, canonical layout, total-order min/max), so shards can
    /// be merged in any order with `==` results.
    pub fn merge(&mut self, other: &Sketch) {
        self.count += other.count;
        self.nan += other.nan;
        self.zero += other.zero;
        self.pos_inf += other.pos_inf;
        self.neg_inf += other.neg_inf;
        self.pos.merge(&other.pos);
        self.neg.merge(&other.neg);
        self.update_min_max(other.min, other.max);
    }

    /// Checks a sketch of finite values read from a file: no NaN or infinite values,
    /// finite min and max, and min and max in the lowest and highest non-empty buckets,
    /// so the bucket range spans the values and no more (a stretched range would cost
    /// memory). Returns what is wrong.
    pub fn check_finite(&self) -> Result<(), &'static str> {
        if self.nan != 0 || self.pos_inf != 0 || self.neg_inf != 0 {
            return Err("counts NaN or infinite values");
        }
        if self.count == 0 {
            return Ok(());
        }
        if !self.min.is_finite() || !self.max.is_finite() {
            return Err("min or max is not finite");
        }
        let small = |x: f64| x.abs() < ZERO_THRESHOLD;
        let lowest_ok = match (self.neg.last_key(), self.zero, self.pos.first_key()) {
            (Some(k), _, _) => self.min < 0.0 && key_of(-self.min) == k,
            (None, z, _) if z > 0 => small(self.min),
            (None, _, Some(k)) => self.min > 0.0 && key_of(self.min) == k,
            _ => false,
        };
        let highest_ok = match (self.pos.last_key(), self.zero, self.neg.first_key()) {
            (Some(k), _, _) => self.max > 0.0 && key_of(self.max) == k,
            (None, z, _) if z > 0 => small(self.max),
            (None, _, Some(k)) => self.max < 0.0 && key_of(-self.max) == k,
            _ => false,
        };
        if lowest_ok && highest_ok {
            Ok(())
        } else {
            Err("min or max is not in the lowest or highest bucket")
        }
    }

    /// Number of recorded (non-NaN) values; the `n` of all rank queries.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Number of NaN inputs seen (excluded from all statistics; a NaN reaching
    /// the sketch signals a bug upstream).
    pub fn nan_count(&self) -> u64 {
        self.nan
    }

    /// True if no non-NaN value has been recorded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Exact smallest value (may be -inf), `None` if empty.
    pub fn min(&self) -> Option<f64> {
        (self.count > 0).then_some(self.min)
    }

    /// Exact largest value (may be +inf), `None` if empty.
    pub fn max(&self) -> Option<f64> {
        (self.count > 0).then_some(self.max)
    }

    /// Approximate heap + inline size in bytes; depends on the value range
    /// only, never on the count (used by tests to check memory is bounded).
    pub fn mem_bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.pos.heap_bytes() + self.neg.heap_bytes()
    }

    /// All non-empty buckets in ascending value order.
    fn cells(&self) -> impl DoubleEndedIterator<Item = Cell> + '_ {
        iter::once(Cell::point(f64::NEG_INFINITY, self.neg_inf))
            .chain(
                self.neg
                    .iter()
                    .rev()
                    .map(|(k, c)| Cell::of_magnitude(k, c, true)),
            )
            .chain(iter::once(Cell {
                lo: -ZERO_THRESHOLD,
                hi: ZERO_THRESHOLD,
                mid: 0.0,
                count: self.zero,
            }))
            .chain(
                self.pos
                    .iter()
                    .map(|(k, c)| Cell::of_magnitude(k, c, false)),
            )
            .chain(iter::once(Cell::point(f64::INFINITY, self.pos_inf)))
            .filter(|c| c.count > 0)
    }

    /// Clamps into the exact [min, max] (never panics, unlike `f64::clamp`).
    fn clamp(&self, v: f64) -> f64 {
        v.max(self.min).min(self.max)
    }

    /// The bucket holding the k-th smallest value (1-based, k in 1..=count).
    /// The same cell as the first of [`Sketch::cells`] whose running count reaches `k`,
    /// found store by store without building the cells before it.
    fn kth(&self, k: u64) -> Cell {
        if k <= self.neg_inf {
            return Cell::point(f64::NEG_INFINITY, self.neg_inf);
        }
        let k = match self.neg.kth(k - self.neg_inf, true) {
            Ok((key, c)) => return Cell::of_magnitude(key, c, true),
            Err(rest) => rest,
        };
        if k <= self.zero {
            return Cell {
                lo: -ZERO_THRESHOLD,
                hi: ZERO_THRESHOLD,
                mid: 0.0,
                count: self.zero,
            };
        }
        match self.pos.kth(k - self.zero, false) {
            Ok((key, c)) => Cell::of_magnitude(key, c, false),
            Err(_) => Cell::point(f64::INFINITY, self.pos_inf),
        }
    }

    /// Converts a real rank to an integer rank clamped into 1..=count.
    fn clamp_rank(&self, r: f64) -> u64 {
        // float -> int `as` saturates (and maps NaN to 0), then clamp
        (r.max(1.0) as u64).clamp(1, self.count)
    }

    /// Nearest-rank q-quantile: the k-th smallest value with
    /// k = max(1, ceil(q·n)), reported as its bucket midpoint clamped into
    /// [min, max] (ranks 1 and n return the exact min and max).
    /// Relative error vs the exact order statistic ≤ 2^-11
    /// (< 0.1 %) for |value| ≥ 1e-6. `q` is clamped to [0, 1]; `None` if the
    /// sketch is empty or `q` is NaN.
    pub fn quantile(&self, q: f64) -> Option<f64> {
        if self.count == 0 || q.is_nan() {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        let k = self.clamp_rank((q * self.count as f64).ceil());
        // The extreme ranks are known exactly.
        Some(match k {
            1 => self.min,
            k if k == self.count => self.max,
            k => self.clamp(self.kth(k).mid),
        })
    }

    /// Distribution-free confidence interval for the q-quantile from order
    /// statistics (binomial normal approximation): ranks
    /// k_lo = floor(nq − z·sqrt(nq(1−q))) and
    /// k_hi = ceil(nq + z·sqrt(nq(1−q))) + 1, clamped to [1, n]; returns the
    /// lower edge of k_lo's bucket and the upper edge of k_hi's bucket, clamped
    /// into [min, max] (bucket edges make it slightly conservative).
    /// `None` if empty, `q` is NaN, or `z` is negative/NaN.
    pub fn rank_bounds(&self, q: f64, z: f64) -> Option<(f64, f64)> {
        if self.count == 0 || q.is_nan() || z.is_nan() || z < 0.0 {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        let n = self.count as f64;
        let half = z * (n * q * (1.0 - q)).sqrt();
        let k_lo = self.clamp_rank((n * q - half).floor());
        let k_hi = self.clamp_rank((n * q + half).ceil() + 1.0);
        Some((self.clamp(self.kth(k_lo).lo), self.clamp(self.kth(k_hi).hi)))
    }

    /// Mean of the worst (largest) (1 − q) share of values, i.e. CVaR / expected
    /// shortfall at level q: the average of the top m = ceil((1 − q)·n) values
    /// (at least 1), each taken as its bucket midpoint clamped into [min, max]
    /// (a partially used bucket contributes midpoint × values taken). m is
    /// computed as n − floor(q·n), the same integer, avoiding the rounding of
    /// `1 − q`. For values of one sign the relative error is ≤ 2^-11.
    /// `None` if empty or `q` is NaN.
    pub fn mean_above(&self, q: f64) -> Option<f64> {
        if self.count == 0 || q.is_nan() {
            return None;
        }
        let q = q.clamp(0.0, 1.0);
        let below = ((q * self.count as f64).floor() as u64).min(self.count);
        let m = (self.count - below).max(1);
        let mut left = m;
        let mut sum = 0.0;
        for c in self.cells().rev() {
            let take = c.count.min(left);
            sum += self.clamp(c.mid) * take as f64;
            left -= take;
            if left == 0 {
                break;
            }
        }
        Some(sum / m as f64)
    }

    /// Share of values ≤ x at bucket resolution: every value in x's bucket
    /// counts as ≤ x (so the result is ≥ the exact share and ≤ the exact share
    /// of values < x's bucket upper edge). Values recorded as 0 (|v| < 1e-6)
    /// count as ≤ x for any |x| < 1e-6. NaN if empty or x is NaN.
    pub fn cdf(&self, x: f64) -> f64 {
        if self.count == 0 || x.is_nan() {
            return f64::NAN;
        }
        let a = x.abs();
        let le = if x == f64::NEG_INFINITY {
            self.neg_inf
        } else if x == f64::INFINITY {
            self.count
        } else if a < ZERO_THRESHOLD {
            self.neg_inf + self.neg.total() + self.zero
        } else if x < 0.0 {
            self.neg_inf + self.neg.count_ge(key_of(a))
        } else {
            self.neg_inf + self.neg.total() + self.zero + self.pos.count_le(key_of(a))
        };
        le as f64 / self.count as f64
    }

    /// Non-empty buckets `(lo, hi, count)` in ascending value order, for
    /// histograms. Positive buckets cover [lo, hi), negative ones (lo, hi];
    /// the zero bucket is (-1e-6, 1e-6); infinities are `(±inf, ±inf, n)`.
    /// Counts sum to [`count`](Self::count).
    pub fn buckets(&self) -> impl Iterator<Item = (f64, f64, u64)> + '_ {
        self.cells().map(|c| (c.lo, c.hi, c.count))
    }
}

impl AddAssign<&Sketch> for Sketch {
    /// Same as [`Sketch::merge`].
    fn add_assign(&mut self, rhs: &Sketch) {
        self.merge(rhs);
    }
}
