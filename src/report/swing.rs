//! The swing tornado: for each input, the route's mean cost with the input in its top
//! decile minus in its bottom decile (USD, with a 95% CI), largest first, with Spearman's
//! rank correlation beside it.

use super::fmt::{self, text_width, usd};
use super::svg::{header, nice_domain, route_color, ticks_in, Key, Plot, Svg, Txt, INK, MUTED};

const W: f64 = 860.0;

/// One input's swing and rank correlation.
pub struct SwingBar {
    pub input: String,
    /// (swing, lo, hi), USD per unit.
    pub swing: (f64, f64, f64),
    pub spearman: f64,
}

/// The swing tornado of one route.
pub fn swing_tornado(
    title: &str,
    captions: &[String],
    route: &str,
    color: usize,
    bars: &[SwingBar],
) -> String {
    let mut bars: Vec<&SwingBar> = bars.iter().filter(|b| b.swing.0.is_finite()).collect();
    bars.sort_by(|a, b| {
        b.swing
            .0
            .abs()
            .total_cmp(&a.swing.0.abs())
            .then_with(|| a.input.cmp(&b.input))
    });
    let total = bars.len();
    bars.truncate(12);
    let hidden = total - bars.len();
    let label_w = bars
        .iter()
        .map(|b| text_width(&b.input, 12.0))
        .fold(60.0, f64::max)
        + 20.0;
    let left = label_w.min(330.0);
    let right = W - 150.0;
    let m = bars
        .iter()
        .map(|b| b.swing.0.abs().max(b.swing.1.abs()).max(b.swing.2.abs()))
        .fold(0.0, f64::max)
        .max(1e-9);
    let (_, d) = nice_domain(0.0, m, 4);
    let legend = vec![(route.to_string(), Key::Swatch(route_color(color)))];
    let mut svg = Svg::new(W, title);
    let top = header(&mut svg, title, captions, &legend) + 22.0;
    let bar_h = 18.0;
    let gap = 8.0;
    let bottom = top + bars.len() as f64 * (bar_h + gap) + gap;
    let plot = Plot::new(left, top, right, bottom, (-d, d), (0.0, 1.0));
    let xt = ticks_in(-d, d, 8, fmt::tick);
    plot.axes(
        &mut svg,
        &xt,
        &[],
        "swing: mean cost, input in top decile − bottom decile, USD per unit",
        "",
    );
    svg.line(plot.x.at(0.0), top, plot.x.at(0.0), bottom, INK, 1.0, "");
    svg.text(
        right + 70.0,
        top - 6.0,
        "Spearman ρ",
        Txt::new(11.5).middle().bold(),
    );
    svg.open_series(route);
    let fill = route_color(color);
    for (i, b) in bars.iter().enumerate() {
        let y = top + gap + i as f64 * (bar_h + gap);
        svg.text(
            left - 8.0,
            y + bar_h / 2.0 + 4.0,
            &b.input,
            Txt::new(12.0).end(),
        );
        let (v, lo, hi) = b.swing;
        let (x0, x1) = (plot.x.at(0.0), plot.x.at(v.clamp(-d, d)));
        let opacity = if v < 0.0 { "0.55" } else { "1" };
        svg.rect(
            x0.min(x1),
            y,
            (x1 - x0).abs(),
            bar_h,
            fill,
            &format!(" fill-opacity=\"{opacity}\""),
        );
        let (xl, xh) = (plot.x.at(lo.clamp(-d, d)), plot.x.at(hi.clamp(-d, d)));
        svg.line(xl, y + bar_h / 2.0, xh, y + bar_h / 2.0, INK, 1.2, "");
        svg.line(xl, y + 4.0, xl, y + bar_h - 4.0, INK, 1.2, "");
        svg.line(xh, y + 4.0, xh, y + bar_h - 4.0, INK, 1.2, "");
        let t = format!("{} USD", usd(v));
        if v >= 0.0 {
            svg.text(xh.max(x1) + 4.0, y + bar_h / 2.0 + 4.0, &t, Txt::new(11.0));
        } else {
            svg.text(
                xl.min(x1) - 4.0,
                y + bar_h / 2.0 + 4.0,
                &t,
                Txt::new(11.0).end(),
            );
        }
        svg.text(
            right + 70.0,
            y + bar_h / 2.0 + 4.0,
            &format!("{:+.2}", b.spearman),
            Txt::new(11.5).middle(),
        );
    }
    svg.close_group();
    let mut y = bottom + 50.0;
    let notes = [
        "Bars: how much the mean cost moves between the input's top and bottom decile (for an event: when it happens vs not), whiskers its 95% CI."
            .to_string(),
        "ρ measures how consistently the cost rises with the input over all trials; it is small for an input that matters rarely but a lot.".to_string(),
    ];
    for n in notes {
        y += 12.0;
        svg.text(16.0, y, &n, Txt::new(12.0).fill(MUTED));
        y += 5.0;
    }
    if hidden > 0 {
        y += 17.0;
        svg.text(
            16.0,
            y,
            &format!("{hidden} further inputs with smaller swings not shown."),
            Txt::new(12.0).fill(MUTED),
        );
    }
    svg.finish(y + 4.0)
}
