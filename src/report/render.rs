//! Drawing the report, one function per section: per regime the cost distribution and
//! exceedance charts, the cost components, the sweep charts and the tornado and swing
//! charts of each route; then the break-even section, the provenance, and the page.

use super::charts::{self, RouteComponents, TornadoBar};
use super::data::{self, rows_of, Group, Summary, Table, COMPONENTS};
use super::fmt::{self, esc};
use super::headline::headline;
use super::parts::{color_of, exceed_of, figure, point_tables, point_text, route_index, unique};
use super::prov::{prov, Prov};
use super::tails::{self, RouteDist};
use super::{assume, be, html, sweeps, swing, Inputs, ReportError};
use super::{QUANTILE_KNOTS, REPORT_FILE, SWING_CAPTION, TABLE_NOTE};
use crate::output::schema::col;

/// The folder's files, parsed, and what every section asks of them.
struct Ctx {
    sum: Summary,
    prov: Prov,
    hist: Option<Table>,
    compare: Option<Table>,
    sens: Option<Table>,
    be: Option<charts::Breakeven>,
    exc: Option<Table>,
    all_routes: Vec<String>,
    scenario_name: Option<String>,
    has_sweep: bool,
}

/// The chart files drawn so far and their names (kept unique).
struct Drawn {
    files: Vec<(String, Vec<u8>)>,
    names: Vec<String>,
}

impl Ctx {
    fn parse(inputs: &Inputs) -> Result<Ctx, ReportError> {
        let table = |name: &'static str, t: &Option<String>| {
            t.as_deref().map(|t| Table::parse(name, t)).transpose()
        };
        let sum = Summary::parse(&inputs.summary)?;
        let prov = prov(inputs.manifest.as_deref())?;
        let hist = table("histogram.csv", &inputs.histogram)?;
        let compare = table("compare.csv", &inputs.compare)?;
        let sens = table("sensitivity.csv", &inputs.sensitivity)?;
        let be = inputs
            .breakeven
            .as_deref()
            .map(be::parse_breakeven)
            .transpose()?;
        let exc = table("exceedance.csv", &inputs.exceedance)?;
        // Name a missing column even when the file has no rows to draw.
        let needs: [(&Option<Table>, &[&str]); 3] = [
            (&hist, &data::HISTOGRAM_COLUMNS),
            (&compare, &data::COMPARE_COLUMNS),
            (&sens, &data::SENSITIVITY_COLUMNS),
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
        Ok(Ctx {
            sum,
            prov,
            hist,
            compare,
            sens,
            be,
            exc,
            all_routes,
            scenario_name,
            has_sweep,
        })
    }

    /// A chart's caption lines: scenario, seed, trials, then `extra`.
    fn caption(&self, g: &Group, extra: Option<String>) -> Vec<String> {
        let (sum, prov) = (&self.sum, &self.prov);
        let mut parts = Vec::new();
        if let Some(s) = g.scenario.clone().or_else(|| self.scenario_name.clone()) {
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
            if let Ok(Some(n)) = sum.get(c, col::TRIALS) {
                parts.push(format!("{} trials per route", fmt::count(n as u64)));
            }
        }
        let mut lines = vec![parts.join(" · ")];
        lines.extend(extra);
        lines
    }
}

/// Draws the charts and the report from an output folder's files: `(file name, bytes)`,
/// `report.html` first, then `charts/*.svg`.
pub fn render(inputs: &Inputs) -> Result<Vec<(String, Vec<u8>)>, ReportError> {
    let ctx = Ctx::parse(inputs)?;
    let mut out = Drawn {
        files: Vec::new(),
        names: vec![REPORT_FILE.to_string()],
    };
    let mut sections: Vec<html::Section> = Vec::new();
    let mut headlines: Vec<html::Headline> = Vec::new();
    for g in &ctx.sum.groups {
        headlines.push(headline(&ctx.sum, g, ctx.compare.as_ref(), &g.first_point)?);
        sections.push(regime_section(&ctx, g, &mut out)?);
    }
    if let Some(s) = breakeven_section(&ctx, inputs, &mut out)? {
        sections.push(s);
    }
    let (provenance, notices) = provenance(&ctx, inputs);
    let (title, lede) = title_and_lede(&ctx);
    let page = html::Page {
        title,
        lede,
        table_note: TABLE_NOTE.into(),
        headlines,
        sections,
        provenance,
        notices,
        assumptions: assume::section(inputs.assumptions.as_deref())?,
        extra: if ctx.has_sweep {
            point_tables(&ctx.sum, ctx.compare.as_ref())?
        } else {
            String::new()
        },
    };
    let mut files = vec![(REPORT_FILE.to_string(), html::page(&page).into_bytes())];
    files.extend(out.files);
    Ok(files)
}

/// One regime's section: its charts in order.
fn regime_section(ctx: &Ctx, g: &Group, out: &mut Drawn) -> Result<html::Section, ReportError> {
    let (slug, label) = (g.slug(), g.label());
    let at_point = if ctx.has_sweep && !ctx.sum.sweep_paths.is_empty() {
        Some(format!(
            "At the first sweep point: {}.",
            point_text(&ctx.sum.sweep_paths, &g.first_point)
        ))
    } else {
        None
    };
    let mut figures = Vec::new();
    distribution_figures(ctx, g, &at_point, out, &mut figures)?;
    figures.push(components_figure(ctx, g, &at_point, out)?);
    sweep_figures(ctx, g, out, &mut figures)?;
    tornado_figures(ctx, g, &at_point, out, &mut figures)?;
    Ok(html::Section {
        id: format!("regime-{slug}"),
        heading: format!("Regime {label}"),
        figures,
    })
}

/// The cost distribution and exceedance charts (histogram.csv, exceedance.csv).
fn distribution_figures(
    ctx: &Ctx,
    g: &Group,
    at_point: &Option<String>,
    out: &mut Drawn,
    figures: &mut Vec<html::Figure>,
) -> Result<(), ReportError> {
    let (slug, label) = (g.slug(), g.label());
    if let Some(h) = &ctx.hist {
        let rows = rows_of(h, &ctx.sum.sweep_paths, g, &g.first_point)?;
        if !rows.is_empty() {
            let (ui, li, hi, si) = (
                h.col(col::ROUTE)?,
                h.col(col::LO)?,
                h.col(col::HI)?,
                h.col(col::SHARE)?,
            );
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
                let cell = ctx.sum.cell(g, &g.first_point, route);
                let q = |name: &str| -> Result<Option<f64>, ReportError> {
                    match cell {
                        Some(c) => ctx.sum.get(c, name),
                        None => Ok(None),
                    }
                };
                let mut quantiles = Vec::new();
                for (p, name) in QUANTILE_KNOTS {
                    if let Some(v) = q(name)? {
                        quantiles.push((p, v));
                    }
                }
                let exceed = exceed_of(ctx.exc.as_ref(), &ctx.sum.sweep_paths, g, route)?;
                if !exceed.is_empty() {
                    quantiles = exceed.iter().map(|e| (e.0, e.1)).collect();
                }
                dists.push(RouteDist {
                    name: route.clone(),
                    color: color_of(&ctx.all_routes, route),
                    bins,
                    quantiles,
                    exceed: exceed.iter().map(|e| (e.1, e.2)).collect(),
                    p05: q(col::P05)?,
                    p50: q(col::P50)?,
                    p95: q(col::P95)?,
                });
            }
            let title = format!("Landed cost distribution · {label}");
            let caps = ctx.caption(g, at_point.clone());
            let svg = tails::distribution(&title, &caps, &dists);
            let file = unique(
                &mut out.names,
                format!("charts/cost-distribution-{slug}.svg"),
            );
            figures.push(figure(
                &file,
                svg,
                "How the landed cost of simulated shipments is spread, one outline per route, on an axis scaled to the \
                 central routes (what lies beyond either edge is stated under the plot); above the plot, each route’s \
                 5th–95th percentile range and its median (circle, dashed line)."
                    .into(),
                &mut out.files,
            ));
            let title = format!("Every shipment: P(cost > x) · {label}");
            let svg = tails::exceedance(&title, &caps, &dists, tails::main_range(&dists));
            let file = unique(&mut out.names, format!("charts/exceedance-{slug}.svg"));
            figures.push(figure(
                &file,
                svg,
                "Exceedance curves: for every cost x, the share of a route’s shipments that cost more, from its \
                 lowest to its highest simulated cost, so heavy tails (seizures, penalties) show in full."
                    .into(),
                &mut out.files,
            ));
        }
    }
    Ok(())
}

/// The stacked mean cost components of every route.
fn components_figure(
    ctx: &Ctx,
    g: &Group,
    at_point: &Option<String>,
    out: &mut Drawn,
) -> Result<html::Figure, ReportError> {
    let (slug, label) = (g.slug(), g.label());
    let mut comps = Vec::new();
    for route in &g.routes {
        let Some(c) = ctx.sum.cell(g, &g.first_point, route) else {
            continue;
        };
        let mut v = [0.0; 9];
        for (k, name) in COMPONENTS.iter().enumerate() {
            v[k] = ctx.sum.get(c, name)?.unwrap_or(0.0);
        }
        comps.push(RouteComponents {
            name: route.clone(),
            color: color_of(&ctx.all_routes, route),
            components: v,
            mean: ctx.sum.get(c, col::MEAN)?,
        });
    }
    let title = format!("Where the money goes · {label}");
    let svg = charts::components(&title, &ctx.caption(g, at_point.clone()), &comps);
    let file = unique(&mut out.names, format!("charts/cost-components-{slug}.svg"));
    Ok(figure(
        &file,
        svg,
        "Mean cost per unit by component, stacked; the number at the end of each bar is the route’s mean landed cost."
            .into(),
        &mut out.files,
    ))
}

/// The charts along the first swept path.
fn sweep_figures(
    ctx: &Ctx,
    g: &Group,
    out: &mut Drawn,
    figures: &mut Vec<html::Figure>,
) -> Result<(), ReportError> {
    let (slug, label) = (g.slug(), g.label());
    let caption_for = |g: &Group, extra: Option<String>| ctx.caption(g, extra);
    if ctx.has_sweep && !ctx.sum.sweep_paths.is_empty() {
        for (svg, note, stat) in
            sweeps::sweep_charts(&ctx.sum, g, &ctx.all_routes, &label, &caption_for)?
        {
            let name = if stat == col::MEAN {
                format!("charts/sweep-{slug}.svg")
            } else {
                format!("charts/sweep-{stat}-{slug}.svg")
            };
            let file = unique(&mut out.names, name);
            figures.push(figure(&file, svg, note, &mut out.files));
        }
    }
    Ok(())
}

/// Per route, the swing and tornado charts (sensitivity.csv).
fn tornado_figures(
    ctx: &Ctx,
    g: &Group,
    at_point: &Option<String>,
    out: &mut Drawn,
    figures: &mut Vec<html::Figure>,
) -> Result<(), ReportError> {
    let (slug, label) = (g.slug(), g.label());
    if let Some(t) = &ctx.sens {
        let rows = rows_of(t, &ctx.sum.sweep_paths, g, &g.first_point)?;
        let (ui, ii, si) = (
            t.col(col::ROUTE)?,
            t.col(col::INPUT)?,
            t.col(col::SPEARMAN)?,
        );
        let shi = t.find(col::SHARE);
        let swi = [
            t.find(col::SWING),
            t.find(col::SWING_LO),
            t.find(col::SWING_HI),
        ];
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
                let title = format!("How much each input moves the mean cost of {route} · {label}");
                let svg = swing::swing_tornado(
                    &title,
                    &ctx.caption(g, at_point.clone()),
                    route,
                    color_of(&ctx.all_routes, route),
                    &swings,
                );
                let file = unique(
                    &mut out.names,
                    format!("charts/swing-{slug}-{}.svg", fmt::slug(route)),
                );
                figures.push(figure(&file, svg, SWING_CAPTION.into(), &mut out.files));
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
                &ctx.caption(g, at_point.clone()),
                route,
                color_of(&ctx.all_routes, route),
                &bars,
            );
            let file = unique(
                &mut out.names,
                format!("charts/tornado-{slug}-{}.svg", fmt::slug(route)),
            );
            figures.push(figure(
                &file,
                svg,
                "Spearman rank correlation of each uncertain input with the route’s landed cost, \
                 largest first (in brackets: its share of the explained variance). It ranks how consistently an \
                 input moves the cost, not by how many USD: the swing chart shows that."
                    .into(),
                &mut out.files,
            ));
        }
    }
    Ok(())
}

/// The break-even section (breakeven.csv, frontier.csv), when the folder has one.
fn breakeven_section(
    ctx: &Ctx,
    inputs: &Inputs,
    out: &mut Drawn,
) -> Result<Option<html::Section>, ReportError> {
    if let Some(b) = &ctx.be {
        let info = be::be_info(inputs.breakeven_manifest.as_deref())?;
        let svg = charts::breakeven(
            "Break-even search",
            &be::be_captions(&info, b.steps.len()),
            b,
        );
        let file = unique(&mut out.names, "charts/breakeven.svg".to_string());
        let mut figs = vec![figure(
            &file,
            svg,
            "Difference in the chosen metric between the two routes at every parameter value the search tried \
             (bars: ±1.96 standard errors); the vertical line marks the crossing, the shaded band its 95% confidence interval."
                .into(),
            &mut out.files,
        )];
        if let Some(fr) = &inputs.frontier {
            let svg = be::frontier_svg(fr, inputs.breakeven_manifest.as_deref())?;
            let file = unique(&mut out.names, "charts/frontier.svg".to_string());
            figs.push(figure(&file, svg, "The break-even of the first parameter at every value of the second, with its 95% CI.".into(), &mut out.files));
        }
        return Ok(Some(html::Section {
            id: "breakeven".into(),
            heading: "Break-even".into(),
            figures: figs,
        }));
    }
    Ok(None)
}

/// The provenance rows (from manifest.json) and the notices above the page.
fn provenance(ctx: &Ctx, inputs: &Inputs) -> (Vec<(String, String)>, Vec<String>) {
    let mut pv: Vec<(String, String)> = Vec::new();
    let code = |s: &str| format!("<code>{}</code>", esc(s));
    if let Some(s) = &ctx.scenario_name {
        pv.push(("Scenario".into(), esc(s)));
    } else if !ctx.sum.scenarios.is_empty() {
        pv.push(("Scenarios".into(), esc(&ctx.sum.scenarios.join(", "))));
    }
    if let Some(f) = &ctx.prov.scenario_file {
        pv.push(("Scenario file".into(), code(f)));
    }
    if let Some(s) = &ctx.prov.seed {
        pv.push(("Seed".into(), esc(s)));
    }
    if let Some(t) = ctx.prov.trials {
        let used = &ctx.prov.trials_used;
        let mut s = format!("{} per route and regime", fmt::count(t));
        if !used.is_empty() && used.iter().any(|u| *u != t) {
            let u: Vec<String> = used.iter().map(|u| fmt::count(*u)).collect();
            s.push_str(&format!(" asked; used: {}", u.join(", ")));
        }
        pv.push(("Trials".into(), esc(&s)));
    }
    if !ctx.prov.sweep.is_empty() {
        let s: Vec<String> = ctx
            .prov
            .sweep
            .iter()
            .map(|(p, v)| format!("{} = {}", code(p), esc(&v.join(", "))))
            .collect();
        pv.push(("Sweep".into(), s.join("<br/>")));
    } else if ctx.has_sweep {
        pv.push((
            "Sweep".into(),
            ctx.sum
                .sweep_paths
                .iter()
                .map(|p| code(p))
                .collect::<Vec<_>>()
                .join("<br/>"),
        ));
    }
    if !ctx.prov.overrides.is_empty() {
        let s: Vec<String> = ctx.prov.overrides.iter().map(|o| code(o)).collect();
        pv.push(("Overrides".into(), s.join("<br/>")));
    }
    if !ctx.prov.warnings.is_empty() {
        let s: Vec<String> = ctx.prov.warnings.iter().map(|w| esc(w)).collect();
        pv.push(("Warnings".into(), s.join("<br/>")));
    }
    let mut notices = Vec::new();
    if let Some(t) = &ctx.prov.target {
        let worst = ctx.prov.worst.clone().unwrap_or_default();
        let text = match ctx.prov.target_met {
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
    if let Some(v) = &ctx.prov.version {
        pv.push(("tariffsim version".into(), esc(v)));
    }
    if let Some(d) = &ctx.prov.date {
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
    (pv, notices)
}

/// The page's title and lede.
fn title_and_lede(ctx: &Ctx) -> (String, String) {
    let title = match &ctx.scenario_name {
        Some(s) => format!("{s}: landed cost per route and tariff regime"),
        None => "Landed cost per route and tariff regime".to_string(),
    };
    let mut lede = String::from(
        "Monte Carlo simulation of the landed cost per unit (USD) of every route under every tariff regime",
    );
    if let Some(s) = &ctx.prov.seed {
        lede.push_str(&format!(", seed {}", esc(s)));
    }
    if let Some(t) = ctx.prov.trials {
        lede.push_str(&format!(", {} trials per route and regime", fmt::count(t)));
    }
    lede.push('.');
    if ctx.has_sweep {
        lede.push_str(&format!(
            " {} sweep points: the sweep charts show every point and the tables below show each; the distribution charts show the first.",
            ctx.sum.points.len()
        ));
    }
    (title, lede)
}
