//! Beta and Beta-PERT: the regularized incomplete beta function and its inverse.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Beta
// ---------------------------------------------------------------------------------------

/// Continued fraction for the regularized incomplete beta (Numerical Recipes `betacf`,
/// modified Lentz). Converges fast for x < (a+1)/(a+b+2).
pub(super) fn beta_cf(x: f64, a: f64, b: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const MAX_ITER: usize = 2000;
    let qab = a + b;
    let qap = a + 1.0;
    let qam = a - 1.0;
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=MAX_ITER {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        if d.abs() < TINY {
            d = TINY;
        }
        c = 1.0 + aa / c;
        if c.abs() < TINY {
            c = TINY;
        }
        d = 1.0 / d;
        let del = d * c;
        h *= del;
        if (del - 1.0).abs() < 1e-15 {
            break;
        }
    }
    h
}

/// Regularized incomplete beta at x for shapes (a, b) with `lnb = ln B(a, b)`.
/// Returns `(p, q, dens)` with `p = I_x(a,b)`, `q = 1 - p` (the smaller of the two is computed
/// directly, so it has full relative accuracy) and `dens` the Beta(a,b) density at x.
pub(super) fn beta_eval(x: f64, a: f64, b: f64, lnb: f64) -> (f64, f64, f64) {
    if !(x > 0.0) {
        return (0.0, 1.0, 0.0);
    }
    if !(x < 1.0) {
        return (1.0, 0.0, 0.0);
    }
    let front = exp(a * log(x) + b * log1p(-x) - lnb);
    let dens = front / (x * (1.0 - x));
    if x < (a + 1.0) / (a + b + 2.0) {
        let p = (front * beta_cf(x, a, b) / a).min(1.0);
        (p, 1.0 - p, dens)
    } else {
        let q = (front * beta_cf(1.0 - x, b, a) / b).min(1.0);
        (1.0 - q, q, dens)
    }
}

/// Solve `I_w(a, b) = p` for w (intended for p <= 0.5, i.e. the lower half) by Newton's method
/// on `ln I(e^y) - ln p` in y = ln w, which is nearly linear in the tail, bracketed so it
/// cannot diverge. Starts from the tail asymptote `I_w ~ w^a / (a B(a,b))`.
pub(super) fn beta_solve_lower(p: f64, a: f64, b: f64, lnb: f64) -> f64 {
    let lnp = log(p);
    let mut y = ((lnp + log(a) + lnb) / a).min(-1e-3);
    let (mut lo, mut hi) = (-745.0_f64, 0.0_f64);
    let mut lo_seen = false;
    if y <= lo {
        return 0.0;
    }
    for _ in 0..300 {
        let w = exp(y);
        let (pw, _, dens) = beta_eval(w, a, b, lnb);
        let mut yn;
        if pw > 0.0 {
            let g = log(pw) - lnp;
            if g == 0.0 {
                return w;
            }
            if g < 0.0 {
                lo = y;
                lo_seen = true;
            } else {
                hi = y;
            }
            yn = y - g * pw / (w * dens);
        } else {
            lo = y;
            lo_seen = true;
            yn = f64::NAN;
        }
        if !(yn > lo && yn < hi) {
            yn = if lo_seen {
                0.5 * (lo + hi)
            } else {
                (2.0 * y - 1.0).max(lo)
            };
        }
        let step = (yn - y).abs();
        y = yn;
        if step <= 1e-13 * y.abs().max(1.0) || hi - lo <= 1e-15 * y.abs().max(1.0) {
            break;
        }
        if !lo_seen && y <= -744.0 {
            return 0.0;
        }
    }
    exp(y)
}

/// Beta-distributed quantity scaled to [min, max], shared by `Dist::Beta` and `Dist::Pert`.
/// Holds a quantile table (x and dx/du at u = i/N) behind an `Arc`, so cloning is cheap.
#[derive(Clone)]
pub struct BetaDist {
    pub(super) alpha: f64,
    pub(super) beta: f64,
    pub(super) min: f64,
    pub(super) max: f64,
    /// ln B(alpha, beta).
    pub(super) lnb: f64,
    /// Interleaved (x_i, dx/du at x_i) for i = 0..=N on the unit scale.
    pub(super) table: Arc<[f64]>,
    /// Per table interval: whether Hermite interpolation alone is accurate to
    /// [`BETA_TRUST`] there (checked against the exact CDF at build time).
    pub(super) trusted: Arc<[bool]>,
}

impl fmt::Debug for BetaDist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BetaDist")
            .field("alpha", &self.alpha)
            .field("beta", &self.beta)
            .field("min", &self.min)
            .field("max", &self.max)
            .finish_non_exhaustive()
    }
}

impl PartialEq for BetaDist {
    fn eq(&self, other: &Self) -> bool {
        // The table is a pure function of the parameters.
        self.alpha == other.alpha
            && self.beta == other.beta
            && self.min == other.min
            && self.max == other.max
    }
}

/// Cubic Hermite interpolation of the quantile table at `u` (interior intervals).
#[inline]
pub(super) fn hermite(t: &[f64], n: usize, u: f64) -> f64 {
    let s = u * n as f64;
    let i = (s as usize).min(n - 1);
    let (x0, d0, x1, d1) = (t[2 * i], t[2 * i + 1], t[2 * i + 2], t[2 * i + 3]);
    let h = 1.0 / n as f64;
    let tt = s - i as f64;
    let t2 = tt * tt;
    let t3 = t2 * tt;
    let x = (2.0 * t3 - 3.0 * t2 + 1.0) * x0
        + (t3 - 2.0 * t2 + tt) * h * d0
        + (3.0 * t2 - 2.0 * t3) * x1
        + (t3 - t2) * h * d1;
    x.clamp(x0.min(x1), x0.max(x1))
}

impl BetaDist {
    /// Build from validated shapes and bounds (alpha, beta > 0, min < max), computing the table.
    pub(super) fn new(alpha: f64, beta: f64, min: f64, max: f64) -> BetaDist {
        let lnb = lgamma(alpha) + lgamma(beta) - lgamma(alpha + beta);
        let n = BETA_TABLE_N;
        let mut table = vec![0.0; 2 * (n + 1)];
        table[2 * n] = 1.0;
        let mut prev = 0.0_f64;
        for i in 1..n {
            let u = i as f64 / n as f64;
            let x = if u <= 0.5 {
                beta_solve_lower(u, alpha, beta, lnb)
            } else {
                1.0 - beta_solve_lower(1.0 - u, beta, alpha, lnb)
            };
            let x = x.clamp(prev, 1.0);
            let (_, _, dens) = beta_eval(x, alpha, beta, lnb);
            let dxdu = 1.0 / dens;
            table[2 * i] = x;
            table[2 * i + 1] = if dxdu.is_finite() { dxdu } else { 0.0 };
            prev = x;
        }
        let table: Arc<[f64]> = table.into();
        // Speed: most draws land in intervals where the cubic Hermite interpolant of the
        // quantile function is already accurate to 1e-10 in probability; those skip the
        // Newton steps (each needs a continued-fraction evaluation of the beta CDF).
        let trusted: Arc<[bool]> = (0..n)
            .map(|i| {
                i > 0
                    && i < n - 1
                    && [0.25, 0.5, 0.75].iter().all(|&f| {
                        let u = (i as f64 + f) / n as f64;
                        let x = hermite(&table, n, u);
                        let p = beta_eval(x, alpha, beta, lnb).0;
                        (p - u).abs() <= BETA_TRUST
                    })
            })
            .collect();
        BetaDist {
            alpha,
            beta,
            min,
            max,
            lnb,
            table,
            trusted,
        }
    }

    /// Shape parameter alpha.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Shape parameter beta.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// Lower and upper bound of the support.
    pub fn bounds(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    /// Quantile on the unit interval.
    pub(super) fn unit_quantile(&self, u: f64) -> f64 {
        let (a, b, lnb) = (self.alpha, self.beta, self.lnb);
        let n = BETA_TABLE_N;
        let s = u * n as f64;
        let i = (s as usize).min(n - 1);
        let t = &self.table;
        if i == 0 {
            return beta_solve_lower(u, a, b, lnb).min(t[2]);
        }
        if i == n - 1 {
            let w = beta_solve_lower(1.0 - u, b, a, lnb);
            return (1.0 - w).max(t[2 * (n - 1)]);
        }
        let guess = hermite(t, n, u);
        if self.trusted[i] {
            return guess;
        }
        let (mut lo, mut hi) = (t[2 * i], t[2 * i + 2]);
        let mut x = guess.clamp(lo, hi);
        let v = 1.0 - u;
        for _ in 0..100 {
            let (p, q, dens) = beta_eval(x, a, b, lnb);
            let f = if p <= 0.5 { p - u } else { v - q };
            if f == 0.0 {
                return x;
            }
            if f < 0.0 {
                lo = x;
            } else {
                hi = x;
            }
            let dx = f / dens;
            let xn = x - dx;
            if xn > lo && xn < hi {
                x = xn;
                if dx.abs() <= 1e-8 * x.min(1.0 - x) {
                    return x;
                }
            } else {
                x = 0.5 * (lo + hi);
                if hi - lo <= 4.0 * f64::EPSILON * x {
                    return x;
                }
            }
        }
        x
    }

    /// Value at quantile u (already clamped).
    pub(super) fn quantile(&self, u: f64) -> f64 {
        let x = self.unit_quantile(u);
        (self.min + (self.max - self.min) * x).clamp(self.min, self.max)
    }

    pub(super) fn cdf(&self, x: f64) -> f64 {
        if x <= self.min {
            return 0.0;
        }
        if x >= self.max {
            return 1.0;
        }
        let t = (x - self.min) / (self.max - self.min);
        beta_eval(t, self.alpha, self.beta, self.lnb).0
    }

    pub(super) fn mean(&self) -> f64 {
        self.min + (self.max - self.min) * self.alpha / (self.alpha + self.beta)
    }

    pub(super) fn variance(&self) -> f64 {
        let (a, b) = (self.alpha, self.beta);
        let w = self.max - self.min;
        w * w * a * b / ((a + b) * (a + b) * (a + b + 1.0))
    }
}
