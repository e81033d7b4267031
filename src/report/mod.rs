//! Charts (SVG) and a one-page report (`report.html`) rebuilt from the CSV files of an
//! output folder, so that a merged cluster run gets the same report as a single run.
//!
//! No I/O here: the caller reads the folder's files into [`Inputs`] and writes what
//! [`render`] returns. The output depends only on the inputs' bytes (no clock, no
//! thread count, no wall time), so byte-identical CSVs give a byte-identical report.
//!
//! Every route's marks in a chart are one `<g class="series" data-series="ROUTE">`.

mod assume;
mod be;
mod charts;
mod data;
mod fmt;
mod headline;
mod html;
mod parts;
mod prov;
mod svg;
mod sweeps;
mod swing;
mod tails;

pub use be::{breakeven_svg, frontier_svg};
use charts::{RouteComponents, TornadoBar};
use data::{rows_of, Group, Summary, Table, COMPONENTS};
use fmt::esc;
use headline::headline;
use parts::{color_of, exceed_of, figure, point_tables, point_text, route_index, unique};
use prov::prov;
use tails::RouteDist;

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
    /// `sensitivity.csv`: `regime,route,input,spearman,share` (and `swing`, `swing_lo`,
    /// `swing_hi` when written by a newer run).
    pub sensitivity: Option<String>,
    /// `exceedance.csv`: each route's cost at fine quantile levels, tails included.
    pub exceedance: Option<String>,
    /// `assumptions.json`: each regime's duty stacks and settings.
    pub assumptions: Option<String>,
    /// `breakeven-manifest.json`: what a break-even run searched.
    pub breakeven_manifest: Option<String>,
    /// `frontier.csv`: a two-parameter break-even frontier.
    pub frontier: Option<String>,
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
const TABLE_NOTE: &str = "Mean, p05 and p95: mean, 5th and 95th percentile of the landed cost per unit. \
    CVaR 95: mean cost of the costliest 5% of shipments. P(cheapest), ties count (summary.csv’s p_cheapest, as \
    docs/model.md defines it): share of simulated shipments in which the route is (one of) the cheapest of its regime; a \
    tie counts for every route in it, so a route rerouted to its fallback counts as cheapest whenever the fallback is, \
    and the shares of a regime can add up to more than 100%. P(cheapest), own shipment (p_cheapest_own): the share in \
    which the route’s own shipment entered and was cheapest; ties with a fallback do not count. The highlighted route has \
    the lowest mean; “mean vs cheapest” is how much more a route costs on average.";

const SWING_CAPTION: &str = "Swing: the route’s mean cost when the input is in its top decile minus in its \
    bottom decile (an event: when it happens minus when it does not), in USD with a 95% CI. It shows how much an input \
    moves the mean, even one that matters rarely but a lot; it cannot show interactions between inputs or effects in the \
    middle of an input’s range. Spearman’s ρ beside it measures how consistently the cost rises with the input over all \
    trials; it can rank a rare, large effect low.";

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
        .map(be::parse_breakeven)
        .transpose()?;
    let exc = inputs
        .exceedance
        .as_deref()
        .map(|t| Table::parse("exceedance.csv", t))
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
        headlines.push(headline(&sum, g, compare.as_ref(), &g.first_point)?);
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
                    let exceed = exceed_of(exc.as_ref(), &sum.sweep_paths, g, route)?;
                    if !exceed.is_empty() {
                        quantiles = exceed.iter().map(|e| (e.0, e.1)).collect();
                    }
                    dists.push(RouteDist {
                        name: route.clone(),
                        color: color_of(&all_routes, route),
                        bins,
                        quantiles,
                        exceed: exceed.iter().map(|e| (e.1, e.2)).collect(),
                        p05: q("p05")?,
                        p50: q("p50")?,
                        p95: q("p95")?,
                    });
                }
                let title = format!("Landed cost distribution · {label}");
                let caps = caption_for(g, at_point.clone());
                let svg = tails::distribution(&title, &caps, &dists);
                let file = unique(&mut names, format!("charts/cost-distribution-{slug}.svg"));
                figures.push(figure(
                    &file,
                    svg,
                    "How the landed cost of simulated shipments is spread, one outline per route, on an axis scaled to the \
                     central routes (what lies beyond either edge is stated under the plot); above the plot, each route’s \
                     5th–95th percentile range and its median (circle, dashed line)."
                        .into(),
                    &mut files,
                ));
                let title = format!("Every shipment: P(cost > x) · {label}");
                let svg = tails::exceedance(&title, &caps, &dists, tails::main_range(&dists));
                let file = unique(&mut names, format!("charts/exceedance-{slug}.svg"));
                figures.push(figure(
                    &file,
                    svg,
                    "Exceedance curves: for every cost x, the share of a route’s shipments that cost more, from its \
                     lowest to its highest simulated cost, so heavy tails (seizures, penalties) show in full."
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
            for (svg, note, stat) in
                sweeps::sweep_charts(&sum, g, &all_routes, &label, &caption_for)?
            {
                let name = if stat == "mean" {
                    format!("charts/sweep-{slug}.svg")
                } else {
                    format!("charts/sweep-{stat}-{slug}.svg")
                };
                let file = unique(&mut names, name);
                figures.push(figure(&file, svg, note, &mut files));
            }
        }

        // 4. Tornado charts.
        if let Some(t) = &sens {
            let rows = rows_of(t, &sum.sweep_paths, g, &g.first_point)?;
            let (ui, ii, si) = (t.col("route")?, t.col("input")?, t.col("spearman")?);
            let shi = t.find("share");
            let swi = [t.find("swing"), t.find("swing_lo"), t.find("swing_hi")];
            for route in &g.routes {
                let mut swings = Vec::new();
                if let [Some(a), Some(b), Some(c)] = swi {
                    for &r in rows.iter().filter(|&&r| t.text(r, ui) == route) {
                        if let (Some(v), Some(lo), Some(hi), Some(rho)) =
                            (t.num(r, a)?, t.num(r, b)?, t.num(r, c)?, t.num(r, si)?)
                        {
                            swings.push(swing::SwingBar {
                                input: t.text(r, ii).to_string(),
                                swing: (v, lo, hi),
                                spearman: rho,
                            });
                        }
                    }
                }
                if !swings.is_empty() {
                    let title =
                        format!("How much each input moves the mean cost of {route} · {label}");
                    let svg = swing::swing_tornado(
                        &title,
                        &caption_for(g, at_point.clone()),
                        route,
                        color_of(&all_routes, route),
                        &swings,
                    );
                    let file = unique(
                        &mut names,
                        format!("charts/swing-{slug}-{}.svg", fmt::slug(route)),
                    );
                    figures.push(figure(&file, svg, SWING_CAPTION.into(), &mut files));
                }
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
                     largest first (in brackets: its share of the explained variance). It ranks how consistently an \
                     input moves the cost, not by how many USD: the swing chart shows that."
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
        let info = be::be_info(inputs.breakeven_manifest.as_deref())?;
        let svg = charts::breakeven(
            "Break-even search",
            &be::be_captions(&info, b.steps.len()),
            b,
        );
        let file = unique(&mut names, "charts/breakeven.svg".to_string());
        let mut figs = vec![figure(
            &file,
            svg,
            "Difference in the chosen metric between the two routes at every parameter value the search tried \
             (bars: ±1.96 standard errors); the vertical line marks the crossing, the shaded band its 95% confidence interval."
                .into(),
            &mut files,
        )];
        if let Some(fr) = &inputs.frontier {
            let svg = be::frontier_svg(fr, inputs.breakeven_manifest.as_deref())?;
            let file = unique(&mut names, "charts/frontier.svg".to_string());
            figs.push(figure(&file, svg, "The break-even of the first parameter at every value of the second, with its 95% CI.".into(), &mut files));
        }
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
    let mut notices = Vec::new();
    if let Some(t) = &prov.target {
        let worst = prov.worst.clone().unwrap_or_default();
        let text = match prov.target_met {
            Some(false) => {
                let n = format!(
                    "Precision target {t} <b>not reached</b>: every trial asked for was used; the worst cell is {}.",
                    esc(&worst)
                );
                notices.push(n.clone());
                n
            }
            Some(true) => format!("{t} reached; the worst cell is {}.", esc(&worst)),
            None => esc(t),
        };
        pv.push(("Precision target".into(), text));
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
        ("exceedance.csv", inputs.exceedance.is_some()),
        ("assumptions.json", inputs.assumptions.is_some()),
        ("frontier.csv", inputs.frontier.is_some()),
        (
            "breakeven-manifest.json",
            inputs.breakeven_manifest.is_some(),
        ),
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
            " {} sweep points: the sweep charts show every point and the tables below show each; the distribution charts show the first.",
            sum.points.len()
        ));
    }
    let page = html::Page {
        title,
        lede,
        table_note: TABLE_NOTE.into(),
        headlines,
        sections,
        provenance: pv,
        notices,
        assumptions: assume::section(inputs.assumptions.as_deref())?,
        extra: if has_sweep {
            point_tables(&sum, compare.as_ref())?
        } else {
            String::new()
        },
    };
    let mut out = vec![(REPORT_FILE.to_string(), html::page(&page).into_bytes())];
    out.extend(files);
    Ok(out)
}
