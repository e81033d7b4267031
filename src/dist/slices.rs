//! Slice forms of the special functions the block engine's draws spend their time in:
//! the standard normal quantile, `exp`, and the lognormal quantile built from them.
//!
//! Each gives, element by element, the same bits as its scalar form (tested on millions
//! of inputs and at every branch boundary), so a value is the same whether it was drawn
//! alone or in a block. Speed: the scalar forms branch on their argument's range, so a
//! loop over them cannot vectorise; here the common range is evaluated branch-free over
//! a chunk (which the compiler vectorises) and the rare elements outside it are redone
//! with the scalar form.

use super::normal::{central_quantile, std_normal_quantile};
use super::{clamp_u, lognormal_z};

/// Elements per chunk: the rare-range fix-up reads the chunk's inputs from a copy.
const CHUNK: usize = 16;

/// Whether AS241 evaluates `p = q + 0.5` by its central approximation (false for NaN).
#[inline(always)]
fn is_central(q: f64) -> bool {
    q.abs() <= 0.425
}

/// [`std_normal_quantile`] of every element, in place.
#[inline(always)]
pub fn std_normal_quantile_slice(xs: &mut [f64]) {
    for c in xs.chunks_mut(CHUNK) {
        let mut p = [0.5; CHUNK];
        p[..c.len()].copy_from_slice(c);
        let mut rare = false;
        for (x, &p) in c.iter_mut().zip(&p) {
            let q = p - 0.5;
            rare |= !is_central(q);
            *x = central_quantile(q);
        }
        if rare {
            for (x, &p) in c.iter_mut().zip(&p) {
                if !is_central(p - 0.5) {
                    *x = std_normal_quantile(p);
                }
            }
        }
    }
}

/// The lognormal quantile of every element (a uniform), in place: the same bits as
/// `Dist::LogNormal`'s scalar quantile, `max(median * exp(sigma * z), 0)`, with `z` taken
/// from the nearer tail as [`lognormal_z`] does.
#[inline(always)]
pub(super) fn lognormal_quantile_slice(median: f64, sigma: f64, xs: &mut [f64]) {
    for c in xs.chunks_mut(CHUNK) {
        let mut us = [0.5; CHUNK];
        let mut rare = false;
        for (x, u) in c.iter_mut().zip(&mut us) {
            *u = clamp_u(*x);
            let upper = *u > 0.5;
            let q = if upper { 1.0 - *u } else { *u } - 0.5;
            rare |= !is_central(q);
            let z = central_quantile(q);
            *x = sigma * if upper { -z } else { z };
        }
        if rare {
            for (x, &u) in c.iter_mut().zip(&us) {
                if !is_central(if u > 0.5 { 1.0 - u } else { u } - 0.5) {
                    *x = sigma * lognormal_z(u);
                }
            }
        }
    }
    exp_slice(xs);
    for x in xs.iter_mut() {
        *x = (median * *x).max(0.0);
    }
}

/// `median * exp(sigma * z)` of every element (a normal score `z`), in place: the
/// lognormal's value at a copula's score, as `Dist::at_normal_score` gives it.
#[inline(always)]
pub(super) fn lognormal_at_scores(median: f64, sigma: f64, xs: &mut [f64]) {
    for x in xs.iter_mut() {
        *x *= sigma;
    }
    exp_slice(xs);
    for x in xs.iter_mut() {
        *x *= median;
    }
}

// libm's `exp` (FreeBSD's e_exp.c), whose constants (by their bits, as its comments give
// them) and operations these repeat.
const LN2HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);
const INVLN2: f64 = f64::from_bits(0x3ff7_1547_652b_82fe);
const P1: f64 = f64::from_bits(0x3fc5_5555_5555_553e);
const P2: f64 = f64::from_bits(0xbf66_c16c_16be_bd93);
const P3: f64 = f64::from_bits(0x3f11_566a_af25_de2c);
const P4: f64 = f64::from_bits(0xbebb_bd41_c5d2_6bf1);
const P5: f64 = f64::from_bits(0x3e66_3769_72be_a4d0);

/// The high word of `|x|`, which libm's `exp` branches on.
#[inline(always)]
fn high_word(x: f64) -> u32 {
    ((x.to_bits() >> 32) as u32) & 0x7fff_ffff
}

/// Whether libm's `exp` takes its main path at `x`: 2^-28 < |x| < 708.39 (false for NaN).
#[inline(always)]
fn exp_main_path(x: f64) -> bool {
    let hx = high_word(x);
    hx > 0x3e30_0000 && hx < 0x4086_232b
}

/// libm's `exp` on its main path, its three argument reductions chosen by selects rather
/// than branches. On that path the reductions agree: with `k = 0`, `x - 0 * LN2HI` is `x`
/// and `0 * LN2LO` is 0, as libm's own `k = 0` branch sets them; and `|k| <= 1022`, so
/// libm's `scalbn(y, k)` is the product `y * 2^k` (and `y` itself at `k = 0`).
#[inline(always)]
fn exp_main(x: f64) -> f64 {
    let hx = high_word(x);
    let negative = x.is_sign_negative();
    let far = (INVLN2 * x + if negative { -0.5 } else { 0.5 }) as i32;
    let near = if negative { -1 } else { 1 };
    let k = if hx >= 0x3ff0_a2b2 {
        far
    } else if hx > 0x3fd6_2e42 {
        near
    } else {
        0
    };
    let kf = k as f64;
    let hi = x - kf * LN2HI;
    let lo = kf * LN2LO;
    let r = hi - lo;
    let rr = r * r;
    let c = r - rr * (P1 + rr * (P2 + rr * (P3 + rr * (P4 + rr * P5))));
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    y * f64::from_bits(((0x3ff + k) as u64) << 52)
}

/// `libm::exp` of every element, in place, bit for bit.
#[inline(always)]
pub fn exp_slice(xs: &mut [f64]) {
    for c in xs.chunks_mut(CHUNK) {
        if c.iter().all(|&x| exp_main_path(x)) {
            c.iter_mut().for_each(|x| *x = exp_main(*x));
        } else {
            c.iter_mut().for_each(|x| *x = libm::exp(*x));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::TrialRng;

    /// Inputs spread over every range the functions branch on, plus their edges.
    fn uniforms(n: u64) -> Vec<f64> {
        let r = TrialRng::new(11, 0);
        let mut v: Vec<f64> = (0..n).map(|i| r.uniform(i)).collect();
        for edge in [
            0.5f64,
            0.075,
            0.925,
            0.5,
            0.075 - 1e-17,
            0.925 + 1e-16,
            1e-300,
            1.0 - 1e-16,
        ] {
            for k in -3i64..=3 {
                v.push(f64::from_bits(edge.to_bits().wrapping_add(k as u64)));
            }
        }
        v.extend([0.0, 1.0, f64::NAN, -0.5, 1.5, f64::MIN_POSITIVE]);
        v
    }

    fn same(a: f64, b: f64) -> bool {
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
    }

    #[test]
    fn normal_quantile_slice_is_the_scalar_bit_for_bit() {
        let us = uniforms(1 << 20);
        let mut xs = us.clone();
        std_normal_quantile_slice(&mut xs);
        for (u, x) in us.iter().zip(&xs) {
            assert!(same(*x, std_normal_quantile(*u)), "u = {u:e}");
        }
    }

    #[test]
    fn lognormal_slice_is_the_scalar_bit_for_bit() {
        let us = uniforms(1 << 20);
        for (median, sigma) in [(2600.0, 0.4), (1440.0, 0.08), (1.0, 3.0), (5.0, 0.0)] {
            let d = crate::dist::Dist::LogNormal { median, sigma };
            let mut xs = us.clone();
            lognormal_quantile_slice(median, sigma, &mut xs);
            for (u, x) in us.iter().zip(&xs) {
                assert!(same(*x, d.quantile(*u)), "u = {u:e}, sigma {sigma}");
            }
        }
    }

    #[test]
    fn exp_slice_is_libm_bit_for_bit() {
        let r = TrialRng::new(12, 0);
        let mut xs: Vec<f64> = (0..1u64 << 21)
            .map(|i| {
                // Magnitudes from 2^-40 to 2^10, either sign: every reduction and both ends.
                let u = r.uniform(i);
                let e = -40.0 + 50.0 * r.uniform(i + (1 << 40));
                (if u < 0.5 { -1.0 } else { 1.0 }) * 2f64.powf(e)
            })
            .collect();
        for hx in [0x3e30_0000u64, 0x3fd6_2e42, 0x3ff0_a2b2, 0x4086_232b] {
            for lo in [0u64, 1, 0xffff_ffff] {
                for sign in [0u64, 1 << 63] {
                    let b = sign | hx << 32 | lo;
                    for k in -2i64..=2 {
                        xs.push(f64::from_bits(b.wrapping_add(k as u64)));
                    }
                }
            }
        }
        xs.extend([
            0.0,
            -0.0,
            709.8,
            -745.2,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NAN,
        ]);
        let mut ys = xs.clone();
        exp_slice(&mut ys);
        for (x, y) in xs.iter().zip(&ys) {
            assert!(same(*y, libm::exp(*x)), "x = {x:e}");
        }
    }

    #[test]
    fn lognormal_scores_are_the_scalar_bit_for_bit() {
        let d = crate::dist::Dist::LogNormal {
            median: 2600.0,
            sigma: 0.4,
        };
        let mut zs: Vec<f64> = uniforms(1 << 16)
            .iter()
            .map(|&u| std_normal_quantile(u))
            .collect();
        zs.retain(|z| z.is_finite());
        let mut xs = zs.clone();
        lognormal_at_scores(2600.0, 0.4, &mut xs);
        for (z, x) in zs.iter().zip(&xs) {
            assert!(same(*x, d.at_normal_score(*z)), "z = {z:e}");
        }
    }
}
