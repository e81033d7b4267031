//! The standard normal: quantile, CDF and density from the pure-Rust `libm`, and the
//! Gauss-Legendre quadrature the truncated kinds use for moments.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Standard normal
// ---------------------------------------------------------------------------------------

/// Standard normal quantile (inverse CDF), Wichura's AS241 (PPND16), ~1e-16 relative
/// accuracy; returns -inf / +inf at p = 0 / 1 and NaN outside [0, 1].
#[allow(clippy::excessive_precision)]
pub fn std_normal_quantile(p: f64) -> f64 {
    if p.is_nan() || !(0.0..=1.0).contains(&p) {
        return f64::NAN;
    }
    if p == 0.0 {
        return f64::NEG_INFINITY;
    }
    if p == 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        return central_quantile(q);
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = (-log(tail)).sqrt();
    let val = if r <= 5.0 {
        r -= 1.6;
        let num = ((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r
            + 2.41780725177450611770e-1)
            * r
            + 1.27045825245236838258e+0)
            * r
            + 3.64784832476320460504e+0)
            * r
            + 5.76949722146069140550e+0)
            * r
            + 4.63033784615654529590e+0)
            * r
            + 1.42343711074968357734e+0;
        let den = ((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r
            + 1.51986665636164571966e-2)
            * r
            + 1.48103976427480074590e-1)
            * r
            + 6.89767334985100004550e-1)
            * r
            + 1.67638483018380384940e+0)
            * r
            + 2.05319162663775882187e+0)
            * r
            + 1.0;
        num / den
    } else {
        r -= 5.0;
        let num = ((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r
            + 1.24266094738807843860e-3)
            * r
            + 2.65321895265761230930e-2)
            * r
            + 2.96560571828504891230e-1)
            * r
            + 1.78482653991729133580e+0)
            * r
            + 5.46378491116411436990e+0)
            * r
            + 6.65790464350110377720e+0;
        let den = ((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r
            + 1.84631831751005468180e-5)
            * r
            + 7.86869131145613259100e-4)
            * r
            + 1.48753612908506148525e-2)
            * r
            + 1.36929880922735805310e-1)
            * r
            + 5.99832206555887937690e-1)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 {
        -val
    } else {
        val
    }
}

#[allow(clippy::excessive_precision)]
/// AS241's central rational approximation, the standard normal quantile at
/// `p = q + 0.5` for `|q| <= 0.425` (85% of draws): shared by [`std_normal_quantile`]
/// and its slice form, which evaluates it without branches.
#[inline(always)]
pub(super) fn central_quantile(q: f64) -> f64 {
    let r = 0.180625 - q * q;
    let num = ((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r
        + 6.7265770927008700853e+4)
        * r
        + 4.5921953931549871457e+4)
        * r
        + 1.3731693765509461125e+4)
        * r
        + 1.9715909503065514427e+3)
        * r
        + 1.3314166789178437745e+2)
        * r
        + 3.3871328727963666080e+0;
    let den = ((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r
        + 3.9307895800092710610e+4)
        * r
        + 2.1213794301586595867e+4)
        * r
        + 5.3941960214247511077e+3)
        * r
        + 6.8718700749205790830e+2)
        * r
        + 4.2313330701600911252e+1)
        * r
        + 1.0;
    q * num / den
}

/// Standard normal CDF, computed as `0.5 * erfc(-x / sqrt 2)` with `libm::erfc` so the
/// lower tail keeps full relative accuracy.
pub fn std_normal_cdf(x: f64) -> f64 {
    0.5 * erfc(-x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Upper tail 1 - Phi(x), accurate in relative terms for large x.
pub(super) fn std_normal_sf(x: f64) -> f64 {
    0.5 * erfc(x * std::f64::consts::FRAC_1_SQRT_2)
}

/// Standard normal density; 0 at +-inf.
pub(super) fn std_normal_pdf(x: f64) -> f64 {
    if x.is_finite() {
        exp(-0.5 * x * x) * FRAC_1_SQRT_2PI
    } else {
        0.0
    }
}

/// `x * pdf(x)`, defined as 0 at +-inf.
pub(super) fn x_pdf(x: f64) -> f64 {
    if x.is_finite() {
        x * std_normal_pdf(x)
    } else {
        0.0
    }
}

/// 10-point Gauss-Legendre rule on [lo, hi] (exact for polynomials of degree <= 19).
#[allow(clippy::excessive_precision)]
pub(super) fn gauss_legendre(lo: f64, hi: f64, f: impl Fn(f64) -> f64) -> f64 {
    const NODES: [f64; 5] = [
        0.148_874_338_981_631_2,
        0.433_395_394_129_247_2,
        0.679_409_568_299_024_4,
        0.865_063_366_688_984_5,
        0.973_906_528_517_171_7,
    ];
    const WEIGHTS: [f64; 5] = [
        0.295_524_224_714_752_9,
        0.269_266_719_309_996_3,
        0.219_086_362_515_982_0,
        0.149_451_349_150_580_6,
        0.066_671_344_308_688_1,
    ];
    let mid = 0.5 * (lo + hi);
    let half = 0.5 * (hi - lo);
    let mut sum = 0.0;
    for (x, w) in NODES.iter().zip(WEIGHTS.iter()) {
        sum += w * (f(mid - half * x) + f(mid + half * x));
    }
    sum * half
}
