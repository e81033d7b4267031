//! The report and charts, drawn from CSVs written by the real binary: every SVG and the
//! page are well-formed XML, every chart holds one series per route, the page's table
//! holds `summary.csv`'s numbers, and the same CSVs give the same bytes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;
use tariffsim::report::{render, Inputs, ReportError};

const TRIALS: &str = "3000";
const SWEPT: &str = "regimes.campaign-60-stacked.measures.china-60.ad_valorem";

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn tariffsim(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(args)
        .output()
        .expect("run tariffsim");
    assert!(
        out.status.success(),
        "tariffsim {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_inputs(dir: &Path) -> Inputs {
    let opt = |n: &str| std::fs::read_to_string(dir.join(n)).ok();
    Inputs {
        summary: std::fs::read_to_string(dir.join("summary.csv")).expect("summary.csv"),
        compare: opt("compare.csv"),
        histogram: opt("histogram.csv"),
        manifest: opt("manifest.json"),
        breakeven: opt("breakeven.csv"),
        sensitivity: opt("sensitivity.csv"),
        exceedance: opt("exceedance.csv"),
        assumptions: opt("assumptions.json"),
        breakeven_manifest: opt("breakeven-manifest.json"),
        frontier: opt("frontier.csv"),
    }
}

/// A run of korea-jv into a fresh folder.
fn korea_jv(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("korea-jv.toml");
    let mut args = vec![
        "run",
        s.to_str().unwrap(),
        "--trials",
        TRIALS,
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    tariffsim(&args);
    dir
}

/// An element as met in the document: its name, attributes, its ancestors' names and
/// attributes (innermost last) and its text.
#[derive(Debug, Default, Clone)]
struct Elem {
    name: String,
    attrs: BTreeMap<String, String>,
    ancestors: Vec<(String, BTreeMap<String, String>)>,
    text: String,
}

fn attrs_of(e: &BytesStart) -> BTreeMap<String, String> {
    e.attributes()
        .map(|a| {
            let a = a.expect("well-formed attribute");
            (
                String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                a.unescape_value().expect("attribute value").into_owned(),
            )
        })
        .collect()
}

/// Parses `bytes` as XML (panicking on any error or unbalanced tag) into its elements in
/// document order.
fn parse_xml(name: &str, bytes: &[u8]) -> Vec<Elem> {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|_| panic!("{name}: not UTF-8"));
    let mut r = Reader::from_str(text);
    r.config_mut().check_end_names = true;
    let mut stack: Vec<usize> = Vec::new();
    let mut all: Vec<Elem> = Vec::new();
    let mut roots = 0;
    loop {
        let ev = r
            .read_event()
            .unwrap_or_else(|e| panic!("{name}: not well-formed at {}: {e}", r.buffer_position()));
        match ev {
            Event::Start(_) | Event::Empty(_) => {
                let (e, empty) = match &ev {
                    Event::Start(e) => (e, false),
                    Event::Empty(e) => (e, true),
                    _ => unreachable!(),
                };
                let ancestors = stack
                    .iter()
                    .map(|&i| (all[i].name.clone(), all[i].attrs.clone()))
                    .collect();
                if stack.is_empty() {
                    roots += 1;
                }
                all.push(Elem {
                    name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
                    attrs: attrs_of(e),
                    ancestors,
                    text: String::new(),
                });
                if !empty {
                    stack.push(all.len() - 1);
                }
            }
            Event::End(_) => {
                stack
                    .pop()
                    .unwrap_or_else(|| panic!("{name}: unbalanced end tag"));
            }
            Event::Text(t) => {
                let s = t
                    .unescape()
                    .unwrap_or_else(|e| panic!("{name}: bad text: {e}"));
                for &i in &stack {
                    all[i].text.push_str(&s);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "{name}: unclosed elements at the end");
    assert_eq!(roots, 1, "{name}: one root element");
    all
}

/// `data-series` of every `<g class="series">`, in order.
fn series(elems: &[Elem]) -> Vec<String> {
    elems
        .iter()
        .filter(|e| e.name == "g" && e.attrs.get("class").map(String::as_str) == Some("series"))
        .map(|e| e.attrs["data-series"].clone())
        .collect()
}

/// The text of every `<text>` element, one per line.
fn texts(elems: &[Elem]) -> String {
    elems
        .iter()
        .filter(|e| e.name == "text")
        .map(|e| e.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `summary.csv` as rows of column → field.
fn summary_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            h.iter()
                .cloned()
                .zip(rec.iter().map(String::from))
                .collect()
        })
        .collect()
}

/// Regimes in file order, each with its routes in file order.
fn regimes(rows: &[BTreeMap<String, String>]) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for r in rows {
        let (g, u) = (&r["regime"], &r["route"]);
        match out.iter_mut().find(|(n, _)| n == g) {
            Some((_, routes)) => {
                if !routes.contains(u) {
                    routes.push(u.clone());
                }
            }
            None => out.push((g.clone(), vec![u.clone()])),
        }
    }
    out
}

/// The interval of values a shown table number stands for: `1,193.14`, `15.3%`, `<0.1%`.
fn shown_value(s: &str) -> (f64, f64) {
    let s = s.replace(',', "");
    if let Some(p) = s.strip_suffix('%') {
        if let Some(x) = p.strip_prefix('<') {
            return (0.0, x.parse::<f64>().unwrap() / 100.0);
        }
        if let Some(x) = p.strip_prefix('>') {
            return (x.parse::<f64>().unwrap() / 100.0, 1.0);
        }
        let v: f64 = p.parse::<f64>().unwrap() / 100.0;
        return (v - 0.0005 - 1e-12, v + 0.0005 + 1e-12);
    }
    let v: f64 = s.parse().unwrap();
    (v - 0.005 - 1e-9, v + 0.005 + 1e-9)
}

fn file<'a>(files: &'a [(String, Vec<u8>)], name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| {
            panic!(
                "no {name} among {:?}",
                files.iter().map(|f| &f.0).collect::<Vec<_>>()
            )
        })
        .1
}

fn check_all_parse(files: &[(String, Vec<u8>)]) {
    assert_eq!(files[0].0, "report.html");
    for (name, bytes) in files {
        assert!(
            name == "report.html" || (name.starts_with("charts/") && name.ends_with(".svg")),
            "unexpected file {name}"
        );
        parse_xml(name, bytes);
    }
    let html = std::str::from_utf8(&files[0].1).unwrap();
    for bad in [
        "<script",
        "<link",
        "src=\"http",
        "href=\"http",
        "url(",
        "@import",
    ] {
        assert!(
            !html.contains(bad),
            "report.html is not self-contained: {bad}"
        );
    }
}

fn mean_of(rows: &[BTreeMap<String, String>], regime: &str, route: &str) -> f64 {
    rows.iter()
        .find(|x| x["regime"] == regime && x["route"] == route)
        .unwrap()["mean"]
        .parse()
        .unwrap()
}

#[test]
fn korea_jv_report_matches_summary_and_is_deterministic() {
    let dir = korea_jv(&[]);
    let inputs = read_inputs(dir.path());
    let files = render(&inputs).expect("render");
    check_all_parse(&files);

    let rows = summary_rows(&inputs.summary);
    let regs = regimes(&rows);
    assert!(regs.len() >= 2);
    for (regime, routes) in &regs {
        for kind in ["cost-distribution", "cost-components"] {
            let name = format!("charts/{kind}-{regime}.svg");
            let svg = parse_xml(&name, file(&files, &name));
            assert_eq!(&series(&svg), routes, "{name}: one series per route");
            let title = &svg.iter().find(|e| e.name == "title").unwrap().text;
            assert!(
                title.contains(regime.as_str()),
                "{name}: title names the regime"
            );
            let t = texts(&svg);
            assert!(
                t.contains("korea-jv") && t.contains("seed 20250102"),
                "{name}: caption"
            );
            assert!(t.contains("USD per unit"), "{name}: axis unit");
            for r in routes {
                assert!(t.lines().any(|l| l == r), "{name}: the legend names {r}");
            }
        }
    }

    // The table holds summary.csv's numbers.
    let page = parse_xml("report.html", &files[0].1);
    let mut checked = 0;
    for td in page
        .iter()
        .filter(|e| e.name == "td" && e.attrs.contains_key("data-value"))
    {
        let tr = td.ancestors.iter().rev().find(|(n, _)| n == "tr").unwrap();
        let tbody = td
            .ancestors
            .iter()
            .rev()
            .find(|(n, _)| n == "tbody")
            .unwrap();
        let (regime, route, col) = (
            &tbody.1["data-regime"],
            &tr.1["data-route"],
            &td.attrs["data-col"],
        );
        let row = rows
            .iter()
            .find(|r| &r["regime"] == regime && &r["route"] == route)
            .unwrap_or_else(|| panic!("{regime}/{route} is not in summary.csv"));
        let raw = &row[col.as_str()];
        assert_eq!(&td.attrs["data-value"], raw, "{regime}/{route}/{col}");
        let v: f64 = raw.parse().unwrap();
        let (lo, hi) = shown_value(td.text.trim());
        assert!(
            lo <= v && v <= hi,
            "{regime}/{route}/{col}: shown {} for {v}",
            td.text
        );
        checked += 1;
    }
    let cells = regs.iter().map(|(_, r)| r.len()).sum::<usize>() * 6;
    assert_eq!(
        checked, cells,
        "mean, p05, p95, cvar95, p_cheapest of every route"
    );

    // The cheapest route per regime is the one highlighted.
    for (regime, routes) in &regs {
        let best = routes
            .iter()
            .min_by(|a, b| mean_of(&rows, regime, a).total_cmp(&mean_of(&rows, regime, b)))
            .unwrap();
        let marked: Vec<&String> = page
            .iter()
            .filter(|e| {
                e.name == "tr"
                    && e.attrs.get("class").map(String::as_str) == Some("cheapest")
                    && e.ancestors
                        .iter()
                        .any(|(n, a)| n == "tbody" && &a["data-regime"] == regime)
            })
            .map(|e| &e.attrs["data-route"])
            .collect();
        assert_eq!(marked, vec![best], "{regime}");
    }
    let html = std::str::from_utf8(&files[0].1).unwrap();
    assert!(html.contains("is cheapest on average"));
    assert!(html.contains("20250102"), "provenance: seed");
    assert!(html.contains("korea-jv.toml"), "provenance: scenario file");
    assert!(html.contains("@media print"));

    // Same CSVs, same bytes; threads and wall time do not show.
    assert_eq!(render(&inputs).unwrap(), files);
    let mut other = inputs.clone();
    let m = other.manifest.take().unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&m).unwrap();
    v["threads"] = 97.into();
    v["wall_seconds"] = 12345.5.into();
    v["trials_per_second"] = 1.5.into();
    other.manifest = Some(serde_json::to_string_pretty(&v).unwrap());
    assert_eq!(
        render(&other).unwrap(),
        files,
        "threads or wall time leaked into the report"
    );
}

#[test]
fn sweep_and_breakeven_charts() {
    let sweep = format!("{SWEPT}=0:1:5");
    let dir = korea_jv(&["--sweep", &sweep]);
    let s = scenario("korea-jv.toml");
    tariffsim(&[
        "breakeven",
        s.to_str().unwrap(),
        "--param",
        SWEPT,
        "--routes",
        "direct,korea-assembly",
        "--regime",
        "campaign-60-stacked",
        "--between",
        "0,1.5",
        "--trials",
        TRIALS,
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let inputs = read_inputs(dir.path());
    assert!(inputs.breakeven.is_some());
    let files = render(&inputs).expect("render");
    check_all_parse(&files);
    let rows = summary_rows(&inputs.summary);
    for (regime, routes) in regimes(&rows) {
        let name = format!("charts/sweep-{regime}.svg");
        let svg = parse_xml(&name, file(&files, &name));
        assert_eq!(series(&svg), routes, "{name}");
        assert!(
            texts(&svg).contains(SWEPT),
            "{name}: the x axis names the swept path"
        );
        // The distribution is of the first sweep point only, and says so.
        let name = format!("charts/cost-distribution-{regime}.svg");
        let svg = parse_xml(&name, file(&files, &name));
        assert_eq!(series(&svg), routes, "{name}");
        assert!(texts(&svg).contains("first sweep point"), "{name}");
    }
    let be = texts(&parse_xml(
        "breakeven",
        file(&files, "charts/breakeven.svg"),
    ));
    assert!(be.contains("break-even"), "the crossing is marked");
    assert!(be.contains("95% CI"), "its CI is marked");
    assert_eq!(render(&inputs).unwrap(), files);
}

#[test]
fn batch_summary_without_histogram() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (scenario("korea-jv.toml"), scenario("solar-panels.toml"));
    tariffsim(&[
        "run",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--trials",
        "1000",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    // The parent folder holds only the combined summary (with a `scenario` column).
    let inputs = Inputs {
        summary: std::fs::read_to_string(dir.path().join("summary.csv")).unwrap(),
        ..Inputs::default()
    };
    let files = render(&inputs).expect("render");
    check_all_parse(&files);
    let names: Vec<&str> = files.iter().map(|f| f.0.as_str()).collect();
    assert!(names
        .iter()
        .any(|n| n.starts_with("charts/cost-components-korea-jv-")));
    assert!(names
        .iter()
        .any(|n| n.starts_with("charts/cost-components-solar-panels-")));
    assert!(!names.iter().any(|n| n.contains("cost-distribution")));
}

#[test]
fn tornado_charts_from_sensitivity() {
    let dir = korea_jv(&[]);
    let mut inputs = read_inputs(dir.path());
    let rows = summary_rows(&inputs.summary);
    let regs = regimes(&rows);
    let mut sens = String::from("regime,route,rank,input,spearman,share\n");
    for (g, routes) in &regs {
        for u in routes {
            sens.push_str(&format!("{g},{u},3,\"a, quoted <input>\",0.1,0.01\n"));
            sens.push_str(&format!("{g},{u},1,routes.{u}.legs.0.rate,0.8,0.64\n"));
            sens.push_str(&format!("{g},{u},2,goods.unit_value,-0.5,0.25\n"));
        }
    }
    inputs.sensitivity = Some(sens);
    let files = render(&inputs).expect("render");
    check_all_parse(&files);
    for (g, routes) in &regs {
        for u in routes {
            let name = format!("charts/tornado-{g}-{u}.svg");
            let svg = parse_xml(&name, file(&files, &name));
            assert_eq!(series(&svg), vec![u.clone()], "{name}");
            let labels: Vec<&str> = svg
                .iter()
                .filter(|e| e.name == "text" && e.text.contains('(') && e.text.ends_with("%)"))
                .map(|e| e.text.as_str())
                .collect();
            assert_eq!(labels.len(), 3, "{name}: {labels:?}");
            assert!(
                labels[0].starts_with("routes."),
                "largest |spearman| first: {labels:?}"
            );
            assert!(labels[1].starts_with("goods."), "{labels:?}");
            assert!(labels[2].starts_with("a, quoted <input>"), "{labels:?}");
        }
    }
}

#[test]
fn errors_name_the_missing_column() {
    let text = "regime,route,trials,mean_x\nr,a,1,2\n";
    match render(&Inputs {
        summary: text.into(),
        ..Inputs::default()
    }) {
        Err(e @ ReportError::MissingColumn { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("summary.csv") && msg.contains("`mean`"),
                "{msg}"
            );
        }
        other => panic!("expected a missing column, got {other:?}"),
    }
    let dir = korea_jv(&[]);
    let mut inputs = read_inputs(dir.path());
    inputs.histogram = Some("regime,route,bin,lo,hi,count\n".into());
    let err = render(&inputs).unwrap_err().to_string();
    assert!(
        err.contains("histogram.csv") && err.contains("`share`"),
        "{err}"
    );
    inputs.histogram = None;
    inputs.manifest = Some("{ not json".into());
    assert!(matches!(render(&inputs), Err(ReportError::Manifest(_))));
}

/// Draws the report of every folder in `REPORT_DIRS` (colon-separated) into it, to look
/// at: `REPORT_DIRS=/tmp/rep1 cargo test --test report -- --ignored`.
#[test]
#[ignore]
fn write_reports_for_viewing() {
    let dirs = std::env::var("REPORT_DIRS").unwrap_or_default();
    for d in dirs.split(':').filter(|d| !d.is_empty()) {
        let dir = Path::new(d);
        let files = render(&read_inputs(dir)).expect("render");
        for (name, bytes) in files {
            let p = dir.join(&name);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, bytes).unwrap();
        }
    }
}
