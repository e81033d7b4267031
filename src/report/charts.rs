//! The charts, each an SVG string: cost components, sweep, break-even and tornado (the
//! distributions are in `tails`).

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

/// One route's statistic and its band (a 95% CI) along the swept values.
pub struct SweepSeries {
    pub name: String,
    pub color: usize,
    /// (x, value, band low, band high).
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
    ylabel: &str,
    marks: &[(f64, String)],
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
            "Band beyond the axis (up to {} USD): {}.",
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
    plot.axes(&mut svg, &xt, &yt, xlabel, ylabel);
    for (k, (x, label)) in marks.iter().enumerate() {
        let px = plot.x.at(*x);
        svg.line(px, top, px, bottom, "#D55E00", 1.5, "6 3");
        let t = Txt::new(11.5).bold().fill("#A04000");
        let ty = top + 14.0 + 15.0 * k as f64;
        if px + 6.0 + text_width(label, 11.5) <= W - 6.0 {
            svg.text(px + 5.0, ty, label, t);
        } else {
            svg.text(px - 5.0, ty, label, t.end());
        }
    }
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
