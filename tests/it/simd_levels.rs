//! Every vector level the CPU has gives the same bytes: the draws are compiled for
//! portable x86-64, AVX2 and AVX-512 and chosen at run time (`tariffsim::cpu`), and
//! `TARIFFSIM_SIMD` caps the level. Each shipped scenario and the benchmark scenario
//! with sanctions, enforcement and timing run at each level, with per-trial rows and
//! the sensitivity pass, and every file is compared.

use std::path::{Path, PathBuf};
use std::process::Command;

use tariffsim::cpu::{detected, Level};

fn out_dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tariffsim-simd-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn run_at(level: Level, scenario: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .env("TARIFFSIM_SIMD", level.name())
        .args([
            "run",
            scenario.to_str().unwrap(),
            "--trials",
            "3000",
            "--seed",
            "5",
        ])
        .args([
            "--trials-csv",
            "--sensitivity",
            "--no-charts",
            "--quiet",
            "--out",
        ])
        .arg(out)
        .output()
        .expect("binary runs")
}

/// A run's files: (path relative to the folder, bytes), sorted.
type Files = Vec<(PathBuf, Vec<u8>)>;

/// Every file under `dir` but the manifest (it records the wall time), by relative path.
fn files(dir: &Path) -> Files {
    let mut v = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if !p
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .contains("manifest")
            {
                v.push((
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    v.sort();
    v
}

#[test]
fn every_vector_level_gives_the_same_bytes() {
    let levels: Vec<Level> = Level::ALL
        .into_iter()
        .filter(|&l| l <= detected())
        .collect();
    let mut scenarios: Vec<PathBuf> = std::fs::read_dir("scenarios")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    scenarios.sort();
    scenarios.push("benches/scenarios/korea-jv-timed.toml".into());
    for s in &scenarios {
        let name = s.file_stem().unwrap().to_str().unwrap();
        let mut first: Option<(Level, Files)> = None;
        for &level in &levels {
            let dir = out_dir(&format!("{name}-{}", level.name()));
            let o = run_at(level, s, &dir);
            assert!(
                o.status.success(),
                "{name} at {level:?}: {}",
                String::from_utf8_lossy(&o.stderr)
            );
            let got = files(&dir);
            assert!(
                got.iter().any(|(p, _)| p.ends_with("summary.csv")),
                "{name}: no summary"
            );
            match &first {
                None => first = Some((level, got)),
                Some((l0, want)) => {
                    let paths = |v: &[(PathBuf, Vec<u8>)]| {
                        v.iter().map(|f| f.0.clone()).collect::<Vec<_>>()
                    };
                    assert_eq!(
                        paths(&got),
                        paths(want),
                        "{name}: files at {level:?} and {l0:?}"
                    );
                    for ((p, a), (_, b)) in got.iter().zip(want) {
                        assert!(
                            a == b,
                            "{name}: {} differs between {level:?} and {l0:?}",
                            p.display()
                        );
                    }
                }
            }
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
    eprintln!(
        "compared levels {levels:?} on {} scenarios",
        scenarios.len()
    );
}

#[test]
fn an_unknown_level_is_a_usage_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_tariffsim"))
        .env("TARIFFSIM_SIMD", "sse9")
        .args(["check", "scenarios/korea-jv.toml"])
        .output()
        .expect("binary runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("TARIFFSIM_SIMD") && err.contains("portable, avx2, avx512"),
        "{err}"
    );
}
