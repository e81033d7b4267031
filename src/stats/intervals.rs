//! Confidence intervals of the reported statistics: a value with its 95% bounds, the
//! normal interval of a mean from its standard error, the Wilson interval of a share and
//! the Welch interval of a difference of two group means.
//!
//! Pure arithmetic on numbers the caller hands in: nothing of the crate is imported
//! (see the module header of `stats`), so the definitions of every interval the outputs
//! report live here, once.

/// z for two-sided 95% confidence intervals.
pub const Z95: f64 = 1.959_963_984_540_054;

/// A statistic with its 95% Monte Carlo confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Est {
    /// The estimate.
    pub value: f64,
    /// Lower bound.
    pub lo: f64,
    /// Upper bound.
    pub hi: f64,
}

impl Est {
    /// Not available: every field NaN (an empty cell; written as empty fields).
    pub const NAN: Est = Est {
        value: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
    };

    /// `value ± Z95·se`: the normal interval of a mean (or a difference of means) from
    /// its standard error.
    pub fn normal(value: f64, se: f64) -> Est {
        Est {
            value,
            lo: value - Z95 * se,
            hi: value + Z95 * se,
        }
    }
}

/// A Wilson score interval for `k` successes in `n` trials (well behaved at 0 and 1,
/// where the normal interval collapses); NaN for `n = 0`.
pub fn wilson(k: u64, n: u64) -> Est {
    if n == 0 {
        return Est::NAN;
    }
    let (k, n) = (k as f64, n as f64);
    let p = k / n;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = Z95 * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Est {
        value: p,
        lo: (centre - half).max(0.0),
        hi: (centre + half).min(1.0),
    }
}

/// The mean of a group and the variance of that mean, from its count, sum and sum of
/// squares; `None` for an empty group (a single value has variance 0).
pub fn group_mean(n: f64, sum: f64, sum_sq: f64) -> Option<(f64, f64)> {
    if n < 1.0 {
        return None;
    }
    let m = sum / n;
    let var = if n > 1.0 {
        ((sum_sq - n * m * m) / (n - 1.0)).max(0.0)
    } else {
        0.0
    };
    Some((m, var / n))
}

/// The difference of two group means `top − bottom`, each given as (mean, variance of
/// the mean), with Welch's normal interval; NaN when a group is missing.
pub fn welch_diff(top: Option<(f64, f64)>, bottom: Option<(f64, f64)>) -> Est {
    match (top, bottom) {
        (Some((mt, vt)), Some((mb, vb))) => Est::normal(mt - mb, (vt + vb).sqrt()),
        _ => Est::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wilson_stays_inside_zero_and_one() {
        let e = wilson(0, 10);
        assert_eq!(e.value, 0.0);
        assert!(e.lo >= 0.0 && e.lo < 0.01);
        assert!(e.hi > 0.0 && e.hi < 1.0);
        let e = wilson(10, 10);
        assert_eq!(e.value, 1.0);
        assert!(e.hi > 0.99 && e.hi <= 1.0 && e.lo < 1.0);
        assert!(wilson(3, 0).value.is_nan());
    }

    #[test]
    fn welch_of_two_groups() {
        let top = group_mean(4.0, 40.0, 400.0);
        let bottom = group_mean(4.0, 8.0, 16.0);
        let d = welch_diff(top, bottom);
        assert_eq!((d.value, d.lo, d.hi), (8.0, 8.0, 8.0));
        assert!(welch_diff(None, bottom).value.is_nan());
        assert_eq!(group_mean(1.0, 3.0, 9.0), Some((3.0, 0.0)));
    }
}
