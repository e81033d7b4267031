//! Fault suite, `breakeven` degenerate inputs: each is a clear error (exit 2, nothing
//! written, no leftovers) or a correct answer. The folder is locked before the search.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const SCENARIO: &str = "scenarios/korea-jv.toml";
const FEE: &str = "regimes.law-2026-12.inspection.fee";

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
}

fn parent(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tariffsim-be-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn names(d: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn breakeven(out: &Path, args: &[&str]) -> Output {
    bin()
        .args(["breakeven", SCENARIO, "--trials", "2000", "--quiet"])
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

/// Exit 2 with `needles` in the message, and nothing at all in `p` (no folder, no lock,
/// no staging folder).
fn refused(p: &Path, o: &Output, needles: &[&str]) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    for n in needles {
        assert!(err.contains(n), "no `{n}` in: {err}");
    }
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    assert_eq!(names(p), Vec::<String>::new(), "something was written");
}

/// The break-even value printed on stdout.
fn root(o: &Output) -> f64 {
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let rest = out.split(" = ").nth(1).expect(&out);
    rest.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn the_same_route_twice_is_refused() {
    let p = parent("same");
    let o = breakeven(
        &p.join("out"),
        &["--param", FEE, "--routes", "direct,direct"],
    );
    refused(
        &p,
        &o,
        &["--routes direct,direct", "the two routes are the same"],
    );
}

#[test]
fn a_param_that_would_replace_a_distribution_is_refused() {
    let p = parent("dist");
    let param = "regimes.law-2026-12.inspection.days";
    let o = breakeven(
        &p.join("out"),
        &["--param", param, "--routes", "direct,korea-assembly"],
    );
    refused(
        &p,
        &o,
        &[
            param,
            "gives a distribution there (triangular",
            "korea-jv.toml:",
            "would replace it by a fixed number",
            "inspection.days.min",
        ],
    );
}

#[test]
fn a_param_of_another_regime_is_refused_as_having_no_effect() {
    let p = parent("other-regime");
    let o = breakeven(
        &p.join("out"),
        &[
            "--param",
            "regimes.campaign-60-stacked.measures.china-60.ad_valorem",
            "--routes",
            "direct,korea-assembly",
            "--regime",
            "law-2026-12",
        ],
    );
    refused(
        &p,
        &o,
        &[
            "does not change the cost of `direct` or `korea-assembly` in regime `law-2026-12`",
            "belongs to regime `campaign-60-stacked`",
            "--regime campaign-60-stacked",
        ],
    );
    // The same parameter in its own regime is searched (it has an effect there).
    let o = breakeven(
        &p.join("out"),
        &[
            "--param",
            "regimes.campaign-60-stacked.measures.china-60.ad_valorem",
            "--routes",
            "direct,korea-assembly",
            "--regime",
            "campaign-60-stacked",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).contains("break-even"));
}

#[test]
fn a_huge_interval_converges_to_the_true_root_or_is_refused() {
    let p = parent("huge");
    let out = p.join("out");
    let args = |between: &'static str| {
        [
            "--param",
            FEE,
            "--routes",
            "direct,korea-assembly",
            "--regime",
            "law-2026-12",
            "--between",
            between,
        ]
    };
    // The root (about 6.4 million USD per exam) from a narrow interval and from intervals
    // three and five orders of magnitude wider agree.
    let narrow = root(&breakeven(&out, &args("0,1e7")));
    assert!(narrow > 1e6 && narrow < 1e7, "{narrow}");
    for between in ["0,1e10", "0,1e12"] {
        let wide = root(&breakeven(&out, &args(between)));
        assert!(
            (wide - narrow).abs() < 1e-6 * narrow,
            "{between}: {wide} vs {narrow}"
        );
    }
    // At 1e200 the costs are beyond what is summed exactly: refused, naming the value,
    // where it used to report "= 0 (95% CI 0 to 0)".
    let before = std::fs::read(out.join("breakeven.csv")).unwrap();
    let o = breakeven(&out, &args("0,1e200"));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("beyond 1e11"), "{err}");
    assert!(err.contains("narrow --between"), "{err}");
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(out.join("breakeven.csv")).unwrap(), before);
    assert_eq!(names(&p), vec!["out".to_string()], "leftovers");
}

#[test]
fn the_folder_is_locked_before_the_search() {
    let p = parent("lock");
    let out = p.join("out");
    let marker = p.join("marker");
    let first = bin()
        .args([
            "run", SCENARIO, "--trials", "2000", "--seed", "5", "--quiet", "--out",
        ])
        .arg(&out)
        .env(
            "TARIFFSIM_TEST_PAUSE",
            format!("before-swap:{}", marker.display()),
        )
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    for _ in 0..3000 {
        if marker.exists() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(marker.exists(), "the first run never paused");
    // Not quiet: an evaluation would print its line before the lock was tried.
    let o = bin()
        .args(["breakeven", SCENARIO, "--trials", "2000", "--param", FEE])
        .args(["--routes", "direct,korea-assembly", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let _ = Command::new("kill")
        .args(["-INT", &first.id().to_string()])
        .status();
    let _ = first.wait_with_output();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("in use by another tariffsim run"), "{err}");
    assert!(!err.contains(&format!("{FEE} = ")), "searched first: {err}");
    assert!(!out.exists());
}
