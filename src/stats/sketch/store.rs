//! The sketch's storage: the aligned octaves of integer bucket counts, and the
//! non-empty buckets as query cells.

#[allow(unused_imports)]
use super::*;

/// Counts over the contiguous key range `[offset, offset + len)`.
///
/// Each count is split into its low 16 bits (`low`, the array every insert touches) and
/// the rest (`high`, touched once per 65,536 inserts into a bucket, and held only from
/// the lowest to the highest bucket that ever carried: the dense middle of the values). Speed
/// and memory: the hot array is a quarter of full `u64` counts, so a worker's sketches
/// stay in cache, and memory stays about two bytes per bucket however many values come.
/// Files keep whole `u64` counts.
///
/// Canonical form (so that `==` means "same data"): empty is `offset = 0` and no
/// buckets; otherwise the range is exactly the aligned octaves from the lowest to the
/// highest non-empty key's octave. Growing only at octave granularity also bounds the
/// cost of growing downwards (a copy happens at most once per new octave).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(try_from = "StoreRepr", into = "StoreRepr")]
pub(super) struct Store {
    pub(super) offset: u32,
    low: Vec<u16>,
    /// `count >> 16` of the buckets `high_at..high_at + high.len()` (indices into `low`);
    /// empty until a count first reaches 65,536, and 0 outside that range.
    high_at: usize,
    high: Vec<u64>,
}

/// A store as files hold it: whole counts.
#[derive(Serialize, Deserialize)]
pub(super) struct StoreRepr {
    pub(super) offset: u32,
    pub(super) counts: Vec<u64>,
}

impl From<Store> for StoreRepr {
    fn from(s: Store) -> StoreRepr {
        StoreRepr {
            offset: s.offset,
            counts: s.counts().collect(),
        }
    }
}

impl PartialEq for Store {
    fn eq(&self, o: &Store) -> bool {
        self.offset == o.offset && self.low.len() == o.low.len() && self.counts().eq(o.counts())
    }
}

impl Eq for Store {}

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
        let mut s = Store {
            offset: r.offset,
            low: vec![0; r.counts.len()],
            high_at: 0,
            high: Vec::new(),
        };
        for (i, &c) in r.counts.iter().enumerate() {
            s.add_at(i, c);
        }
        Ok(s)
    }
}

impl Store {
    /// Hot path: one subtraction, a bounds-checked 16-bit add and a rarely taken carry.
    #[inline(always)]
    pub(super) fn add(&mut self, key: u32, n: u64) {
        let i = key.wrapping_sub(self.offset) as usize;
        if i < self.low.len() {
            self.add_at(i, n);
        } else {
            self.add_cold(key, n);
        }
    }

    #[inline(always)]
    fn add_at(&mut self, i: usize, n: u64) {
        let t = self.low[i] as u64 + n;
        self.low[i] = t as u16;
        if t > u16::MAX as u64 {
            self.carry(i, t >> 16);
        }
    }

    #[cold]
    #[inline(never)]
    fn carry(&mut self, i: usize, carries: u64) {
        if self.high.is_empty() {
            self.high_at = i;
        } else if i < self.high_at {
            self.high
                .splice(0..0, std::iter::repeat_n(0, self.high_at - i));
            self.high_at = i;
        }
        let j = i - self.high_at;
        if j >= self.high.len() {
            self.high.resize(j + 1, 0);
        }
        self.high[j] += carries;
    }

    #[cold]
    #[inline(never)]
    pub(super) fn add_cold(&mut self, key: u32, n: u64) {
        self.cover(key, key);
        self.add_at((key - self.offset) as usize, n);
    }

    /// The count of every bucket, from `offset` up.
    fn counts(&self) -> impl DoubleEndedIterator<Item = u64> + ExactSizeIterator + '_ {
        (0..self.low.len()).map(|i| self.count_at(i))
    }

    pub(super) fn end(&self) -> u32 {
        self.offset + self.low.len() as u32
    }

    /// Grows (in whole aligned octaves) so keys `lo..=hi` are inside.
    pub(super) fn cover(&mut self, lo: u32, hi: u32) {
        let mut new_lo = lo / OCTAVE * OCTAVE;
        let mut new_end = (hi / OCTAVE + 1) * OCTAVE;
        if !self.low.is_empty() {
            if new_lo >= self.offset && new_end <= self.end() {
                return;
            }
            new_lo = new_lo.min(self.offset);
            new_end = new_end.max(self.end());
        }
        let len = (new_end - new_lo) as usize;
        let at = (self.offset.max(new_lo) - new_lo) as usize;
        let mut low = vec![0; len];
        low[at..at + self.low.len()].copy_from_slice(&self.low);
        self.low = low;
        self.high_at += at;
        self.offset = new_lo;
    }

    pub(super) fn merge(&mut self, other: &Store) {
        if other.low.is_empty() {
            return;
        }
        self.cover(other.offset, other.end() - 1);
        let s = (other.offset - self.offset) as usize;
        for (i, c) in other.counts().enumerate() {
            if c != 0 {
                self.add_at(s + i, c);
            }
        }
    }

    /// Non-empty `(key, count)` pairs in ascending key order.
    pub(super) fn iter(&self) -> impl DoubleEndedIterator<Item = (u32, u64)> + '_ {
        let off = self.offset;
        self.counts()
            .enumerate()
            .filter(|(_, c)| *c > 0)
            .map(move |(i, c)| (off + i as u32, c))
    }

    /// Sum of counts (saturating: edited counts must not wrap to a plausible total).
    pub(super) fn total(&self) -> u64 {
        self.sum(0..self.low.len())
    }

    /// Sum of the counts of buckets `r` (indices from `offset`), saturating.
    fn sum(&self, r: std::ops::Range<usize>) -> u64 {
        let low: u64 = self.low[r.clone()].iter().map(|&c| u64::from(c)).sum();
        let (a, b) = (
            r.start.max(self.high_at),
            r.end.min(self.high_at + self.high.len()),
        );
        let high = if a < b {
            let h = &self.high[a - self.high_at..b - self.high_at];
            h.iter().fold(0u64, |s, &c| s.saturating_add(c))
        } else {
            0
        };
        if high > u64::MAX >> 16 {
            u64::MAX
        } else {
            (high << 16).saturating_add(low)
        }
    }

    /// The count of bucket `i` (index from `offset`).
    fn count_at(&self, i: usize) -> u64 {
        let high = i.checked_sub(self.high_at).and_then(|j| self.high.get(j));
        high.map_or(0, |h| h << 16) | u64::from(self.low[i])
    }

    /// The bucket `(key, count)` holding the `k`-th value (1-based) counted from the
    /// lowest key (`from_top`: from the highest), or `Err(k - total)` when the store
    /// holds fewer than `k`. Speed: sums whole runs of buckets, and looks inside only the
    /// run where the k-th value lies (the quantile queries of a run's summary).
    pub(super) fn kth(&self, k: u64, from_top: bool) -> Result<(u32, u64), u64> {
        const RUN: usize = 64;
        let len = self.low.len();
        let mut left = k;
        let mut runs = (0..len.div_ceil(RUN)).map(|j| j * RUN..((j + 1) * RUN).min(len));
        let look = |r: std::ops::Range<usize>, left: &mut u64| {
            let total = self.sum(r.clone());
            if total < *left {
                *left -= total;
                return None;
            }
            let mut find = |i: usize| {
                let c = self.count_at(i);
                if c >= *left {
                    return true;
                }
                *left -= c;
                false
            };
            let i = if from_top {
                r.rev().find(|&i| find(i))
            } else {
                r.clone().find(|&i| find(i))
            };
            i.map(|i| (self.offset + i as u32, self.count_at(i)))
        };
        let found = if from_top {
            runs.rev().find_map(|r| look(r, &mut left))
        } else {
            runs.find_map(|r| look(r, &mut left))
        };
        found.ok_or(left)
    }

    pub(super) fn first_key(&self) -> Option<u32> {
        self.iter().next().map(|(k, _)| k)
    }

    pub(super) fn last_key(&self) -> Option<u32> {
        self.iter().next_back().map(|(k, _)| k)
    }

    /// Sum of counts with key <= `key`.
    pub(super) fn count_le(&self, key: u32) -> u64 {
        if key < self.offset {
            return 0;
        }
        let end = ((key - self.offset) as usize + 1).min(self.low.len());
        self.sum(0..end)
    }

    /// Sum of counts with key >= `key`.
    pub(super) fn count_ge(&self, key: u32) -> u64 {
        let start = (key.saturating_sub(self.offset) as usize).min(self.low.len());
        self.sum(start..self.low.len())
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.low.capacity() * std::mem::size_of::<u16>()
            + self.high.capacity() * std::mem::size_of::<u64>()
    }
}

/// One non-empty bucket as seen by queries: value interval, midpoint, count.
#[derive(Clone, Copy, Debug)]
pub(super) struct Cell {
    pub(super) lo: f64,
    pub(super) hi: f64,
    pub(super) mid: f64,
    pub(super) count: u64,
}

impl Cell {
    pub(super) fn of_magnitude(key: u32, count: u64, negative: bool) -> Cell {
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

    pub(super) fn point(v: f64, count: u64) -> Cell {
        Cell {
            lo: v,
            hi: v,
            mid: v,
            count,
        }
    }
}
