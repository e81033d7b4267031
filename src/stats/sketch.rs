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

const SHIFT: u32 = 52 - MANTISSA_BITS;
/// Buckets per octave; stores grow in whole, aligned octaves.
const OCTAVE: u32 = 1 << MANTISSA_BITS;
/// Key of the smallest magnitude that is not recorded as zero.
const MIN_KEY: u32 = key_of(ZERO_THRESHOLD);
/// Key of +inf: one past the largest key a finite magnitude can have.
const KEY_END: u32 = key_of(f64::INFINITY);

// The bucketing trick: for a non-negative f64 the bit pattern, read as an
// integer, is monotone in the value, and its top bits are
// [exponent | mantissa]. Keeping the exponent and the top 10 mantissa bits
// (one shift) splits every octave [2^e, 2^(e+1)) into 1024 equal-width
// buckets, i.e. log-linear buckets of relative width <= 2^-10, with no log or
// float math. The inverse (key << 42 as bits) is the bucket's exact lower edge.
#[inline(always)]
const fn key_of(magnitude: f64) -> u32 {
    (magnitude.to_bits() >> SHIFT) as u32
}

/// Exact lower edge of bucket `key` (the upper edge is `key_lo(key + 1)`).
#[inline]
fn key_lo(key: u32) -> f64 {
    f64::from_bits((key as u64) << SHIFT)
}

/// Counts over the contiguous key range `[offset, offset + counts.len())`.
///
/// Canonical form (so that derived `PartialEq` means "same data"): empty is
/// `offset = 0, counts = []`; otherwise the range is exactly the aligned
/// octaves from the lowest to the highest non-empty key's octave. Growing only
/// at octave granularity also bounds the cost of growing downwards (a copy
/// happens at most once per new octave).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "StoreRepr")]
struct Store {
    offset: u32,
    counts: Vec<u64>,
}

#[derive(Deserialize)]
struct StoreRepr {
    offset: u32,
    counts: Vec<u64>,
}

impl TryFrom<StoreRepr> for Store {
    type Error = StatsError;

    fn try_from(r: StoreRepr) -> Result<Store, StatsError> {
        let bad = |m| Err(StatsError::InvalidSketch(m));
        let len = r.counts.len() as u64;
        if len == 0 {
            return if r.offset == 0 {
                Ok(Store::default())
            } else {
                bad("empty store with non-zero offset")
            };
        }
        if !r.offset.is_multiple_of(OCTAVE) || !len.is_multiple_of(OCTAVE as u64) {
            return bad("store range not octave-aligned");
        }
        if (r.offset as u64) + len > KEY_END as u64 {
            return bad("store range beyond finite values");
        }
        let first = r.counts.iter().position(|&c| c > 0);
        let last = r.counts.iter().rposition(|&c| c > 0);
        match (first, last) {
            (Some(f), Some(l)) if f < OCTAVE as usize && l >= r.counts.len() - OCTAVE as usize => {
                if r.offset + (f as u32) < MIN_KEY {
                    return bad("count below the zero threshold");
                }
            }
            _ => return bad("store range not minimal"),
        }
        Ok(Store {
            offset: r.offset,
            counts: r.counts,
        })
    }
}

impl Store {
    /// Hot path: one subtraction and a bounds-checked increment.
    #[inline(always)]
    fn add(&mut self, key: u32, n: u64) {
        let i = key.wrapping_sub(self.offset) as usize;
        match self.counts.get_mut(i) {
            Some(c) => *c += n,
            None => self.add_cold(key, n),
        }
    }

    #[cold]
    #[inline(never)]
    fn add_cold(&mut self, key: u32, n: u64) {
        self.cover(key, key);
        self.counts[(key - self.offset) as usize] += n;
    }

    fn end(&self) -> u32 {
        self.offset + self.counts.len() as u32
    }

    /// Grows (in whole aligned octaves) so keys `lo..=hi` are inside.
    fn cover(&mut self, lo: u32, hi: u32) {
        let mut new_lo = lo / OCTAVE * OCTAVE;
        let mut new_end = (hi / OCTAVE + 1) * OCTAVE;
        if !self.counts.is_empty() {
            if new_lo >= self.offset && new_end <= self.end() {
                return;
            }
            new_lo = new_lo.min(self.offset);
            new_end = new_end.max(self.end());
        }
        let mut v = vec![0u64; (new_end - new_lo) as usize];
        if !self.counts.is_empty() {
            let s = (self.offset - new_lo) as usize;
            v[s..s + self.counts.len()].copy_from_slice(&self.counts);
        }
        self.offset = new_lo;
        self.counts = v;
    }

    fn merge(&mut self, other: &Store) {
        if other.counts.is_empty() {
            return;
        }
        self.cover(other.offset, other.end() - 1);
        let s = (other.offset - self.offset) as usize;
        for (a, b) in self.counts[s..].iter_mut().zip(&other.counts) {
            *a += *b;
        }
    }

    /// Non-empty `(key, count)` pairs in ascending key order.
    fn iter(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        let off = self.offset;
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, c)| **c > 0)
            .map(move |(i, &c)| (off + i as u32, c))
    }

    /// Sum of counts (saturating: edited counts must not wrap to a plausible total).
    fn total(&self) -> u64 {
        self.counts.iter().fold(0u64, |a, &c| a.saturating_add(c))
    }

    fn first_key(&self) -> Option<u32> {
        self.iter().next().map(|(k, _)| k)
    }

    fn last_key(&self) -> Option<u32> {
        self.iter().next_back().map(|(k, _)| k)
    }

    /// Sum of counts with key <= `key`.
    fn count_le(&self, key: u32) -> u64 {
        if key < self.offset {
            return 0;
        }
        let end = ((key - self.offset) as usize + 1).min(self.counts.len());
        self.counts[..end].iter().sum()
    }

    /// Sum of counts with key >= `key`.
    fn count_ge(&self, key: u32) -> u64 {
        let start = (key.saturating_sub(self.offset) as usize).min(self.counts.len());
        self.counts[start..].iter().sum()
    }

    fn heap_bytes(&self) -> usize {
        self.counts.capacity() * std::mem::size_of::<u64>()
    }
}

/// One non-empty bucket as seen by queries: value interval, midpoint, count.
#[derive(Clone, Copy, Debug)]
struct Cell {
    lo: f64,
    hi: f64,
    mid: f64,
    count: u64,
}

impl Cell {
    fn of_magnitude(key: u32, count: u64, negative: bool) -> Cell {
        let a = key_lo(key);
        let b = key_lo(key + 1); // +inf for the top finite bucket
                                 // Halving is exact (no subnormals here) and the halves share a narrow
                                 // exponent range, so their sum is exact too (no overflow). The top
                                 // finite bucket [a, 2^1024) uses f64::MAX as its upper end for the midpoint.
        let mid = 0.5 * a + 0.5 * b.min(f64::MAX);
        if negative {
            Cell {
                lo: -b,
                hi: -a,
                mid: -mid,
                count,
            }
        } else {
            Cell {
                lo: a,
                hi: b,
                mid,
                count,
            }
        }
    }

    fn point(v: f64, count: u64) -> Cell {
        Cell {
            lo: v,
            hi: v,
            mid: v,
            count,
        }
    }
}

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
/// Memory depends only on the range of values: 8 KiB per octave spanned per
/// sign (e.g. 1..1e3 ≈ 10 octaves ≈ 80 KiB; 1e-9..1e15 ≈ 80 octaves ≈ 640 KiB),
/// never on the number of values.
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
    fn kth(&self, k: u64) -> Cell {
        let mut seen = 0u64;
        for c in self.cells() {
            seen += c.count;
            if seen >= k {
                return c;
            }
        }
        unreachable!("k <= count is guaranteed by callers")
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    const QS: [f64; 11] = [
        0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999,
    ];
    /// Same levels in per-mille, for exact integer share computations.
    const QS_MILLE: [u64; 11] = [1, 10, 50, 100, 250, 500, 750, 900, 950, 990, 999];
    const SIZES: [usize; 9] = [1, 2, 3, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

    fn normal(r: &mut StdRng) -> f64 {
        let u1: f64 = 1.0 - r.random::<f64>();
        let u2: f64 = r.random();
        (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
    }

    /// (name, all values positive?, generator)
    type Gen = fn(&mut StdRng) -> f64;
    fn generators() -> Vec<(&'static str, bool, Gen)> {
        vec![
            ("uniform(1,1000)", true, |r| r.random_range(1.0..1000.0)),
            ("lognormal", true, |r| 100.0 * (2.0 * normal(r)).exp()),
            ("mixed sign", false, |r| 1000.0 * normal(r) + 200.0),
            ("negative heavy tail", false, |r| -(3.0 * normal(r)).exp()),
            ("ties", false, |r| {
                [-3.0, -1.5, 0.0, 2.0, 7.0, 7.0, 7.0, 100.0][r.random_range(0..8)]
            }),
            ("positive ties", true, |r| {
                [0.5, 2.0, 7.0, 7.0, 1e4][r.random_range(0..5)]
            }),
        ]
    }

    fn data(g: Gen, n: usize, seed: u64) -> Vec<f64> {
        let mut r = StdRng::seed_from_u64(seed);
        (0..n).map(|_| g(&mut r)).collect()
    }

    fn sketch_of(v: &[f64]) -> Sketch {
        let mut s = Sketch::new();
        v.iter().for_each(|&x| s.insert(x));
        s
    }

    fn sorted(v: &[f64]) -> Vec<f64> {
        let mut s = v.to_vec();
        s.sort_by(f64::total_cmp);
        s
    }

    fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
        let n = sorted.len();
        let k = ((q * n as f64).ceil() as usize).clamp(1, n);
        sorted[k - 1]
    }

    #[test]
    fn quantile_error_bound() {
        let mut checked = 0;
        for (gi, (name, _, g)) in generators().into_iter().enumerate() {
            for (si, &n) in SIZES.iter().enumerate() {
                let v = data(g, n, (gi * 100 + si) as u64);
                let s = sketch_of(&v);
                let sv = sorted(&v);
                for &q in &QS {
                    let e = exact_quantile(&sv, q);
                    let got = s.quantile(q).unwrap();
                    let err = (got - e).abs();
                    assert!(
                        err <= RELATIVE_ERROR * e.abs() && err <= 0.001 * e.abs(),
                        "{name} n={n} q={q}: sketch {got} exact {e}"
                    );
                    checked += 1;
                }
                assert_eq!(s.quantile(0.0), Some(sv[0]));
                assert_eq!(s.quantile(1.0), Some(sv[n - 1]));
            }
        }
        assert_eq!(checked, 6 * SIZES.len() * QS.len());
    }

    #[test]
    fn rank_bounds_contain_order_statistic() {
        for (gi, (name, _, g)) in generators().into_iter().enumerate() {
            for &n in &[1usize, 5, 100, 10_000] {
                let v = data(g, n, gi as u64 + 7);
                let s = sketch_of(&v);
                let sv = sorted(&v);
                for &q in &QS {
                    let (lo, hi) = s.rank_bounds(q, 1.96).unwrap();
                    let e = exact_quantile(&sv, q);
                    let est = s.quantile(q).unwrap();
                    assert!(lo <= e && e <= hi, "{name} n={n} q={q}: {lo} {e} {hi}");
                    assert!(lo <= est && est <= hi, "{name} n={n} q={q}");
                }
            }
        }
    }

    #[test]
    fn rank_bounds_coverage_and_width() {
        // Uniform(0,1): the true q-quantile is q.
        let (reps, n) = (400, 2000);
        for &q in &[0.1, 0.5, 0.9, 0.99] {
            let mut covered = 0;
            let mut width = 0.0;
            for rep in 0..reps {
                let mut r = StdRng::seed_from_u64(1000 + rep);
                let mut s = Sketch::new();
                (0..n).for_each(|_| s.insert(r.random::<f64>()));
                let (lo, hi) = s.rank_bounds(q, 1.96).unwrap();
                covered += (lo <= q && q <= hi) as u32;
                width += (hi - lo) / reps as f64;
            }
            let cov = covered as f64 / reps as f64;
            let expected_width = 2.0 * 1.96 * (q * (1.0 - q) / n as f64).sqrt();
            assert!(cov >= 0.93, "q={q}: coverage {cov}");
            assert!(
                width < 1.5 * expected_width,
                "q={q}: width {width} vs {expected_width}"
            );
        }
        assert_eq!(Sketch::new().rank_bounds(0.5, 1.96), None);
        assert_eq!(sketch_of(&[1.0]).rank_bounds(0.5, -1.0), None);
    }

    #[test]
    fn mean_above_matches_exact_cvar() {
        for (gi, (name, positive, g)) in generators().into_iter().enumerate() {
            if !positive {
                continue;
            }
            for &n in &[1usize, 7, 1000, 100_000] {
                let v = data(g, n, gi as u64 + 50);
                let s = sketch_of(&v);
                let sv = sorted(&v);
                for (&q, &qm) in QS.iter().zip(&QS_MILLE) {
                    // m = ceil((1-q) n) in exact integer arithmetic
                    let m = (((1000 - qm) as usize * n).div_ceil(1000)).max(1);
                    let exact = sv[n - m..].iter().sum::<f64>() / m as f64;
                    let got = s.mean_above(q).unwrap();
                    assert!(
                        (got - exact).abs() <= 0.001 * exact,
                        "{name} n={n} q={q}: {got} vs {exact}"
                    );
                }
            }
        }
        // partial bucket: 10 values, top 30% = three 5.0s taken from a bucket of four
        let s = sketch_of(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0, 5.0, 5.0, 5.0]);
        assert_eq!(s.mean_above(0.7), Some(5.0));
        assert_eq!(s.mean_above(1.0), Some(5.0)); // at least one value
                                                  // all values: 6 × mid(1.0 bucket) + 4 × 5.0 (mid clamped to max)
        let all = s.mean_above(0.0).unwrap();
        assert_eq!(all, (6.0 * (1.0 + 0.5 * 2f64.powi(-10)) + 20.0) / 10.0);
        assert!((all - 2.6).abs() <= 2.6 * RELATIVE_ERROR);
    }

    #[test]
    fn cdf_within_bucket_resolution() {
        for (gi, (name, _, g)) in generators().into_iter().enumerate() {
            let v = data(g, 50_000, gi as u64 + 80);
            let s = sketch_of(&v);
            let sv = sorted(&v);
            let n = sv.len() as f64;
            let share_le = |x: f64| sv.partition_point(|&y| y <= x) as f64 / n;
            let mut r = StdRng::seed_from_u64(9);
            let mut prev = (f64::NEG_INFINITY, 0.0);
            let mut xs: Vec<f64> = (0..2000).map(|_| sv[r.random_range(0..sv.len())]).collect();
            xs.extend((0..2000).map(|_| g(&mut r)));
            xs.sort_by(f64::total_cmp);
            for x in xs {
                let c = s.cdf(x);
                let width = x.abs() * 2.0 * RELATIVE_ERROR * 2.0; // > one bucket width
                assert!(
                    share_le(x) <= c && c <= share_le(x + width),
                    "{name} x={x}: {c} vs [{}, {}]",
                    share_le(x),
                    share_le(x + width)
                );
                assert!(x >= prev.0 && c >= prev.1, "cdf not monotone");
                prev = (x, c);
            }
            assert_eq!(s.cdf(f64::INFINITY), 1.0);
            assert_eq!(s.cdf(sv[sv.len() - 1]), 1.0);
            assert_eq!(s.cdf(sv[0] - 1.0 - sv[0].abs()), 0.0);
        }
    }

    #[test]
    fn buckets_cover_count() {
        for (gi, (name, _, g)) in generators().into_iter().enumerate() {
            let v = data(g, 20_000, gi as u64 + 90);
            let s = sketch_of(&v);
            let b: Vec<_> = s.buckets().collect();
            assert_eq!(b.iter().map(|t| t.2).sum::<u64>(), s.count(), "{name}");
            for w in b.windows(2) {
                assert!(w[0].1 <= w[1].0, "{name}: not ascending");
            }
            let sv = sorted(&v);
            let below = |t: f64| sv.partition_point(|&x| x < t) as u64;
            let at_most = |t: f64| sv.partition_point(|&x| x <= t) as u64;
            for &(lo, hi, c) in &b {
                assert!(lo < hi && c > 0, "{name}");
                // positive buckets are [lo, hi), negative (lo, hi], zero bucket holds |x| < 1e-6
                let exact = if lo >= ZERO_THRESHOLD {
                    below(hi) - below(lo)
                } else if hi <= -ZERO_THRESHOLD {
                    at_most(hi) - at_most(lo)
                } else {
                    below(ZERO_THRESHOLD) - at_most(-ZERO_THRESHOLD)
                };
                assert_eq!(exact, c, "{name}: bucket [{lo}, {hi})");
            }
        }
    }

    #[test]
    fn memory_is_bounded_by_range_not_count() {
        let mut r = StdRng::seed_from_u64(11);
        let mut s = Sketch::new();
        for _ in 0..100_000 {
            s.insert(r.random_range(1.0..1000.0));
        }
        let m1 = s.mem_bytes();
        assert!(m1 < 100_000, "{m1} bytes for 10 octaves");
        for _ in 0..9_900_000 {
            s.insert(r.random_range(1.0..1000.0));
        }
        assert_eq!(s.count(), 10_000_000);
        assert!(s.mem_bytes() <= m1, "{} > {m1}", s.mem_bytes());

        // the widest realistic range, both signs: 1e-9..1e15
        let mut w = Sketch::new();
        for i in 0..=24 {
            w.insert(10f64.powi(i - 9));
            w.insert(-(10f64.powi(i - 9)));
        }
        assert!(w.mem_bytes() < 2 * 83 * 8192 + 1024, "{}", w.mem_bytes());
    }

    #[test]
    fn empty_sketch() {
        let s = Sketch::new();
        assert_eq!(s.count(), 0);
        assert!(s.is_empty());
        assert_eq!(s.min(), None);
        assert_eq!(s.max(), None);
        assert_eq!(s.quantile(0.5), None);
        assert_eq!(s.mean_above(0.9), None);
        assert_eq!(s.rank_bounds(0.5, 2.0), None);
        assert!(s.cdf(1.0).is_nan());
        assert_eq!(s.buckets().count(), 0);
        let mut t = Sketch::new();
        t.insert_n(5.0, 0);
        t.merge(&s);
        assert_eq!(t, s);
    }

    #[test]
    fn single_and_equal_values_are_exact() {
        for &x in &[123.456, -0.37, 1e-12, 0.0, 7e14] {
            let mut s = Sketch::new();
            s.insert_n(x, 1000);
            s.insert(x);
            for &q in &QS {
                assert_eq!(s.quantile(q), Some(x));
                let (lo, hi) = s.rank_bounds(q, 3.0).unwrap();
                assert_eq!((lo, hi), (x, x));
            }
            let m = s.mean_above(0.5).unwrap();
            assert!((m - x).abs() <= 1e-15 * x.abs(), "{m} vs {x}");
            assert_eq!((s.min(), s.max(), s.count()), (Some(x), Some(x), 1001));
            assert_eq!(s.cdf(x), 1.0);
        }
    }

    #[test]
    fn tiny_values_are_zero() {
        let s = sketch_of(&[1e-12, -5e-10, 0.0, -0.0, 2.0]);
        assert_eq!(s.buckets().next().unwrap().2, 4);
        assert_eq!(s.quantile(0.5), Some(0.0));
        assert_eq!(s.min(), Some(-5e-10));
        assert_eq!(s.quantile(0.0), Some(-5e-10)); // rank 1: the exact min
        assert_eq!(s.quantile(0.3), Some(0.0)); // rank 2: recorded as 0
        assert_eq!(sketch_of(&[3e-10, 1e-12]).quantile(0.5), Some(1e-12)); // 0 clamped into [min, max]
        assert_eq!(s.cdf(0.0), 0.8);
        assert_eq!(s.cdf(-1e-10), 0.8);
    }

    #[test]
    fn signed_zero_min_max_is_order_free() {
        // f64::min/max may return either zero; total_cmp makes min -0.0 and max 0.0
        let (p, n) = (sketch_of(&[0.0]), sketch_of(&[-0.0]));
        let mut results = Vec::new();
        for order in [[0.0, -0.0], [-0.0, 0.0]] {
            results.push(sketch_of(&order));
        }
        let mut a = p.clone();
        a += &n;
        let mut b = n.clone();
        b += &p;
        results.extend([a, b]);
        let json: Vec<String> = results
            .iter()
            .map(|s| serde_json::to_string(s).unwrap())
            .collect();
        assert!(json.iter().all(|j| *j == json[0]), "{json:?}");
        assert_eq!(results[0].min().unwrap().to_bits(), (-0.0f64).to_bits());
        assert_eq!(results[0].max().unwrap().to_bits(), 0.0f64.to_bits());
    }

    #[test]
    fn nan_and_infinities_do_not_panic() {
        let mut s = Sketch::new();
        s.insert(f64::NAN);
        assert_eq!((s.count(), s.nan_count()), (0, 1));
        assert_eq!(s.quantile(0.5), None);
        for x in [
            1.0,
            2.0,
            3.0,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            -f64::MAX,
        ] {
            s.insert(x);
        }
        s.insert_n(f64::MIN_POSITIVE, 2);
        s.insert(5e-324); // subnormal
        assert_eq!(s.count(), 10);
        assert_eq!(s.nan_count(), 1);
        assert_eq!(s.min(), Some(f64::NEG_INFINITY));
        assert_eq!(s.max(), Some(f64::INFINITY));
        assert_eq!(s.quantile(0.0), Some(f64::NEG_INFINITY));
        let near = |a: f64, b: f64| (a - b).abs() <= RELATIVE_ERROR * b.abs();
        assert!(near(s.quantile(0.15).unwrap(), -f64::MAX)); // top finite bucket
        assert!(near(s.quantile(0.9).unwrap(), f64::MAX));
        assert_eq!(s.quantile(1.0), Some(f64::INFINITY));
        assert_eq!(s.mean_above(0.95), Some(f64::INFINITY));
        assert_eq!(s.cdf(f64::NEG_INFINITY), 0.1);
        assert_eq!(s.cdf(0.0), 0.5);
        assert_eq!(s.quantile(f64::NAN), None);
        assert!(s.cdf(f64::NAN).is_nan());
        assert_eq!(s.buckets().map(|b| b.2).sum::<u64>(), 10);
        // serde keeps infinities and exact bits
        let j = serde_json::to_string(&s).unwrap();
        let back: Sketch = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
        assert_eq!(serde_json::to_string(&back).unwrap(), j);
    }

    #[test]
    fn serde_round_trip_and_validation() {
        let v = data(generators()[2].2, 10_000, 5);
        let s = sketch_of(&v);
        let j = serde_json::to_string(&s).unwrap();
        let back: Sketch = serde_json::from_str(&j).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.min().unwrap().to_bits(), s.min().unwrap().to_bits());
        let e: Sketch =
            serde_json::from_str(&serde_json::to_string(&Sketch::new()).unwrap()).unwrap();
        assert_eq!(e, Sketch::new());
        // tampered count is rejected
        let bad = j.replacen("\"count\":10000", "\"count\":10001", 1);
        assert_ne!(bad, j);
        assert!(serde_json::from_str::<Sketch>(&bad).is_err());
        // misaligned store is rejected
        let bad = r#"{"count":1,"nan":0,"zero":0,"pos_inf":0,"neg_inf":0,"min":"1.0","max":"1.0",
            "pos":{"offset":3,"counts":[1]},"neg":{"offset":0,"counts":[]}}"#;
        assert!(serde_json::from_str::<Sketch>(bad).is_err());
    }

    fn value_strategy() -> impl Strategy<Value = f64> {
        prop_oneof![
            4 => -1e6f64..1e6,
            2 => (-20.0f64..20.0).prop_map(f64::exp),
            1 => (-1000i64..1000).prop_map(|i| i as f64),
            1 => prop::sample::select(vec![
                0.0, -0.0, 1e-12, -1e-12, 5e-10, 1e-9, -1e-9, 1.0, -1.0,
                f64::INFINITY, f64::NEG_INFINITY, f64::NAN,
            ]),
        ]
    }

    /// Splits `v` into random chunks, sketches each, merges them in a random
    /// order using a random mix of sequential and pairwise (tree) merging.
    fn merged_randomly(v: &[f64], seed: u64) -> Sketch {
        let mut r = StdRng::seed_from_u64(seed);
        let mut parts = Vec::new();
        let mut i = 0;
        while i < v.len() {
            let len = r.random_range(1..=(v.len() - i).min(40));
            parts.push(sketch_of(&v[i..i + len]));
            i += len;
        }
        parts.push(Sketch::new()); // empty shards must be harmless
        while parts.len() > 1 {
            let a = parts.swap_remove(r.random_range(0..parts.len()));
            let j = r.random_range(0..parts.len());
            if r.random::<bool>() {
                parts[j] += &a;
            } else {
                let mut a = a;
                a.merge(&parts[j]);
                parts[j] = a;
            }
        }
        parts.pop().unwrap()
    }

    proptest! {
        #[test]
        fn prop_merge_is_order_free(
            v in prop::collection::vec(value_strategy(), 0..300),
            seed1: u64,
            seed2: u64,
        ) {
            let direct = sketch_of(&v);
            let a = merged_randomly(&v, seed1);
            let b = merged_randomly(&v, seed2);
            prop_assert_eq!(&a, &direct);
            prop_assert_eq!(&b, &direct);
            let ja = serde_json::to_string(&a).unwrap();
            prop_assert_eq!(&ja, &serde_json::to_string(&direct).unwrap());
            prop_assert_eq!(&ja, &serde_json::to_string(&b).unwrap());
            let back: Sketch = serde_json::from_str(&ja).unwrap();
            prop_assert_eq!(&back, &direct);
            for &q in &QS {
                prop_assert_eq!(
                    a.quantile(q).map(f64::to_bits),
                    direct.quantile(q).map(f64::to_bits)
                );
            }
        }

        #[test]
        fn prop_quantile_error(v in prop::collection::vec(value_strategy(), 1..300), q in 0.0f64..=1.0) {
            let s = sketch_of(&v);
            let finite: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
            prop_assume!(!finite.is_empty());
            let sv = sorted(&finite);
            let e = exact_quantile(&sv, q);
            let got = s.quantile(q).unwrap();
            if e.abs() >= ZERO_THRESHOLD {
                prop_assert!(got == e || (got - e).abs() <= RELATIVE_ERROR * e.abs(), "{} vs {}", got, e);
            } else {
                prop_assert!(got.abs() < ZERO_THRESHOLD);
            }
        }
    }
}
