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
