//! The headline table: one block per regime (at one sweep point), its verdict.

use super::data::{Group, Summary, Table, COMPARE_COLUMNS};
use super::fmt::{esc, pct, usd};
use super::{html, ReportError};
use crate::output::schema::col;

/// One regime's headline block: numbers per route, cheapest route and by how much.
pub(crate) fn headline(
    sum: &Summary,
    g: &Group,
    compare: Option<&Table>,
    point: &[String],
) -> Result<html::Headline, ReportError> {
    let mut means: Vec<(String, f64)> = Vec::new();
    let mut rows = Vec::new();
    for route in &g.routes {
        if let Some(c) = sum.cell(g, point, route) {
            if let Some(m) = sum.get(c, col::MEAN)? {
                means.push((route.clone(), m));
            }
        }
    }
    let mut ranked = means.clone();
    ranked.sort_by(|a, b| a.1.total_cmp(&b.1));
    let best = ranked.first().cloned();
    for route in &g.routes {
        let Some(c) = sum.cell(g, point, route) else {
            continue;
        };
        let mut cells = Vec::new();
        for (col, share) in [
            (col::MEAN, false),
            (col::P05, false),
            (col::P95, false),
            (col::CVAR95, false),
            (col::P_CHEAPEST, true),
            (col::P_CHEAPEST_OWN, true),
        ] {
            // Columns added later are absent from older folders.
            if sum.t.find(col).is_none() {
                cells.push((
                    col,
                    html::Num {
                        shown: "–".into(),
                        raw: String::new(),
                    },
                ));
                continue;
            }
            let raw = sum.raw(c, col)?.to_string();
            let shown = match sum.get(c, col)? {
                Some(v) if share => pct(v),
                Some(v) => usd(v),
                None => "–".into(),
            };
            cells.push((col, html::Num { shown, raw }));
        }
        let mean = sum.get(c, col::MEAN)?;
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
            if let Some((lo, hi)) = diff_ci(compare, &sum.sweep_paths, g, point, &b.0, &n.0)? {
                v.push_str(&format!(" (95% CI {} to {} USD)", usd(lo), usd(hi)));
                if lo <= 0.0 {
                    v.push_str(", a difference the simulation cannot tell from zero");
                }
            }
            v.push('.');
            // The route most often cheapest, if not the cheapest on average: the risk story.
            let mut most: Option<(String, f64)> = None;
            for route in &g.routes {
                if let Some(c) = sum.cell(g, point, route) {
                    let col = if sum.t.find(col::P_CHEAPEST_OWN).is_some() {
                        col::P_CHEAPEST_OWN
                    } else {
                        col::P_CHEAPEST
                    };
                    if let Some(p) = sum.get(c, col)? {
                        if most.as_ref().is_none_or(|m| p > m.1) {
                            most = Some((route.clone(), p));
                        }
                    }
                }
            }
            if let Some((r, p)) = most {
                if r != b.0 {
                    let p95 = sum
                        .cell(g, point, &r)
                        .map(|c| sum.get(c, col::P95))
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
    at: &[String],
    best: &str,
    next: &str,
) -> Result<Option<(f64, f64)>, ReportError> {
    let Some(t) = compare else { return Ok(None) };
    if g.scenario.is_some() {
        return Ok(None);
    }
    let sweep = t.sweep_cols(col::KIND)?;
    let names: Vec<&str> = sweep.iter().map(|&i| t.headers[i].as_str()).collect();
    if names.len() != paths.len() || names.iter().zip(paths).any(|(a, b)| a != b) {
        return Ok(None);
    }
    let mut ix = [0usize; 7];
    for (k, c) in COMPARE_COLUMNS.iter().enumerate() {
        ix[k] = t.col(c)?;
    }
    for r in 0..t.rows.len() {
        let point: Vec<String> = sweep.iter().map(|&i| t.text(r, i).to_string()).collect();
        if point != at
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
