//! Exact, order-independent sums: [`ExactSum`] (fixed point in `i128`) and
//! [`Moments`] (count, sum, sum of squares).
//!
//! Owns: the fixed-point representation, its conversions to and from `f64`,
//! and its serialization. Must not: do I/O, use an RNG, or accumulate in
//! floating point across blocks. The only float arithmetic is in the
//! conversions at the edges and in the final `mean`/`variance` reporting.
//!
//! Intended use (see the module header in `mod.rs`): sum a block's values in
//! plain `f64` sequentially, convert the block total once with
//! [`ExactSum::from_f64`], and add the `ExactSum`s. Integer addition makes the
//! cross-block merge exactly associative and commutative.

use std::iter::Sum;
use std::ops::AddAssign;

use serde::{Deserialize, Serialize};

/// Number of fractional bits: the unit of the fixed-point sum is 2^-40 ≈ 9.1e-13.
pub const FRAC_BITS: i32 = 40;
/// 2^40, the fixed-point scale (an exact power of two, so scaling is exact).
const SCALE: f64 = (1u64 << FRAC_BITS) as f64;
/// 2^-40.
const INV_SCALE: f64 = 1.0 / SCALE;
/// 2^127: scaled magnitudes at or above this do not fit in an `i128`.
const LIMIT: f64 = i128::MAX as f64;

const POS_INF: u8 = 1;
const NEG_INF: u8 = 2;
const NAN: u8 = 4;

fn is_zero(v: &u8) -> bool {
    *v == 0
}

fn is_zero_i64(v: &i64) -> bool {
    *v == 0
}

/// An exact fixed-point sum: `fixed × 2^-40` in an `i128`.
///
/// Range: |total| < 2^127 × 2^-40 = 2^87 ≈ 1.5e26, plenty for 1e9 trials of
/// values up to 1e12 (1e21). Resolution 2^-40 ≈ 9.1e-13 (far below a cent).
///
/// Addition is *wrapping* integer addition, which is exactly associative and
/// commutative even if a partial sum transiently leaves the range: the final
/// result is correct whenever the final total is inside the range.
///
/// Non-finite inputs never panic. They are recorded in sticky flags (merged
/// with bitwise OR, so also order-free): `+inf` (and finite values whose
/// magnitude exceeds the range, i.e. |x| ≥ 2^87, with sign) set the `+inf`/
/// `-inf` flags; NaN sets the NaN flag. [`ExactSum::to_f64`] then reports
/// `+inf`, `-inf`, or NaN (NaN also if both infinities were seen).
///
/// Serialized as `{"fixed": "<decimal i128>"}` plus `"special": <flags>` only
/// when a flag is set (JSON cannot hold an `i128` as a number).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExactSum {
    #[serde(with = "super::serde_util::i128_str")]
    fixed: i128,
    #[serde(default, skip_serializing_if = "is_zero")]
    special: u8,
    /// Wraps of `fixed` past the `i128` range (the total is `carry × 2^128 + fixed`),
    /// so a total beyond ±2^87 is still exact instead of silently wrong. Zero, and not
    /// written, for every total inside the range.
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    carry: i64,
}

impl ExactSum {
    /// The empty sum (0).
    pub const ZERO: ExactSum = ExactSum {
        fixed: 0,
        special: 0,
        carry: 0,
    };

    /// Converts an `f64` to the nearest multiple of 2^-40 (ties to even).
    ///
    /// Exact steps: `x × 2^40` is exact (power-of-two scaling), rounding to an
    /// integer is exact in `f64`, and the cast to `i128` is exact in range.
    /// So the only error is the rounding to the 2^-40 grid (≤ 2^-41).
    /// Non-finite or out-of-range (|x| ≥ 2^87) inputs set a flag, see the type docs.
    pub fn from_f64(x: f64) -> ExactSum {
        if x.is_nan() {
            return ExactSum {
                special: NAN,
                ..ExactSum::ZERO
            };
        }
        let y = (x * SCALE).round_ties_even();
        if y.abs() >= LIMIT {
            let special = if y > 0.0 { POS_INF } else { NEG_INF };
            return ExactSum {
                special,
                ..ExactSum::ZERO
            };
        }
        ExactSum {
            fixed: y as i128,
            ..ExactSum::ZERO
        }
    }

    /// Builds a sum directly from its raw fixed-point integer (units of 2^-40).
    pub fn from_fixed(fixed: i128) -> ExactSum {
        ExactSum {
            fixed,
            ..ExactSum::ZERO
        }
    }

    /// The raw fixed-point integer (units of 2^-40). Meaningless if
    /// [`is_finite`](Self::is_finite) is false.
    pub fn fixed(&self) -> i128 {
        self.fixed
    }

    /// False once a NaN, an infinity, or an out-of-range value has been added.
    pub fn is_finite(&self) -> bool {
        self.special == 0
    }

    /// Adds `other` exactly (integer addition with the wraps counted in `carry`,
    /// flags OR-ed), so any order or grouping of additions gives bit-identical results
    /// and a total past the `i128` range is never silently wrong.
    pub fn add(&mut self, other: ExactSum) {
        let (fixed, wrapped) = self.fixed.overflowing_add(other.fixed);
        let wrap = match (wrapped, other.fixed > 0) {
            (false, _) => 0,
            (true, true) => 1,
            (true, false) => -1,
        };
        self.fixed = fixed;
        self.carry = self.carry.wrapping_add(other.carry).wrapping_add(wrap);
        self.special |= other.special;
    }

    /// The total as `f64`, correctly rounded: `i128 → f64` rounds to nearest
    /// (ties to even) and the scaling by 2^-40 is exact (no underflow possible).
    /// Returns ±inf / NaN if the corresponding flag is set.
    pub fn to_f64(&self) -> f64 {
        match self.special {
            0 if self.carry == 0 => self.fixed as f64 * INV_SCALE,
            0 => (self.carry as f64 * 2f64.powi(128) + self.fixed as f64) * INV_SCALE,
            POS_INF => f64::INFINITY,
            NEG_INF => f64::NEG_INFINITY,
            _ => f64::NAN,
        }
    }
}

impl AddAssign for ExactSum {
    fn add_assign(&mut self, rhs: ExactSum) {
        self.add(rhs);
    }
}

impl Sum for ExactSum {
    fn sum<I: Iterator<Item = ExactSum>>(iter: I) -> ExactSum {
        let mut s = ExactSum::ZERO;
        for x in iter {
            s.add(x);
        }
        s
    }
}

/// Count, exact sum and exact sum of squares: mean, variance and standard
/// error of the mean, mergeable in any order with bit-identical results.
///
/// Range note: squares of values up to ~1e6 are 1e12 each; 1e9 of them give
/// 1e21, well inside the ±1.5e26 range of [`ExactSum`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Moments {
    n: u64,
    sum: ExactSum,
    sum_sq: ExactSum,
}

impl Moments {
    /// Empty accumulator.
    pub fn new() -> Moments {
        Moments::default()
    }

    /// Adds one block: `n` values whose plain-`f64` sum is `sum` and sum of
    /// squares is `sum_sq` (accumulated sequentially inside the block). Each
    /// total is converted once with [`ExactSum::from_f64`], so merging blocks
    /// is exact.
    pub fn add_block(&mut self, n: u64, sum: f64, sum_sq: f64) {
        self.n += n;
        self.sum.add(ExactSum::from_f64(sum));
        self.sum_sq.add(ExactSum::from_f64(sum_sq));
    }

    /// Convenience: a block holding the single value `x`.
    pub fn add_value(&mut self, x: f64) {
        self.add_block(1, x, x * x);
    }

    /// Merges another accumulator exactly (order-free).
    pub fn merge(&mut self, other: &Moments) {
        self.n += other.n;
        self.sum.add(other.sum);
        self.sum_sq.add(other.sum_sq);
    }

    /// Number of values.
    pub fn n(&self) -> u64 {
        self.n
    }

    /// Exact sum of the values (as block totals were converted).
    pub fn sum(&self) -> ExactSum {
        self.sum
    }

    /// Exact sum of the squares (as block totals were converted).
    pub fn sum_sq(&self) -> ExactSum {
        self.sum_sq
    }

    /// Mean, `None` if empty.
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum.to_f64() / self.n as f64)
    }

    /// Sample variance (divisor n-1), `None` if n < 2. Computed in `f64` from
    /// the exact totals as `(sum_sq - sum²/n) / (n-1)`, clamped at 0 (the
    /// subtraction can cancel: absolute error ≈ 1e-16 × mean², so a variance
    /// tiny relative to mean² is only as good as that).
    pub fn variance(&self) -> Option<f64> {
        if self.n < 2 {
            return None;
        }
        let n = self.n as f64;
        let s = self.sum.to_f64();
        let s2 = self.sum_sq.to_f64();
        let v = (s2 - s * s / n) / (n - 1.0);
        // `max` would turn NaN into 0; keep NaN (from non-finite input) visible.
        Some(if v < 0.0 { 0.0 } else { v })
    }

    /// Standard error of the mean, sqrt(variance / n); `None` if n < 2.
    pub fn se(&self) -> Option<f64> {
        self.variance().map(|v| (v / self.n as f64).sqrt())
    }
}

impl AddAssign<&Moments> for Moments {
    fn add_assign(&mut self, rhs: &Moments) {
        self.merge(rhs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rand::rngs::StdRng;
    use rand::{RngExt, SeedableRng};

    fn shuffle(v: &mut [f64], rng: &mut StdRng) {
        for i in (1..v.len()).rev() {
            let j = rng.random_range(0..=i);
            v.swap(i, j);
        }
    }

    /// Sums values (converted individually) in a random order with random chunking.
    fn chunked_sum(vals: &[f64], seed: u64) -> ExactSum {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut v = vals.to_vec();
        shuffle(&mut v, &mut rng);
        let mut partials = Vec::new();
        let mut i = 0;
        while i < v.len() {
            let len = rng.random_range(1..=v.len() - i);
            partials.push(v[i..i + len].iter().map(|&x| ExactSum::from_f64(x)).sum());
            i += len;
        }
        // merge partials in reverse, pairwise
        while partials.len() > 1 {
            let a = partials.pop().unwrap();
            let b = partials.pop().unwrap();
            let mut c: ExactSum = b;
            c += a;
            partials.insert(0, c);
        }
        partials.pop().unwrap_or_default()
    }

    #[test]
    fn any_order_and_chunking_is_bit_identical() {
        let mut rng = StdRng::seed_from_u64(7);
        let vals: Vec<f64> = (0..20_000)
            .map(|_| {
                let mag = 10f64.powf(rng.random_range(-6.0..12.0));
                if rng.random::<bool>() {
                    mag
                } else {
                    -mag
                }
            })
            .collect();
        let reference = chunked_sum(&vals, 0);
        for seed in 1..20 {
            let s = chunked_sum(&vals, seed);
            assert_eq!(s, reference);
            assert_eq!(s.to_f64().to_bits(), reference.to_f64().to_bits());
        }
        // Sanity: plain f64 summation of the same data does depend on order
        // (this is what ExactSum protects against).
        let mut v2 = vals.clone();
        shuffle(&mut v2, &mut rng);
        let a: f64 = vals.iter().sum();
        let b: f64 = v2.iter().sum();
        assert_ne!(a.to_bits(), b.to_bits(), "f64 sum unexpectedly order-free");
    }

    #[test]
    fn tenth_ten_million_times() {
        let tenth = ExactSum::from_f64(0.1);
        let mut s = ExactSum::ZERO;
        for _ in 0..10_000_000 {
            s += tenth;
        }
        let r = s.to_f64();
        // per-add grid error <= 2^-41 ≈ 4.5e-13, times 1e7 ≈ 4.5e-6
        assert!((r - 1e6).abs() < 1e-5, "{r}");
    }

    #[test]
    fn rounding_and_exactness() {
        let unit = 2f64.powi(-40);
        assert_eq!(ExactSum::from_f64(unit).fixed(), 1);
        assert_eq!(ExactSum::from_f64(0.5 * unit).fixed(), 0); // tie -> even
        assert_eq!(ExactSum::from_f64(1.5 * unit).fixed(), 2); // tie -> even
        assert_eq!(ExactSum::from_f64(-1.5 * unit).fixed(), -2);
        assert_eq!(ExactSum::from_f64(0.6 * unit).fixed(), 1);
        for &x in &[0.0, 1.0, -1.0, 0.25, 123456.75, -1e20, 1e25, 3.0 * unit] {
            assert_eq!(ExactSum::from_f64(x).to_f64(), x, "{x}");
        }
        // i128 -> f64 correctly rounded
        let s = ExactSum::from_fixed((1i128 << 100) + 1);
        assert_eq!(s.to_f64(), 2f64.powi(60));
    }

    #[test]
    fn transient_overflow_is_harmless() {
        let a = ExactSum::from_f64(1e26);
        let b = ExactSum::from_f64(-1e26);
        let orders = [[a, a, b], [a, b, a], [b, a, a]];
        let sums: Vec<ExactSum> = orders.iter().map(|o| o.iter().copied().sum()).collect();
        assert!(sums.iter().all(|s| *s == sums[0]));
        assert_eq!(sums[0].to_f64(), 1e26);
        assert!(sums[0].is_finite());
    }

    #[test]
    fn non_finite_inputs() {
        assert_eq!(ExactSum::from_f64(f64::INFINITY).to_f64(), f64::INFINITY);
        assert_eq!(
            ExactSum::from_f64(f64::NEG_INFINITY).to_f64(),
            f64::NEG_INFINITY
        );
        assert!(ExactSum::from_f64(f64::NAN).to_f64().is_nan());
        assert_eq!(ExactSum::from_f64(1e30).to_f64(), f64::INFINITY);
        assert_eq!(ExactSum::from_f64(-f64::MAX).to_f64(), f64::NEG_INFINITY);
        let mut s = ExactSum::from_f64(5.0);
        s += ExactSum::from_f64(f64::INFINITY);
        s += ExactSum::from_f64(1.0);
        assert_eq!(s.to_f64(), f64::INFINITY);
        assert!(!s.is_finite());
        s += ExactSum::from_f64(f64::NEG_INFINITY);
        assert!(s.to_f64().is_nan());
    }

    #[test]
    fn serde_round_trip() {
        for s in [
            ExactSum::ZERO,
            ExactSum::from_f64(1234.5678),
            ExactSum::from_fixed(i128::MAX),
            ExactSum::from_fixed(i128::MIN),
            ExactSum::from_f64(f64::NAN),
        ] {
            let j = serde_json::to_string(&s).unwrap();
            let back: ExactSum = serde_json::from_str(&j).unwrap();
            assert_eq!(back, s, "{j}");
        }
        let j = serde_json::to_string(&ExactSum::from_fixed(i128::MIN)).unwrap();
        assert_eq!(j, r#"{"fixed":"-170141183460469231731687303715884105728"}"#);
        assert!(serde_json::from_str::<ExactSum>(r#"{"fixed":"12x"}"#).is_err());

        let mut m = Moments::new();
        m.add_block(3, 6.0, 14.0);
        let back: Moments = serde_json::from_str(&serde_json::to_string(&m).unwrap()).unwrap();
        assert_eq!(back, m);
    }

    #[test]
    fn moments_match_two_pass() {
        let mut rng = StdRng::seed_from_u64(3);
        let vals: Vec<f64> = (0..100_000)
            .map(|_| rng.random_range(-50.0..250.0))
            .collect();
        let n = vals.len() as f64;
        let mean = vals.iter().sum::<f64>() / n;
        let var = vals.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);

        // blocks of 1000, merged in two different orders
        let blocks: Vec<Moments> = vals
            .chunks(1000)
            .map(|c| {
                let mut m = Moments::new();
                m.add_block(
                    c.len() as u64,
                    c.iter().sum(),
                    c.iter().map(|x| x * x).sum(),
                );
                m
            })
            .collect();
        let mut fwd = Moments::new();
        blocks.iter().for_each(|b| fwd += b);
        let mut rev = Moments::new();
        blocks.iter().rev().for_each(|b| rev.merge(b));
        assert_eq!(fwd, rev);
        assert_eq!(fwd.n(), 100_000);
        assert!((fwd.mean().unwrap() - mean).abs() < 1e-9 * mean.abs());
        assert!((fwd.variance().unwrap() - var).abs() < 1e-9 * var);
        let se = (var / n).sqrt();
        assert!((fwd.se().unwrap() - se).abs() < 1e-9 * se);
    }

    #[test]
    fn moments_edge_cases() {
        let mut m = Moments::new();
        assert_eq!(m.mean(), None);
        assert_eq!(m.variance(), None);
        m.add_value(1e6 + 0.1);
        assert_eq!(m.mean(), Some(1e6 + 0.1));
        assert_eq!(m.variance(), None);
        for _ in 0..999 {
            m.add_value(1e6 + 0.1);
        }
        let v = m.variance().unwrap();
        assert!((0.0..1e-3).contains(&v), "{v}"); // constant data: ~0, never negative
    }

    proptest! {
        #[test]
        fn prop_order_free(vals in prop::collection::vec(-1e15f64..1e15, 0..200), seed: u64) {
            let a = chunked_sum(&vals, seed);
            let b: ExactSum = vals.iter().map(|&x| ExactSum::from_f64(x)).sum();
            prop_assert_eq!(a, b);
            prop_assert_eq!(serde_json::to_string(&a).unwrap(), serde_json::to_string(&b).unwrap());
        }
    }

    #[test]
    fn sums_past_the_i128_range_are_not_silently_wrong() {
        let big = ExactSum::from_fixed(i128::MAX);
        let mut up = ExactSum::ZERO;
        for _ in 0..4 {
            up.add(big);
        }
        let want = 4.0 * i128::MAX as f64 * INV_SCALE;
        assert_eq!(up.to_f64(), want);
        // Back into range: exact again, whatever the order.
        let mut down = up;
        for _ in 0..4 {
            down.add(ExactSum::from_fixed(-i128::MAX));
        }
        assert_eq!(down, ExactSum::ZERO);
        let mut neg = ExactSum::ZERO;
        for _ in 0..3 {
            neg.add(ExactSum::from_fixed(i128::MIN));
        }
        assert_eq!(neg.to_f64(), 3.0 * i128::MIN as f64 * INV_SCALE);
    }
}
