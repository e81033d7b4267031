//! Tests of the sketch: error bounds against exact order statistics, merging, serde.

use super::*;
use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// The store's own tests: carried counts, their memory, rank lookups.
#[path = "store_tests.rs"]
mod store;

const QS: [f64; 11] = [
    0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999,
];
/// Same levels in per-mille, for exact integer share computations.
const QS_MILLE: [u64; 11] = [1, 10, 50, 100, 250, 500, 750, 900, 950, 990, 999];
const SIZES: [usize; 9] = [1, 2, 3, 10, 100, 1_000, 10_000, 100_000, 1_000_000];

fn normal(r: &mut StdRng) -> f64 {
    let u1: f64 = 1.0 - r.random::<f64>();
    let u2: f64 = r.random();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

/// (name, all values positive?, generator)
type Gen = fn(&mut StdRng) -> f64;
fn generators() -> Vec<(&'static str, bool, Gen)> {
    vec![
        ("uniform(1,1000)", true, |r| r.random_range(1.0..1000.0)),
        ("lognormal", true, |r| 100.0 * (2.0 * normal(r)).exp()),
        ("mixed sign", false, |r| 1000.0 * normal(r) + 200.0),
        ("negative heavy tail", false, |r| -(3.0 * normal(r)).exp()),
        ("ties", false, |r| {
            [-3.0, -1.5, 0.0, 2.0, 7.0, 7.0, 7.0, 100.0][r.random_range(0..8)]
        }),
        ("positive ties", true, |r| {
            [0.5, 2.0, 7.0, 7.0, 1e4][r.random_range(0..5)]
        }),
    ]
}

fn data(g: Gen, n: usize, seed: u64) -> Vec<f64> {
    let mut r = StdRng::seed_from_u64(seed);
    (0..n).map(|_| g(&mut r)).collect()
}

fn sketch_of(v: &[f64]) -> Sketch {
    let mut s = Sketch::new();
    v.iter().for_each(|&x| s.insert(x));
    s
}

fn sorted(v: &[f64]) -> Vec<f64> {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    s
}

fn exact_quantile(sorted: &[f64], q: f64) -> f64 {
    let n = sorted.len();
    let k = ((q * n as f64).ceil() as usize).clamp(1, n);
    sorted[k - 1]
}

#[test]
fn quantile_error_bound() {
    let mut checked = 0;
    for (gi, (name, _, g)) in generators().into_iter().enumerate() {
        for (si, &n) in SIZES.iter().enumerate() {
            let v = data(g, n, (gi * 100 + si) as u64);
            let s = sketch_of(&v);
            let sv = sorted(&v);
            for &q in &QS {
                let e = exact_quantile(&sv, q);
                let got = s.quantile(q).unwrap();
                let err = (got - e).abs();
                assert!(
                    err <= RELATIVE_ERROR * e.abs() && err <= 0.001 * e.abs(),
                    "{name} n={n} q={q}: sketch {got} exact {e}"
                );
                checked += 1;
            }
            assert_eq!(s.quantile(0.0), Some(sv[0]));
            assert_eq!(s.quantile(1.0), Some(sv[n - 1]));
        }
    }
    assert_eq!(checked, 6 * SIZES.len() * QS.len());
}

#[test]
fn rank_bounds_contain_order_statistic() {
    for (gi, (name, _, g)) in generators().into_iter().enumerate() {
        for &n in &[1usize, 5, 100, 10_000] {
            let v = data(g, n, gi as u64 + 7);
            let s = sketch_of(&v);
            let sv = sorted(&v);
            for &q in &QS {
                let (lo, hi) = s.rank_bounds(q, 1.96).unwrap();
                let e = exact_quantile(&sv, q);
                let est = s.quantile(q).unwrap();
                assert!(lo <= e && e <= hi, "{name} n={n} q={q}: {lo} {e} {hi}");
                assert!(lo <= est && est <= hi, "{name} n={n} q={q}");
            }
        }
    }
}

#[test]
fn rank_bounds_coverage_and_width() {
    // Uniform(0,1): the true q-quantile is q.
    let (reps, n) = (400, 2000);
    for &q in &[0.1, 0.5, 0.9, 0.99] {
        let mut covered = 0;
        let mut width = 0.0;
        for rep in 0..reps {
            let mut r = StdRng::seed_from_u64(1000 + rep);
            let mut s = Sketch::new();
            (0..n).for_each(|_| s.insert(r.random::<f64>()));
            let (lo, hi) = s.rank_bounds(q, 1.96).unwrap();
            covered += (lo <= q && q <= hi) as u32;
            width += (hi - lo) / reps as f64;
        }
        let cov = covered as f64 / reps as f64;
        let expected_width = 2.0 * 1.96 * (q * (1.0 - q) / n as f64).sqrt();
        assert!(cov >= 0.93, "q={q}: coverage {cov}");
        assert!(
            width < 1.5 * expected_width,
            "q={q}: width {width} vs {expected_width}"
        );
    }
    assert_eq!(Sketch::new().rank_bounds(0.5, 1.96), None);
    assert_eq!(sketch_of(&[1.0]).rank_bounds(0.5, -1.0), None);
}

#[test]
fn mean_above_matches_exact_cvar() {
    for (gi, (name, positive, g)) in generators().into_iter().enumerate() {
        if !positive {
            continue;
        }
        for &n in &[1usize, 7, 1000, 100_000] {
            let v = data(g, n, gi as u64 + 50);
            let s = sketch_of(&v);
            let sv = sorted(&v);
            for (&q, &qm) in QS.iter().zip(&QS_MILLE) {
                // m = ceil((1-q) n) in exact integer arithmetic
                let m = (((1000 - qm) as usize * n).div_ceil(1000)).max(1);
                let exact = sv[n - m..].iter().sum::<f64>() / m as f64;
                let got = s.mean_above(q).unwrap();
                assert!(
                    (got - exact).abs() <= 0.001 * exact,
                    "{name} n={n} q={q}: {got} vs {exact}"
                );
            }
        }
    }
    // partial bucket: 10 values, top 30% = three 5.0s taken from a bucket of four
    let s = sketch_of(&[1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 5.0, 5.0, 5.0, 5.0]);
    assert_eq!(s.mean_above(0.7), Some(5.0));
    assert_eq!(s.mean_above(1.0), Some(5.0)); // at least one value
                                              // all values: 6 × mid(1.0 bucket) + 4 × 5.0 (mid clamped to max)
    let all = s.mean_above(0.0).unwrap();
    assert_eq!(all, (6.0 * (1.0 + 0.5 * 2f64.powi(-10)) + 20.0) / 10.0);
    assert!((all - 2.6).abs() <= 2.6 * RELATIVE_ERROR);
}

#[test]
fn cdf_within_bucket_resolution() {
    for (gi, (name, _, g)) in generators().into_iter().enumerate() {
        let v = data(g, 50_000, gi as u64 + 80);
        let s = sketch_of(&v);
        let sv = sorted(&v);
        let n = sv.len() as f64;
        let share_le = |x: f64| sv.partition_point(|&y| y <= x) as f64 / n;
        let mut r = StdRng::seed_from_u64(9);
        let mut prev = (f64::NEG_INFINITY, 0.0);
        let mut xs: Vec<f64> = (0..2000).map(|_| sv[r.random_range(0..sv.len())]).collect();
        xs.extend((0..2000).map(|_| g(&mut r)));
        xs.sort_by(f64::total_cmp);
        for x in xs {
            let c = s.cdf(x);
            let width = x.abs() * 2.0 * RELATIVE_ERROR * 2.0; // > one bucket width
            assert!(
                share_le(x) <= c && c <= share_le(x + width),
                "{name} x={x}: {c} vs [{}, {}]",
                share_le(x),
                share_le(x + width)
            );
            assert!(x >= prev.0 && c >= prev.1, "cdf not monotone");
            prev = (x, c);
        }
        assert_eq!(s.cdf(f64::INFINITY), 1.0);
        assert_eq!(s.cdf(sv[sv.len() - 1]), 1.0);
        assert_eq!(s.cdf(sv[0] - 1.0 - sv[0].abs()), 0.0);
    }
}

#[test]
fn buckets_cover_count() {
    for (gi, (name, _, g)) in generators().into_iter().enumerate() {
        let v = data(g, 20_000, gi as u64 + 90);
        let s = sketch_of(&v);
        let b: Vec<_> = s.buckets().collect();
        assert_eq!(b.iter().map(|t| t.2).sum::<u64>(), s.count(), "{name}");
        for w in b.windows(2) {
            assert!(w[0].1 <= w[1].0, "{name}: not ascending");
        }
        let sv = sorted(&v);
        let below = |t: f64| sv.partition_point(|&x| x < t) as u64;
        let at_most = |t: f64| sv.partition_point(|&x| x <= t) as u64;
        for &(lo, hi, c) in &b {
            assert!(lo < hi && c > 0, "{name}");
            // positive buckets are [lo, hi), negative (lo, hi], zero bucket holds |x| < 1e-6
            let exact = if lo >= ZERO_THRESHOLD {
                below(hi) - below(lo)
            } else if hi <= -ZERO_THRESHOLD {
                at_most(hi) - at_most(lo)
            } else {
                below(ZERO_THRESHOLD) - at_most(-ZERO_THRESHOLD)
            };
            assert_eq!(exact, c, "{name}: bucket [{lo}, {hi})");
        }
    }
}

#[test]
fn memory_is_bounded_by_range_not_count() {
    let mut r = StdRng::seed_from_u64(11);
    let mut s = Sketch::new();
    for _ in 0..100_000 {
        s.insert(r.random_range(1.0..1000.0));
    }
    let m1 = s.mem_bytes();
    assert!(m1 < 100_000, "{m1} bytes for 10 octaves");
    for _ in 0..9_900_000 {
        s.insert(r.random_range(1.0..1000.0));
    }
    assert_eq!(s.count(), 10_000_000);
    assert!(s.mem_bytes() <= m1, "{} > {m1}", s.mem_bytes());

    // the widest realistic range, both signs: 1e-9..1e15
    let mut w = Sketch::new();
    for i in 0..=24 {
        w.insert(10f64.powi(i - 9));
        w.insert(-(10f64.powi(i - 9)));
    }
    assert!(w.mem_bytes() < 2 * 83 * 8192 + 1024, "{}", w.mem_bytes());
}

#[test]
fn empty_sketch() {
    let s = Sketch::new();
    assert_eq!(s.count(), 0);
    assert!(s.is_empty());
    assert_eq!(s.min(), None);
    assert_eq!(s.max(), None);
    assert_eq!(s.quantile(0.5), None);
    assert_eq!(s.mean_above(0.9), None);
    assert_eq!(s.rank_bounds(0.5, 2.0), None);
    assert!(s.cdf(1.0).is_nan());
    assert_eq!(s.buckets().count(), 0);
    let mut t = Sketch::new();
    t.insert_n(5.0, 0);
    t.merge(&s);
    assert_eq!(t, s);
}

#[test]
fn single_and_equal_values_are_exact() {
    for &x in &[123.456, -0.37, 1e-12, 0.0, 7e14] {
        let mut s = Sketch::new();
        s.insert_n(x, 1000);
        s.insert(x);
        for &q in &QS {
            assert_eq!(s.quantile(q), Some(x));
            let (lo, hi) = s.rank_bounds(q, 3.0).unwrap();
            assert_eq!((lo, hi), (x, x));
        }
        let m = s.mean_above(0.5).unwrap();
        assert!((m - x).abs() <= 1e-15 * x.abs(), "{m} vs {x}");
        assert_eq!((s.min(), s.max(), s.count()), (Some(x), Some(x), 1001));
        assert_eq!(s.cdf(x), 1.0);
    }
}

#[test]
fn tiny_values_are_zero() {
    let s = sketch_of(&[1e-12, -5e-10, 0.0, -0.0, 2.0]);
    assert_eq!(s.buckets().next().unwrap().2, 4);
    assert_eq!(s.quantile(0.5), Some(0.0));
    assert_eq!(s.min(), Some(-5e-10));
    assert_eq!(s.quantile(0.0), Some(-5e-10)); // rank 1: the exact min
    assert_eq!(s.quantile(0.3), Some(0.0)); // rank 2: recorded as 0
    assert_eq!(sketch_of(&[3e-10, 1e-12]).quantile(0.5), Some(1e-12)); // 0 clamped into [min, max]
    assert_eq!(s.cdf(0.0), 0.8);
    assert_eq!(s.cdf(-1e-10), 0.8);
}

#[test]
fn signed_zero_min_max_is_order_free() {
    // f64::min/max may return either zero; total_cmp makes min -0.0 and max 0.0
    let (p, n) = (sketch_of(&[0.0]), sketch_of(&[-0.0]));
    let mut results = Vec::new();
    for order in [[0.0, -0.0], [-0.0, 0.0]] {
        results.push(sketch_of(&order));
    }
    let mut a = p.clone();
    a += &n;
    let mut b = n.clone();
    b += &p;
    results.extend([a, b]);
    let json: Vec<String> = results
        .iter()
        .map(|s| serde_json::to_string(s).unwrap())
        .collect();
    assert!(json.iter().all(|j| *j == json[0]), "{json:?}");
    assert_eq!(results[0].min().unwrap().to_bits(), (-0.0f64).to_bits());
    assert_eq!(results[0].max().unwrap().to_bits(), 0.0f64.to_bits());
}

#[test]
fn nan_and_infinities_do_not_panic() {
    let mut s = Sketch::new();
    s.insert(f64::NAN);
    assert_eq!((s.count(), s.nan_count()), (0, 1));
    assert_eq!(s.quantile(0.5), None);
    for x in [
        1.0,
        2.0,
        3.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::MAX,
        -f64::MAX,
    ] {
        s.insert(x);
    }
    s.insert_n(f64::MIN_POSITIVE, 2);
    s.insert(5e-324); // subnormal
    assert_eq!(s.count(), 10);
    assert_eq!(s.nan_count(), 1);
    assert_eq!(s.min(), Some(f64::NEG_INFINITY));
    assert_eq!(s.max(), Some(f64::INFINITY));
    assert_eq!(s.quantile(0.0), Some(f64::NEG_INFINITY));
    let near = |a: f64, b: f64| (a - b).abs() <= RELATIVE_ERROR * b.abs();
    assert!(near(s.quantile(0.15).unwrap(), -f64::MAX)); // top finite bucket
    assert!(near(s.quantile(0.9).unwrap(), f64::MAX));
    assert_eq!(s.quantile(1.0), Some(f64::INFINITY));
    assert_eq!(s.mean_above(0.95), Some(f64::INFINITY));
    assert_eq!(s.cdf(f64::NEG_INFINITY), 0.1);
    assert_eq!(s.cdf(0.0), 0.5);
    assert_eq!(s.quantile(f64::NAN), None);
    assert!(s.cdf(f64::NAN).is_nan());
    assert_eq!(s.buckets().map(|b| b.2).sum::<u64>(), 10);
    // serde keeps infinities and exact bits
    let j = serde_json::to_string(&s).unwrap();
    let back: Sketch = serde_json::from_str(&j).unwrap();
    assert_eq!(back, s);
    assert_eq!(serde_json::to_string(&back).unwrap(), j);
}

#[test]
fn serde_round_trip_and_validation() {
    let v = data(generators()[2].2, 10_000, 5);
    let s = sketch_of(&v);
    let j = serde_json::to_string(&s).unwrap();
    let back: Sketch = serde_json::from_str(&j).unwrap();
    assert_eq!(back, s);
    assert_eq!(back.min().unwrap().to_bits(), s.min().unwrap().to_bits());
    let e: Sketch = serde_json::from_str(&serde_json::to_string(&Sketch::new()).unwrap()).unwrap();
    assert_eq!(e, Sketch::new());
    // tampered count is rejected
    let bad = j.replacen("\"count\":10000", "\"count\":10001", 1);
    assert_ne!(bad, j);
    assert!(serde_json::from_str::<Sketch>(&bad).is_err());
    // misaligned store is rejected
    let bad = r#"{"count":1,"nan":0,"zero":0,"pos_inf":0,"neg_inf":0,"min":"1.0","max":"1.0",
        "pos":{"offset":3,"counts":[1]},"neg":{"offset":0,"counts":[]}}"#;
    assert!(serde_json::from_str::<Sketch>(bad).is_err());
}

fn value_strategy() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => -1e6f64..1e6,
        2 => (-20.0f64..20.0).prop_map(f64::exp),
        1 => (-1000i64..1000).prop_map(|i| i as f64),
        1 => prop::sample::select(vec![
            0.0, -0.0, 1e-12, -1e-12, 5e-10, 1e-9, -1e-9, 1.0, -1.0,
            f64::INFINITY, f64::NEG_INFINITY, f64::NAN,
        ]),
    ]
}

/// Splits `v` into random chunks, sketches each, merges them in a random
/// order using a random mix of sequential and pairwise (tree) merging.
fn merged_randomly(v: &[f64], seed: u64) -> Sketch {
    let mut r = StdRng::seed_from_u64(seed);
    let mut parts = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let len = r.random_range(1..=(v.len() - i).min(40));
        parts.push(sketch_of(&v[i..i + len]));
        i += len;
    }
    parts.push(Sketch::new()); // empty shards must be harmless
    while parts.len() > 1 {
        let a = parts.swap_remove(r.random_range(0..parts.len()));
        let j = r.random_range(0..parts.len());
        if r.random::<bool>() {
            parts[j] += &a;
        } else {
            let mut a = a;
            a.merge(&parts[j]);
            parts[j] = a;
        }
    }
    parts.pop().unwrap()
}

proptest! {
    #[test]
    fn prop_merge_is_order_free(
        v in prop::collection::vec(value_strategy(), 0..300),
        seed1: u64,
        seed2: u64,
    ) {
        let direct = sketch_of(&v);
        let a = merged_randomly(&v, seed1);
        let b = merged_randomly(&v, seed2);
        prop_assert_eq!(&a, &direct);
        prop_assert_eq!(&b, &direct);
        let ja = serde_json::to_string(&a).unwrap();
        prop_assert_eq!(&ja, &serde_json::to_string(&direct).unwrap());
        prop_assert_eq!(&ja, &serde_json::to_string(&b).unwrap());
        let back: Sketch = serde_json::from_str(&ja).unwrap();
        prop_assert_eq!(&back, &direct);
        for &q in &QS {
            prop_assert_eq!(
                a.quantile(q).map(f64::to_bits),
                direct.quantile(q).map(f64::to_bits)
            );
        }
    }

    #[test]
    fn prop_quantile_error(v in prop::collection::vec(value_strategy(), 1..300), q in 0.0f64..=1.0) {
        let s = sketch_of(&v);
        let finite: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
        prop_assume!(!finite.is_empty());
        let sv = sorted(&finite);
        let e = exact_quantile(&sv, q);
        let got = s.quantile(q).unwrap();
        if e.abs() >= ZERO_THRESHOLD {
            prop_assert!(got == e || (got - e).abs() <= RELATIVE_ERROR * e.abs(), "{} vs {}", got, e);
        } else {
            prop_assert!(got.abs() < ZERO_THRESHOLD);
        }
    }
}

/// A column inserted at once is the same sketch as its values inserted one by one:
/// ordinary values of both signs, zeros of both signs, tiny values, infinities, NaN, and
/// lengths that are not multiples of the four lanes.
#[test]
fn insert_slice_equals_inserting_one_by_one() {
    let mut xs: Vec<f64> = (0..1003)
        .map(|i| ((i as f64) * 0.731).sin() * 10f64.powi(i % 9 - 3))
        .collect();
    let special = [
        0.0,
        -0.0,
        1e-9,
        -1e-9,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        5.0,
    ];
    xs.extend(special);
    xs.splice(2..2, special);
    for len in [0, 1, 3, 4, 5, 17, xs.len()] {
        for start in [0, 2] {
            let col = &xs[start.min(len)..len];
            let mut one = Sketch::new();
            for &x in col {
                one.insert(x);
            }
            let mut all = Sketch::new();
            all.insert_slice(col);
            assert_eq!(one, all, "len {len}, start {start}");
            assert_eq!(one.min().map(f64::to_bits), all.min().map(f64::to_bits));
            assert_eq!(one.max().map(f64::to_bits), all.max().map(f64::to_bits));
        }
    }
}
