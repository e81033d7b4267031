//! The charts, each an SVG string: cost distribution, cost components, sweep, break-even
//! and tornado.

use super::data::COMPONENTS;
use super::fmt::{self, text_width, usd};
use super::svg::{
    header, ink_on, nice_domain, route_color, route_dash, ticks_in, Key, Plot, Svg, Txt,
    COMPONENT_COLORS, INK, MUTED,
};

const W: f64 = 860.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = W - 28.0;

/// USD tick labels.
fn usd_tick(v: f64, step: f64) -> String {
    fmt::tick(v, step)
}

/// One route's histogram and quantiles.
pub struct RouteDist {
    pub name: String,
    pub color: usize,
    /// (lo, hi, share) per bin of `histogram.csv`.
    pub bins: Vec<(f64, f64, f64)>,
    /// (probability, value) knots from `summary.csv`: min (0), p01, …, p99, max (1).
    pub quantiles: Vec<(f64, f64)>,
    pub p05: Option<f64>,
    pub p50: Option<f64>,
    pub p90: Option<f64>,
    pub p95: Option<f64>,
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

/// The density between consecutive quantiles: the probability between them spread evenly.
/// Knots closer than `eps` are merged, so that a near-point mass stays drawable.
fn quantile_steps(q: &[(f64, f64)], eps: f64) -> Steps {
    let mut knots: Vec<(f64, f64)> = Vec::new();
    for &(p, v) in q {
        let n = knots.len();
        if n > 0 && v - knots[n - 1].1 < eps {
            if n == 1 {
                // Keep the minimum; the mass goes into a sliver just above it.
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

/// Percent of a density's trials above `x`.
fn mass_above(steps: &Steps, x: f64) -> f64 {
    steps
        .iter()
        .map(|&(lo, hi, d)| (hi - lo.max(x)).max(0.0) * d)
        .sum()
}

/// Chart 1: the routes' landed-cost distributions overlaid as step densities, with a
/// p05–p50–p95 strip per route above them. The density comes from `histogram.csv` when
/// its bins resolve every route's central 90%, else from `summary.csv`'s quantiles.
pub fn distribution(title: &str, captions: &[String], routes: &[RouteDist]) -> String {
    let mut widths: Vec<f64> = routes
        .iter()
        .flat_map(|r| r.bins.iter().map(|b| b.1 - b.0))
        .filter(|w| *w > 0.0)
        .collect();
    widths.sort_by(f64::total_cmp);
    let bin_w = widths.get(widths.len() / 2).copied();
    let use_hist = match bin_w {
        Some(w) => routes.iter().all(|r| match (r.p05, r.p95) {
            (Some(a), Some(b)) => !r.bins.is_empty() && b - a >= 5.0 * w,
            _ => !r.bins.is_empty(),
        }),
        None => false,
    };

    // The axis: from a little below the lowest p01 to a little beyond the largest p90
    // (and any p95 not far from it). A heavy tail (seizures, penalties) would otherwise
    // squash every route into a few pixels; what lies beyond is said below the chart.
    let q_at = |r: &RouteDist, p: f64| {
        r.quantiles
            .iter()
            .find(|k| (k.0 - p).abs() < 1e-9)
            .map(|k| k.1)
    };
    let lows: Vec<f64> = routes
        .iter()
        .filter_map(|r| q_at(r, 0.01).or(r.p05))
        .collect();
    let highs: Vec<f64> = routes.iter().filter_map(|r| r.p90.or(r.p95)).collect();
    let mins: Vec<f64> = routes.iter().filter_map(|r| q_at(r, 0.0)).collect();
    let maxs: Vec<f64> = routes.iter().filter_map(|r| q_at(r, 1.0)).collect();
    let min_all = mins.iter().copied().fold(f64::INFINITY, f64::min);
    let max_all = maxs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let lo_q = lows.iter().copied().fold(f64::INFINITY, f64::min);
    let hi_q = highs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let (lo, hi) = if lo_q.is_finite() && hi_q.is_finite() && hi_q > lo_q {
        let span = hi_q - lo_q;
        let reach = routes
            .iter()
            .filter_map(|r| r.p95)
            .filter(|p| *p <= hi_q + span)
            .fold(hi_q, f64::max);
        let lo = (lo_q - 0.08 * span).max(if min_all.is_finite() {
            min_all
        } else {
            f64::MIN
        });
        let hi = (reach + 0.12 * span).min(if max_all.is_finite() {
            max_all
        } else {
            f64::MAX
        });
        (lo, hi)
    } else if min_all.is_finite() && max_all > min_all {
        (min_all, max_all)
    } else {
        (0.0, 1.0)
    };
    let (d0, d1) = nice_domain(lo, hi, 8);
    let eps = (d1 - d0) / 250.0;
    let steps: Vec<Steps> = routes
        .iter()
        .map(|r| {
            if use_hist {
                hist_steps(&r.bins)
            } else {
                quantile_steps(&r.quantiles, eps)
            }
        })
        .collect();
    let ymax = steps
        .iter()
        .flat_map(|s| s.iter())
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
    let mut notes = Vec::new();
    let below: Vec<String> = routes
        .iter()
        .zip(&steps)
        .filter_map(|(r, s)| {
            let m = 100.0 - mass_above(s, d0);
            (m > 0.05).then(|| format!("{} {}", r.name, fmt::pct(m / 100.0)))
        })
        .collect();
    let above: Vec<String> = routes
        .iter()
        .zip(&steps)
        .filter_map(|(r, s)| {
            let m = mass_above(s, d1);
            (m > 0.05).then(|| format!("{} {}", r.name, fmt::pct(m / 100.0)))
        })
        .collect();
    if !above.is_empty() {
        notes.push(format!(
            "Beyond the axis ({} USD; max {} USD): {}.",
            fmt::tick(d1, 1.0),
            usd(max_all),
            above.join(", ")
        ));
    }
    if !below.is_empty() {
        notes.push(format!(
            "Below the axis ({} USD; min {} USD): {}.",
            fmt::tick(d0, 1.0),
            usd(min_all),
            below.join(", ")
        ));
    }
    notes.push(match (use_hist, bin_w) {
        (true, _) => "Density from histogram.csv.".to_string(),
        (false, Some(w)) => format!(
            "Density between summary.csv's quantiles (min, p01, p05, …, p99, max): histogram.csv's bins ({} USD wide) are too coarse here.",
            usd(w)
        ),
        (false, None) => "Density between summary.csv's quantiles (min, p01, p05, …, p99, max).".to_string(),
    });

    let lane_h = 30.0;
    let mut svg = Svg::new(W, title);
    let y0 = header(&mut svg, title, captions, &legend);
    let lanes_top = y0 + 2.0;
    let top = lanes_top + routes.len() as f64 * lane_h + 10.0;
    let bottom = top + 300.0;
    let plot = Plot::new(LEFT, top, RIGHT, bottom, (d0, d1), (0.0, y1));
    let xt = ticks_in(d0, d1, 8, usd_tick);
    let yt = ticks_in(0.0, y1, 5, |v, s| format!("{}%", fmt::tick(v, s)));
    plot.axes(
        &mut svg,
        &xt,
        &yt,
        "landed cost, USD per unit",
        "% of trials per USD",
    );
    for (i, (r, st)) in routes.iter().zip(&steps).enumerate() {
        let color = route_color(r.color);
        let dash = route_dash(r.color);
        svg.open_series(&r.name);
        // The step density, clipped to the axis.
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
        svg.polyline(
            &pts,
            false,
            &format!(
                " fill=\"none\" stroke=\"{color}\" stroke-width=\"2\" stroke-linejoin=\"round\"{dash_attr}"
            ),
        );
        // The quantile strip: label above, p05–p95 line with p50 circle below it.
        let ly = lanes_top + i as f64 * lane_h + 22.0;
        if let (Some(p05), Some(p50), Some(p95)) = (r.p05, r.p50, r.p95) {
            let clampx = |v: f64| plot.x.at(v.clamp(d0, d1));
            let (x05, x50, x95) = (clampx(p05), clampx(p50), clampx(p95));
            svg.line(x50, top, x50, bottom, color, 1.2, "4 3");
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
            svg.circle(x50, ly, 4.5, "#FFFFFF", color, 2.5);
            let label = format!(
                "{}: p05 {} · p50 {} · p95 {}",
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
        svg.text(16.0, y, n, Txt::new(12.0).fill(MUTED));
        y += 17.0;
    }
    finish_height(svg, y - 8.0)
}

/// The SVG with the height that was used.
fn finish_height(svg: Svg, used: f64) -> String {
    svg.finish(used + 4.0)
}

/// One route's mean cost components.
pub struct RouteComponents {
    pub name: String,
    pub color: usize,
    pub components: [f64; 9],
    pub mean: Option<f64>,
}

/// Chart 2: mean cost components per route as horizontal stacked bars.
pub fn components(title: &str, captions: &[String], routes: &[RouteComponents]) -> String {
    let used: Vec<usize> = (0..COMPONENTS.len())
        .filter(|&k| routes.iter().any(|r| r.components[k].abs() > 1e-9))
        .collect();
    let legend: Vec<(String, Key)> = used
        .iter()
        .map(|&k| (COMPONENTS[k].to_string(), Key::Swatch(COMPONENT_COLORS[k])))
        .collect();
    let label_w = routes
        .iter()
        .map(|r| text_width(&r.name, 13.0))
        .fold(60.0, f64::max)
        + 40.0;
    let left = label_w.min(280.0);
    let right = W - 96.0;
    let mut pos_max: f64 = 0.0;
    let mut neg_min: f64 = 0.0;
    for r in routes {
        let p: f64 = r.components.iter().filter(|v| **v > 0.0).sum();
        let n: f64 = r.components.iter().filter(|v| **v < 0.0).sum();
        pos_max = pos_max.max(p).max(r.mean.unwrap_or(0.0));
        neg_min = neg_min.min(n);
    }
    let (d0, d1) = nice_domain(neg_min, pos_max.max(1e-9), 8);
    let bar_h = 28.0;
    let gap = 16.0;
    let mut svg = Svg::new(W, title);
    let y0 = header(&mut svg, title, captions, &legend);
    let top = y0 + 4.0;
    let bottom = top + routes.len() as f64 * (bar_h + gap) + gap;
    let plot = Plot::new(left, top, right, bottom, (d0, d1), (0.0, 1.0));
    let xt = ticks_in(d0, d1, 8, usd_tick);
    plot.axes(&mut svg, &xt, &[], "mean landed cost, USD per unit", "");
    for (i, r) in routes.iter().enumerate() {
        let y = top + gap + i as f64 * (bar_h + gap);
        svg.open_series(&r.name);
        svg.text(
            left - 10.0,
            y + bar_h / 2.0 + 4.5,
            &r.name,
            Txt::new(13.0).end().bold(),
        );
        let sw = left - 10.0 - text_width(&r.name, 13.0) - 16.0;
        if sw > 2.0 {
            svg.rect(
                sw,
                y + bar_h / 2.0 - 5.0,
                10.0,
                10.0,
                route_color(r.color),
                "",
            );
        }
        let (mut pos, mut neg) = (0.0, 0.0);
        for &k in &used {
            let v = r.components[k];
            if v == 0.0 {
                continue;
            }
            let (a, b) = if v > 0.0 {
                let a = pos;
                pos += v;
                (a, pos)
            } else {
                let a = neg;
                neg += v;
                (neg, a)
            };
            let (xa, xb) = (plot.x.at(a), plot.x.at(b));
            let color = COMPONENT_COLORS[k];
            svg.rect_titled(
                xa,
                y,
                xb - xa,
                bar_h,
                color,
                " stroke=\"#FFFFFF\" stroke-width=\"1\"",
                &format!("{}: {} USD", COMPONENTS[k], usd(v)),
            );
            let label = usd(v);
            if (xb - xa) >= text_width(&label, 11.0) + 8.0 {
                svg.text(
                    (xa + xb) / 2.0,
                    y + bar_h / 2.0 + 4.0,
                    &label,
                    Txt::new(11.0).middle().fill(ink_on(color)),
                );
            }
        }
        let total = r.mean.unwrap_or(pos + neg);
        svg.text(
            plot.x.at(pos.max(0.0)) + 8.0,
            y + bar_h / 2.0 + 4.5,
            &usd(total),
            Txt::new(13.0).bold(),
        );
        svg.close_group();
    }
    finish_height(svg, bottom + 50.0)
}

/// One route's mean and p05–p95 band along the swept values.
pub struct SweepSeries {
    pub name: String,
    pub color: usize,
    /// (x, mean, p05, p95).
    pub pts: Vec<(f64, f64, Option<f64>, Option<f64>)>,
}

/// Chart 3: mean with its p05–p95 band against the swept value. `categories` labels the
/// x positions 0, 1, … when the swept values are not numbers.
pub fn sweep(
    title: &str,
    captions: &[String],
    xlabel: &str,
    categories: Option<&[String]>,
    series: &[SweepSeries],
) -> String {
    let xs = series.iter().flat_map(|s| s.pts.iter().map(|p| p.0));
    let (x0, x1) = xs.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| {
        (a.min(x), b.max(x))
    });
    let (x0, x1) = if x0.is_finite() { (x0, x1) } else { (0.0, 1.0) };
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        (x0 - 0.5, x1 + 0.5)
    };
    // The axis holds every mean and the bands that stay near them; a heavy tail's band
    // is cut at the top (and said so), or it would flatten every other route.
    let pts = || series.iter().flat_map(|s| s.pts.iter());
    let mean_hi = pts().map(|p| p.1).fold(f64::NEG_INFINITY, f64::max);
    let y0 = pts()
        .flat_map(|p| [Some(p.1), p.2])
        .flatten()
        .fold(f64::INFINITY, f64::min);
    let (y0, mean_hi) = if y0.is_finite() && mean_hi.is_finite() {
        (y0, mean_hi)
    } else {
        (0.0, 1.0)
    };
    let allowed = mean_hi + (mean_hi - y0).max(mean_hi.abs() * 0.1);
    let band_hi = pts().filter_map(|p| p.3).fold(f64::NEG_INFINITY, f64::max);
    let y1 = pts()
        .filter_map(|p| p.3)
        .filter(|v| *v <= allowed)
        .fold(mean_hi, f64::max);
    let (yd0, yd1) = nice_domain(y0, y1, 6);
    let mut notes = Vec::new();
    if band_hi > yd1 {
        let cut: Vec<&str> = series
            .iter()
            .filter(|s| s.pts.iter().any(|p| p.3.is_some_and(|v| v > yd1)))
            .map(|s| s.name.as_str())
            .collect();
        notes.push(format!(
            "p95 beyond the axis (up to {} USD): {}.",
            usd(band_hi),
            cut.join(", ")
        ));
    }
    let legend: Vec<(String, Key)> = series
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                Key::Line(route_color(s.color), route_dash(s.color)),
            )
        })
        .collect();
    let mut svg = Svg::new(W, title);
    let top = header(&mut svg, title, captions, &legend) + 4.0;
    let bottom = top + 330.0;
    let pad = (x1 - x0) * 0.02;
    let plot = Plot::new(LEFT, top, RIGHT, bottom, (x0 - pad, x1 + pad), (yd0, yd1));
    let xt: Vec<(f64, String)> = match categories {
        Some(c) => c
            .iter()
            .enumerate()
            .map(|(i, l)| (i as f64, l.clone()))
            .collect(),
        None => ticks_in(x0, x1, 10, fmt::tick),
    };
    let yt = ticks_in(yd0, yd1, 6, usd_tick);
    plot.axes(&mut svg, &xt, &yt, xlabel, "landed cost, USD per unit");
    for s in series {
        let color = route_color(s.color);
        let dash = route_dash(s.color);
        svg.open_series(&s.name);
        let band: Vec<(f64, f64)> = s
            .pts
            .iter()
            .filter_map(|p| Some((plot.x.at(p.0), plot.y.at(p.3?.clamp(yd0, yd1)))))
            .chain(
                s.pts
                    .iter()
                    .rev()
                    .filter_map(|p| Some((plot.x.at(p.0), plot.y.at(p.2?.clamp(yd0, yd1))))),
            )
            .collect();
        if band.len() >= 4 {
            svg.polyline(
                &band,
                true,
                &format!(" fill=\"{color}\" fill-opacity=\"0.13\" stroke=\"{color}\" stroke-opacity=\"0.35\" stroke-width=\"0.8\""),
            );
        }
        let line: Vec<(f64, f64)> = s
            .pts
            .iter()
            .map(|p| (plot.x.at(p.0), plot.y.at(p.1)))
            .collect();
        let dash_attr = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        svg.polyline(
            &line,
            false,
            &format!(" fill=\"none\" stroke=\"{color}\" stroke-width=\"2.5\" stroke-linejoin=\"round\"{dash_attr}"),
        );
        for (x, y) in &line {
            svg.circle(*x, *y, 3.2, color, "#FFFFFF", 1.0);
        }
        svg.close_group();
    }
    let mut y = bottom + 62.0;
    for n in &notes {
        svg.text(16.0, y, n, Txt::new(12.0).fill(MUTED));
        y += 17.0;
    }
    finish_height(svg, y - 8.0)
}

/// The rows of `breakeven.csv`.
pub struct Breakeven {
    /// (x, metric_a, metric_b, diff, se), in search order.
    pub steps: Vec<(f64, f64, f64, f64, f64)>,
    pub result: Option<f64>,
    pub ci: Option<(f64, f64)>,
}

/// The break-even search: the difference between the two routes' metrics at every value
/// tried, ±1.96 se, the zero line, and the crossing with its confidence interval.
pub fn breakeven(title: &str, captions: &[String], b: &Breakeven) -> String {
    let mut steps = b.steps.clone();
    steps.sort_by(|p, q| p.0.total_cmp(&q.0));
    let mut x0 = steps.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
    let mut x1 = steps.iter().map(|s| s.0).fold(f64::NEG_INFINITY, f64::max);
    if let Some((lo, hi)) = b.ci {
        x0 = x0.min(lo);
        x1 = x1.max(hi);
    }
    if !x0.is_finite() {
        (x0, x1) = (0.0, 1.0);
    }
    let (xd0, xd1) = nice_domain(x0, x1, 8);
    let mut y0: f64 = 0.0;
    let mut y1: f64 = 0.0;
    for s in &steps {
        y0 = y0.min(s.3 - 1.96 * s.4);
        y1 = y1.max(s.3 + 1.96 * s.4);
    }
    let (yd0, yd1) = nice_domain(y0, y1, 6);
    let legend = vec![(
        "difference A − B, ±1.96 se".to_string(),
        Key::Line(route_color(0), ""),
    )];
    let mut svg = Svg::new(W, title);
    let top = header(&mut svg, title, captions, &legend) + 22.0;
    let bottom = top + 320.0;
    let plot = Plot::new(LEFT, top, RIGHT, bottom, (xd0, xd1), (yd0, yd1));
    let xt = ticks_in(xd0, xd1, 8, fmt::tick);
    let yt = ticks_in(yd0, yd1, 6, usd_tick);
    plot.axes(
        &mut svg,
        &xt,
        &yt,
        "value of the searched parameter",
        "route A − route B, USD per unit",
    );
    svg.line(LEFT, plot.y.at(0.0), RIGHT, plot.y.at(0.0), INK, 1.2, "5 4");
    if let Some(x) = b.result {
        let xr = plot.x.at(x);
        if let Some((lo, hi)) = b.ci {
            let (a, bb) = (plot.x.at(lo), plot.x.at(hi));
            let w = (bb - a).max(3.0);
            svg.rect(
                (a + bb) / 2.0 - w / 2.0,
                top,
                w,
                bottom - top,
                "#D55E00",
                " fill-opacity=\"0.18\"",
            );
        }
        svg.line(xr, top, xr, bottom, "#D55E00", 1.5, "");
        let label = match b.ci {
            Some((lo, hi)) => format!(
                "break-even {} (95% CI {} to {})",
                fmt::short(x),
                fmt::short(lo),
                fmt::short(hi)
            ),
            None => format!("break-even {}", fmt::short(x)),
        };
        let tw = text_width(&label, 12.5);
        let t = Txt::new(12.5).bold().fill("#A04000");
        if xr + 6.0 + tw <= W - 6.0 {
            svg.text(xr + 6.0, top - 6.0, &label, t);
        } else {
            svg.text(xr - 6.0, top - 6.0, &label, t.end());
        }
    } else {
        svg.text(
            (LEFT + RIGHT) / 2.0,
            top - 6.0,
            "no crossing between the bounds searched",
            Txt::new(12.5).middle().bold(),
        );
    }
    let color = route_color(0);
    svg.open_series("difference");
    let pts: Vec<(f64, f64)> = steps
        .iter()
        .map(|s| (plot.x.at(s.0), plot.y.at(s.3)))
        .collect();
    svg.polyline(
        &pts,
        false,
        &format!(" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\""),
    );
    for s in &steps {
        let x = plot.x.at(s.0);
        svg.line(
            x,
            plot.y.at(s.3 - 1.96 * s.4),
            x,
            plot.y.at(s.3 + 1.96 * s.4),
            color,
            1.5,
            "",
        );
        svg.circle(x, plot.y.at(s.3), 3.5, color, "#FFFFFF", 1.0);
    }
    svg.close_group();
    finish_height(svg, bottom + 50.0)
}

/// One input's rank correlation with a route's cost.
pub struct TornadoBar {
    pub input: String,
    pub spearman: f64,
    pub share: Option<f64>,
}

/// Chart 4: Spearman rank correlations of the inputs with one route's cost, largest first.
pub fn tornado(
    title: &str,
    captions: &[String],
    route: &str,
    color: usize,
    bars: &[TornadoBar],
) -> String {
    let mut bars: Vec<&TornadoBar> = bars.iter().collect();
    bars.sort_by(|a, b| b.spearman.abs().total_cmp(&a.spearman.abs()));
    let total = bars.len();
    bars.retain(|b| b.spearman.abs() >= 0.005);
    bars.truncate(12);
    let hidden = total - bars.len();
    let label = |b: &TornadoBar| match b.share {
        Some(s) => format!("{} ({})", b.input, fmt::pct(s)),
        None => b.input.clone(),
    };
    let label_w = bars
        .iter()
        .map(|b| text_width(&label(b), 12.0))
        .fold(60.0, f64::max)
        + 20.0;
    let left = label_w.min(380.0);
    let m = bars.iter().map(|b| b.spearman.abs()).fold(0.0, f64::max);
    let (_, d) = nice_domain(0.0, m.clamp(0.05, 1.0), 4);
    let d = d.min(1.0);
    let legend = vec![(route.to_string(), Key::Swatch(route_color(color)))];
    let mut svg = Svg::new(W, title);
    let top = header(&mut svg, title, captions, &legend) + 4.0;
    let bar_h = 18.0;
    let gap = 8.0;
    let bottom = top + bars.len() as f64 * (bar_h + gap) + gap;
    let plot = Plot::new(left, top, RIGHT - 30.0, bottom, (-d, d), (0.0, 1.0));
    let xt = ticks_in(-d, d, 8, fmt::tick);
    plot.axes(
        &mut svg,
        &xt,
        &[],
        "Spearman rank correlation with landed cost",
        "",
    );
    svg.line(plot.x.at(0.0), top, plot.x.at(0.0), bottom, INK, 1.0, "");
    svg.open_series(route);
    let fill = route_color(color);
    for (i, b) in bars.iter().enumerate() {
        let y = top + gap + i as f64 * (bar_h + gap);
        svg.text(
            left - 8.0,
            y + bar_h / 2.0 + 4.0,
            &label(b),
            Txt::new(12.0).end(),
        );
        let (x0, x1) = (plot.x.at(0.0), plot.x.at(b.spearman.clamp(-d, d)));
        let opacity = if b.spearman < 0.0 { "0.55" } else { "1" };
        svg.rect(
            x0,
            y,
            x1 - x0,
            bar_h,
            fill,
            &format!(" fill-opacity=\"{opacity}\""),
        );
        let v = format!("{:+.2}", b.spearman);
        if b.spearman >= 0.0 {
            svg.text(x1 + 4.0, y + bar_h / 2.0 + 4.0, &v, Txt::new(11.0));
        } else {
            svg.text(x1 - 4.0, y + bar_h / 2.0 + 4.0, &v, Txt::new(11.0).end());
        }
    }
    svg.close_group();
    let mut y = bottom + 50.0;
    if hidden > 0 {
        y += 12.0;
        svg.text(
            16.0,
            y,
            &format!("{hidden} further inputs with smaller |correlation| not shown."),
            Txt::new(12.0).fill(MUTED),
        );
    }
    finish_height(svg, y)
}
