//! `report.html`: one self-contained XHTML page (inline CSS and SVG, no script).

use super::fmt::esc;

/// A numeric table cell: the shown text and the CSV field it came from.
pub struct Num {
    pub shown: String,
    pub raw: String,
}

/// One route's row of the headline table.
pub struct HeadRow {
    pub route: String,
    pub cheapest: bool,
    /// mean, p05, p95, cvar95, p_cheapest, p_cheapest_own.
    pub cells: Vec<(&'static str, Num)>,
    /// Mean minus the cheapest route's mean, shown.
    pub delta: String,
}

/// One regime's block of the headline table.
pub struct Headline {
    pub label: String,
    pub regime: String,
    pub scenario: Option<String>,
    /// The verdict, as XHTML.
    pub verdict: String,
    pub rows: Vec<HeadRow>,
}

/// A chart on the page.
pub struct Figure {
    pub id: String,
    pub file: String,
    pub svg: String,
    pub caption: String,
}

/// A section of charts (one per regime, plus one for the break-even search).
pub struct Section {
    pub id: String,
    pub heading: String,
    pub figures: Vec<Figure>,
}

/// Everything on the page.
pub struct Page {
    pub title: String,
    pub lede: String,
    pub table_note: String,
    pub headlines: Vec<Headline>,
    pub sections: Vec<Section>,
    pub provenance: Vec<(String, String)>,
    /// Warnings shown under the title (XHTML), e.g. a precision target not reached.
    pub notices: Vec<String>,
    /// The assumptions section (XHTML), if any.
    pub assumptions: String,
    /// Extra sections after the headline table (XHTML): e.g. the table of every sweep point.
    pub extra: String,
}

const CSS: &str = r#"
:root { color-scheme: light; }
body { font-family: Helvetica, Arial, "Liberation Sans", "DejaVu Sans", sans-serif; color: #222; background: #fff;
  max-width: 940px; margin: 28px auto; padding: 0 18px; line-height: 1.45; font-size: 15px; }
h1 { font-size: 25px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 30px 0 8px; border-bottom: 2px solid #222; padding-bottom: 3px; }
p.lede { color: #444; margin: 0 0 18px; }
p.note { color: #555; font-size: 13px; margin: 6px 0 0; }
table.headline { border-collapse: collapse; width: 100%; font-size: 14px; font-variant-numeric: tabular-nums; }
table.headline th, table.headline td { padding: 4px 9px; text-align: right; border-bottom: 1px solid #e2e2e2; }
table.headline thead th { border-bottom: 2px solid #222; vertical-align: bottom; font-size: 13px; }
table.headline .route { text-align: left; }
table.headline tr.regime-head th { text-align: left; font-weight: normal; padding-top: 14px; border-bottom: 1px solid #999; }
table.headline tr.regime-head b.regime { font-size: 15px; }
table.headline tr.regime-head span.verdict { display: block; color: #333; font-size: 13.5px; }
table.headline tr.cheapest td { font-weight: bold; background: #EAF3FA; }
span.badge { display: inline-block; font-size: 11px; font-weight: bold; border: 1px solid #0072B2; color: #0072B2;
  border-radius: 3px; padding: 0 4px; margin-left: 6px; vertical-align: 1px; }
figure.chart { margin: 18px 0 26px; }
figure.chart svg { display: block; width: 100%; height: auto; }
figure.chart figcaption { font-size: 13px; color: #555; margin-top: 4px; }
figure.chart figcaption a { color: #0072B2; }
table.provenance { border-collapse: collapse; font-size: 14px; }
table.provenance th { text-align: left; padding: 3px 14px 3px 0; vertical-align: top; font-weight: bold; white-space: nowrap; }
table.provenance td { padding: 3px 0; word-break: break-word; }
p.notice { border-left: 4px solid #D55E00; background: #FDF1E8; padding: 6px 10px; margin: 8px 0; }
table.stack { border-collapse: collapse; font-size: 13px; margin: 4px 0 8px; }
table.stack th, table.stack td { padding: 2px 8px; border-bottom: 1px solid #e2e2e2; text-align: left; }
dl.assume { display: grid; grid-template-columns: 130px 1fr; gap: 2px 10px; font-size: 13.5px; margin: 4px 0 14px; }
dl.assume dt { font-weight: bold; } dl.assume dd { margin: 0; }
h3 { font-size: 16px; margin: 16px 0 4px; } span.base { font-weight: normal; color: #555; }
code { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.92em; }
@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { max-width: none; margin: 0; padding: 0; font-size: 12pt; background: #fff; color: #000; }
  section.charts { break-before: page; page-break-before: always; }
  figure.chart { break-inside: avoid; page-break-inside: avoid; }
  figure.chart + figure.chart { break-before: page; page-break-before: always; }
  table.headline tbody { break-inside: avoid; page-break-inside: avoid; }
  table.headline tr.cheapest td { background: #fff; }
  h2 { break-after: avoid; page-break-after: avoid; }
  figure.chart figcaption a { color: #000; text-decoration: none; }
}
"#;

/// The opening of a headline table, with its column heads.
pub const THEAD: &str = "<table class=\"headline\">\n<thead><tr><th class=\"route\">Route</th><th>Mean<br/>USD</th><th>p05<br/>USD</th><th>p95<br/>USD</th><th>CVaR 95<br/>USD</th><th>P(cheapest)<br/>ties count</th><th>P(cheapest)<br/>own shipment</th><th>Mean vs cheapest<br/>USD</th></tr></thead>\n";

/// The page as XHTML bytes.
pub fn page(p: &Page) -> String {
    let mut o = String::with_capacity(256 * 1024);
    o.push_str("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\" xml:lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n");
    o.push_str(&format!("<title>{}</title>\n", esc(&p.title)));
    o.push_str(&format!("<style>{CSS}</style>\n</head>\n<body>\n"));
    o.push_str(&format!(
        "<header>\n<h1>{}</h1>\n<p class=\"lede\">{}</p>\n</header>\n",
        esc(&p.title),
        p.lede
    ));
    for n in &p.notices {
        o.push_str(&format!("<p class=\"notice\">{n}</p>\n"));
    }

    o.push_str(
        "<section id=\"headline\">\n<h2>Which route is cheapest, by how much, how risky</h2>\n",
    );
    o.push_str(THEAD);
    for h in &p.headlines {
        o.push_str(&headline_block(h));
    }
    o.push_str("</table>\n");
    o.push_str(&format!(
        "<p class=\"note\">{}</p>\n</section>\n",
        p.table_note
    ));
    o.push_str(&p.extra);
    o.push_str(&p.assumptions);

    for s in &p.sections {
        o.push_str(&format!(
            "<section class=\"charts\" id=\"{}\">\n<h2>{}</h2>\n",
            esc(&s.id),
            esc(&s.heading)
        ));
        for f in &s.figures {
            o.push_str(&format!(
                "<figure class=\"chart\" id=\"{}\">\n{}<figcaption>{} <a href=\"{}\">{}</a></figcaption>\n</figure>\n",
                esc(&f.id),
                f.svg,
                f.caption,
                esc(&f.file),
                esc(&f.file)
            ));
        }
        o.push_str("</section>\n");
    }

    o.push_str("<section id=\"provenance\">\n<h2>Provenance</h2>\n<table class=\"provenance\">\n");
    for (k, v) in &p.provenance {
        o.push_str(&format!("<tr><th>{}</th><td>{}</td></tr>\n", esc(k), v));
    }
    o.push_str("</table>\n</section>\n</body>\n</html>\n");
    o
}

/// One regime's `<tbody>` of a headline table.
pub fn headline_block(h: &Headline) -> String {
    let mut o = String::new();
    let scen = h
        .scenario
        .as_ref()
        .map(|s| format!(" data-scenario=\"{}\"", esc(s)))
        .unwrap_or_default();
    o.push_str(&format!(
            "<tbody class=\"regime\" data-regime=\"{}\"{scen}>\n<tr class=\"regime-head\"><th colspan=\"8\"><b class=\"regime\">{}</b><span class=\"verdict\">{}</span></th></tr>\n",
            esc(&h.regime),
            esc(&h.label),
            h.verdict
        ));
    for r in &h.rows {
        let class = if r.cheapest {
            " class=\"cheapest\""
        } else {
            ""
        };
        let badge = if r.cheapest {
            "<span class=\"badge\">cheapest</span>"
        } else {
            ""
        };
        o.push_str(&format!(
            "<tr{class} data-route=\"{}\"><td class=\"route\">{}{badge}</td>",
            esc(&r.route),
            esc(&r.route)
        ));
        for (col, n) in &r.cells {
            o.push_str(&format!(
                "<td data-col=\"{col}\" data-value=\"{}\">{}</td>",
                esc(&n.raw),
                esc(&n.shown)
            ));
        }
        o.push_str(&format!(
            "<td data-col=\"delta\">{}</td></tr>\n",
            esc(&r.delta)
        ));
    }
    o.push_str("</tbody>\n");
    o
}
