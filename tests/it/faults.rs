//! Fault suite, output folders: a run's folder is one unit. Signals (SIGTERM, SIGHUP,
//! SIGINT) mid-run and at the swap, a failed or refused rerun, a concurrent run, stale
//! files of an earlier run, leftovers of a killed run, and a full stderr or stdout. Each
//! case checks the exit code, the message and what is on disk afterwards.
//!
//! Signals are delivered at exact steps through the `TARIFFSIM_TEST_PAUSE` hook (the
//! binary waits at the step for a signal), or mid-run once the staging folder shows
//! rows being written: no case depends on timing.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const SCENARIO: &str = "scenarios/korea-jv.toml";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
}

/// A fresh parent folder for one case (its `out` child is the output folder).
fn parent(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tariffsim-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn run_ok(args: &[&str]) -> Output {
    let o = bin().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?}: exit {:?}: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

fn small_run(out: &Path, seed: &str, extra: &[&str]) -> Output {
    let mut a = vec![
        "run",
        SCENARIO,
        "--trials",
        "3000",
        "--seed",
        seed,
        "--quiet",
        "--out",
        out.to_str().unwrap(),
    ];
    a.extend_from_slice(extra);
    run_ok(&a)
}

/// Every file under `dir`, relative, sorted, with its bytes.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, d: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        for e in std::fs::read_dir(d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p.strip_prefix(base).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn kill(child: &Child, sig: &str) {
    let s = Command::new("kill")
        .args(["-s", sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(s.success(), "kill -s {sig}");
}

/// Waits (polling, up to two minutes) until `cond` holds.
fn wait_for(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..12_000 {
        if cond() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("timed out waiting for {what}");
}

fn stderr_of(child: Child) -> (Option<i32>, String) {
    let o = child.wait_with_output().unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Starts a run into `out` that pauses at `point` until signalled.
fn paused_run(out: &Path, marker: &Path, point: &str, seed: &str) -> Child {
    let child = bin()
        .args([
            "run", SCENARIO, "--trials", "3000", "--seed", seed, "--quiet",
        ])
        .arg("--out")
        .arg(out)
        .env(
            "TARIFFSIM_TEST_PAUSE",
            format!("{point}:{}", marker.display()),
        )
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    wait_for("the pause marker", || marker.exists());
    child
}

#[test]
fn a_signal_before_the_swap_keeps_the_previous_folder_and_leaves_nothing() {
    for sig in ["TERM", "HUP", "INT"] {
        let p = parent(&format!("swap-{sig}"));
        let out = p.join("out");
        small_run(&out, "11", &[]);
        let before = snapshot(&out);
        let marker = p.join("marker");
        let child = paused_run(&out, &marker, "before-swap", "22");
        std::fs::remove_file(&marker).unwrap();
        kill(&child, sig);
        let (code, err) = stderr_of(child);
        assert_eq!(code, Some(1), "SIG{sig}: {err}");
        assert!(err.contains("interrupted"), "SIG{sig}: {err}");
        assert_eq!(snapshot(&out), before, "SIG{sig} changed the folder");
        assert_eq!(names(&p), ["out"], "SIG{sig} left files beside the folder");
    }
}

#[test]
fn a_signal_after_the_swap_leaves_the_new_folder_complete() {
    let p = parent("after-swap");
    let out = p.join("out");
    small_run(&out, "11", &["--sensitivity"]);
    let marker = p.join("marker");
    let child = paused_run(&out, &marker, "after-swap", "22");
    std::fs::remove_file(&marker).unwrap();
    kill(&child, "TERM");
    let (code, err) = stderr_of(child);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(names(&p), ["out"]);
    let manifest = std::fs::read_to_string(out.join("manifest.json")).unwrap();
    assert!(manifest.contains("\"seed\":22") || manifest.contains("\"seed\": 22"));
    assert!(!out.join("sensitivity.csv").exists(), "stale file survived");
}

#[test]
fn a_signal_mid_run_keeps_the_previous_folder_and_removes_partial_rows() {
    for sig in ["TERM", "HUP", "INT"] {
        let p = parent(&format!("mid-{sig}"));
        let out = p.join("out");
        small_run(&out, "11", &[]);
        let before = snapshot(&out);
        let child = bin()
            .args(["run", SCENARIO, "--trials", "1000000000", "--trials-csv"])
            .args(["--quiet", "--threads", "1", "--out"])
            .arg(&out)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Mid-run: the staging folder beside `out` has rows in its trials.csv.
        wait_for("rows in the staging folder", || {
            names(&p).iter().any(|n| {
                n.contains("tariffsim-stage")
                    && std::fs::metadata(p.join(n).join("trials.csv")).is_ok_and(|m| m.len() > 0)
            })
        });
        kill(&child, sig);
        let (code, err) = stderr_of(child);
        assert_eq!(code, Some(1), "SIG{sig}: {err}");
        assert!(err.contains("interrupted"), "SIG{sig}: {err}");
        assert_eq!(snapshot(&out), before, "SIG{sig} changed the folder");
        assert_eq!(names(&p), ["out"], "SIG{sig} left files beside the folder");
    }
}

#[test]
fn a_second_run_into_a_folder_in_use_is_refused() {
    let p = parent("lock");
    let out = p.join("out");
    let marker = p.join("marker");
    let first = paused_run(&out, &marker, "before-swap", "11");
    let o = bin()
        .args(["run", SCENARIO, "--trials", "3000", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("in use by another tariffsim run"), "{err}");
    std::fs::remove_file(&marker).unwrap();
    kill(&first, "INT");
    let (code, _) = stderr_of(first);
    assert_eq!(code, Some(1));
    assert_eq!(
        names(&p),
        Vec::<String>::new(),
        "nothing was ever committed"
    );
}

#[test]
fn a_rerun_replaces_every_file_of_the_previous_run() {
    let p = parent("stale");
    let out = p.join("out");
    small_run(&out, "11", &["--sensitivity"]);
    assert!(out.join("sensitivity.csv").exists());
    assert!(out.join("charts").is_dir());
    small_run(&out, "22", &["--no-charts"]);
    let n = names(&out);
    assert!(!n.contains(&"sensitivity.csv".to_string()), "{n:?}");
    assert!(!n.contains(&"charts".to_string()), "{n:?}");
    assert!(!n.contains(&"report.html".to_string()), "{n:?}");
    // The rerun's files are byte-identical to a run into a fresh folder.
    let fresh = p.join("fresh");
    small_run(&fresh, "22", &["--no-charts"]);
    let strip = |v: Vec<(String, Vec<u8>)>| -> Vec<(String, Vec<u8>)> {
        v.into_iter()
            .filter(|(n, _)| n != "manifest.json")
            .collect()
    };
    assert_eq!(strip(snapshot(&out)), strip(snapshot(&fresh)));
    assert_eq!(names(&p), ["fresh", "out"]);
}

#[test]
fn leftovers_of_a_killed_run_are_cleaned_and_a_moved_folder_restored() {
    let p = parent("leftovers");
    let out = p.join("out");
    small_run(&out, "11", &[]);
    let before = snapshot(&out);
    // As if killed between the two renames of a swap: the folder moved aside, a stage.
    std::fs::rename(&out, p.join(".out.tariffsim-old-999")).unwrap();
    std::fs::create_dir(p.join(".out.tariffsim-stage-998")).unwrap();
    std::fs::write(p.join(".out.tariffsim-stage-998/summary.csv"), "partial").unwrap();
    // A run refused for its input changes nothing; one that starts cleans up first.
    let o = bin()
        .args(["run", SCENARIO, "--trials", "0", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let marker = p.join("marker");
    let child = paused_run(&out, &marker, "before-swap", "22");
    assert_eq!(snapshot(&out), before, "the moved folder is put back");
    std::fs::remove_file(&marker).unwrap();
    kill(&child, "TERM");
    assert_eq!(stderr_of(child).0, Some(1));
    assert_eq!(names(&p), ["out"]);
    assert_eq!(snapshot(&out), before);
}

#[test]
fn a_folder_with_other_files_is_never_replaced() {
    let p = parent("foreign");
    let out = p.join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "mine").unwrap();
    let o = bin()
        .args(["run", SCENARIO, "--trials", "3000", "--quiet", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("holds files tariffsim did not write"), "{err}");
    assert_eq!(names(&out), ["notes.txt"]);
    assert_eq!(names(&p), ["out"]);
}

#[test]
fn report_redraws_without_stale_charts_and_keeps_other_files() {
    let p = parent("report");
    let out = p.join("out");
    small_run(&out, "11", &[]);
    std::fs::write(out.join("charts/old-chart.svg"), "<svg/>").unwrap();
    std::fs::write(out.join(".summary.csv.AbC123"), "temp of an old version").unwrap();
    let summary = std::fs::read(out.join("summary.csv")).unwrap();
    run_ok(&["report", out.to_str().unwrap(), "--quiet"]);
    assert!(!out.join("charts/old-chart.svg").exists());
    assert!(!out.join(".summary.csv.AbC123").exists());
    assert!(out.join("report.html").exists());
    assert_eq!(std::fs::read(out.join("summary.csv")).unwrap(), summary);
    assert_eq!(names(&p), ["out"]);
}

#[test]
fn a_full_stderr_never_fails_a_run_that_wrote_its_results() {
    let p = parent("full-stderr");
    let out = p.join("out");
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full");
    let o = bin()
        .args(["run", SCENARIO, "--trials", "3000", "--out"])
        .arg(&out)
        .stderr(full().unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(out.join("summary.csv").exists());
    // A shard, as a Slurm task would run it.
    let o = bin()
        .args([
            "run", SCENARIO, "--trials", "3000", "--shard", "1/2", "--out",
        ])
        .arg(p.join("shards"))
        .stderr(full().unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(names(&p.join("shards")), ["shard-1-of-2.json"]);
    // Errors keep their exit code when they cannot be printed.
    let o = bin()
        .args(["run", "no-such-file.toml"])
        .stderr(full().unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // `check` writes its report to stdout: a full stdout fails it.
    let o = bin()
        .args(["check", SCENARIO])
        .stdout(full().unwrap())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write to stdout"));
}
