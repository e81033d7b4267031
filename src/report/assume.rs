//! The assumptions section of the report, from `assumptions.json`: per regime, the duty
//! stack per origin (with and without each preference), enforcement, inspection, de
//! minimis, fees, sanctions, and what differs from its base.

use super::fmt::esc;
use super::ReportError;
use crate::assumptions::Assumptions;

fn pct(x: f64) -> String {
    format!("{}%", (x * 1e6).round() / 1e4)
}

/// The section's XHTML (empty without assumptions.json).
pub fn section(text: Option<&str>) -> Result<String, ReportError> {
    let Some(t) = text else {
        return Ok(String::new());
    };
    let a: Assumptions = serde_json::from_str(t)
        .map_err(|e| ReportError::Manifest(format!("assumptions.json: {e}")))?;
    let mut o = String::from("<section id=\"assumptions\">\n<h2>Assumptions of each regime</h2>\n");
    if !a.description.is_empty() {
        o.push_str(&format!("<p class=\"lede\">{}</p>\n", esc(&a.description)));
    }
    for g in &a.regimes {
        o.push_str(&format!(
            "<div class=\"regime-assumptions\" data-regime=\"{}\">\n<h3>{}{}</h3>\n",
            esc(&g.name),
            esc(&g.name),
            g.base
                .as_ref()
                .map(|b| format!(" <span class=\"base\">(based on {})</span>", esc(b)))
                .unwrap_or_default()
        ));
        o.push_str("<table class=\"stack\">\n<thead><tr><th>Origin filed</th><th>Preference</th><th>Measures in force (all)</th><th>Ad valorem</th><th>Specific, USD/unit</th></tr></thead>\n<tbody>\n");
        for s in &g.stacks {
            o.push_str(&format!(
                "<tr data-origin=\"{}\"><td>{}</td><td>{}</td><td>{}</td><td data-rate=\"{}\">{}</td><td>{}</td></tr>\n",
                esc(&s.origin),
                esc(&s.origin),
                esc(&s.claim),
                if s.measures.is_empty() { "no measures".to_string() } else { esc(&s.measures.join(" + ")) },
                s.ad_valorem,
                pct(s.ad_valorem),
                if s.per_unit > 0.0 { format!("{}", s.per_unit) } else { "–".into() }
            ));
        }
        o.push_str("</tbody>\n</table>\n<dl class=\"assume\">\n");
        let list = |items: &[String]| -> String {
            if items.is_empty() {
                "none".into()
            } else {
                items
                    .iter()
                    .map(|i| esc(i))
                    .collect::<Vec<_>>()
                    .join("<br/>")
            }
        };
        for (k, v) in [
            ("Measures", list(&g.measures)),
            ("Agreements", list(&g.agreements)),
            ("Enforcement", esc(&g.enforcement)),
            ("Inspection", esc(&g.inspection)),
            ("De minimis", esc(&g.de_minimis)),
            ("Fees", esc(&g.fees)),
            ("Sanctions", list(&g.sanctions)),
        ] {
            o.push_str(&format!("<dt>{k}</dt><dd>{v}</dd>\n"));
        }
        if let Some(b) = &g.base {
            o.push_str(&format!(
                "<dt>Differs from {}</dt><dd class=\"differs\">{}</dd>\n",
                esc(b),
                list(&g.differs)
            ));
        }
        o.push_str("</dl>\n</div>\n");
    }
    o.push_str("<p class=\"note\">Duty stacks as <code>tariffsim check</code> prints them: every measure in force (a measure with an in-force probability below 1 or a later effective day applies only in some trials).</p>\n</section>\n");
    Ok(o)
}
