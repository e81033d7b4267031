//! Issue-3 features end to end: sweeps, overrides, families, break-even, precision
//! stopping; and shards merging to a single run's bytes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tariffsim-cmp-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ok(o: &Output) {
    assert!(
        o.status.success(),
        "exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
}

/// Rows of a CSV as maps from column to value.
fn rows(p: &Path) -> Vec<std::collections::HashMap<String, String>> {
    let mut r = csv::Reader::from_path(p).unwrap();
    let h = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            h.iter()
                .zip(rec.unwrap().iter())
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

const PATH: &str = "regimes.campaign-60-stacked.measures.china-60.ad_valorem";

#[test]
fn sweep_direct_cost_rises_with_the_china_tariff_and_the_jv_advantage_grows() {
    let d = tmp("sweep");
    ok(&run(&[
        "run",
        "scenarios/sweep-china-tariff.toml",
        "--trials",
        "4000",
        "--quiet",
        "--out",
        d.to_str().unwrap(),
    ]));
    let all = rows(&d.join("summary.csv"));
    assert_eq!(all.len(), 11 * 7 * 3, "11 points x 7 regimes x 3 routes");
    let pick = |route: &str| -> Vec<(f64, f64)> {
        all.iter()
            .filter(|r| r["regime"] == "campaign-60-stacked" && r["route"] == route)
            .map(|r| (r[PATH].parse().unwrap(), r["mean"].parse().unwrap()))
            .collect()
    };
    let direct = pick("direct");
    let jv = pick("korea-assembly");
    assert_eq!(direct.len(), 11);
    // Same seed at every point: the direct route's mean rises strictly with the tariff.
    assert!(direct.windows(2).all(|w| w[1].1 > w[0].1), "{direct:?}");
    // The JV route's advantage (direct - jv) rises too, and changes sign in the sweep.
    let adv: Vec<f64> = direct.iter().zip(&jv).map(|(d, j)| d.1 - j.1).collect();
    assert!(adv.windows(2).all(|w| w[1] > w[0]), "{adv:?}");
    assert!(adv[0] < 0.0 && adv[10] > 0.0, "{adv:?}");
    // compare.csv carries the swept column as well.
    assert!(rows(&d.join("compare.csv"))[0].contains_key(PATH));
}

#[test]
fn set_overrides_a_value_and_a_wrong_path_lists_valid_keys() {
    let d = tmp("set");
    ok(&run(&[
        "run",
        "scenarios/korea-jv.toml",
        "--trials",
        "2000",
        "--quiet",
        "--out",
        d.to_str().unwrap(),
        "--set",
        &format!("{PATH}=0.0"),
    ]));
    let r = rows(&d.join("summary.csv"));
    let mean = |g: &str, route: &str| -> f64 {
        r.iter()
            .find(|x| x["regime"] == g && x["route"] == route)
            .unwrap()["mean"]
            .parse()
            .unwrap()
    };
    // With the extra tariff at 0, the stacked regime equals its base, the law of 2026-12.
    assert_eq!(
        mean("campaign-60-stacked", "direct"),
        mean("law-2026-12", "direct")
    );
    let o = run(&[
        "run",
        "scenarios/korea-jv.toml",
        "--set",
        "regimes.campaign-60.measures.china-60.ad_valorem=0.3",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no `campaign-60`")
            && err.contains("campaign-60-stacked")
            && err.contains("status-quo-2024"),
        "{err}"
    );
    // A bad value type is a located scenario error pointing at the override.
    let o = run(&[
        "check",
        "scenarios/korea-jv.toml",
        "--set",
        "goods.units=\"many\"",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--set goods.units"));
}

#[test]
fn breakeven_with_fixed_inputs_is_found_exactly() {
    // Direct: 100 + 100 t (t = China tariff) + 1 freight. Via Korea: 100 + 30 hub + 2 + 1
    // freight, no China tariff (transformed, files KR). Equal at 100 t + 101 = 133:
    // t = 0.32 exactly.
    let d = tmp("be");
    let s = d.join("fixed.toml");
    std::fs::write(
        &s,
        r#"
[scenario]
name = "fixed"
[goods]
unit_value = 100.0
units = 1000
units_per_feu = 1000
[[routes]]
name = "direct"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 1000.0
[[routes]]
name = "korea"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 2000.0
[routes.processing]
country = "KR"
cost = 30.0
transforms = true
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 1000.0
[[regimes]]
name = "g"
[[regimes.measures]]
name = "china"
origins = ["CN"]
ad_valorem = 0.5
"#,
    )
    .unwrap();
    let o = run(&[
        "breakeven",
        s.to_str().unwrap(),
        "--param",
        "regimes.g.measures.china.ad_valorem",
        "--routes",
        "direct,korea",
        "--between",
        "0,1",
        "--trials",
        "2048",
        "--quiet",
        "--out",
        d.to_str().unwrap(),
    ]);
    ok(&o);
    let out = String::from_utf8_lossy(&o.stdout);
    let x: f64 = out
        .split(" = ")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((x - 0.32).abs() < 1e-9, "{out}");
    assert!(out.contains("`direct` is cheaper below it"), "{out}");
    let be = std::fs::read_to_string(d.join("breakeven.csv")).unwrap();
    assert!(be.starts_with("step,x,metric_a,metric_b,diff,se") && be.contains("\nresult,"));
    // No crossing in an interval where direct is always cheaper.
    let o = run(&[
        "breakeven",
        s.to_str().unwrap(),
        "--param",
        "regimes.g.measures.china.ad_valorem",
        "--routes",
        "direct,korea",
        "--between",
        "0,0.3",
        "--trials",
        "1024",
        "--quiet",
        "--out",
        d.to_str().unwrap(),
    ]);
    ok(&o);
    assert!(String::from_utf8_lossy(&o.stdout).contains("no break-even"));
}

#[test]
fn extends_errors_point_at_the_file_and_line_that_wrote_the_value() {
    let d = tmp("family");
    std::fs::copy("scenarios/korea-jv.toml", d.join("base.toml")).unwrap();
    std::fs::write(
        d.join("child.toml"),
        "extends = \"base.toml\"\n\n[scenario]\nname = \"child\"\n\n[goods]\nunits = -5\n",
    )
    .unwrap();
    let o = run(&["check", d.join("child.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("child.toml:7:9: `goods.units`"), "{err}");
    // A mistake in the base is reported in the base file, though the child was checked.
    let base = std::fs::read_to_string("scenarios/korea-jv.toml").unwrap();
    let line = base
        .lines()
        .position(|l| l.starts_with("kg_per_unit"))
        .unwrap()
        + 1;
    std::fs::write(
        d.join("base.toml"),
        base.replacen("\nkg_per_unit", "\nkg_per_unt", 1),
    )
    .unwrap();
    std::fs::write(
        d.join("child.toml"),
        "extends = \"base.toml\"\n[scenario]\nname = \"child\"\n",
    )
    .unwrap();
    let o = run(&["check", d.join("child.toml").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("base.toml:{line}:1: `goods.kg_per_unt`")),
        "{err}"
    );
}

#[test]
fn target_se_stops_early_deterministically() {
    let (a, b) = (tmp("tse1"), tmp("tse2"));
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        ok(&run(&[
            "run",
            "scenarios/korea-jv.toml",
            "--trials",
            "200000",
            "--target-rse",
            "0.05",
            "--threads",
            threads,
            "--quiet",
            "--out",
            dir.to_str().unwrap(),
        ]));
    }
    assert_eq!(
        std::fs::read(a.join("summary.csv")).unwrap(),
        std::fs::read(b.join("summary.csv")).unwrap()
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("manifest.json")).unwrap()).unwrap();
    let used = manifest["trials_used"][0].as_u64().unwrap();
    assert!(used < 200_000 && used.is_multiple_of(1024), "{used}");
    for r in rows(&a.join("summary.csv")) {
        let (se, mean): (f64, f64) = (r["se"].parse().unwrap(), r["mean"].parse().unwrap());
        assert!(se <= 0.05 * mean, "{se} {mean}");
    }
}

#[test]
fn shards_merge_to_the_single_run_byte_for_byte() {
    let d = tmp("shards");
    let single = d.join("single");
    let common = ["--trials", "30000", "--seed", "3", "--quiet"];
    let mut args = vec![
        "run",
        "scenarios/timing-60.toml",
        "--out",
        single.to_str().unwrap(),
    ];
    args.extend(common);
    ok(&run(&args));
    for n in [1u64, 2, 3, 7] {
        let sd = d.join(format!("s{n}"));
        // Run shards in reverse order, merge: the order of shard files never matters.
        for k in (1..=n).rev() {
            let shard = format!("{k}/{n}");
            let mut args = vec![
                "run",
                "scenarios/timing-60.toml",
                "--shard",
                &shard,
                "--out",
                sd.to_str().unwrap(),
            ];
            args.extend(common);
            ok(&run(&args));
        }
        let md = d.join(format!("m{n}"));
        ok(&run(&[
            "merge",
            sd.to_str().unwrap(),
            "--out",
            md.to_str().unwrap(),
            "--quiet",
        ]));
        for f in ["summary.csv", "compare.csv", "histogram.csv", "timing.csv"] {
            assert!(
                std::fs::read(single.join(f)).unwrap() == std::fs::read(md.join(f)).unwrap(),
                "N = {n}: {f} differs"
            );
        }
    }
    // Missing, duplicated and foreign shards: exit 2, naming the file.
    let s3 = d.join("s3");
    let missing = run(&[
        "merge",
        s3.join("shard-1-of-3.json").to_str().unwrap(),
        s3.join("shard-3-of-3.json").to_str().unwrap(),
        "--out",
        d.join("x").to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("missing shard(s) 2 of 3"));
    let dup = run(&[
        "merge",
        s3.to_str().unwrap(),
        s3.join("shard-2-of-3.json").to_str().unwrap(),
        "--out",
        d.join("x").to_str().unwrap(),
    ]);
    assert_eq!(dup.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&dup.stderr).contains("shard-2-of-3.json"));
    let other = d.join("other");
    ok(&run(&[
        "run",
        "scenarios/timing-60.toml",
        "--shard",
        "2/3",
        "--trials",
        "30000",
        "--seed",
        "4",
        "--quiet",
        "--out",
        other.to_str().unwrap(),
    ]));
    let foreign = run(&[
        "merge",
        s3.join("shard-1-of-3.json").to_str().unwrap(),
        other.join("shard-2-of-3.json").to_str().unwrap(),
        s3.join("shard-3-of-3.json").to_str().unwrap(),
        "--out",
        d.join("x").to_str().unwrap(),
    ]);
    assert_eq!(foreign.status.code(), Some(2));
    let err = String::from_utf8_lossy(&foreign.stderr);
    assert!(
        err.contains("other/shard-2-of-3.json") && err.contains("seed"),
        "{err}"
    );
    assert!(!d.join("x").join("summary.csv").exists());
}

#[test]
fn sensitivity_is_identical_across_thread_counts() {
    let (a, b) = (tmp("sens1"), tmp("sens2"));
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        ok(&run(&[
            "run",
            "scenarios/korea-jv.toml",
            "--trials",
            "8000",
            "--sensitivity",
            "--threads",
            threads,
            "--quiet",
            "--out",
            dir.to_str().unwrap(),
        ]));
    }
    let (x, y) = (
        std::fs::read(a.join("sensitivity.csv")).unwrap(),
        std::fs::read(b.join("sensitivity.csv")).unwrap(),
    );
    assert!(x == y);
    assert!(String::from_utf8_lossy(&x).starts_with("regime,route,rank,input,spearman,share"));
}
