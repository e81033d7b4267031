//! Break-even search: the value of a parameter at which two routes cost the same.
//!
//! With common random numbers, the cost difference `f(x) = metric(A) − metric(B)` at
//! parameter value `x` is a deterministic function of `x` for a given seed and trial
//! count (every point reuses the same draws), so a bracketing root finder applies to it
//! exactly as to a smooth function (sample-average approximation). The root of the
//! sample function estimates the true break-even; its Monte Carlo error comes from the
//! standard error of `f` at the root divided by the slope of `f` (delta method):
//! `x* ± 1.96·se(f)/|f'|`. With fixed inputs `se = 0` and the root is exact.
//! This module searches; the caller evaluates `f` (runs the simulator).

/// One evaluation of the difference at a parameter value.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Eval {
    /// Parameter value.
    pub x: f64,
    /// metric(A) − metric(B).
    pub diff: f64,
    /// Standard error of `diff`.
    pub se: f64,
    /// metric(A).
    pub a: f64,
    /// metric(B).
    pub b: f64,
}

/// What the search found.
#[derive(Clone, Debug, PartialEq)]
pub enum Found {
    /// A crossing at `x`, with a 95% confidence interval.
    Crossing {
        /// The break-even value.
        x: f64,
        /// Lower bound of the 95% CI.
        lo: f64,
        /// Upper bound.
        hi: f64,
    },
    /// The difference has the same sign at both ends: no crossing in the interval.
    NoCrossing {
        /// Which route is cheaper throughout, in words.
        why: String,
    },
}

/// The search's result and every evaluation made, in order (for `breakeven.csv`).
#[derive(Clone, Debug, PartialEq)]
pub struct Search {
    /// The answer.
    pub found: Found,
    /// Every evaluation, in the order made.
    pub evals: Vec<Eval>,
}

/// Maximum evaluations after the two ends.
pub const MAX_ITER: usize = 60;

/// Finds the root of `f` in `[lo, hi]` by the Illinois variant of false position, which
/// keeps a bracket (cannot diverge) and converges superlinearly. Stops when the bracket
/// is narrower than a twentieth of the CI (more digits would be noise), at an exact
/// zero, at float resolution, or after [`MAX_ITER`] evaluations.
pub fn find<E>(lo: f64, hi: f64, mut f: impl FnMut(f64) -> Result<Eval, E>) -> Result<Search, E> {
    let mut evals = Vec::new();
    let mut a = f(lo)?;
    evals.push(a);
    let mut b = f(hi)?;
    evals.push(b);
    if a.diff == 0.0 || b.diff == 0.0 {
        let e = if a.diff == 0.0 { a } else { b };
        return Ok(Search {
            found: Found::Crossing {
                x: e.x,
                lo: e.x,
                hi: e.x,
            },
            evals,
        });
    }
    if a.diff.signum() == b.diff.signum() {
        let why = if a.diff < 0.0 {
            "route A is cheaper at both ends of the interval"
        } else {
            "route B is cheaper at both ends of the interval"
        };
        let noisy = a.diff.abs() < 2.0 * a.se || b.diff.abs() < 2.0 * b.se;
        let why = if noisy {
            format!("{why} (but within 2 standard errors at one end: try a wider interval or more trials)")
        } else {
            why.to_string()
        };
        return Ok(Search {
            found: Found::NoCrossing { why },
            evals,
        });
    }
    let mut side = 0i8;
    let (mut fa, mut fb) = (a.diff, b.diff);
    let mut best = if a.diff.abs() < b.diff.abs() { a } else { b };
    for _ in 0..MAX_ITER {
        let slope = (b.diff - a.diff) / (b.x - a.x);
        let half_ci = 1.96 * best.se / slope.abs();
        let width = (b.x - a.x).abs();
        // A bracket spanning orders of magnitude is narrowed first: neither its width
        // nor its slope says anything yet about the root.
        let narrow = !huge(a.x.min(b.x), a.x.max(b.x));
        if narrow
            && (width <= 1e-12 * best.x.abs().max(1.0) || (best.se > 0.0 && width < half_ci / 20.0))
        {
            break;
        }
        let x = next_x(a.x, fa, b.x, fb);
        let m = f(x)?;
        evals.push(m);
        // On a tie (a flat stretch) the newer point, which is inside the bracket: the
        // stopping rule measures the bracket against it.
        if m.diff.abs() <= best.diff.abs() {
            best = m;
        }
        if m.diff == 0.0 {
            break;
        }
        if m.diff.signum() == b.diff.signum() {
            b = m;
            fb = m.diff;
            if side == -1 {
                fa /= 2.0;
            }
            side = -1;
        } else {
            a = m;
            fa = m.diff;
            if side == 1 {
                fb /= 2.0;
            }
            side = 1;
        }
    }
    // The root of the straight line through the final bracket, and its delta-method CI.
    let slope = (b.diff - a.diff) / (b.x - a.x);
    let x = if best.diff == 0.0 {
        best.x
    } else {
        line_root(a.x, a.diff, b.x, b.diff)
    };
    let x = if x.is_finite() && x >= a.x.min(b.x) && x <= a.x.max(b.x) {
        x
    } else {
        best.x
    };
    let half = 1.96 * best.se / slope.abs();
    let half = if half.is_finite() { half } else { 0.0 };
    Ok(Search {
        found: Found::Crossing {
            x,
            lo: x - half,
            hi: x + half,
        },
        evals,
    })
}

/// The root of the straight line through `(xa, fa)` and `(xb, fb)`, `fa` and `fb` of
/// opposite signs. The textbook form `(xa·fb − xb·fa)/(fb − fa)` is used while it is
/// finite (so ordinary brackets give the same digits as always); at huge magnitudes
/// (`--between 0,1e200`) its products overflow, and the form `xa + (xb − xa)·t`, with
/// `t = fa/(fa − fb)` in [0, 1], cannot.
fn line_root(xa: f64, fa: f64, xb: f64, fb: f64) -> f64 {
    let x = (xa * fb - xb * fa) / (fb - fa);
    if x.is_finite() {
        return x;
    }
    let t = fa / (fa - fb);
    let t = if t.is_finite() { t } else { 0.5 };
    xa + (xb - xa) * t
}

/// The next point of the search, strictly inside the bracket. While the bracket spans
/// many orders of magnitude (`--between 0,1e200`), the midpoint on the `asinh` scale
/// (logarithmic away from zero): false position there lands near one end step after step
/// and would not reach a root at 2831 within [`MAX_ITER`] evaluations, while halving the
/// magnitude gets within a factor of 10^6 of it in a few steps. Then the false-position
/// point, or the midpoint when that is not strictly inside (float resolution).
fn next_x(xa: f64, fa: f64, xb: f64, fb: f64) -> f64 {
    let (lo, hi) = (xa.min(xb), xa.max(xb));
    if huge(lo, hi) {
        let m = ((lo.asinh() + hi.asinh()) / 2.0).sinh();
        if m > lo && m < hi {
            return m;
        }
    }
    let x = line_root(xa, fa, xb, fb);
    if x.is_finite() && x > lo && x < hi {
        return x;
    }
    let mid = 0.5 * (xa + xb);
    if mid.is_finite() {
        mid
    } else {
        xa / 2.0 + xb / 2.0
    }
}

/// Whether `[lo, hi]` spans more than six orders of magnitude (counting from 1 when an
/// end is near zero): `[0, 1.5]` and `[0.01, 0.5]` do not, `[0, 1e200]` does.
fn huge(lo: f64, hi: f64) -> bool {
    let (small, big) = if lo.abs() < hi.abs() {
        (lo.abs(), hi.abs())
    } else {
        (hi.abs(), lo.abs())
    };
    big > 1e6 * small.max(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lin(x: f64) -> Result<Eval, ()> {
        // Route A costs 10 + 40x, route B 25: break-even at x = 0.375.
        let (a, b) = (10.0 + 40.0 * x, 25.0);
        Ok(Eval {
            x,
            diff: a - b,
            se: 0.0,
            a,
            b,
        })
    }

    #[test]
    fn finds_a_linear_root_exactly() {
        let s = find(0.0, 1.0, lin).unwrap();
        let Found::Crossing { x, lo, hi } = s.found else {
            panic!("{:?}", s.found)
        };
        assert!((x - 0.375).abs() < 1e-12, "{x}");
        assert_eq!((lo, hi), (x, x));
    }

    #[test]
    fn finds_a_kinked_root() {
        // Piecewise linear with a kink, like a floor or a clamp.
        let f = |x: f64| -> Result<Eval, ()> {
            let a = 20.0 + (x - 0.2).max(0.0) * 100.0;
            Ok(Eval {
                x,
                diff: a - 50.0,
                se: 0.0,
                a,
                b: 50.0,
            })
        };
        let s = find(0.0, 1.0, f).unwrap();
        let Found::Crossing { x, .. } = s.found else {
            panic!()
        };
        assert!((x - 0.5).abs() < 1e-10, "{x}");
        assert!(s.evals.len() < 60);
    }

    #[test]
    fn reports_no_crossing() {
        let s = find(0.5, 1.0, lin).unwrap();
        assert!(matches!(s.found, Found::NoCrossing { .. }));
        assert_eq!(s.evals.len(), 2);
    }

    #[test]
    fn noisy_difference_gives_an_interval_from_se_and_slope() {
        let f = |x: f64| -> Result<Eval, ()> {
            Ok(Eval {
                x,
                diff: 2.0 * (x - 0.3),
                se: 0.01,
                a: 0.0,
                b: 0.0,
            })
        };
        let s = find(0.0, 1.0, f).unwrap();
        let Found::Crossing { x, lo, hi } = s.found else {
            panic!()
        };
        assert!((x - 0.3).abs() < 1e-9);
        assert!((hi - x - 1.96 * 0.01 / 2.0).abs() < 1e-9, "{lo} {hi}");
    }

    fn fixed(x: f64, a: f64, b: f64) -> Result<Eval, ()> {
        Ok(Eval {
            x,
            diff: a - b,
            se: 0.0,
            a,
            b,
        })
    }

    fn root_of(s: &Search) -> f64 {
        match s.found {
            Found::Crossing { x, .. } => x,
            _ => panic!("{:?}", s.found),
        }
    }

    #[test]
    fn a_huge_bracket_still_converges_to_the_true_root() {
        // A fee that adds linearly: the textbook interpolation overflows at 1e200.
        let linear = |x: f64| fixed(x, 10.0 + x * 1e-3, 12.831);
        // A cost that stops growing (a cap, an MPF maximum).
        let capped = |x: f64| fixed(x, x.min(5000.0), 2831.0);
        // A cost growing faster than linearly.
        let steep = |x: f64| fixed(x, x.powf(1.5), 2831f64.powf(1.5));
        // A step (a threshold): any point of the step is the answer.
        let step = |x: f64| fixed(x, if x < 2831.0 { 1.0 } else { 3.0 }, 2.0);
        for (name, s) in [
            ("linear", find(0.0, 1e200, linear).unwrap()),
            ("capped", find(0.0, 1e200, capped).unwrap()),
            ("steep", find(0.0, 1e200, steep).unwrap()),
            ("step", find(0.0, 1e200, step).unwrap()),
            ("capped, from 1", find(1.0, 1e300, capped).unwrap()),
        ] {
            let x = root_of(&s);
            assert!(
                (x - 2831.0).abs() < 1e-6 * 2831.0,
                "{name}: {x} {:?}",
                s.evals.iter().map(|e| (e.x, e.diff)).collect::<Vec<_>>()
            );
            assert!(s.evals.len() <= MAX_ITER + 2, "{name}");
        }
    }

    #[test]
    fn ordinary_brackets_are_searched_as_before() {
        assert!(!huge(0.0, 1.5));
        assert!(!huge(0.01, 0.5));
        assert!(!huge(-3.0, 1e6));
        assert!(huge(0.0, 1e200));
        assert!(huge(-1e9, 0.0));
        // The textbook form where it is finite: the same digits as ever.
        assert_eq!(line_root(0.0, -15.0, 1.0, 25.0), 0.375);
    }
}
