//! The `rand` ecosystem: the counter-based generator as a `rand` generator, and every
//! scenario distribution as a `rand` distribution (sampled by inverse CDF), checked
//! against closed-form means and against `rand_distr`'s independent samplers.

use rand::distr::Distribution;
use rand::{RngExt, SeedableRng};
use tariffsim::dist::Dist;
use tariffsim::rng::StreamRng;

#[test]
fn the_stream_is_a_pure_function_of_seed_trial_and_position() {
    let mut a = StreamRng::new(7, 3);
    let mut b = StreamRng::from_seed({
        let mut s = [0u8; 16];
        s[..8].copy_from_slice(&7u64.to_le_bytes());
        s[8..].copy_from_slice(&3u64.to_le_bytes());
        s
    });
    let xa: Vec<f64> = (0..100).map(|_| a.random::<f64>()).collect();
    let xb: Vec<f64> = (0..100).map(|_| b.random::<f64>()).collect();
    assert_eq!(xa, xb);
    let mut c = StreamRng::new(7, 4);
    assert_ne!(xa[0], c.random::<f64>());
    assert!(xa.iter().all(|x| (0.0..1.0).contains(x)));
}

/// Mean of `n` samples of `d` drawn with `rng`, and its standard error.
fn mean_se(d: &impl Distribution<f64>, rng: &mut StreamRng, n: usize) -> (f64, f64) {
    let x: Vec<f64> = (0..n).map(|_| d.sample(rng)).collect();
    let m = x.iter().sum::<f64>() / n as f64;
    let v = x.iter().map(|y| (y - m) * (y - m)).sum::<f64>() / (n - 1) as f64;
    (m, (v / n as f64).sqrt())
}

#[test]
fn scenario_distributions_sample_with_any_rand_generator() {
    let mut rng = StreamRng::new(11, 0);
    // PERT(150, 300, 500): mean (150 + 4*300 + 500)/6 = 308.33...
    let pert = Dist::pert(150.0, 300.0, 500.0).unwrap();
    let (m, se) = mean_se(&pert, &mut rng, 100_000);
    assert!((m - 1850.0 / 6.0).abs() < 4.0 * se, "{m} ± {se}");
    // Lognormal(median 2800, sigma 0.35): mean 2800 * exp(0.35^2 / 2)
    let ln = Dist::lognormal(2800.0, 0.35).unwrap();
    let (m, se) = mean_se(&ln, &mut rng, 100_000);
    assert!(
        (m - 2800.0 * (0.35f64 * 0.35 / 2.0).exp()).abs() < 4.0 * se,
        "{m} ± {se}"
    );
}

#[test]
fn beta_and_normal_agree_with_rand_distr_samplers() {
    // Two independent samplers of the same law: their means differ by less than 4
    // standard errors of the difference.
    let mut rng = StreamRng::new(5, 1);
    let n = 200_000;
    let ours = Dist::beta(2.0, 5.0, None, None).unwrap();
    let theirs = rand_distr::Beta::new(2.0, 5.0).unwrap();
    let (a, sa) = mean_se(&ours, &mut rng, n);
    let (b, sb) = mean_se(&theirs, &mut rng, n);
    assert!(
        (a - b).abs() < 4.0 * (sa * sa + sb * sb).sqrt(),
        "{a} vs {b}"
    );
    let ours = Dist::normal(3000.0, 340.0, Some(2000.0), None).unwrap();
    let theirs = rand_distr::Normal::new(3000.0, 340.0).unwrap();
    // Truncation at 2000 (2.9 sd) moves the mean by 340 * phi(2.94)/(1 - Phi(-2.94))
    // = 1.8 USD: compare the truncated mean with the untruncated sampler plus that shift.
    let (a, sa) = mean_se(&ours, &mut rng, n);
    let (b, sb) = mean_se(&theirs, &mut rng, n);
    let shift = 340.0 * (-(2.941_176f64.powi(2)) / 2.0).exp() / (2.0 * std::f64::consts::PI).sqrt();
    assert!(
        (a - (b + shift)).abs() < 4.0 * (sa * sa + sb * sb).sqrt() + 0.01,
        "{a} vs {b} + {shift}"
    );
}
