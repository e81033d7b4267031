//! The benchmark scenarios of issue 16 (benches/scenarios/): they pass `check`, and the
//! explicit files equal the schedule regimes they were written from, so the NumPy
//! baseline compares against the same model: korea-jv-explicit gives korea-jv's CSVs
//! byte for byte, and korea-jv-timed's February 2026 regime equals the schedule timed
//! from 2026-02-01.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn tariffsim(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .args(args)
        .output()
        .expect("run tariffsim");
    assert!(
        o.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o
}

/// Runs `scenario` at a small trial count into a fresh folder and returns it.
fn run(scenario: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    tariffsim(&[
        "run",
        scenario.to_str().unwrap(),
        "--trials",
        "2048",
        "--seed",
        "16",
        "--quiet",
        "--no-charts",
        "--out",
        dir.path().to_str().unwrap(),
    ]);
    dir
}

fn same_files(a: &Path, b: &Path, files: &[&str]) {
    for f in files {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{f} differs between {} and {}",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn bench_scenarios_check_without_warnings() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(path("benches/scenarios"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    for f in &files {
        let o = tariffsim(&["check", f.to_str().unwrap()]);
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(text.contains("OK") && text.contains("0 warnings"), "{text}");
        // Explicit: the NumPy baseline cannot read a schedule regime.
        let toml = std::fs::read_to_string(f).unwrap();
        assert!(
            !toml.lines().any(|l| l.trim_start().starts_with("schedule")),
            "{}: a schedule regime",
            f.display()
        );
    }
}

#[test]
fn korea_jv_explicit_gives_korea_jvs_results_byte_for_byte() {
    let a = run(&path("scenarios/korea-jv.toml"));
    let b = run(&path("benches/scenarios/korea-jv-explicit.toml"));
    same_files(
        a.path(),
        b.path(),
        &[
            "summary.csv",
            "compare.csv",
            "histogram.csv",
            "exceedance.csv",
        ],
    );
}

#[test]
fn korea_jv_timed_february_regime_is_the_schedule_timed_from_its_start() {
    let file = path("benches/scenarios/korea-jv-timed.toml");
    let text = std::fs::read_to_string(&file).unwrap();
    let start = text
        .find("[[regimes]]\nname = \"law-2026-02\"")
        .expect("regime law-2026-02");
    let end = start
        + 1
        + text[start + 1..]
            .find("[[regimes]]")
            .expect("a regime after law-2026-02");
    let from_schedule = r#"[[regimes]]
name = "law-2026-02"
base = "law-2026-12"
schedule = "us"
[[regimes.measures]]
name = "transshipment-40"
origins = ["CN"]
ad_valorem = 0.40
when = "caught"
replaces = ["IEEPA reciprocal 9903.01.25"]
end_day = 23.0

"#;
    let variant = format!("{}{from_schedule}{}", &text[..start], &text[end..]).replacen(
        "[scenario]\n",
        "[scenario]\nstart_date = \"2026-02-01\"\n",
        1,
    );
    let dir = tempfile::tempdir().unwrap();
    let vfile = dir.path().join("korea-jv-timed-schedule.toml");
    std::fs::write(&vfile, variant).unwrap();
    let a = run(&file);
    let b = run(&vfile);
    same_files(
        a.path(),
        b.path(),
        &["summary.csv", "compare.csv", "histogram.csv", "timing.csv"],
    );
    // The regime is really timed: shipments split around the IEEPA end on day 23.
    let timing = std::fs::read_to_string(a.path().join("timing.csv")).unwrap();
    let p: f64 = timing
        .lines()
        .find(|l| l.starts_with("law-2026-02,direct,Section 122,"))
        .expect("Section 122 row")
        .split(',')
        .nth(3)
        .unwrap()
        .parse()
        .unwrap();
    assert!(p > 0.1 && p < 0.5, "{p}");
}
