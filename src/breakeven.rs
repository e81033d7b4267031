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
        if width <= 1e-12 * best.x.abs().max(1.0) || (best.se > 0.0 && width < half_ci / 20.0) {
            break;
        }
        let x = (a.x * fb - b.x * fa) / (fb - fa);
        let x = if x.is_finite() && x > a.x.min(b.x) && x < a.x.max(b.x) {
            x
        } else {
            0.5 * (a.x + b.x)
        };
        let m = f(x)?;
        evals.push(m);
        if m.diff.abs() < best.diff.abs() {
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
        (a.x * b.diff - b.x * a.diff) / (b.diff - a.diff)
    };
    let x = if x.is_finite() { x } else { best.x };
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
}
