//! Charts (SVG) and a one-page report (`report.html`) rebuilt from the CSV files of an
//! output folder, so that a merged cluster run gets the same report as a single run.
//!
//! No I/O here: the caller reads the folder's files into [`Inputs`] and writes what
//! [`render`] returns. The output depends only on the inputs' bytes (no clock, no
//! thread count, no wall time), so byte-identical CSVs give a byte-identical report.
//!
//! Every route's marks in a chart are one `<g class="series" data-series="ROUTE">`.

mod charts;
mod data;
mod fmt;
mod html;
mod svg;

use charts::{Breakeven, RouteComponents, RouteDist, SweepSeries, TornadoBar};
use data::{rows_of, Group, Summary, Table, COMPONENTS};
use fmt::{esc, pct, usd};

/// Texts of an output folder's files (`None` when absent).
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// `summary.csv` (required).
    pub summary: String,
    /// `compare.csv`.
    pub compare: Option<String>,
    /// `histogram.csv`.
    pub histogram: Option<String>,
    /// `manifest.json`.
    pub manifest: Option<String>,
    /// `breakeven.csv`.
    pub breakeven: Option<String>,
    /// `sensitivity.csv`: `regime,route,input,spearman,share`.
    pub sensitivity: Option<String>,
}

/// Why a report could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// A file is not readable CSV.
    #[error("{file}: {message}")]
    Csv {
        /// The file.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// A column the report needs is missing.
    #[error("{file}: missing column `{column}`")]
    MissingColumn {
        /// The file.
        file: String,
        /// The column.
        column: String,
    },
    /// A field that should hold a number does not.
    #[error("{file} line {line}, column `{column}`: `{value}` is not a number")]
    BadNumber {
        /// The file.
        file: String,
        /// Its line (1-based, counting the header).
        line: u64,
        /// The column.
        column: String,
        /// The field.
        value: String,
    },
    /// A file has a header but no rows.
    #[error("{file}: no rows")]
    Empty {
        /// The file.
        file: String,
    },
    /// `manifest.json` is not valid JSON.
    #[error("manifest.json: {0}")]
    Manifest(String),
}

/// The quantile columns of `summary.csv` with their probabilities (min and max as 0 and 1).
const QUANTILE_KNOTS: [(f64, &str); 11] = [
    (0.0, "min"),
    (0.01, "p01"),
    (0.05, "p05"),
    (0.10, "p10"),
    (0.25, "p25"),
    (0.50, "p50"),
    (0.75, "p75"),
    (0.90, "p90"),
    (0.95, "p95"),
    (0.99, "p99"),
    (1.0, "max"),
];

/// The name of the report file.
pub const REPORT_FILE: &str = "report.html";

/// Provenance from `manifest.json`: only what is the same for every run that must give
/// the same report (not threads or wall time).
#[derive(Default)]
struct Prov {
    version: Option<String>,
    scenario_file: Option<String>,
    scenario: Option<String>,
    seed: Option<String>,
    trials: Option<u64>,
    trials_used: Vec<u64>,
    date: Option<String>,
    overrides: Vec<String>,
    sweep: Vec<(String, Vec<String>)>,
    warnings: Vec<String>,
}

fn prov(manifest: Option<&str>) -> Result<Prov, ReportError> {
    let Some(text) = manifest else {
        return Ok(Prov::default());
    };
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ReportError::Manifest(e.to_string()))?;
    let s = |k: &str| -> Option<String> {
        match v.get(k)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    let strings = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let sweep = v
        .get("sweep")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    let path = p.first()?.as_str()?.to_string();
                    let vals = p
                        .get(1)?
                        .as_array()?
                        .iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                        .collect();
                    Some((path, vals))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Prov {
        version: s("version"),
        scenario_file: s("scenario_file"),
        scenario: s("scenario"),
        seed: s("seed"),
        trials: v.get("trials").and_then(|x| x.as_u64()),
        trials_used: v
            .get("trials_used")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_u64()).collect())
            .unwrap_or_default(),
        date: ["date", "created", "finished"].iter().find_map(|k| s(k)),
        overrides: strings("overrides"),
        sweep,
        warnings: strings("warnings"),
    })
}

/// Colour index of every route: its position among all routes of the summary, so a route
/// keeps its colour from chart to chart.
fn route_index(sum: &Summary) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for g in &sum.groups {
        for r in &g.routes {
            if !all.contains(r) {
                all.push(r.clone());
            }
        }
    }
    all
}

fn color_of(all: &[String], route: &str) -> usize {
    all.iter().position(|r| r == route).unwrap_or(0)
}

/// A chart's file name, made unique.
fn unique(files: &mut Vec<String>, name: String) -> String {
    if !files.contains(&name) {
        files.push(name.clone());
        return name;
    }
    let (stem, ext) = name.rsplit_once('.').unwrap_or((&name, "svg"));
    let mut i = 2;
    loop {
        let n = format!("{stem}-{i}.{ext}");
        if !files.contains(&n) {
            files.push(n.clone());
            return n;
        }
        i += 1;
    }
}

/// The point's values as `path = value` text (for captions).
fn point_text(paths: &[String], point: &[String]) -> String {
    paths
        .iter()
        .zip(point)
        .map(|(p, v)| format!("{p} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Draws the charts and the report from an output folder's files: `(file name, bytes)`,
/// `report.html` first, then `charts/*.svg`.
pub fn render(inputs: &Inputs) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let sum = Summary::parse(&inputs.summary)?;
    let prov = prov(inputs.manifest.as_deref())?;
    let hist = inputs
        .histogram
        .as_deref()
        .map(|t| Table::parse("histogram.csv", t))
        .transpose()?;
    let compare = inputs
        .compare
        .as_deref()
        .map(|t| Table::parse("compare.csv", t))
        .transpose()?;
    let sens = inputs
        .sensitivity
        .as_deref()
        .map(|t| Table::parse("sensitivity.csv", t))
        .transpose()?;
    let be = inputs
        .breakeven
        .as_deref()
        .map(parse_breakeven)
        .transpose()?;
    // Name a missing column even when the file has no rows to draw.
    let needs: [(&Option<Table>, &[&str]); 3] = [
        (&hist, &["regime", "route", "lo", "hi", "share"]),
        (
            &compare,
            &[
                "kind",
                "regime_a",
                "route_a",
                "regime_b",
                "route_b",
                "mean_diff_lo",
                "mean_diff_hi",
            ],
        ),
        (&sens, &["regime", "route", "input", "spearman"]),
    ];
    for (t, cols) in needs {
        if let Some(t) = t {
            for c in cols {
                t.col(c)?;
            }
        }
    }

    let all_routes = route_index(&sum);
    let scenario_name = prov
        .scenario
        .clone()
        .or_else(|| (sum.scenarios.len() == 1).then(|| sum.scenarios[0].clone()));
    let has_sweep = sum.points.len() > 1;

    let caption_for = |g: &Group, extra: Option<String>| -> Vec<String> {
        let mut parts = Vec::new();
        if let Some(s) = g.scenario.clone().or_else(|| scenario_name.clone()) {
            parts.push(format!("scenario {s}"));
        }
        if let Some(seed) = &prov.seed {
            parts.push(format!("seed {seed}"));
        }
        if let Some(c) = g
            .routes
            .first()
            .and_then(|r| sum.cell(g, &g.first_point, r))
        {
            if let Ok(Some(n)) = sum.get(c, "trials") {
                parts.push(format!("{} trials per route", fmt::count(n as u64)));
            }
        }
        let mut lines = vec![parts.join(" · ")];
        lines.extend(extra);
        lines
    };

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let mut names: Vec<String> = vec![REPORT_FILE.to_string()];
    let mut sections: Vec<html::Section> = Vec::new();
    let mut headlines: Vec<html::Headline> = Vec::new();

    for g in &sum.groups {
        let slug = g.slug();
        let label = g.label();
        let at_point = if has_sweep && !sum.sweep_paths.is_empty() {
            Some(format!(
                "At the first sweep point: {}.",
                point_text(&sum.sweep_paths, &g.first_point)
            ))
        } else {
            None
        };
        headlines.push(headline(&sum, g, compare.as_ref())?);
        let mut figures = Vec::new();

        // 1. Cost distribution.
        if let Some(h) = &hist {
            let rows = rows_of(h, &sum.sweep_paths, g, &g.first_point)?;
            if !rows.is_empty() {
                let (ui, li, hi, si) =
                    (h.col("route")?, h.col("lo")?, h.col("hi")?, h.col("share")?);
                let mut dists = Vec::new();
                for route in &g.routes {
                    let mut bins = Vec::new();
                    for &r in rows.iter().filter(|&&r| h.text(r, ui) == route) {
                        if let (Some(lo), Some(hi), Some(s)) =
                            (h.num(r, li)?, h.num(r, hi)?, h.num(r, si)?)
                        {
                            bins.push((lo, hi, s));
                        }
                    }
                    let cell = sum.cell(g, &g.first_point, route);
                    let q = |name: &str| -> Result<Option<f64>, ReportError> {
                        match cell {
                            Some(c) => sum.get(c, name),
                            None => Ok(None),
                        }
                    };
                    let mut quantiles = Vec::new();
                    for (p, name) in QUANTILE_KNOTS {
                        if let Some(v) = q(name)? {
                            quantiles.push((p, v));
                        }
                    }
                    dists.push(RouteDist {
                        name: route.clone(),
                        color: color_of(&all_routes, route),
                        bins,
                        quantiles,
                        p05: q("p05")?,
                        p50: q("p50")?,
                        p90: q("p90")?,
                        p95: q("p95")?,
                    });
                }
                let title = format!("Landed cost distribution · {label}");
                let svg = charts::distribution(&title, &caption_for(g, at_point.clone()), &dists);
                let file = unique(&mut names, format!("charts/cost-distribution-{slug}.svg"));
                figures.push(figure(
                    &file,
                    svg,
                    "How the landed cost of simulated shipments is spread, one outline per route; \
                     above the plot, each route’s 5th–95th percentile range and its median (circle, dashed line)."
                        .into(),
                    &mut files,
                ));
            }
        }

        // 2. Cost components.
        let mut comps = Vec::new();
        for route in &g.routes {
            let Some(c) = sum.cell(g, &g.first_point, route) else {
                continue;
            };
            let mut v = [0.0; 9];
            for (k, name) in COMPONENTS.iter().enumerate() {
                v[k] = sum.get(c, name)?.unwrap_or(0.0);
            }
            comps.push(RouteComponents {
                name: route.clone(),
                color: color_of(&all_routes, route),
                components: v,
                mean: sum.get(c, "mean")?,
            });
        }
        let title = format!("Where the money goes · {label}");
        let svg = charts::components(&title, &caption_for(g, at_point.clone()), &comps);
        let file = unique(&mut names, format!("charts/cost-components-{slug}.svg"));
        figures.push(figure(
            &file,
            svg,
            "Mean cost per unit by component, stacked; the number at the end of each bar is the route’s mean landed cost."
                .into(),
            &mut files,
        ));

        // 3. Sweep.
        if has_sweep && !sum.sweep_paths.is_empty() {
            if let Some((svg, note)) = sweep_chart(&sum, g, &all_routes, &label, &caption_for)? {
                let file = unique(&mut names, format!("charts/sweep-{slug}.svg"));
                figures.push(figure(&file, svg, note, &mut files));
            }
        }

        // 4. Tornado charts.
        if let Some(t) = &sens {
            let rows = rows_of(t, &sum.sweep_paths, g, &g.first_point)?;
            let (ui, ii, si) = (t.col("route")?, t.col("input")?, t.col("spearman")?);
            let shi = t.find("share");
            for route in &g.routes {
                let mut bars = Vec::new();
                for &r in rows.iter().filter(|&&r| t.text(r, ui) == route) {
                    if let Some(s) = t.num(r, si)? {
                        bars.push(TornadoBar {
                            input: t.text(r, ii).to_string(),
                            spearman: s,
                            share: match shi {
                                Some(c) => t.num(r, c)?,
                                None => None,
                            },
                        });
                    }
                }
                if bars.is_empty() {
                    continue;
                }
                let title = format!("What drives the cost of {route} · {label}");
                let svg = charts::tornado(
                    &title,
                    &caption_for(g, at_point.clone()),
                    route,
                    color_of(&all_routes, route),
                    &bars,
                );
                let file = unique(
                    &mut names,
                    format!("charts/tornado-{slug}-{}.svg", fmt::slug(route)),
                );
                figures.push(figure(
                    &file,
                    svg,
                    "Spearman rank correlation of each uncertain input with the route’s landed cost, \
                     largest first (in brackets: its share of the explained variance)."
                        .into(),
                    &mut files,
                ));
            }
        }

        sections.push(html::Section {
            id: format!("regime-{slug}"),
            heading: format!("Regime {label}"),
            figures,
        });
    }

    if let Some(b) = &be {
        let mut cap = Vec::new();
        let mut parts = Vec::new();
        if let Some(s) = &scenario_name {
            parts.push(format!("scenario {s}"));
        }
        if let Some(seed) = &prov.seed {
            parts.push(format!("seed {seed}"));
        }
        parts.push(format!("{} values tried", b.steps.len()));
        cap.push(parts.join(" · "));
        cap.push("breakeven.csv names neither the parameter nor the routes: see the breakeven command line.".into());
        let svg = charts::breakeven("Break-even search", &cap, b);
        let file = unique(&mut names, "charts/breakeven.svg".to_string());
        let figs = vec![figure(
            &file,
            svg,
            "Difference in the chosen metric between the two routes at every parameter value the search tried \
             (bars: ±1.96 standard errors); the vertical line marks the crossing, the shaded band its 95% confidence interval."
                .into(),
            &mut files,
        )];
        sections.push(html::Section {
            id: "breakeven".into(),
            heading: "Break-even".into(),
            figures: figs,
        });
    }

    // Provenance.
    let mut pv: Vec<(String, String)> = Vec::new();
    let code = |s: &str| format!("<code>{}</code>", esc(s));
    if let Some(s) = &scenario_name {
        pv.push(("Scenario".into(), esc(s)));
    } else if !sum.scenarios.is_empty() {
        pv.push(("Scenarios".into(), esc(&sum.scenarios.join(", "))));
    }
    if let Some(f) = &prov.scenario_file {
        pv.push(("Scenario file".into(), code(f)));
    }
    if let Some(s) = &prov.seed {
        pv.push(("Seed".into(), esc(s)));
    }
    if let Some(t) = prov.trials {
        let used = &prov.trials_used;
        let mut s = format!("{} per route and regime", fmt::count(t));
        if !used.is_empty() && used.iter().any(|u| *u != t) {
            let u: Vec<String> = used.iter().map(|u| fmt::count(*u)).collect();
            s.push_str(&format!(" asked; used: {}", u.join(", ")));
        }
        pv.push(("Trials".into(), esc(&s)));
    }
    if !prov.sweep.is_empty() {
        let s: Vec<String> = prov
            .sweep
            .iter()
            .map(|(p, v)| format!("{} = {}", code(p), esc(&v.join(", "))))
            .collect();
        pv.push(("Sweep".into(), s.join("<br/>")));
    } else if has_sweep {
        pv.push((
            "Sweep".into(),
            sum.sweep_paths
                .iter()
                .map(|p| code(p))
                .collect::<Vec<_>>()
                .join("<br/>"),
        ));
    }
    if !prov.overrides.is_empty() {
        let s: Vec<String> = prov.overrides.iter().map(|o| code(o)).collect();
        pv.push(("Overrides".into(), s.join("<br/>")));
    }
    if !prov.warnings.is_empty() {
        let s: Vec<String> = prov.warnings.iter().map(|w| esc(w)).collect();
        pv.push(("Warnings".into(), s.join("<br/>")));
    }
    if let Some(v) = &prov.version {
        pv.push(("tariffsim version".into(), esc(v)));
    }
    if let Some(d) = &prov.date {
        pv.push(("Date".into(), esc(d)));
    }
    let mut sources = vec!["summary.csv"];
    for (name, present) in [
        ("compare.csv", inputs.compare.is_some()),
        ("histogram.csv", inputs.histogram.is_some()),
        ("breakeven.csv", inputs.breakeven.is_some()),
        ("sensitivity.csv", inputs.sensitivity.is_some()),
        ("manifest.json", inputs.manifest.is_some()),
    ] {
        if present {
            sources.push(name);
        }
    }
    pv.push((
        "Drawn from".into(),
        sources
            .iter()
            .map(|s| code(s))
            .collect::<Vec<_>>()
            .join(", "),
    ));

    let title = match &scenario_name {
        Some(s) => format!("{s}: landed cost per route and tariff regime"),
        None => "Landed cost per route and tariff regime".to_string(),
    };
    let mut lede = String::from(
        "Monte Carlo simulation of the landed cost per unit (USD) of every route under every tariff regime",
    );
    if let Some(s) = &prov.seed {
        lede.push_str(&format!(", seed {}", esc(s)));
    }
    if let Some(t) = prov.trials {
        lede.push_str(&format!(", {} trials per route and regime", fmt::count(t)));
    }
    lede.push('.');
    if has_sweep {
        lede.push_str(&format!(
            " {} sweep points; the table and the distribution charts show the first.",
            sum.points.len()
        ));
    }
    let page = html::Page {
        title,
        lede,
        table_note: "Mean, p05 and p95: mean, 5th and 95th percentile of the landed cost per unit. \
                     CVaR 95: mean cost of the costliest 5% of shipments. P(cheapest): share of simulated \
                     shipments in which the route is (one of) the cheapest of its regime; a tie counts for every \
                     route in it, so the shares of a regime can add up to more than 100%. The highlighted route has \
                     the lowest mean; “mean vs cheapest” is how much more a route costs on average."
            .into(),
        headlines,
        sections,
        provenance: pv,
    };
    let mut out = vec![(REPORT_FILE.to_string(), html::page(&page).into_bytes())];
    out.extend(files);
    Ok(out)
}

fn figure(
    file: &str,
    svg: String,
    caption: String,
    files: &mut Vec<(String, Vec<u8>)>,
) -> html::Figure {
    files.push((file.to_string(), svg.clone().into_bytes()));
    let id = format!(
        "fig-{}",
        fmt::slug(file.trim_start_matches("charts/").trim_end_matches(".svg"))
    );
    html::Figure {
        id,
        file: file.to_string(),
        svg,
        caption: esc(&caption),
    }
}

/// One regime's headline block: numbers per route, cheapest route and by how much.
fn headline(
    sum: &Summary,
    g: &Group,
    compare: Option<&Table>,
) -> Result<html::Headline, ReportError> {
    let mut means: Vec<(String, f64)> = Vec::new();
    let mut rows = Vec::new();
    for route in &g.routes {
        if let Some(c) = sum.cell(g, &g.first_point, route) {
            if let Some(m) = sum.get(c, "mean")? {
                means.push((route.clone(), m));
            }
        }
    }
    let mut ranked = means.clone();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    let best = ranked.first().cloned();
    for route in &g.routes {
        let Some(c) = sum.cell(g, &g.first_point, route) else {
            continue;
        };
        let mut cells = Vec::new();
        for (col, share) in [
            ("mean", false),
            ("p05", false),
            ("p95", false),
            ("cvar95", false),
            ("p_cheapest", true),
        ] {
            let raw = sum.raw(c, col)?.to_string();
            let shown = match sum.get(c, col)? {
                Some(v) if share => pct(v),
                Some(v) => usd(v),
                None => "–".into(),
            };
            cells.push((col, html::Num { shown, raw }));
        }
        let mean = sum.get(c, "mean")?;
        let cheapest = best.as_ref().is_some_and(|b| &b.0 == route);
        let delta = match (mean, &best) {
            (Some(m), Some(b)) if !cheapest => format!("+{}", usd(m - b.1)),
            (Some(_), Some(_)) => "–".into(),
            _ => String::new(),
        };
        rows.push(html::HeadRow {
            route: route.clone(),
            cheapest,
            cells,
            delta,
        });
    }

    let verdict = match (ranked.first(), ranked.get(1)) {
        (Some(b), Some(n)) => {
            let d = n.1 - b.1;
            let rel = if n.1 != 0.0 { d / n.1 } else { 0.0 };
            let mut v = format!(
                "<b>{}</b> is cheapest on average: {} USD per unit, {} USD ({}) below <b>{}</b>",
                esc(&b.0),
                usd(b.1),
                usd(d),
                pct(rel),
                esc(&n.0)
            );
            if let Some((lo, hi)) = diff_ci(compare, &sum.sweep_paths, g, &b.0, &n.0)? {
                v.push_str(&format!(" (95% CI {} to {} USD)", usd(lo), usd(hi)));
                if lo <= 0.0 {
                    v.push_str(", a difference the simulation cannot tell from zero");
                }
            }
            v.push('.');
            // The route most often cheapest, if not the cheapest on average: the risk story.
            let mut most: Option<(String, f64)> = None;
            for route in &g.routes {
                if let Some(c) = sum.cell(g, &g.first_point, route) {
                    if let Some(p) = sum.get(c, "p_cheapest")? {
                        if most.as_ref().is_none_or(|m| p > m.1) {
                            most = Some((route.clone(), p));
                        }
                    }
                }
            }
            if let Some((r, p)) = most {
                if r != b.0 {
                    let p95 = sum
                        .cell(g, &g.first_point, &r)
                        .map(|c| sum.get(c, "p95"))
                        .transpose()?
                        .flatten();
                    v.push_str(&format!(
                        " <b>{}</b> is cheaper in more shipments ({}), but riskier",
                        esc(&r),
                        pct(p)
                    ));
                    if let Some(q) = p95 {
                        v.push_str(&format!(": its p95 is {} USD", usd(q)));
                    }
                    v.push('.');
                }
            }
            v
        }
        (Some(b), None) => format!(
            "<b>{}</b> is the only route: {} USD per unit.",
            esc(&b.0),
            usd(b.1)
        ),
        _ => "No mean cost in summary.csv.".into(),
    };
    Ok(html::Headline {
        label: g.label(),
        regime: g.regime.clone(),
        scenario: g.scenario.clone(),
        verdict,
        rows,
    })
}

/// The 95% CI of mean(worse) − mean(best) from `compare.csv`'s paired comparison, if there.
fn diff_ci(
    compare: Option<&Table>,
    paths: &[String],
    g: &Group,
    best: &str,
    next: &str,
) -> Result<Option<(f64, f64)>, ReportError> {
    let Some(t) = compare else { return Ok(None) };
    if g.scenario.is_some() {
        return Ok(None);
    }
    let sweep = t.sweep_cols("kind")?;
    let names: Vec<&str> = sweep.iter().map(|&i| t.headers[i].as_str()).collect();
    if names.len() != paths.len() || names.iter().zip(paths).any(|(a, b)| a != b) {
        return Ok(None);
    }
    let cols = [
        "kind",
        "regime_a",
        "route_a",
        "regime_b",
        "route_b",
        "mean_diff_lo",
        "mean_diff_hi",
    ];
    let mut ix = [0usize; 7];
    for (k, c) in cols.iter().enumerate() {
        ix[k] = t.col(c)?;
    }
    for r in 0..t.rows.len() {
        let point: Vec<String> = sweep.iter().map(|&i| t.text(r, i).to_string()).collect();
        if point != g.first_point
            || t.text(r, ix[0]) != "routes"
            || t.text(r, ix[1]) != g.regime
            || t.text(r, ix[3]) != g.regime
        {
            continue;
        }
        let (a, b) = (t.text(r, ix[2]), t.text(r, ix[4]));
        let (lo, hi) = match (t.num(r, ix[5])?, t.num(r, ix[6])?) {
            (Some(lo), Some(hi)) => (lo, hi),
            _ => continue,
        };
        // mean_diff = a − b; we want next − best.
        if a == next && b == best {
            return Ok(Some((lo, hi)));
        }
        if a == best && b == next {
            return Ok(Some((-hi, -lo)));
        }
    }
    Ok(None)
}

/// Chart 3 for one regime: means and p05–p95 bands along the first swept path (other
/// swept paths held at the group's first point).
#[allow(clippy::type_complexity)]
fn sweep_chart(
    sum: &Summary,
    g: &Group,
    all_routes: &[String],
    label: &str,
    caption_for: &dyn Fn(&Group, Option<String>) -> Vec<String>,
) -> Result<Option<(String, String)>, ReportError> {
    let path = &sum.sweep_paths[0];
    // Points along the first path, others fixed.
    let points: Vec<&Vec<String>> = sum
        .points
        .iter()
        .filter(|p| p.iter().zip(&g.first_point).skip(1).all(|(a, b)| a == b))
        .filter(|p| g.routes.iter().any(|r| sum.cell(g, p, r).is_some()))
        .collect();
    if points.len() < 2 {
        return Ok(None);
    }
    let numeric: Option<Vec<f64>> = points.iter().map(|p| p[0].parse::<f64>().ok()).collect();
    let (xs, categories): (Vec<f64>, Option<Vec<String>>) = match numeric {
        Some(v) => (v, None),
        None => (
            (0..points.len()).map(|i| i as f64).collect(),
            Some(points.iter().map(|p| p[0].clone()).collect()),
        ),
    };
    let mut series = Vec::new();
    for route in &g.routes {
        let mut pts = Vec::new();
        for (p, x) in points.iter().zip(&xs) {
            if let Some(c) = sum.cell(g, p, route) {
                if let Some(m) = sum.get(c, "mean")? {
                    pts.push((*x, m, sum.get(c, "p05")?, sum.get(c, "p95")?));
                }
            }
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        series.push(SweepSeries {
            name: route.clone(),
            color: color_of(all_routes, route),
            pts,
        });
    }
    let mut extra = None;
    if sum.sweep_paths.len() > 1 {
        extra = Some(format!(
            "Other swept paths held at {}.",
            point_text(&sum.sweep_paths[1..], &g.first_point[1..])
        ));
    }
    let title = format!("Mean landed cost along the sweep · {label}");
    let svg = charts::sweep(
        &title,
        &caption_for(g, extra),
        path,
        categories.as_deref(),
        &series,
    );
    Ok(Some((
        svg,
        "Each route’s mean landed cost (line) and its 5th–95th percentile band (shaded) at every swept value.".into(),
    )))
}

/// `breakeven.csv`: numbered steps, then `result`, `ci_lo`, `ci_hi` rows.
fn parse_breakeven(text: &str) -> Result<Breakeven, ReportError> {
    let t = Table::parse("breakeven.csv", text)?;
    let cols = ["step", "x", "metric_a", "metric_b", "diff", "se"];
    let mut ix = [0usize; 6];
    for (k, c) in cols.iter().enumerate() {
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
