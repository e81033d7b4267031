//! Small pieces of the report: route colours, unique chart names, figures, exceedance
//! points and the per-point headline tables.

#[allow(unused_imports)]
use super::*;

/// Colour index of every route: its position among all routes of the summary, so a route
/// keeps its colour from chart to chart.
pub(super) fn route_index(sum: &Summary) -> Vec<String> {
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

pub(super) fn color_of(all: &[String], route: &str) -> usize {
    all.iter().position(|r| r == route).unwrap_or(0)
}

/// A chart's file name, made unique.
pub(super) fn unique(files: &mut Vec<String>, name: String) -> String {
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
pub(super) fn point_text(paths: &[String], point: &[String]) -> String {
    paths
        .iter()
        .zip(point)
        .map(|(p, v)| format!("{p} = {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn figure(
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

/// The (q, cost, p_exceed) points of one route's exceedance curve at the group's first
/// point, ascending in q (empty without exceedance.csv).
pub(super) fn exceed_of(
    t: Option<&Table>,
    paths: &[String],
    g: &Group,
    route: &str,
) -> Result<Vec<(f64, f64, f64)>, ReportError> {
    let Some(t) = t else { return Ok(Vec::new()) };
    let rows = rows_of(t, paths, g, &g.first_point)?;
    let (ui, qi, ci, pi) = (
        t.col(col::ROUTE)?,
        t.col(col::Q)?,
        t.col(col::COST)?,
        t.col(col::P_EXCEED)?,
    );
    let mut v = Vec::new();
    for &r in rows.iter().filter(|&&r| t.text(r, ui) == route) {
        if let (Some(q), Some(c), Some(p)) = (t.num(r, qi)?, t.num(r, ci)?, t.num(r, pi)?) {
            v.push((q, c, p));
        }
    }
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(v)
}

/// The headline table of every sweep point, one block per (point, regime).
pub(super) fn point_tables(sum: &Summary, compare: Option<&Table>) -> Result<String, ReportError> {
    let mut o = String::from("<section id=\"sweep-points\">\n<h2>Every sweep point</h2>\n");
    o.push_str(html::THEAD);
    for point in &sum.points {
        for g in &sum.groups {
            if !g.routes.iter().any(|r| sum.cell(g, point, r).is_some()) {
                continue;
            }
            let mut h = headline(sum, g, compare, point)?;
            h.label = format!("{} · {}", h.label, point_text(&sum.sweep_paths, point));
            o.push_str(&html::headline_block(&h));
        }
    }
    o.push_str("</table>\n</section>\n");
    Ok(o)
}
