//! Whole distributions: the main view (densities scaled to the central routes, heavy
//! tails marked) and the exceedance curve P(cost > x) of every route, from its minimum to
//! its maximum. What lies beyond an axis is read off each route's quantile function
//! (`exceedance.csv`, else `summary.csv`'s quantiles), never off the histogram's bins.

use super::fmt::{self, text_width, usd};
use super::svg::{
    header, nice_domain, route_color, route_dash, ticks_in, Key, Plot, Svg, Txt, INK, MUTED,
};

const W: f64 = 860.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = W - 28.0;

/// One route's distribution.
pub struct RouteDist {
    pub name: String,
    pub color: usize,
    /// (lo, hi, share) per bin of `histogram.csv`.
    pub bins: Vec<(f64, f64, f64)>,
    /// (q, cost) knots, ascending, from q = 0 (min) to q = 1 (max).
    pub quantiles: Vec<(f64, f64)>,
    /// (cost, P(cost > x)) points of `exceedance.csv`, when present.
    pub exceed: Vec<(f64, f64)>,
    pub p05: Option<f64>,
    pub p50: Option<f64>,
    pub p95: Option<f64>,
}

impl RouteDist {
    fn q(&self, p: f64) -> Option<f64> {
        self.quantiles
            .iter()
            .find(|k| (k.0 - p).abs() < 1e-9)
            .map(|k| k.1)
    }
    fn min(&self) -> Option<f64> {
        self.quantiles.first().map(|k| k.1)
    }
    fn max(&self) -> Option<f64> {
        self.quantiles.last().map(|k| k.1)
    }

    /// Share of trials costing less than `x` (0 at or below the min), interpolated
    /// linearly between quantile knots.
    pub fn share_below(&self, x: f64) -> f64 {
        let k = &self.quantiles;
        match (k.first(), k.last()) {
            (Some(a), _) if x <= a.1 => 0.0,
            (_, Some(b)) if x >= b.1 => 1.0,
            (Some(_), Some(_)) => {
                let i = k.partition_point(|p| p.1 < x).max(1);
                let (a, b) = (k[i - 1], k[i]);
                if b.1 > a.1 {
                    a.0 + (b.0 - a.0) * (x - a.1) / (b.1 - a.1)
                } else {
                    b.0
                }
            }
            _ => f64::NAN,
        }
    }
}

/// A step density: (lo, hi, percent of trials per USD).
type Steps = Vec<(f64, f64, f64)>;

fn hist_steps(bins: &[(f64, f64, f64)]) -> Steps {
    let mut v: Steps = bins
        .iter()
        .filter(|b| b.1 > b.0)
        .map(|&(lo, hi, s)| (lo, hi, s * 100.0 / (hi - lo)))
        .collect();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    v
}

/// The density between consecutive quantiles; knots closer than `eps` are merged.
fn quantile_steps(q: &[(f64, f64)], eps: f64) -> Steps {
    let mut knots: Vec<(f64, f64)> = Vec::new();
    for &(p, v) in q {
        let n = knots.len();
        if n > 0 && v - knots[n - 1].1 < eps {
            if n == 1 {
                knots.push((p, knots[0].1 + eps));
            } else {
                knots[n - 1].0 = p;
            }
        } else {
            knots.push((p, v));
        }
    }
    knots
        .windows(2)
        .filter(|w| w[1].1 > w[0].1)
        .map(|w| {
            (
                w[0].1,
                w[1].1,
                (w[1].0 - w[0].0) * 100.0 / (w[1].1 - w[0].1),
            )
        })
        .collect()
}

/// The main view's range: the central routes' p01 to p95. A route whose p95 would more
/// than triple the span is a tail route: drawn cut at the right edge and said so.
pub fn main_range(routes: &[RouteDist]) -> (f64, f64) {
    let lo_q = routes
        .iter()
        .filter_map(|r| r.q(0.01).or(r.p05))
        .fold(f64::INFINITY, f64::min);
    let min_all = routes
        .iter()
        .filter_map(|r| r.min())
        .fold(f64::INFINITY, f64::min);
    let max_all = routes
        .iter()
        .filter_map(|r| r.max())
        .fold(f64::NEG_INFINITY, f64::max);
    let mut p95s: Vec<f64> = routes.iter().filter_map(|r| r.p95).collect();
    p95s.sort_by(f64::total_cmp);
    if !lo_q.is_finite() || p95s.is_empty() {
        return if min_all < max_all {
            (min_all, max_all)
        } else {
            (0.0, 1.0)
        };
    }
    let mut hi = p95s[0];
    for &p in &p95s[1..] {
        if p - lo_q <= 3.0 * (hi - lo_q).max(1e-9) {
            hi = p;
        } else {
            break;
        }
    }
    if hi <= lo_q {
        hi = routes
            .iter()
            .filter_map(|r| r.max())
            .fold(lo_q + 1.0, f64::max);
    }
    let span = hi - lo_q;
    let lo = (lo_q - 0.08 * span).max(min_all);
    let hi = (hi + 0.12 * span).min(max_all);
    nice_domain(lo, hi, 8)
}

/// The honest notes of an axis [d0, d1]: each route's share below d0 and above d1,
/// from its quantile function.
pub fn beyond_notes(routes: &[RouteDist], d0: f64, d1: f64) -> Vec<String> {
    let mut notes = Vec::new();
    let min_all = routes
        .iter()
        .filter_map(|r| r.min())
        .fold(f64::INFINITY, f64::min);
    let mut above = Vec::new();
    let mut below = Vec::new();
    for r in routes {
        let b = r.share_below(d0);
        if b > 0.0005 {
            below.push(format!("{} {}", r.name, fmt::pct(b)));
        }
        let a = 1.0 - r.share_below(d1);
        if a > 0.0005 {
            above.push(format!(
                "{} {} (up to {} USD)",
                r.name,
                fmt::pct(a),
                usd(r.max().unwrap_or(f64::NAN))
            ));
        }
    }
    if above.is_empty() {
        notes.push(format!(
            "No simulated cost lies beyond the right edge ({} USD).",
            fmt::tick(d1, 1.0)
        ));
    } else {
        notes.push(format!(
            "Beyond the right edge ({} USD), share of shipments: {}. The exceedance chart below shows these tails.",
            fmt::tick(d1, 1.0),
            above.join(", ")
        ));
    }
    if below.is_empty() {
        notes.push(format!(
            "No simulated cost lies below the left edge ({} USD; lowest cost {} USD).",
            fmt::tick(d0, 1.0),
            usd(min_all)
        ));
    } else {
        notes.push(format!(
            "Below the left edge ({} USD; lowest cost {} USD), share of shipments: {}.",
            fmt::tick(d0, 1.0),
            usd(min_all),
            below.join(", ")
        ));
    }
    notes
}

/// The main view: step densities over the central routes' range, with a p05–p50–p95
/// strip per route (an arrow and the value when p95 is beyond the edge).
pub fn distribution(title: &str, captions: &[String], routes: &[RouteDist]) -> String {
    let (d0, d1) = main_range(routes);
    let eps = (d1 - d0) / 250.0;
    let steps: Vec<(Steps, bool)> = routes
        .iter()
        .map(|r| {
            let fine = r.bins.iter().map(|b| b.1 - b.0).fold(0.0, f64::max);
            if !r.bins.is_empty() && fine > 0.0 && fine <= (d1 - d0) / 30.0 {
                (hist_steps(&r.bins), true)
            } else {
                (quantile_steps(&r.quantiles, eps), false)
            }
        })
        .collect();
    let ymax = steps
        .iter()
        .flat_map(|s| s.0.iter())
        .filter(|b| b.1 > d0 && b.0 < d1)
        .map(|b| b.2)
        .fold(0.0, f64::max);
    let (_, y1) = nice_domain(0.0, (ymax * 1.04).max(1e-9), 5);
    let legend: Vec<(String, Key)> = routes
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                Key::Line(route_color(r.color), route_dash(r.color)),
            )
        })
        .collect();
    let mut notes = beyond_notes(routes, d0, d1);
    let from_hist: Vec<&str> = routes
        .iter()
        .zip(&steps)
        .filter(|(_, s)| s.1)
        .map(|(r, _)| r.name.as_str())
        .collect();
    notes.push(if from_hist.len() == routes.len() {
        "Density from histogram.csv (its bins cover each route's p0.5–p99.5).".to_string()
    } else if from_hist.is_empty() {
        "Density between quantiles (exceedance.csv, else summary.csv): the histogram's bins are too coarse at this scale.".to_string()
    } else {
        format!(
            "Density from histogram.csv for {}; between quantiles for the others (their bins are too coarse at this scale).",
            from_hist.join(", ")
        )
    });
    let lane_h = 30.0;
    let mut svg = Svg::new(W, title);
    let y0 = header(&mut svg, title, captions, &legend);
    let lanes_top = y0 + 2.0;
    let top = lanes_top + routes.len() as f64 * lane_h + 10.0;
    let bottom = top + 300.0;
    let plot = Plot::new(LEFT, top, RIGHT, bottom, (d0, d1), (0.0, y1));
    let xt = ticks_in(d0, d1, 8, fmt::tick);
    let yt = ticks_in(0.0, y1, 5, |v, s| format!("{}%", fmt::tick(v, s)));
    plot.axes(
        &mut svg,
        &xt,
        &yt,
        "landed cost, USD per unit",
        "% of trials per USD",
    );
    for (i, (r, (st, _))) in routes.iter().zip(&steps).enumerate() {
        let color = route_color(r.color);
        let dash = route_dash(r.color);
        svg.open_series(&r.name);
        let mut pts = Vec::new();
        for &(blo, bhi, d) in st {
            if bhi <= d0 || blo >= d1 {
                continue;
            }
            let (a, b) = (blo.max(d0), bhi.min(d1));
            let y = plot.y.at(d.min(y1));
            if pts.is_empty() {
                pts.push((plot.x.at(a), plot.y.at(0.0)));
            }
            pts.push((plot.x.at(a), y));
            pts.push((plot.x.at(b), y));
        }
        if let Some(&(x, _)) = pts.last() {
            pts.push((x, plot.y.at(0.0)));
        }
        svg.polyline(
            &pts,
            true,
            &format!(" fill=\"{color}\" fill-opacity=\"0.10\" stroke=\"none\""),
        );
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        svg.polyline(&pts, false, &format!(" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash_attr}"));
        let ly = lanes_top + i as f64 * lane_h + 22.0;
        if let (Some(p05), Some(p50), Some(p95)) = (r.p05, r.p50, r.p95) {
            let clampx = |v: f64| plot.x.at(v.clamp(d0, d1));
            let (x05, x50, x95) = (clampx(p05), clampx(p50), clampx(p95));
            if p50 <= d1 {
                svg.line(x50, top, x50, bottom, color, 1.2, "4 3");
            }
            svg.line(x05, ly, x95, ly, color, 3.0, "");
            if p05 >= d0 {
                svg.line(x05, ly - 5.0, x05, ly + 5.0, color, 2.0, "");
            }
            if p95 <= d1 {
                svg.line(x95, ly - 5.0, x95, ly + 5.0, color, 2.0, "");
            } else {
                svg.polyline(
                    &[
                        (x95 - 7.0, ly - 6.0),
                        (x95 + 1.0, ly),
                        (x95 - 7.0, ly + 6.0),
                    ],
                    false,
                    &format!(" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\""),
                );
            }
            if p50 <= d1 {
                svg.circle(x50, ly, 4.5, "#FFFFFF", color, 2.5);
            }
            let tail = if p95 > d1 {
                " (tail beyond the axis →)"
            } else {
                ""
            };
            let label = format!(
                "{}: p05 {} · p50 {} · p95 {}{tail}",
                r.name,
                usd(p05),
                usd(p50),
                usd(p95)
            );
            let tw = text_width(&label, 11.5);
            let x = x05.min(W - 8.0 - tw).max(8.0);
            svg.text(x, ly - 9.0, &label, Txt::new(11.5).fill(INK));
        }
        svg.close_group();
    }
    let mut y = bottom + 62.0;
    for n in &notes {
        for line in wrap(n, 128) {
            svg.text(16.0, y, &line, Txt::new(12.0).fill(MUTED));
            y += 17.0;
        }
    }
    svg.finish(y - 4.0)
}

/// Splits a note into lines of at most `width` characters.
fn wrap(s: &str, width: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for w in s.split(' ') {
        if !cur.is_empty() && cur.chars().count() + 1 + w.chars().count() > width {
            out.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(w);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Log ticks: 1, 2, 5 × powers of ten within [a, b] (values, not logs).
fn log_ticks(a: f64, b: f64) -> Vec<f64> {
    let mut v = Vec::new();
    let mut e = a.log10().floor() as i32;
    while 10f64.powi(e) <= b * 1.0001 {
        for m in [1.0, 2.0, 5.0] {
            let t = m * 10f64.powi(e);
            if t >= a * 0.9999 && t <= b * 1.0001 {
                v.push(t);
            }
        }
        e += 1;
    }
    v
}

/// The exceedance curves: P(cost > x) of every route from its minimum to its maximum,
/// on a log probability axis (and a log cost axis when the costs span more than 10×).
/// `window` is the main view's range, shaded.
pub fn exceedance(
    title: &str,
    captions: &[String],
    routes: &[RouteDist],
    window: (f64, f64),
) -> String {
    let curve = |r: &RouteDist| -> Vec<(f64, f64)> {
        if !r.exceed.is_empty() {
            r.exceed.clone()
        } else {
            r.quantiles.iter().map(|&(q, c)| (c, 1.0 - q)).collect()
        }
    };
    let min_all = routes
        .iter()
        .filter_map(|r| r.min())
        .fold(f64::INFINITY, f64::min);
    let max_all = routes
        .iter()
        .filter_map(|r| r.max())
        .fold(f64::NEG_INFINITY, f64::max);
    let (min_all, max_all) = if min_all.is_finite() && max_all > min_all {
        (min_all, max_all)
    } else {
        (0.0, 1.0)
    };
    let log_x = min_all > 0.0 && max_all / min_all > 10.0;
    let pmin = routes
        .iter()
        .flat_map(|r| curve(r).into_iter().map(|p| p.1))
        .filter(|p| *p > 0.0)
        .fold(1.0, f64::min);
    let floor_e = pmin.log10().floor().clamp(-6.0, -1.0);
    let fx = |x: f64| if log_x { x.log10() } else { x };
    let (xd0, xd1) = if log_x {
        (min_all.log10(), max_all.log10())
    } else {
        nice_domain(min_all, max_all, 8)
    };
    let pad = (xd1 - xd0) * 0.01;
    let (xd0, xd1) = (xd0 - pad, xd1 + pad);
    let legend: Vec<(String, Key)> = routes
        .iter()
        .map(|r| {
            (
                r.name.clone(),
                Key::Line(route_color(r.color), route_dash(r.color)),
            )
        })
        .collect();
    let mut svg = Svg::new(W, title);
    let top = header(&mut svg, title, captions, &legend) + 6.0;
    let bottom = top + 320.0;
    let plot = Plot::new(LEFT, top, RIGHT, bottom, (xd0, xd1), (floor_e, 0.0));
    let xt: Vec<(f64, String)> = if log_x {
        let t = log_ticks(min_all, max_all);
        let keep = if t.len() > 10 {
            t.iter()
                .copied()
                .filter(|v| {
                    let m = v / 10f64.powf(v.log10().floor());
                    (m - 1.0).abs() < 1e-6 || (m - 5.0).abs() < 1e-6
                })
                .collect()
        } else {
            t
        };
        keep.into_iter()
            .map(|v| (v.log10(), fmt::tick(v, v / 10.0)))
            .collect()
    } else {
        ticks_in(xd0, xd1, 8, fmt::tick)
    };
    let yt: Vec<(f64, String)> = (floor_e as i32..=0)
        .map(|e| {
            let p = 10f64.powi(e);
            (
                e as f64,
                if e >= -2 {
                    fmt::pct(p)
                } else {
                    format!("{}%", p * 100.0)
                },
            )
        })
        .collect();
    plot.axes(
        &mut svg,
        &xt,
        &yt,
        if log_x {
            "landed cost x, USD per unit (log scale)"
        } else {
            "landed cost x, USD per unit"
        },
        "P(cost > x), log scale",
    );
    // The main view's window.
    let (w0, w1) = (
        fx(window.0.max(min_all)).max(xd0),
        fx(window.1.min(max_all)).min(xd1),
    );
    if w1 > w0 {
        svg.rect(
            plot.x.at(w0),
            top,
            plot.x.at(w1) - plot.x.at(w0),
            bottom - top,
            "#999999",
            " fill-opacity=\"0.10\"",
        );
        svg.text(
            plot.x.at(w0) + 4.0,
            top + 14.0,
            "range of the chart above",
            Txt::new(11.0).fill(MUTED),
        );
    }
    let ylog = |p: f64| plot.y.at(p.max(10f64.powf(floor_e)).log10().max(floor_e));
    for r in routes {
        let color = route_color(r.color);
        let dash = route_dash(r.color);
        svg.open_series(&r.name);
        let mut pts: Vec<(f64, f64)> = Vec::new();
        if let Some(m) = r.min() {
            pts.push((plot.x.at(fx(m)), ylog(1.0)));
        }
        for (c, p) in curve(r) {
            if p > 0.0 {
                pts.push((plot.x.at(fx(c)), ylog(p)));
            }
        }
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        svg.polyline(&pts, false, &format!(" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash_attr}"));
        if let (Some(&(lx, ly)), Some(m)) = (pts.last(), r.max()) {
            let xm = plot.x.at(fx(m));
            svg.line(lx, ly, xm, plot.y.at(floor_e), color, 1.2, "2 3");
            svg.line(
                xm - 5.0,
                plot.y.at(floor_e) - 5.0,
                xm + 5.0,
                plot.y.at(floor_e) + 5.0,
                color,
                2.0,
                "",
            );
            svg.line(
                xm - 5.0,
                plot.y.at(floor_e) + 5.0,
                xm + 5.0,
                plot.y.at(floor_e) - 5.0,
                color,
                2.0,
                "",
            );
        }
        svg.close_group();
    }
    let mut y = bottom + 62.0;
    let notes = [
        format!(
            "Every simulated cost is on this axis: from the lowest, {} USD, to the highest, {} USD (×: each route's largest cost, where P(cost > x) reaches 0).",
            usd(min_all),
            usd(max_all)
        ),
        format!(
            "The probability axis stops at {}: rarer events are not resolved by the trials run.",
            if floor_e >= -2.0 { fmt::pct(10f64.powf(floor_e)) } else { format!("{}%", 10f64.powf(floor_e) * 100.0) }
        ),
    ];
    for n in &notes {
        for line in wrap(n, 128) {
            svg.text(16.0, y, &line, Txt::new(12.0).fill(MUTED));
            y += 17.0;
        }
    }
    svg.finish(y - 4.0)
}
