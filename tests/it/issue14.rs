//! Issue 14: reports and analysis a reviewer can trust. Every item is checked against the
//! CSV files the real binary writes (fixed seeds; tolerances from standard errors).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scenario(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

fn tariffsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(args)
        .output()
        .expect("run tariffsim")
}

fn ok(args: &[&str]) -> Output {
    let o = tariffsim(args);
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn run_kjv(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("korea-jv.toml");
    let mut a = vec![
        "run",
        s.to_str().unwrap(),
        "--trials",
        "20000",
        "--quiet",
        "--out",
    ];
    a.push(dir.path().to_str().unwrap());
    a.extend_from_slice(extra);
    ok(&a);
    dir
}

fn rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let h = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (h, rows)
}

fn read(dir: &Path, f: &str) -> String {
    std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

fn col(h: &[String], n: &str) -> usize {
    h.iter()
        .position(|x| x == n)
        .unwrap_or_else(|| panic!("no column {n}"))
}

/// The texts of an SVG (the contents of its <text> elements, joined by newlines).
fn svg_text(svg: &str) -> String {
    let mut out = String::new();
    for part in svg.split("<text").skip(1) {
        if let Some(i) = part.find('>') {
            let rest = &part[i + 1..];
            if let Some(j) = rest.find("</text>") {
                out.push_str(
                    &rest[..j]
                        .replace("&amp;", "&")
                        .replace("&lt;", "<")
                        .replace("&gt;", ">"),
                );
                out.push('\n');
            }
        }
    }
    out
}

/// `P(cost > x)` bracket of a route from exceedance.csv: (lower, upper) over the knots
/// around x.
fn exceed_bracket(ex: &str, regime: &str, route: &str, x: f64) -> (f64, f64) {
    let (h, r) = rows(ex);
    let (gi, ui, ci, qi) = (
        col(&h, "regime"),
        col(&h, "route"),
        col(&h, "cost"),
        col(&h, "q"),
    );
    let mut k: Vec<(f64, f64)> = r
        .iter()
        .filter(|r| r[gi] == regime && r[ui] == route)
        .map(|r| (r[ci].parse().unwrap(), r[qi].parse().unwrap()))
        .collect();
    k.sort_by(|a, b| a.0.total_cmp(&b.0));
    let below = k
        .iter()
        .filter(|p| p.0 <= x)
        .map(|p| p.1)
        .fold(0.0, f64::max);
    let above = k
        .iter()
        .filter(|p| p.0 >= x)
        .map(|p| p.1)
        .fold(1.0, f64::min);
    (1.0 - above, 1.0 - below)
}

#[test]
fn beyond_axis_statements_match_exceedance_csv() {
    let dir = run_kjv(&[]);
    let ex = read(dir.path(), "exceedance.csv");
    let sum = read(dir.path(), "summary.csv");
    let (h, r) = rows(&sum);
    let (gi, mi) = (col(&h, "regime"), col(&h, "min"));
    let mut regimes: Vec<String> = r.iter().map(|r| r[gi].clone()).collect();
    regimes.dedup();
    for g in &regimes {
        let svg = read(dir.path(), &format!("charts/cost-distribution-{g}.svg"));
        let t = svg_text(&svg);
        assert!(!t.contains("Below the axis"), "{g}: old false statement");
        let min_all = r
            .iter()
            .filter(|r| &r[gi] == g)
            .map(|r| r[mi].parse::<f64>().unwrap())
            .fold(f64::INFINITY, f64::min);
        // The left edge: either nothing below it, or it is above the lowest cost.
        let left: f64 = t
            .split("left edge (")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .map(|s| s.replace(',', "").parse().unwrap())
            .expect("a statement about the left edge");
        if t.contains("No simulated cost lies below the left edge") {
            assert!(left <= min_all + 1e-9, "{g}: {left} > min {min_all}");
        } else {
            assert!(left > min_all, "{g}");
        }
        // Every route said to lie beyond the right edge does, by exceedance.csv.
        if let Some(s) = t.split("Beyond the right edge (").nth(1) {
            let s = s.replace('\n', " ");
            let right: f64 = s
                .split(' ')
                .next()
                .unwrap()
                .replace(',', "")
                .parse()
                .unwrap();
            let list = s.split("share of shipments: ").nth(1).unwrap();
            let list = list.split(". The exceedance").next().unwrap();
            for item in list.split("), ") {
                let mut w = item.split(' ');
                let route = w.next().unwrap();
                let share: f64 = w
                    .next()
                    .unwrap()
                    .trim_end_matches('%')
                    .parse::<f64>()
                    .unwrap()
                    / 100.0;
                let (lo, hi) = exceed_bracket(&ex, g, route, right);
                assert!(
                    share >= lo - 0.0011 && share <= hi + 0.0011,
                    "{g}/{route}: {share} not in [{lo}, {hi}]"
                );
            }
        }
        // The exceedance chart shows every route, up to the largest cost.
        let svg = read(dir.path(), &format!("charts/exceedance-{g}.svg"));
        let n = r.iter().filter(|r| &r[gi] == g).count();
        assert_eq!(svg.matches("class=\"series\"").count(), n, "{g}");
        let max_all = r
            .iter()
            .filter(|r| &r[gi] == g)
            .map(|r| r[col(&h, "max")].parse::<f64>().unwrap())
            .fold(0.0, f64::max);
        let shown = svg_text(&svg);
        let want = format!("{:.2}", max_all);
        let want_commas = want.replace(',', "");
        assert!(
            shown.replace(',', "").contains(&want_commas),
            "{g}: max {want} not stated in {shown}"
        );
    }
}

#[test]
fn assumptions_match_check() {
    let dir = run_kjv(&[]);
    let s = scenario("korea-jv.toml");
    let check = String::from_utf8(ok(&["check", s.to_str().unwrap()]).stdout).unwrap();
    let a: serde_json::Value = serde_json::from_str(&read(dir.path(), "assumptions.json")).unwrap();
    let html = read(dir.path(), "report.html");
    assert!(html.contains("id=\"assumptions\""));
    for g in a["regimes"].as_array().unwrap() {
        let name = g["name"].as_str().unwrap();
        assert!(html.contains(&format!("data-regime=\"{name}\"")), "{name}");
        let block = check.split(&format!("regime `{name}`")).nth(1).unwrap();
        for st in g["stacks"].as_array().unwrap() {
            let line = format!(
                "origin {} ({}):",
                st["origin"].as_str().unwrap(),
                st["claim"].as_str().unwrap()
            );
            let l = block
                .lines()
                .find(|l| l.contains(&line))
                .unwrap_or_else(|| panic!("{name}: {line}"));
            let rate = st["ad_valorem"].as_f64().unwrap();
            assert!(
                l.contains(&format!("{}%", (rate * 1e6).round() / 1e4)),
                "{l} vs {rate}"
            );
        }
        for k in ["enforcement", "inspection", "de_minimis", "fees"] {
            assert!(g[k].as_str().is_some_and(|s| !s.is_empty()), "{name}: {k}");
        }
        if g["base"].is_string() {
            assert!(!g["differs"].as_array().unwrap().is_empty(), "{name}");
        }
    }
    assert!(html.contains("Differs from law-2026-12"));
}

#[test]
fn p_cheapest_own_excludes_fallback_ties() {
    let dir = run_kjv(&[]);
    let (h, r) = rows(&read(dir.path(), "summary.csv"));
    let n: f64 = 20000.0;
    for row in &r {
        let g = |c: &str| -> f64 { row[col(&h, c)].parse().unwrap() };
        let (all, own) = (g("p_cheapest"), g("p_cheapest_own"));
        assert!(own <= all + 1e-12);
        assert!(g("p_cheapest_own_lo") <= own && own <= g("p_cheapest_own_hi"));
        // korea-assembly ties direct exactly when blocked (rerouted): the gap is at most
        // its blocked share (plus 4 binomial se).
        if row[col(&h, "route")] == "korea-assembly" {
            let b = g("p_blocked");
            let se = (b * (1.0 - b) / n).sqrt();
            assert!(all - own <= b + 4.0 * se + 1e-9, "{row:?}");
            assert!(all - own >= b - 4.0 * se - 0.02, "{row:?}");
        }
    }
    let html = read(dir.path(), "report.html");
    assert!(html.contains("data-col=\"p_cheapest_own\""));
    assert!(html.contains("own shipment"));
}

#[test]
fn unreached_target_se_warns_and_is_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("korea-jv.toml");
    let o = ok(&[
        "run",
        s.to_str().unwrap(),
        "--trials",
        "2e3",
        "--target-se",
        "0.0001",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not reached"), "{err}");
    let m: serde_json::Value = serde_json::from_str(&read(dir.path(), "manifest.json")).unwrap();
    assert_eq!(m["target_met"], serde_json::Value::Bool(false));
    assert_eq!(m["trials_used"][0].as_u64(), Some(2000));
    // The worst cell's se is the largest se of summary.csv.
    let (h, r) = rows(&read(dir.path(), "summary.csv"));
    let worst = r
        .iter()
        .map(|r| r[col(&h, "se")].parse::<f64>().unwrap())
        .fold(0.0, f64::max);
    assert!((m["worst_cell"]["se"].as_f64().unwrap() - worst).abs() <= 1e-9 * worst);
    assert!(read(dir.path(), "report.html").contains("not reached"));
    // Both targets at once: a usage error.
    let o = tariffsim(&[
        "run",
        s.to_str().unwrap(),
        "--target-se",
        "1",
        "--target-rse",
        "0.1",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn swing_shows_rare_large_effects() {
    let dir = run_kjv(&["--sensitivity"]);
    let (h, r) = rows(&read(dir.path(), "sensitivity.csv"));
    let get = |row: &Vec<String>, c: &str| -> f64 { row[col(&h, c)].parse().unwrap() };
    let mut seen = false;
    for row in &r {
        let (v, lo, hi) = (
            get(row, "swing"),
            get(row, "swing_lo"),
            get(row, "swing_hi"),
        );
        assert!(lo <= v && v <= hi);
        if row[col(&h, "route")] == "korea-relabel"
            && row[col(&h, "input")].ends_with("lookback_entries")
            && row[col(&h, "regime")] == "law-2025-09"
        {
            // Look-back entries matter only when caught, so the rank correlation is near 0,
            // but the mean moves by many USD between the deciles.
            assert!(get(row, "spearman").abs() < 0.1, "{row:?}");
            assert!(lo > 10.0, "{row:?}");
            seen = true;
        }
    }
    assert!(seen);
    let html = read(dir.path(), "report.html");
    assert!(html.contains("charts/swing-law-2025-09-korea-relabel.svg"));
    assert!(html.contains("cannot show"));
}

#[test]
fn breakeven_writes_manifest_chart_and_frontier() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("korea-jv.toml");
    let p = "regimes.campaign-60-stacked.measures.china-60.ad_valorem";
    let o = ok(&[
        "breakeven",
        s.to_str().unwrap(),
        "--param",
        p,
        "--routes",
        "direct,korea-assembly",
        "--regime",
        "campaign-60-stacked",
        "--between",
        "0,1.5",
        "--trials",
        "4e3",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let out = String::from_utf8_lossy(&o.stdout);
    // Sensible precision: no 15-digit numbers.
    assert!(
        !out.split(|c: char| !(c.is_ascii_digit() || c == '.'))
            .any(|w| w.len() > 12),
        "{out}"
    );
    let m: serde_json::Value =
        serde_json::from_str(&read(dir.path(), "breakeven-manifest.json")).unwrap();
    assert_eq!(m["param"], p);
    assert_eq!(m["routes"][1], "korea-assembly");
    assert_eq!(m["regime"], "campaign-60-stacked");
    assert!(m["seed"].is_u64() && m["result"]["x"].is_f64());
    assert!(dir.path().join("charts/breakeven.svg").exists());
    let o = ok(&[
        "breakeven",
        s.to_str().unwrap(),
        "--param",
        p,
        "--routes",
        "direct,korea-assembly",
        "--regime",
        "campaign-60-stacked",
        "--between",
        "0,1.5",
        "--over",
        "regimes.law-2026-12.enforcement.detection=0:0.2:3",
        "--trials",
        "2000",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 3);
    let (h, r) = rows(&read(dir.path(), "frontier.csv"));
    assert_eq!(r.len(), 3);
    for row in &r {
        if row[col(&h, "x")] != "none" {
            let f = |c: &str| row[col(&h, c)].parse::<f64>().unwrap();
            assert!(f("ci_lo") <= f("x") && f("x") <= f("ci_hi"));
        }
    }
    assert!(dir.path().join("charts/frontier.svg").exists());
}

#[test]
fn sweep_report_margin_and_numeric_values() {
    let dir = tempfile::tempdir().unwrap();
    let s = scenario("korea-jv.toml");
    let p = "regimes.campaign-60-stacked.measures.china-60.ad_valorem";
    ok(&[
        "run",
        s.to_str().unwrap(),
        "--trials",
        "2000",
        "--sweep",
        &format!("{p}=0:1"),
        "--margin",
        "5",
        "--quiet",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    let (h, r) = rows(&read(dir.path(), "summary.csv"));
    let mut vals: Vec<String> = r.iter().map(|r| r[col(&h, p)].clone()).collect();
    vals.dedup();
    assert_eq!(vals.len(), 11, "default steps");
    assert!(vals.iter().all(|v| v.parse::<f64>().is_ok()));
    let html = read(dir.path(), "report.html");
    assert!(html.contains("id=\"sweep-points\""));
    assert!(html.matches("· regimes.campaign-60-stacked").count() >= 11 * 6);
    assert!(dir
        .path()
        .join("charts/sweep-p95-campaign-60-stacked.svg")
        .exists());
    assert!(read(dir.path(), "charts/sweep-campaign-60-stacked.svg").contains("ranking changes"));
    let (h, r) = rows(&read(dir.path(), "compare.csv"));
    for row in &r {
        let f = |c: &str| row[col(&h, c)].parse::<f64>().unwrap();
        assert_eq!(f("margin"), 5.0);
        assert!(f("p_first_cheaper_by_margin") <= f("p_first_cheaper") + 1e-12);
        assert!(f("p_first_cheaper_by_margin_lo") <= f("p_first_cheaper_by_margin") + 1e-12);
    }
    // A percentage written "30%" is a number in the sweep column.
    let d2 = tempfile::tempdir().unwrap();
    ok(&[
        "run",
        s.to_str().unwrap(),
        "--trials",
        "500",
        "--sweep",
        &format!("{p}=30%,60%"),
        "--quiet",
        "--no-charts",
        "--out",
        d2.path().to_str().unwrap(),
    ]);
    let (h, r) = rows(&read(d2.path(), "summary.csv"));
    assert_eq!(r[0][col(&h, p)], "0.3");
}

#[test]
fn help_examples_run() {
    for cmd in ["run", "check", "breakeven", "merge", "report"] {
        let o = ok(&[cmd, "--help"]);
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(t.contains("Examples:"), "{cmd} --help has no examples");
    }
}
