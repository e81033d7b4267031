//! The break-even chart and the two-parameter frontier chart, drawn from breakeven.csv /
//! frontier.csv and breakeven-manifest.json (which names the parameter and routes).

use super::charts::{self, Breakeven};
use super::data::Table;
use super::fmt::{self, usd};
use super::svg::{header, nice_domain, route_color, ticks_in, Key, Plot, Svg, Txt, INK};
use super::ReportError;
use crate::output::schema::{col, BREAKEVEN};

/// What the manifest says about a break-even run (empty strings when absent).
#[derive(Default)]
pub(crate) struct BeInfo {
    pub param: String,
    pub routes: Vec<String>,
    pub regime: String,
    pub metric: String,
    pub seed: String,
    pub trials: String,
    pub scenario: String,
    pub over: String,
}

pub(crate) fn be_info(manifest: Option<&str>) -> Result<BeInfo, ReportError> {
    let Some(t) = manifest else {
        return Ok(BeInfo::default());
    };
    let v: serde_json::Value =
        serde_json::from_str(t).map_err(|e| ReportError::Manifest(e.to_string()))?;
    let s = |k: &str| match v.get(k) {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(x) => x.to_string(),
    };
    Ok(BeInfo {
        param: s("param"),
        routes: v
            .get("routes")
            .and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default(),
        regime: s("regime"),
        metric: s("metric"),
        seed: s("seed"),
        trials: s("trials"),
        scenario: s("scenario"),
        over: v
            .get("over")
            .and_then(|o| o.get("path"))
            .and_then(|p| p.as_str())
            .unwrap_or_default()
            .to_string(),
    })
}

/// Caption lines of a break-even chart.
pub(crate) fn be_captions(i: &BeInfo, n: usize) -> Vec<String> {
    let mut parts = Vec::new();
    if !i.scenario.is_empty() {
        parts.push(format!("scenario {}", i.scenario));
    }
    if !i.seed.is_empty() {
        parts.push(format!("seed {}", i.seed));
    }
    if !i.trials.is_empty() {
        parts.push(format!("{} trials per evaluation", i.trials));
    }
    parts.push(format!("{n} values tried"));
    let mut lines = vec![parts.join(" · ")];
    if i.param.is_empty() {
        lines.push("No breakeven-manifest.json: see the breakeven command line for the parameter and routes.".into());
    } else {
        lines.push(format!(
            "{}: A = {}, B = {}, {} cost, regime {}",
            i.param,
            i.routes.first().map_or("?", |s| s.as_str()),
            i.routes.get(1).map_or("?", |s| s.as_str()),
            i.metric,
            i.regime
        ));
    }
    lines
}

/// The break-even chart of breakeven.csv (with its manifest, if any).
pub fn breakeven_svg(csv: &str, manifest: Option<&str>) -> Result<String, ReportError> {
    let b = parse_breakeven(csv)?;
    let info = be_info(manifest)?;
    Ok(charts::breakeven(
        "Break-even search",
        &be_captions(&info, b.steps.len()),
        &b,
    ))
}

/// The frontier chart of frontier.csv: the break-even of the parameter (with its 95% CI)
/// at every value of the second one.
pub fn frontier_svg(csv: &str, manifest: Option<&str>) -> Result<String, ReportError> {
    let t = Table::parse("frontier.csv", csv)?;
    let (qi, xi, li, hi) = (
        t.col(col::OVER)?,
        t.col(col::X)?,
        t.col(col::CI_LO)?,
        t.col(col::CI_HI)?,
    );
    let info = be_info(manifest)?;
    let mut pts = Vec::new();
    let mut none = Vec::new();
    for r in 0..t.rows.len() {
        let Some(q) = t.num(r, qi)? else { continue };
        if t.text(r, xi) == "none" {
            none.push(q);
            continue;
        }
        if let (Some(x), Some(lo), Some(h)) = (t.num(r, xi)?, t.num(r, li)?, t.num(r, hi)?) {
            pts.push((q, x, lo, h));
        }
    }
    let qs: Vec<f64> = pts
        .iter()
        .map(|p| p.0)
        .chain(none.iter().copied())
        .collect();
    let (q0, q1) = qs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &q| {
            (a.min(q), b.max(q))
        });
    let (q0, q1) = if q1 > q0 {
        (q0, q1)
    } else {
        (q0 - 0.5, q0 + 0.5)
    };
    let (y0, y1) = pts
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), p| {
            (a.min(p.2), b.max(p.3))
        });
    let (y0, y1) = if y1 > y0 {
        (y0, y1)
    } else if y0.is_finite() {
        (y0 - 0.5, y0 + 0.5)
    } else {
        (0.0, 1.0)
    };
    let (yd0, yd1) = nice_domain(y0, y1, 6);
    let title = "Break-even frontier";
    let mut caps = be_captions(&info, pts.len() + none.len());
    caps[0] = caps[0].replace("values tried", "values of the second parameter");
    let legend = vec![(
        "break-even, 95% CI".to_string(),
        Key::Line(route_color(0), ""),
    )];
    let mut svg = Svg::new(860.0, title);
    let top = header(&mut svg, title, &caps, &legend) + 8.0;
    let bottom = top + 320.0;
    let pad = (q1 - q0) * 0.03;
    let plot = Plot::new(72.0, top, 832.0, bottom, (q0 - pad, q1 + pad), (yd0, yd1));
    let xlabel = if info.over.is_empty() {
        "second parameter".to_string()
    } else {
        info.over.clone()
    };
    let ylabel = if info.param.is_empty() {
        "break-even".to_string()
    } else {
        format!(
            "break-even of {}",
            info.param.rsplit('.').next().unwrap_or("")
        )
    };
    plot.axes(
        &mut svg,
        &ticks_in(q0, q1, 8, fmt::tick),
        &ticks_in(yd0, yd1, 6, fmt::tick),
        &xlabel,
        &ylabel,
    );
    let color = route_color(0);
    svg.open_series("frontier");
    let line: Vec<(f64, f64)> = pts
        .iter()
        .map(|p| (plot.x.at(p.0), plot.y.at(p.1)))
        .collect();
    svg.polyline(
        &line,
        false,
        &format!(" fill=\"none\" stroke=\"{color}\" stroke-width=\"2\""),
    );
    for p in &pts {
        let x = plot.x.at(p.0);
        svg.line(x, plot.y.at(p.2), x, plot.y.at(p.3), color, 1.5, "");
        svg.circle(x, plot.y.at(p.1), 3.5, color, "#FFFFFF", 1.0);
    }
    svg.close_group();
    let mut y = bottom + 62.0;
    if !none.is_empty() {
        let list: Vec<String> = none.iter().map(|q| fmt::short(*q)).collect();
        svg.text(
            16.0,
            y,
            &format!(
                "No crossing within the searched interval at: {}.",
                list.join(", ")
            ),
            Txt::new(12.0).fill(INK),
        );
        y += 17.0;
    }
    let _ = usd;
    Ok(svg.finish(y))
}

/// `breakeven.csv`: numbered steps, then `result`, `ci_lo`, `ci_hi` rows.
pub(crate) fn parse_breakeven(text: &str) -> Result<Breakeven, ReportError> {
    let t = Table::parse("breakeven.csv", text)?;
    let mut ix = [0usize; 6];
    for (k, c) in BREAKEVEN.names.iter().enumerate() {
        ix[k] = t.col(c)?;
    }
    let mut b = Breakeven {
        steps: Vec::new(),
        result: None,
        ci: None,
    };
    let (mut lo, mut hi) = (None, None);
    for r in 0..t.rows.len() {
        let step = t.text(r, ix[0]);
        let x = t.text(r, ix[1]);
        let xv = || -> Result<Option<f64>, ReportError> {
            if x == "none" {
                Ok(None)
            } else {
                t.num(r, ix[1])
            }
        };
        match step {
            "result" => b.result = xv()?,
            "ci_lo" => lo = xv()?,
            "ci_hi" => hi = xv()?,
            _ => {
                let v: Vec<Option<f64>> =
                    (1..6).map(|k| t.num(r, ix[k])).collect::<Result<_, _>>()?;
                if let (Some(x), Some(d)) = (v[0], v[3]) {
                    b.steps.push((
                        x,
                        v[1].unwrap_or(f64::NAN),
                        v[2].unwrap_or(f64::NAN),
                        d,
                        v[4].unwrap_or(0.0),
                    ));
                }
            }
        }
    }
    if let (Some(lo), Some(hi)) = (lo, hi) {
        b.ci = Some((lo, hi));
    }
    Ok(b)
}
