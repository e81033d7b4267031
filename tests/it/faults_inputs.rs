//! Fault suite, hostile inputs: values whose costs overflow, oversized inputs, and
//! batch name collisions are refused with exit 2 before anything runs or is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SCENARIO: &str = "scenarios/korea-jv.toml";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
}

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tariffsim-inputs-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn refused(o: &Output, needle: &str) -> String {
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains(needle), "no `{needle}` in: {err}");
    err
}

fn names(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn values_whose_costs_overflow_fail_check_and_run() {
    let d = dir("overflow");
    for set in [
        "goods.unit_value=1e308",
        "goods.units_per_feu=5e-324",
        "goods.unit_value=1e13",
    ] {
        let o = bin()
            .args(["check", SCENARIO, "--set", set])
            .output()
            .unwrap();
        refused(&o, "route `direct`");
        let o = bin()
            .args(["run", SCENARIO, "--trials", "2000", "--set", set, "--out"])
            .arg(d.join("out"))
            .output()
            .unwrap();
        refused(&o, "landed cost");
        assert_eq!(
            names(&d),
            Vec::<String>::new(),
            "{set}: something was written"
        );
    }
}

#[test]
fn endless_or_huge_inputs_are_not_read_whole() {
    let o = bin().args(["check", "/dev/zero"]).output().unwrap();
    refused(&o, "larger than the limit");
    let d = dir("extends");
    let s = d.join("s.toml");
    std::fs::write(&s, "extends = \"/dev/zero\"\n").unwrap();
    let o = bin().arg("check").arg(&s).output().unwrap();
    refused(&o, "cannot read `/dev/zero`");
    let o = bin()
        .args(["merge", "/dev/zero", "--out"])
        .arg(d.join("out"))
        .output()
        .unwrap();
    refused(&o, "/dev/zero");
    assert!(!d.join("out").exists());
}

fn renamed(d: &Path, file: &str, name: &str) -> PathBuf {
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    let start = text.find("[scenario]").unwrap();
    let at = start + text[start..].find("name = ").unwrap();
    let end = at + text[at..].find('\n').unwrap();
    // `name` goes in as TOML basic-string text (escapes such as \u001b allowed).
    let out = format!("{}name = \"{name}\"{}", &text[..at], &text[end..]);
    let p = d.join(file);
    std::fs::write(&p, out).unwrap();
    p
}

#[test]
fn batch_name_collisions_are_refused_before_anything_runs() {
    let d = dir("batch");
    let a = renamed(&d, "a.toml", "same");
    let b = renamed(&d, "b.toml", "same");
    let o = bin()
        .arg("run")
        .args([&a, &b])
        .args(["--trials", "2000", "--out"])
        .arg(d.join("out"))
        .output()
        .unwrap();
    let err = refused(&o, "is also the name of");
    assert!(err.contains("b.toml") && err.contains("a.toml"), "{err}");
    assert!(!d.join("out").exists());
    for reserved in ["summary.csv", "charts", "report.html"] {
        let c = renamed(&d, "c.toml", reserved);
        let o = bin()
            .arg("run")
            .args([&a, &c])
            .args(["--trials", "2000", "--out"])
            .arg(d.join("out"))
            .output()
            .unwrap();
        refused(&o, "collides with the batch's own");
        assert!(!d.join("out").exists());
    }
    for bad in ["..", "a\\u001b[31mb", "x/y"] {
        let c = renamed(&d, "c.toml", bad);
        let o = bin()
            .arg("run")
            .arg(&c)
            .args(["--trials", "2000"])
            .current_dir(&d)
            .output()
            .unwrap();
        refused(&o, "folder name");
        assert!(!d.join("output").exists());
    }
}

#[test]
fn a_run_past_its_memory_limit_or_point_cap_is_refused_with_the_estimate() {
    let d = dir("memory");
    let o = bin()
        .args([
            "run",
            SCENARIO,
            "--trials",
            "2000",
            "--max-memory",
            "1",
            "--out",
        ])
        .arg(d.join("out"))
        .output()
        .unwrap();
    let err = refused(&o, "needs an estimated");
    assert!(
        err.contains("MiB") && err.contains("--max-memory 1 MiB"),
        "{err}"
    );
    let o = bin()
        .args(["run", SCENARIO, "--trials", "2000", "--out"])
        .arg(d.join("out"))
        .args(["--sweep", "goods.units=1:100:18446744073709551615"])
        .output()
        .unwrap();
    refused(&o, "--sweep");
    assert_eq!(names(&d), Vec::<String>::new());
}

#[test]
fn a_hundred_thousand_errors_are_counted_and_only_the_first_printed() {
    let d = dir("errors");
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    let extra: String = (0..100_000).map(|i| format!("zz{i} = 1\n")).collect();
    let s = d.join("errors.toml");
    std::fs::write(
        &s,
        text.replacen("[goods]\n", &format!("[goods]\n{extra}"), 1),
    )
    .unwrap();
    for cmd in ["check", "run"] {
        let mut c = bin();
        c.arg(cmd).arg(&s);
        if cmd == "run" {
            c.arg("--quiet").arg("--out").arg(d.join("out"));
        }
        let o = c.output().unwrap();
        let err = refused(&o, "100000 errors in the scenario; nothing was run");
        assert!(err.contains("\n... and 99950 more errors\n"), "{cmd}");
        assert!(err.contains("`goods.zz49`: unknown key") && !err.contains("`goods.zz50`"));
        // The scenario's own warning (FY2027 fees carried forward) is not an error.
        assert_eq!(
            err.lines().filter(|l| !l.starts_with("warning:")).count(),
            50 * 2 + 2,
            "{cmd}: one line and a help each"
        );
    }
    assert_eq!(names(&d), vec!["errors.toml".to_string()]);
}

fn run_ok(args: &[&str], out: &Path) -> Output {
    let o = bin().args(args).arg("--out").arg(out).output().unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

#[test]
fn ten_thousand_threads_are_capped_with_a_warning_and_change_no_result() {
    let d = dir("threads");
    let args = |t: &'static str| {
        [
            "run",
            SCENARIO,
            "--trials",
            "5000",
            "--seed",
            "3",
            "--quiet",
            "--trials-csv",
            "--threads",
            t,
        ]
    };
    let one = run_ok(&args("1"), &d.join("one"));
    // Only the scenario's own warning (FY2027 fees carried forward), no thread warning.
    let one_err = String::from_utf8_lossy(&one.stderr);
    assert!(
        one_err
            .lines()
            .all(|l| l.starts_with("warning: scenarios/")),
        "{one_err}"
    );
    let many = run_ok(&args("10000"), &d.join("many"));
    let err = String::from_utf8_lossy(&many.stderr);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    assert_eq!(err.matches("warning: --threads 10000").count(), 1, "{err}");
    assert!(
        err.contains(&format!("using {} threads", 4 * cores)),
        "{err}"
    );
    for f in [
        "summary.csv",
        "compare.csv",
        "histogram.csv",
        "exceedance.csv",
        "trials.csv",
    ] {
        assert!(
            std::fs::read(d.join("one").join(f)).unwrap()
                == std::fs::read(d.join("many").join(f)).unwrap(),
            "{f} differs between 1 and 10000 threads"
        );
    }
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("many/manifest.json")).unwrap()).unwrap();
    assert_eq!(m["threads"], serde_json::json!(4 * cores));
}

/// korea-jv with hostile names: formula leaders, a quote, and terminal escapes.
fn hostile(d: &Path) -> PathBuf {
    let mut text = std::fs::read_to_string(SCENARIO).unwrap();
    for (from, to) in [
        ("\"direct\"", "\"=HYPERLINK(1)\""),
        ("\"korea-assembly\"", "\"+assembly\""),
        ("\"korea-relabel\"", "\"@relabel\""),
        ("\"law-2026-12\"", "\"-sq\""),
        ("\"law-2025-09\"", "\"'quoted\""),
    ] {
        text = text.replace(from, to);
    }
    let s = d.join("hostile.toml");
    std::fs::write(&s, text).unwrap();
    s
}

#[test]
fn names_never_reach_a_spreadsheet_as_formulas() {
    let d = dir("formula");
    let s = hostile(&d);
    let s = s.to_str().unwrap();
    run_ok(
        &[
            "run",
            s,
            "--trials",
            "2000",
            "--quiet",
            "--trials-csv",
            "--sensitivity",
            "--sweep",
            "regimes.-sq.enforcement.detection=0.05,0.1",
        ],
        &d.join("out"),
    );
    let out = d.join("out");
    for f in [
        "summary.csv",
        "compare.csv",
        "histogram.csv",
        "exceedance.csv",
        "sensitivity.csv",
        "trials.csv",
    ] {
        let text = std::fs::read_to_string(out.join(f)).unwrap();
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut seen = 0;
        for rec in r.records() {
            for field in rec.unwrap().iter() {
                assert!(
                    !field.starts_with(['=', '+', '@']) && !field.starts_with("-s"),
                    "{f}: a field reads as a formula: {field:?}"
                );
                if field.starts_with('\'') {
                    seen += 1;
                }
            }
        }
        assert!(seen > 0, "{f}: no guarded name");
        assert!(!text.contains("'''"), "{f}: guarded twice");
    }
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    // A path starts with a key of the format (`regimes`), never a formula leader.
    assert!(summary.starts_with("regimes.-sq.enforcement.detection,regime,route,"));
    for name in [
        "'=HYPERLINK(1)",
        "'+assembly",
        "'@relabel",
        "'-sq",
        "''quoted",
    ] {
        assert!(
            summary.contains(&format!(",{name},")) || summary.contains(&format!("{name},")),
            "{name}"
        );
    }
    // Negative numbers are numbers, not guarded.
    assert!(!summary.contains(",'-0") && !summary.contains(",'-1"));
    // The report reads the names back as written.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(
        html.contains("+assembly")
            && !html.contains("&#39;+assembly")
            && !html.contains("'+assembly")
    );
}

#[test]
fn control_characters_in_names_are_escaped_on_the_terminal() {
    let d = dir("controls");
    let text = std::fs::read_to_string(SCENARIO)
        .unwrap()
        .replace("\"direct\"", "\"dir\\u001b[2Ject\\r\"");
    let s = d.join("controls.toml");
    std::fs::write(&s, text).unwrap();
    let o = bin()
        .args(["breakeven"])
        .arg(&s)
        .args([
            "--param",
            "regimes.law-2026-12.inspection.fee",
            "--routes",
            "nope,direct",
        ])
        .output()
        .unwrap();
    let err = refused(&o, "--routes: no route `nope`");
    assert!(err.contains("dir\\u{1b}[2Ject\\r"), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
}
