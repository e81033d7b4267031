//! The normal truncated to [min, max], sampled by inverse CDF (the same law as resampling).

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Truncated normal
// ---------------------------------------------------------------------------------------

/// How the truncated standard normal on the working interval [a, b] is evaluated.
#[derive(Clone, Debug, PartialEq)]
enum TruncMode {
    /// Via Phi / 1-Phi (erfc). `pa = Phi(a)`, `pb = Phi(b)`, `qb = 1-Phi(b)`, `mass` = P(a<Z<b).
    Erfc {
        pa: f64,
        pb: f64,
        qb: f64,
        mass: f64,
    },
    /// Very narrow interval: integrate `g(t) = exp(-(t^2 - c^2)/2)` by Gauss-Legendre, avoiding
    /// the cancellation in `Phi(b) - Phi(a)`; `c` is the point of [a,b] closest to 0 and
    /// `dmass` the integral of g over [a, b].
    Narrow { c: f64, dmass: f64 },
}

/// Precomputed truncation of a normal distribution (also used, with infinite bounds, for the
/// untruncated normal). Built only by `Dist::normal`, so its fields are private.
///
/// Internally the interval is oriented so that it never lies entirely above 0 (an upper-tail
/// interval such as [mean+5sd, inf) is mirrored to (-inf, -5]), so every probability is
/// computed as a small lower-tail quantity with full relative accuracy.
#[derive(Clone, Debug, PartialEq)]
pub struct Truncation {
    /// Lower bound in x-space (-inf when absent).
    pub(super) lo: f64,
    /// Upper bound in x-space (+inf when absent).
    pub(super) hi: f64,
    /// Working standardized interval [a, b] (after mirroring when `flip`).
    pub(super) a: f64,
    pub(super) b: f64,
    /// True when z-space was mirrored (z_working = -z).
    pub(super) flip: bool,
    mode: TruncMode,
}

impl Truncation {
    /// Build for standardized bounds `za <= zb` (possibly infinite) and x-space bounds.
    pub(super) fn new(za: f64, zb: f64, lo: f64, hi: f64) -> Truncation {
        let flip = za > 0.0;
        let (a, b) = if flip { (-zb, -za) } else { (za, zb) };
        let width = b - a;
        let m = a.abs().max(b.abs());
        let mode = if width.is_finite() && width * (m + 1.0) <= 1.0 {
            let c = if b < 0.0 { b } else { 0.0_f64.max(a) };
            let g = move |t: f64| exp(-0.5 * (t - c) * (t + c));
            TruncMode::Narrow {
                c,
                dmass: gauss_legendre(a, b, g),
            }
        } else {
            let pa = std_normal_cdf(a);
            let pb = std_normal_cdf(b);
            let qb = std_normal_sf(b);
            let mass = if b <= 0.0 { pb - pa } else { 1.0 - pa - qb };
            TruncMode::Erfc { pa, pb, qb, mass }
        };
        Truncation {
            lo,
            hi,
            a,
            b,
            flip,
            mode,
        }
    }

    /// Probability P(a < Z < b) of the parent standard normal.
    pub(super) fn mass(&self) -> f64 {
        match self.mode {
            TruncMode::Erfc { mass, .. } => mass,
            TruncMode::Narrow { c, dmass } => dmass * std_normal_pdf(c),
        }
    }

    /// Working-orientation quantile; `u + v = 1` and the smaller of the two is exact.
    pub(super) fn work_quantile(&self, u: f64, v: f64) -> f64 {
        let z = match self.mode {
            TruncMode::Erfc { pa, pb, qb, mass } => {
                if u <= 0.5 {
                    std_normal_quantile((pa + u * mass).max(U_MIN))
                } else if self.b <= 0.0 {
                    std_normal_quantile((pb - v * mass).max(U_MIN))
                } else {
                    -std_normal_quantile((qb + v * mass).max(U_MIN))
                }
            }
            TruncMode::Narrow { c, dmass } => self.narrow_solve(c, dmass, u),
        };
        z.clamp(self.a, self.b)
    }

    /// Solve D(z) = u * dmass on the narrow interval by safeguarded Newton.
    pub(super) fn narrow_solve(&self, c: f64, dmass: f64, u: f64) -> f64 {
        let g = |t: f64| exp(-0.5 * (t - c) * (t + c));
        let (mut lo, mut hi) = (self.a, self.b);
        let target = u * dmass;
        let mut z = self.a + u * (self.b - self.a);
        for _ in 0..60 {
            let f = gauss_legendre(self.a, z, g) - target;
            if f == 0.0 {
                return z;
            }
            if f < 0.0 {
                lo = z;
            } else {
                hi = z;
            }
            let mut zn = z - f / g(z);
            if !(zn > lo && zn < hi) {
                zn = 0.5 * (lo + hi);
            }
            let done = (zn - z).abs() <= 1e-15 * (self.b - self.a) + 4.0 * f64::EPSILON * z.abs();
            z = zn;
            if done {
                break;
            }
        }
        z
    }

    /// Working-orientation CDF at working z.
    pub(super) fn work_cdf(&self, z: f64) -> f64 {
        if z <= self.a {
            return 0.0;
        }
        if z >= self.b {
            return 1.0;
        }
        let f = match self.mode {
            TruncMode::Erfc { pa, qb, mass, .. } => {
                if z <= 0.0 {
                    (std_normal_cdf(z) - pa) / mass
                } else {
                    1.0 - (std_normal_sf(z) - qb) / mass
                }
            }
            TruncMode::Narrow { c, dmass } => {
                gauss_legendre(self.a, z, |t| exp(-0.5 * (t - c) * (t + c))) / dmass
            }
        };
        f.clamp(0.0, 1.0)
    }

    /// Mean and variance of the standardized truncated normal in working orientation.
    pub(super) fn work_moments(&self) -> (f64, f64) {
        match self.mode {
            TruncMode::Erfc { mass, .. } => {
                let m = (std_normal_pdf(self.a) - std_normal_pdf(self.b)) / mass;
                let var = 1.0 + (x_pdf(self.a) - x_pdf(self.b)) / mass - m * m;
                (m, var.max(0.0))
            }
            TruncMode::Narrow { c, dmass } => {
                let g = |t: f64| exp(-0.5 * (t - c) * (t + c));
                let m = gauss_legendre(self.a, self.b, |t| t * g(t)) / dmass;
                let var = gauss_legendre(self.a, self.b, |t| (t - m) * (t - m) * g(t)) / dmass;
                (m, var.max(0.0))
            }
        }
    }

    /// Quantile in standardized (unmirrored) z-space.
    pub(super) fn z_quantile(&self, u: f64) -> f64 {
        let v = 1.0 - u;
        if self.flip {
            -self.work_quantile(v, u)
        } else {
            self.work_quantile(u, v)
        }
    }

    /// CDF in standardized (unmirrored) z-space.
    pub(super) fn z_cdf(&self, z: f64) -> f64 {
        if self.flip {
            1.0 - self.work_cdf(-z)
        } else {
            self.work_cdf(z)
        }
    }
}
