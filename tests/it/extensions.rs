//! The Extensions of docs/model.md: correlated markets (Gaussian copula), tariff timing, and
//! sensitivity. Statistical checks use fixed seeds and tolerances from standard errors.

use tariffsim::dist::{std_normal_cdf, Dist};
use tariffsim::engine::{self, sensitivity, RunSpec, Silent};
use tariffsim::model::{part, Plan};
use tariffsim::summary;

/// Two one-leg routes CN→US; leg rates lognormal(2600, 0.4), on market `m` with loadings
/// `rho_a`, `rho_b`. units_per_feu = 1 and no fees, so freight per unit = the leg rate.
fn two_legs(rho_a: f64, rho_b: f64) -> String {
    format!(
        r#"
[scenario]
name = "copula"
[goods]
unit_value = 10.0
units = 1
units_per_feu = 1
[markets.m]
[[routes]]
name = "a"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = {{ dist = "lognormal", median = 2600.0, sigma = 0.4 }}
market = "m"
correlation = {rho_a}
[[routes]]
name = "b"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = {{ dist = "lognormal", median = 2600.0, sigma = 0.4 }}
market = "m"
correlation = {rho_b}
[[regimes]]
name = "free"
"#
    )
}

fn plan(text: &str) -> Plan {
    let built = tariffsim::scenario::from_str("t.toml", text).unwrap_or_else(|e| panic!("{e}"));
    Plan::new(built.scenario).unwrap()
}

/// Freight of routes a and b over `n` trials.
fn freights(p: &Plan, n: u64) -> (Vec<f64>, Vec<f64>) {
    let mut s = p.scratch();
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for t in 0..n {
        p.trial(99, t, &mut s);
        a.push(s.outcomes[0].parts[part::FREIGHT]);
        b.push(s.outcomes[1].parts[part::FREIGHT]);
    }
    (a, b)
}

fn ranks(v: &[f64]) -> Vec<f64> {
    let mut idx: Vec<usize> = (0..v.len()).collect();
    idx.sort_by(|&i, &j| v[i].total_cmp(&v[j]));
    let mut r = vec![0.0; v.len()];
    for (k, &i) in idx.iter().enumerate() {
        r[i] = k as f64;
    }
    r
}

fn pearson(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    cov / (vx * vy).sqrt()
}

#[test]
fn copula_preserves_the_marginal() {
    let p = plan(&two_legs(0.9, 0.3));
    let n = 200_000;
    let (a, _) = freights(&p, n);
    let dist = Dist::lognormal(2600.0, 0.4).unwrap();
    // Mean within 4 standard errors of the closed form median * exp(sigma^2 / 2).
    let mean = a.iter().sum::<f64>() / n as f64;
    let sd = dist.variance().sqrt();
    assert!(
        (mean - dist.mean()).abs() < 4.0 * sd / (n as f64).sqrt(),
        "mean {mean} vs {}",
        dist.mean()
    );
    // The share below each true quantile is the level, within 4 binomial standard errors.
    for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
        let x = dist.quantile(q);
        let share = a.iter().filter(|&&v| v <= x).count() as f64 / n as f64;
        let se = (q * (1.0 - q) / n as f64).sqrt();
        assert!((share - q).abs() < 4.0 * se, "q {q}: share {share}");
    }
}

#[test]
fn rank_correlation_matches_the_gaussian_copula() {
    // Normal-space correlation rho_a * rho_b; Spearman = (6/pi) asin(rho / 2).
    let n = 60_000;
    for (ra, rb) in [(0.9, 0.8), (0.95, 0.95), (0.5, -0.6)] {
        let p = plan(&two_legs(ra, rb));
        let (a, b) = freights(&p, n);
        let rho: f64 = ra * rb;
        let expected = 6.0 / std::f64::consts::PI * (rho / 2.0).asin();
        let got = pearson(&ranks(&a), &ranks(&b));
        // Standard error of Spearman's rho is about (1 - rho_s^2) / sqrt(n) or less.
        let tol = 4.0 * (1.0 - expected * expected).max(0.05) / (n as f64).sqrt();
        assert!(
            (got - expected).abs() < tol,
            "rho {ra}x{rb}: spearman {got} vs {expected}"
        );
    }
}

#[test]
fn full_loading_gives_equal_rates_and_zero_gives_independence() {
    let p = plan(&two_legs(1.0, 1.0));
    let (a, b) = freights(&p, 2000);
    assert!(
        a.iter().zip(&b).all(|(x, y)| x == y),
        "rho = 1: identical draws"
    );
    let p = plan(&two_legs(0.0, 0.0));
    let (a, b) = freights(&p, 40_000);
    let r = pearson(&ranks(&a), &ranks(&b));
    assert!(r.abs() < 4.0 / 200.0, "rho = 0: spearman {r}");
    // The copula's transform is the standard normal CDF: at z = 0 the median.
    assert_eq!(std_normal_cdf(0.0), 0.5);
}

/// A route of fixed 14 days and one of 21 days; a 25% measure effective on `eff`.
fn timed(departure: &str, eff: &str) -> String {
    format!(
        r#"
[scenario]
name = "timing"
departure = {departure}
[goods]
unit_value = 100.0
units = 1
units_per_feu = 1
[[routes]]
name = "fast"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = 0.0
days = 14.0
[[routes]]
name = "slow"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "KR"
mode = "ocean"
rate = 0.0
days = 7.0
[[routes.legs]]
from = "KR"
to = "US"
mode = "ocean"
rate = 0.0
days = 14.0
[[regimes]]
name = "timed"
[[regimes.measures]]
name = "tariff"
origins = ["CN"]
ad_valorem = 0.25
effective_day = {eff}
end_day = 40.0
"#
    )
}

#[test]
fn timed_measure_with_fixed_day_splits_shipments_by_entry_day() {
    // Departure 0: fast enters day 14 (< 18: no duty), slow day 21 (>= 18: 25% of 100).
    let p = plan(&timed("0.0", "18.0"));
    let mut s = p.scratch();
    p.trial(1, 0, &mut s);
    assert_eq!(s.outcomes[0].parts[part::DUTY], 0.0);
    assert_eq!(s.outcomes[1].parts[part::DUTY], 25.0);
    // Departure 20: fast enters day 34 (in [18, 40): duty), slow day 41 (>= end_day 40: none).
    let p = plan(&timed("20.0", "18.0"));
    p.trial(1, 0, &mut s);
    assert_eq!(s.outcomes[0].parts[part::DUTY], 25.0);
    assert_eq!(s.outcomes[1].parts[part::DUTY], 0.0);
    // Entry exactly on the effective day applies (the window is [effective, end)).
    let p = plan(&timed("4.0", "18.0"));
    p.trial(1, 0, &mut s);
    assert_eq!(s.outcomes[0].parts[part::DUTY], 25.0);
}

#[test]
fn uncertain_departure_splits_shipments_as_worked_out() {
    // Departure uniform(0, 10): fast enters on day 14 + U(0, 10), so P(entry < 18) = 0.4;
    // slow enters 21..31, always after day 18 and before 40.
    let p = plan(&timed(
        "{ dist = \"uniform\", min = 0.0, max = 10.0 }",
        "18.0",
    ));
    let n = 50_000;
    let acc = engine::run(&p, &RunSpec::new(n, 5, 2), &Silent, None).unwrap();
    let t = summary::timing(&p, &acc);
    let fast = t.iter().find(|x| x.route == "fast").unwrap();
    let slow = t.iter().find(|x| x.route == "slow").unwrap();
    let se = (0.4f64 * 0.6 / n as f64).sqrt();
    assert!(
        (fast.before.value - 0.4).abs() < 4.0 * se,
        "{}",
        fast.before.value
    );
    assert_eq!(slow.before.value, 0.0);
    // Every trial: duty is 25 exactly when the shipment entered on or after day 18.
    let cells = summary::cells(&p, &acc);
    let duty_fast = cells[0].components[part::DUTY];
    assert!(
        (duty_fast - 25.0 * (1.0 - fast.before.value)).abs() < 1e-9,
        "{duty_fast}"
    );
}

#[test]
fn sensitivity_ranks_a_dominant_input_first() {
    // Freight dominates: a leg rate lognormal with sigma 1 on 1-unit containers, against a
    // goods value that varies by a few cents.
    let text = r#"
[scenario]
name = "dominant"
[goods]
unit_value = { dist = "uniform", min = 100.0, max = 100.1 }
units = 1
units_per_feu = 1
[[routes]]
name = "r"
origin = "CN"
[[routes.legs]]
from = "CN"
to = "US"
mode = "ocean"
rate = { dist = "lognormal", median = 1000.0, sigma = 1.0 }
days = { dist = "uniform", min = 10.0, max = 11.0 }
[[regimes]]
name = "g"
"#;
    let p = plan(text);
    let n = 20_000;
    let spec = RunSpec::new(n, 3, 2);
    let acc = engine::run(&p, &spec, &Silent, None).unwrap();
    let sketches: Vec<_> = acc.cells.iter().map(|c| &c.cost_sketch).collect();
    let sens = sensitivity::run(&p, &spec, &sketches, &Silent).unwrap();
    let rows = summary::sensitivity(&p, &sens);
    assert_eq!(rows[0].input, "routes.r.legs.0.rate", "{rows:?}");
    assert!(rows[0].spearman > 0.99, "{}", rows[0].spearman);
    assert!(rows[0].share > 0.98);
    assert_eq!(rows[0].rank, 1);
    // Deterministic: the same numbers with one thread.
    let spec1 = RunSpec::new(n, 3, 1);
    let sens1 = sensitivity::run(&p, &spec1, &sketches, &Silent).unwrap();
    assert_eq!(summary::sensitivity(&p, &sens1), rows);
}
