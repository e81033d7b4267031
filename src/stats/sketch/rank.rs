//! Mid-rank lookups against a sketch: the empirical CDF a second pass over the same
//! trials uses to turn a value into its rank.

use super::{key_lo, key_of, Sketch, ZERO_THRESHOLD};

/// Mid-rank CDF lookup built from a sketch: F(x) = (count below x's bucket + half of its
/// bucket) / n, at the sketch's bucket resolution. Ranks the values the sketch was built
/// from in constant time (a direct index by bucket key, checked against the bucket
/// edges); any other value by binary search, with the same answer.
pub struct RankTable {
    /// Upper edge of each non-empty bucket, ascending.
    upper: Vec<f64>,
    /// Mid-rank of each non-empty bucket.
    mid: Vec<f64>,
    /// First positive key indexed.
    first_key: u32,
    /// Per positive key from `first_key`: the first bucket whose upper edge is at or
    /// above the key's lower edge.
    index: Vec<u32>,
}

impl RankTable {
    /// The table of a sketch.
    pub fn new(s: &Sketch) -> Self {
        let n = s.count().max(1) as f64;
        let (mut upper, mut mid) = (Vec::new(), Vec::new());
        let mut below = 0u64;
        for (_, hi, k) in s.buckets() {
            upper.push(hi);
            mid.push((below as f64 + 0.5 * k as f64) / n);
            below += k;
        }
        let (first_key, end_key) = (s.pos.offset, s.pos.end());
        let mut index = Vec::with_capacity((end_key - first_key) as usize);
        let mut i = 0usize;
        for key in first_key..end_key {
            let lo = key_lo(key);
            while i < upper.len() && upper[i] < lo {
                i += 1;
            }
            index.push(i as u32);
        }
        RankTable {
            upper,
            mid,
            first_key,
            index,
        }
    }

    /// The mid-rank of `x`, in (0, 1).
    #[inline]
    pub fn rank(&self, x: f64) -> f64 {
        let i = self
            .fast_position(x)
            .unwrap_or_else(|| self.upper.partition_point(|&h| h < x));
        let i = i.min(self.mid.len().saturating_sub(1));
        self.mid.get(i).copied().unwrap_or(0.5)
    }

    /// `upper.partition_point(|&h| h < x)` for a positive value in the indexed keys.
    #[inline]
    fn fast_position(&self, x: f64) -> Option<usize> {
        if !(ZERO_THRESHOLD..f64::INFINITY).contains(&x) {
            return None;
        }
        let slot = key_of(x).checked_sub(self.first_key)?;
        let mut i = *self.index.get(slot as usize)? as usize;
        // Every upper edge below x's bucket's lower edge is before `i`; at most the
        // edges inside x's bucket (its lower edge itself) are skipped here.
        while i < self.upper.len() && self.upper[i] < x {
            i += 1;
        }
        Some(i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The direct index gives the binary search's answer for every value, inserted or
    /// not, on bucket edges and between them, of either sign.
    #[test]
    fn fast_rank_equals_binary_search() {
        let mut s = Sketch::new();
        let values: Vec<f64> = (0..5000)
            .map(|i| {
                let x = 1.0 + (i as f64 * 0.37).sin().abs() * 300.0;
                if i % 7 == 0 {
                    -x
                } else if i % 11 == 0 {
                    0.0
                } else {
                    x
                }
            })
            .chain([64.0, 128.0, 100.0, 1e-7, f64::INFINITY])
            .collect();
        for &x in &values {
            s.insert(x);
        }
        let t = RankTable::new(&s);
        let slow = |x: f64| {
            let i = t.upper.partition_point(|&h| h < x).min(t.mid.len() - 1);
            t.mid[i]
        };
        let probes = values
            .iter()
            .copied()
            .chain((0..20_000).map(|i| -400.0 + i as f64 * 0.0417));
        for x in probes.chain([key_lo(key_of(64.0) + 1), 0.5, 1e9, f64::NAN]) {
            assert_eq!(t.rank(x).to_bits(), slow(x).to_bits(), "x = {x}");
        }
    }
}
