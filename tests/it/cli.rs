//! End-to-end runs of the binary: shipped scenarios, determinism across threads, exit
//! codes, and that failures leave no output behind.

use std::path::{Path, PathBuf};
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tariffsim-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn scenarios() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

fn run(args: &[&str]) -> std::process::Output {
    bin().args(args).output().expect("binary runs")
}

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn every_shipped_scenario_checks_and_runs() {
    for s in scenarios() {
        let s = s.to_str().unwrap();
        let out = run(&["check", s]);
        assert!(
            out.status.success(),
            "check {s}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("OK") && text.contains("ad valorem"), "{text}");
        let dir = tmp(&format!(
            "run-{}",
            Path::new(s).file_stem().unwrap().to_str().unwrap()
        ));
        let out = run(&[
            "run",
            s,
            "--trials",
            "5000",
            "--quiet",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "run {s}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        for f in [
            "summary.csv",
            "compare.csv",
            "histogram.csv",
            "manifest.json",
        ] {
            assert!(dir.join(f).exists(), "{s}: missing {f}");
        }
        assert!(
            !dir.join("trials.csv").exists(),
            "trials.csv only on request"
        );
        let summary = String::from_utf8(read(&dir.join("summary.csv"))).unwrap();
        // Sweep columns (if any) come before `regime`; the headline block follows.
        assert!(
            summary
                .lines()
                .next()
                .unwrap()
                .contains("regime,route,trials,mean,sd,se,min,p01"),
            "{s}"
        );
        let mut r = csv::Reader::from_reader(summary.as_bytes());
        let trials = r
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "trials")
            .unwrap();
        for rec in r.records() {
            assert_eq!(&rec.unwrap()[trials], "5000", "{s}");
        }
        assert!(
            dir.join("report.html").exists(),
            "{s}: report.html is drawn by default"
        );
    }
}

#[test]
fn results_do_not_depend_on_thread_count() {
    let (a, b) = (tmp("t1"), tmp("t2"));
    for (dir, threads) in [(&a, "1"), (&b, "2")] {
        let out = run(&[
            "run",
            "scenarios/korea-jv.toml",
            "--trials",
            "20000",
            "--seed",
            "11",
            "--threads",
            threads,
            "--trials-csv",
            "--quiet",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    for f in ["summary.csv", "compare.csv", "histogram.csv", "trials.csv"] {
        assert!(
            read(&a.join(f)) == read(&b.join(f)),
            "{f} differs between 1 and 2 threads"
        );
    }
    // trials.csv: header + one row per (trial, regime, route), in trial order.
    let trials = String::from_utf8(read(&a.join("trials.csv"))).unwrap();
    let mut lines = trials.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("trial,regime,route,cost,goods"));
    let first: Vec<u64> = lines
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(
        first.windows(2).all(|w| w[0] <= w[1]),
        "rows in trial order"
    );
    assert_eq!(first.last(), Some(&19_999));
}

#[test]
fn different_seeds_give_different_results() {
    let (a, b) = (tmp("s1"), tmp("s2"));
    for (dir, seed) in [(&a, "1"), (&b, "2")] {
        let out = run(&[
            "run",
            "scenarios/korea-jv.toml",
            "--trials",
            "3000",
            "--seed",
            seed,
            "--quiet",
            "--out",
            dir.to_str().unwrap(),
        ]);
        assert!(out.status.success());
    }
    assert!(read(&a.join("summary.csv")) != read(&b.join("summary.csv")));
}

#[test]
fn bad_scenario_exits_2_with_location_and_writes_nothing() {
    let dir = tmp("bad");
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string("scenarios/korea-jv.toml").unwrap();
    let bad_path = dir.join("bad.toml");
    std::fs::write(
        &bad_path,
        good.replacen("\nunits_per_feu", "\nunits_per_fue", 1),
    )
    .unwrap();
    let out_dir = dir.join("out");
    let out = run(&[
        "run",
        bad_path.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:")
            && err.contains("units_per_fue")
            && err.contains("did you mean `units_per_feu`"),
        "{err}"
    );
    assert!(!out_dir.exists(), "no output folder for a bad scenario");
    let out = run(&["check", bad_path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn usage_errors_exit_2_and_missing_files_too() {
    assert_eq!(run(&["run"]).status.code(), Some(2));
    assert_eq!(
        run(&["run", "scenarios/korea-jv.toml", "--trials", "many"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        run(&["run", "scenarios/korea-jv.toml", "--threads", "0"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(run(&["check", "no/such/file.toml"]).status.code(), Some(2));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
}

#[test]
fn unwritable_output_fails_before_running_with_exit_1() {
    let dir = tmp("unwritable");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a-file");
    std::fs::write(&file, b"x").unwrap();
    // A path below a regular file cannot be created.
    let out = run(&[
        "run",
        "scenarios/korea-jv.toml",
        "--trials",
        "1000",
        "--quiet",
        "--out",
        file.join("sub").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("output folder"));
}

#[test]
fn batch_writes_each_scenario_and_a_combined_summary() {
    let dir = tmp("batch");
    let out = run(&[
        "run",
        "scenarios/korea-jv.toml",
        "scenarios/ecommerce-parcels.toml",
        "--trials",
        "2000",
        "--quiet",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("korea-jv/summary.csv").exists());
    assert!(dir.join("ecommerce-parcels/summary.csv").exists());
    let combined = String::from_utf8(read(&dir.join("summary.csv"))).unwrap();
    assert!(combined.starts_with("scenario,regime,route"));
    assert!(combined.lines().any(|l| l.starts_with("korea-jv,")));
    assert!(combined
        .lines()
        .any(|l| l.starts_with("ecommerce-parcels,")));
}

/// `check` names a regime's timed measures with their windows (its stacks add every
/// measure as if all were in force), and says nothing of timing where nothing is timed.
#[test]
fn check_marks_timed_measures_with_their_windows() {
    let out = run(&["check", "benches/scenarios/korea-jv-timed.toml"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let law = text
        .split("  regime `")
        .find(|r| r.starts_with("law-2026-02`"))
        .expect("the law-2026-02 regime");
    assert!(
        law.contains("timed, summed above as if all in force at once: ")
            && law.contains("IEEPA fentanyl (until day 23)")
            && law.contains("Section 122 (from day 23, until day 173)"),
        "{law}"
    );
    assert!(text.contains("china-60 (from a day in 20..45)"), "{text}");
    let plain = run(&["check", "scenarios/korea-jv.toml"]);
    assert!(!String::from_utf8_lossy(&plain.stdout).contains("timed,"));
}
