//! The duty stack of docs/model.md: which measures apply, what replaces what, and floors.

use super::plan::{static_mask, Plan, RegimePlan};

impl Plan {
    /// The measures of `regime` that apply to goods filed from `origin` claiming the
    /// agreements in `claims` (a bit per agreement) when every measure is in force, with
    /// the stacked ad valorem rate (floors applied) and the specific duty per unit. Used
    /// by `check` to print duty stacks.
    pub fn duty_stack(&self, regime: usize, origin: &str, claims: u64) -> (Vec<&str>, f64, f64) {
        let g = &self.scenario.regimes[regime];
        let hs = self.scenario.goods.hs.as_deref();
        let mask = static_mask(g, origin, hs, false);
        let rp = &self.regimes[regime];
        let kept = kept(rp, mask, u128::MAX, claims);
        let (rate, per_unit) = rate(rp, kept);
        let names = (0..g.measures.len())
            .filter(|&i| kept & (1u128 << i) != 0)
            .map(|i| g.measures[i].name.as_str())
            .collect();
        (names, rate, per_unit)
    }
}

/// The measures that apply: statically possible, in force, not waived by a claimed
/// agreement, and not replaced by another applicable measure.
#[inline]
pub(super) fn kept(rp: &RegimePlan, static_mask: u128, in_force: u128, claims: u64) -> u128 {
    let mut active = static_mask & in_force;
    if claims != 0 {
        let mut bits = active;
        while bits != 0 {
            let i = bits.trailing_zeros() as usize;
            bits &= bits - 1;
            if rp.measures[i].waived_by & claims != 0 {
                active &= !(1u128 << i);
            }
        }
    }
    let mut replaced = 0u128;
    let mut bits = active;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        replaced |= rp.measures[i].replaces;
    }
    active & !replaced
}

/// The ad valorem rate (sum of the kept measures, each floor raising the sum of its
/// `floor_over` measures to at least the floor) and the specific duty per unit.
///
/// Several floors each top up their own sum independently; the top-ups add.
#[inline]
pub(super) fn rate(rp: &RegimePlan, kept: u128) -> (f64, f64) {
    let mut rate = 0.0;
    let mut per_unit = 0.0;
    let mut bits = kept;
    while bits != 0 {
        let i = bits.trailing_zeros() as usize;
        bits &= bits - 1;
        rate += rp.measures[i].ad_valorem;
        per_unit += rp.measures[i].per_unit;
    }
    let mut floors = kept & rp.floors;
    let base = rate;
    while floors != 0 {
        let f = floors.trailing_zeros() as usize;
        floors &= floors - 1;
        let m = &rp.measures[f];
        let covered = kept & m.floor_over;
        let sum = if covered == kept {
            base
        } else {
            let mut s = 0.0;
            let mut b = covered;
            while b != 0 {
                let i = b.trailing_zeros() as usize;
                b &= b - 1;
                s += rp.measures[i].ad_valorem;
            }
            s
        };
        if sum < m.floor {
            rate += m.floor - sum;
        }
    }
    (rate, per_unit)
}
