//! A small SVG writer: text, shapes, linear scales, axes with nice ticks, a title block
//! and a legend. Every route's marks go in one `<g class="series" data-series="ROUTE">`.

use super::fmt::{c, esc, text_width};

/// Okabe–Ito colours (colour-blind safe), in the order routes get them; yellow last (it
/// is faint on white).
pub const ROUTE_COLORS: [&str; 8] = [
    "#0072B2", "#E69F00", "#009E73", "#CC79A7", "#D55E00", "#56B4E9", "#000000", "#F0E442",
];

/// Line dash patterns, so routes stay apart in greyscale print.
const ROUTE_DASHES: [&str; 4] = ["", "7 3", "2 2.5", "9 3 2 3"];

pub fn route_color(i: usize) -> &'static str {
    ROUTE_COLORS[i % ROUTE_COLORS.len()]
}

pub fn route_dash(i: usize) -> &'static str {
    ROUTE_DASHES[i % ROUTE_DASHES.len()]
}

/// Colours of the cost components (same order as [`super::data::COMPONENTS`]).
pub const COMPONENT_COLORS: [&str; 9] = [
    "#BBBBBB", // goods
    "#56B4E9", // freight
    "#0072B2", // processing
    "#D55E00", // duty
    "#E69F00", // fees
    "#000000", // penalty
    "#CC79A7", // inspection
    "#009E73", // holding
    "#F0E442", // rerouting
];

/// Black or white, whichever reads better on `hex`.
pub fn ink_on(hex: &str) -> &'static str {
    let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap_or(0);
    let (r, g, b) = ((v >> 16) & 255, (v >> 8) & 255, v & 255);
    let lum = 0.299 * r as f64 + 0.587 * g as f64 + 0.114 * b as f64;
    if lum > 140.0 {
        "#000000"
    } else {
        "#FFFFFF"
    }
}

pub const FONT: &str = "Helvetica, Arial, 'Liberation Sans', 'DejaVu Sans', sans-serif";
pub const INK: &str = "#222222";
pub const MUTED: &str = "#555555";
pub const GRID: &str = "#E3E3E3";

/// Text placement.
#[derive(Clone, Copy)]
pub struct Txt {
    pub size: f64,
    pub anchor: &'static str,
    pub bold: bool,
    pub fill: &'static str,
}

impl Txt {
    pub const fn new(size: f64) -> Txt {
        Txt {
            size,
            anchor: "start",
            bold: false,
            fill: INK,
        }
    }
    pub const fn end(self) -> Txt {
        Txt {
            anchor: "end",
            ..self
        }
    }
    pub const fn middle(self) -> Txt {
        Txt {
            anchor: "middle",
            ..self
        }
    }
    pub const fn bold(self) -> Txt {
        Txt { bold: true, ..self }
    }
    pub const fn fill(self, fill: &'static str) -> Txt {
        Txt { fill, ..self }
    }
}

/// An SVG document being written.
pub struct Svg {
    out: String,
    pub w: f64,
    title: String,
}

impl Svg {
    /// Starts a document `w` pixels wide (its height is set by [`Svg::finish`]); `title`
    /// is its accessible name.
    pub fn new(w: f64, title: &str) -> Svg {
        Svg {
            out: String::with_capacity(16 * 1024),
            w,
            title: title.to_string(),
        }
    }

    pub fn text(&mut self, x: f64, y: f64, s: &str, t: Txt) {
        self.text_rot(x, y, s, t, 0.0);
    }

    pub fn text_rot(&mut self, x: f64, y: f64, s: &str, t: Txt, rotate: f64) {
        let weight = if t.bold { " font-weight=\"bold\"" } else { "" };
        let anchor = if t.anchor == "start" {
            String::new()
        } else {
            format!(" text-anchor=\"{}\"", t.anchor)
        };
        let rot = if rotate != 0.0 {
            format!(" transform=\"rotate({} {} {})\"", rotate, c(x), c(y))
        } else {
            String::new()
        };
        self.out.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" font-size=\"{}\" fill=\"{}\"{weight}{anchor}{rot}>{}</text>\n",
            c(x),
            c(y),
            t.size,
            t.fill,
            esc(s)
        ));
    }

    #[allow(clippy::too_many_arguments)]
    pub fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        stroke: &str,
        width: f64,
        dash: &str,
    ) {
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        self.out.push_str(&format!(
            "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" stroke-width=\"{width}\"{dash}/>\n",
            c(x1),
            c(y1),
            c(x2),
            c(y2)
        ));
    }

    /// A rectangle; `extra` holds further attributes (e.g. ` fill-opacity="0.5"`).
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64, fill: &str, extra: &str) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        let (y, h) = if h < 0.0 { (y + h, -h) } else { (y, h) };
        self.out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}/>\n",
            c(x),
            c(y),
            c(w),
            c(h)
        ));
    }

    /// A rectangle with a tooltip.
    #[allow(clippy::too_many_arguments)]
    pub fn rect_titled(
        &mut self,
        x: f64,
        y: f64,
        w: f64,
        h: f64,
        fill: &str,
        extra: &str,
        tip: &str,
    ) {
        let (x, w) = if w < 0.0 { (x + w, -w) } else { (x, w) };
        self.out.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"{extra}><title>{}</title></rect>\n",
            c(x),
            c(y),
            c(w),
            c(h),
            esc(tip)
        ));
    }

    pub fn circle(&mut self, x: f64, y: f64, r: f64, fill: &str, stroke: &str, width: f64) {
        self.out.push_str(&format!(
            "<circle cx=\"{}\" cy=\"{}\" r=\"{r}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{width}\"/>\n",
            c(x),
            c(y)
        ));
    }

    /// A path through `pts`; `attrs` holds the styling attributes.
    pub fn polyline(&mut self, pts: &[(f64, f64)], close: bool, attrs: &str) {
        if pts.is_empty() {
            return;
        }
        let mut d = String::with_capacity(pts.len() * 14);
        for (i, (x, y)) in pts.iter().enumerate() {
            d.push(if i == 0 { 'M' } else { 'L' });
            d.push_str(&c(*x));
            d.push(' ');
            d.push_str(&c(*y));
        }
        if close {
            d.push('Z');
        }
        self.out.push_str(&format!("<path d=\"{d}\"{attrs}/>\n"));
    }

    /// Opens a group of one route's (or one series') marks.
    pub fn open_series(&mut self, name: &str) {
        self.out.push_str(&format!(
            "<g class=\"series\" data-series=\"{}\">\n",
            esc(name)
        ));
    }

    pub fn open_group(&mut self, class: &str) {
        self.out
            .push_str(&format!("<g class=\"{}\">\n", esc(class)));
    }

    pub fn close_group(&mut self) {
        self.out.push_str("</g>\n");
    }

    /// The document, `h` pixels high.
    pub fn finish(self, h: f64) -> String {
        let (w, h) = (self.w, h.round());
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" role=\"img\">\n<title>{}</title>\n\
             <rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#FFFFFF\"/>\n{}</svg>\n",
            esc(&self.title),
            self.out
        )
    }
}

/// A linear map from data to pixels.
#[derive(Clone, Copy, Debug)]
pub struct Lin {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Lin {
    pub fn at(&self, v: f64) -> f64 {
        if self.d1 == self.d0 {
            return (self.r0 + self.r1) / 2.0;
        }
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }
}

/// A legend entry's mark.
pub enum Key {
    /// A line in a colour and dash pattern.
    Line(&'static str, &'static str),
    /// A filled square.
    Swatch(&'static str),
}

/// Title, caption lines and a wrapped legend at the top of a chart; returns the y where
/// the content below may start.
pub fn header(svg: &mut Svg, title: &str, captions: &[String], legend: &[(String, Key)]) -> f64 {
    let mut y = 26.0;
    svg.text(16.0, y, title, Txt::new(17.0).bold());
    y += 6.0;
    for line in captions {
        y += 17.0;
        svg.text(16.0, y, line, Txt::new(12.5).fill(MUTED));
    }
    if legend.is_empty() {
        return y + 14.0;
    }
    y += 24.0;
    svg.open_group("legend");
    let mut x = 16.0;
    for (label, key) in legend {
        let w = 26.0 + text_width(label, 13.0) + 18.0;
        if x + w > svg.w - 10.0 && x > 16.0 {
            x = 16.0;
            y += 20.0;
        }
        match key {
            Key::Line(color, dash) => {
                svg.line(x, y - 4.5, x + 20.0, y - 4.5, color, 3.0, dash);
            }
            Key::Swatch(color) => {
                svg.rect(
                    x + 3.0,
                    y - 11.0,
                    13.0,
                    13.0,
                    color,
                    " stroke=\"#666666\" stroke-width=\"0.5\"",
                );
            }
        }
        svg.text(x + 26.0, y, label, Txt::new(13.0));
        x += w;
    }
    svg.close_group();
    y + 14.0
}

/// A plot area with its scales.
pub struct Plot {
    pub x: Lin,
    pub y: Lin,
    pub left: f64,
    pub top: f64,
    pub right: f64,
    pub bottom: f64,
}

impl Plot {
    pub fn new(
        left: f64,
        top: f64,
        right: f64,
        bottom: f64,
        xd: (f64, f64),
        yd: (f64, f64),
    ) -> Plot {
        Plot {
            x: Lin {
                d0: xd.0,
                d1: xd.1,
                r0: left,
                r1: right,
            },
            y: Lin {
                d0: yd.0,
                d1: yd.1,
                r0: bottom,
                r1: top,
            },
            left,
            top,
            right,
            bottom,
        }
    }

    /// Gridlines, axis lines, tick labels and axis titles.
    pub fn axes(
        &self,
        svg: &mut Svg,
        xticks: &[(f64, String)],
        yticks: &[(f64, String)],
        xlabel: &str,
        ylabel: &str,
    ) {
        svg.open_group("axes");
        for (v, label) in yticks {
            let y = self.y.at(*v);
            svg.line(self.left, y, self.right, y, GRID, 1.0, "");
            svg.text(
                self.left - 7.0,
                y + 4.0,
                label,
                Txt::new(12.0).end().fill(MUTED),
            );
        }
        for (v, label) in xticks {
            let x = self.x.at(*v);
            svg.line(x, self.top, x, self.bottom, GRID, 1.0, "");
            svg.line(x, self.bottom, x, self.bottom + 5.0, MUTED, 1.0, "");
            svg.text(
                x,
                self.bottom + 19.0,
                label,
                Txt::new(12.0).middle().fill(MUTED),
            );
        }
        svg.line(
            self.left,
            self.bottom,
            self.right,
            self.bottom,
            MUTED,
            1.0,
            "",
        );
        svg.line(self.left, self.top, self.left, self.bottom, MUTED, 1.0, "");
        svg.text(
            (self.left + self.right) / 2.0,
            self.bottom + 40.0,
            xlabel,
            Txt::new(13.0).middle(),
        );
        if !ylabel.is_empty() {
            let (x, y) = (18.0, (self.top + self.bottom) / 2.0);
            svg.text_rot(x, y, ylabel, Txt::new(13.0).middle(), -90.0);
        }
        svg.close_group();
    }
}

/// Ticks of a domain as (value, label), only those inside it.
pub fn ticks_in(
    d0: f64,
    d1: f64,
    target: usize,
    fmt: impl Fn(f64, f64) -> String,
) -> Vec<(f64, String)> {
    let (ticks, step) = super::fmt::nice_ticks(d0, d1, target);
    let eps = (d1 - d0).abs() * 1e-9;
    ticks
        .into_iter()
        .filter(|v| *v >= d0 - eps && *v <= d1 + eps)
        .map(|v| (v, fmt(v, step)))
        .collect()
}

/// A domain widened to nice tick boundaries.
pub fn nice_domain(lo: f64, hi: f64, target: usize) -> (f64, f64) {
    let (t, _) = super::fmt::nice_ticks(lo, hi, target);
    (t[0], t[t.len() - 1])
}
