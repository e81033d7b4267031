//! Sweep charts: each route's mean and p95 against the swept value, with 95% CIs, and
//! where the ranking of routes by mean changes.

use super::charts::{self, SweepSeries};
use super::data::{Group, Summary};
use super::{color_of, point_text, ReportError};
use crate::output::schema::col;

/// The points along the first swept path (others at the group's first point), with x.
fn along(sum: &Summary, g: &Group) -> (Vec<Vec<String>>, Vec<f64>, Option<Vec<String>>) {
    let points: Vec<Vec<String>> = sum
        .points
        .iter()
        .filter(|p| p.iter().zip(&g.first_point).skip(1).all(|(a, b)| a == b))
        .filter(|p| g.routes.iter().any(|r| sum.cell(g, p, r).is_some()))
        .cloned()
        .collect();
    let numeric: Option<Vec<f64>> = points.iter().map(|p| p[0].parse::<f64>().ok()).collect();
    match numeric {
        Some(v) => (points, v, None),
        None => {
            let cats = points.iter().map(|p| p[0].clone()).collect();
            let xs = (0..points.len()).map(|i| i as f64).collect();
            (points, xs, Some(cats))
        }
    }
}

/// Where the ranking of routes by mean changes between consecutive swept values:
/// (midpoint x, "A < B → B < A" text).
pub(crate) fn ranking_changes(sum: &Summary, g: &Group) -> Result<Vec<(f64, String)>, ReportError> {
    let (points, xs, _) = along(sum, g);
    let mut order: Vec<(f64, Vec<String>)> = Vec::new();
    for (p, x) in points.iter().zip(&xs) {
        let mut m: Vec<(String, f64)> = Vec::new();
        for r in &g.routes {
            if let Some(c) = sum.cell(g, p, r) {
                if let Some(v) = sum.get(c, col::MEAN)? {
                    m.push((r.clone(), v));
                }
            }
        }
        m.sort_by(|a, b| a.1.total_cmp(&b.1));
        order.push((*x, m.into_iter().map(|a| a.0).collect()));
    }
    order.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut out = Vec::new();
    for w in order.windows(2) {
        if w[0].1 != w[1].1 {
            out.push((
                (w[0].0 + w[1].0) / 2.0,
                format!(
                    "ranking changes: {} → {}",
                    w[0].1.join(" < "),
                    w[1].1.join(" < ")
                ),
            ));
        }
    }
    Ok(out)
}

/// The sweep charts of one regime: mean and p95, each with its 95% CI, against the
/// first swept path. Returns (svg, caption) pairs.
pub(crate) fn sweep_charts(
    sum: &Summary,
    g: &Group,
    all_routes: &[String],
    label: &str,
    caption_for: &dyn Fn(&Group, Option<String>) -> Vec<String>,
) -> Result<Vec<(String, String, String)>, ReportError> {
    let path = &sum.sweep_paths[0];
    let (points, xs, categories) = along(sum, g);
    if points.len() < 2 {
        return Ok(Vec::new());
    }
    let marks = ranking_changes(sum, g)?;
    let mut extra = None;
    if sum.sweep_paths.len() > 1 {
        extra = Some(format!(
            "Other swept paths held at {}.",
            point_text(&sum.sweep_paths[1..], &g.first_point[1..])
        ));
    }
    let mut out = Vec::new();
    for (stat, lo, hi, slug, what) in [
        (
            col::MEAN,
            col::MEAN_LO,
            col::MEAN_HI,
            "mean",
            "Mean landed cost",
        ),
        (
            col::P95,
            col::P95_LO,
            col::P95_HI,
            "p95",
            "95th percentile of the landed cost",
        ),
    ] {
        let mut series = Vec::new();
        for route in &g.routes {
            let mut pts = Vec::new();
            for (p, x) in points.iter().zip(&xs) {
                if let Some(c) = sum.cell(g, p, route) {
                    if let Some(m) = sum.get(c, stat)? {
                        let b = |k: &str| -> Result<Option<f64>, ReportError> {
                            if sum.t.find(k).is_some() {
                                sum.get(c, k)
                            } else {
                                Ok(None)
                            }
                        };
                        pts.push((*x, m, b(lo)?, b(hi)?));
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
        let title = format!("{what} along the sweep · {label}");
        let m: &[(f64, String)] = if stat == col::MEAN { &marks } else { &[] };
        let svg = charts::sweep(
            &title,
            &caption_for(g, extra.clone()),
            path,
            categories.as_deref(),
            &series,
            &format!("{stat}, USD per unit"),
            m,
        );
        let caption = if stat == col::MEAN {
            "Each route’s mean landed cost (line) with its 95% confidence interval (shaded) at every swept value; dashed lines mark where the ranking of routes by mean changes."
        } else {
            "Each route’s 95th percentile (line) with its 95% confidence interval (shaded) at every swept value."
        };
        out.push((svg, caption.to_string(), slug.to_string()));
    }
    Ok(out)
}
