//! Tests of the store behind the sketch: counts split into 16 low bits and a carried
//! rest, the memory the carries take, and the rank lookup over runs of buckets.

use super::*;

/// A bucket's count is kept as 16 low bits plus a carry: counts past 2^16 and 2^32, by
/// single inserts, `insert_n` and merges, are the same whole counts in any order.
#[test]
fn counts_past_16_bits_carry_exactly() {
    let counts_of = |s: &Sketch| -> Vec<u64> {
        let j = serde_json::to_value(s).unwrap();
        let c = j["pos"]["counts"].as_array().unwrap();
        c.iter()
            .map(|x| x.as_u64().unwrap())
            .filter(|&x| x > 0)
            .collect()
    };
    let mut one = Sketch::new();
    for _ in 0..200_000 {
        one.insert(7.0);
    }
    one.insert(3.0);
    assert_eq!(counts_of(&one), vec![1, 200_000]);

    // 65,535 + 1 carries on the merge itself.
    let (mut a, mut b) = (Sketch::new(), Sketch::new());
    a.insert_n(7.0, 65_535);
    b.insert_slice(&[7.0]);
    a.merge(&b);
    let mut c = Sketch::new();
    c.insert_n(7.0, 65_536);
    assert_eq!(a, c);
    assert_eq!(counts_of(&a), vec![65_536]);

    // Past 2^32, then through a file and back.
    let mut big = Sketch::new();
    big.insert_n(7.0, (1 << 33) + 5);
    big.insert_n(3.0, 1);
    big.merge(&one);
    assert_eq!(counts_of(&big), vec![2, (1 << 33) + 5 + 200_000]);
    let back: Sketch = serde_json::from_str(&serde_json::to_string(&big).unwrap()).unwrap();
    assert_eq!(back, big);
    assert_eq!(counts_of(&back), counts_of(&big));
    assert_eq!(back.count(), (1 << 33) + 5 + 1 + 200_001);

    // A store that grows downwards after a carry keeps the carried count in place.
    let mut grow = Sketch::new();
    grow.insert_n(7.0, 70_000);
    grow.insert(1e-3);
    grow.insert(1e6);
    let mut same = Sketch::new();
    same.insert(1e6);
    same.insert(1e-3);
    same.insert_n(7.0, 70_000);
    assert_eq!(grow, same);
    assert_eq!(counts_of(&grow), vec![1, 70_000, 1]);

    // Carries in a lower bucket after a higher one, then in between.
    let mut spread = Sketch::new();
    spread.insert_n(7.0, 70_000);
    spread.insert_n(3.0, 140_000);
    spread.insert_n(5.0, 65_536 * 3 + 1);
    spread.insert(6.0);
    assert_eq!(counts_of(&spread), vec![140_000, 65_536 * 3 + 1, 1, 70_000]);
    let back: Sketch = serde_json::from_str(&serde_json::to_string(&spread).unwrap()).unwrap();
    assert_eq!(back, spread);
}

/// The carried part of the counts is held only from the lowest to the highest bucket that
/// carried, so a sketch whose values are dense in a narrow band stays about two bytes per
/// bucket however many values it gets.
#[test]
fn carried_counts_take_memory_only_where_they_carry() {
    let mut r = StdRng::seed_from_u64(3);
    let mut s = Sketch::new();
    for _ in 0..10_000 {
        s.insert(r.random_range(1.0..1000.0));
    }
    let before = s.mem_bytes();
    // Four buckets of one octave carry, many times over: at most that octave's 1024
    // buckets of carried counts (8 bytes each), with the vector's spare capacity.
    for x in [10.0, 10.01, 12.5, 15.9] {
        s.insert_n(x, 1 << 30);
    }
    let grown = s.mem_bytes() - before;
    assert!(
        grown <= 2 * 1024 * 8,
        "{grown} bytes for the carries of four buckets"
    );
    assert!(
        before > 10 * 1024 * 2,
        "{before}: 10 octaves of 2-byte counts"
    );
}

/// `kth`, which sums runs of buckets store by store, finds the same cell as the running
/// count over every cell: for every generator, with zeros, infinities and carried
/// counts, at the extreme ranks and at random ones.
#[test]
fn kth_is_the_running_count_over_the_cells() {
    let by_scan = |s: &Sketch, k: u64| {
        let mut seen = 0u64;
        s.cells()
            .find(|c| {
                seen += c.count;
                seen >= k
            })
            .unwrap()
    };
    let mut r = StdRng::seed_from_u64(17);
    for (name, _, g) in generators() {
        for n in [1, 7, 1_000, 50_000] {
            let mut s = sketch_of(&data(g, n, n as u64));
            s.insert_n(f64::INFINITY, 3);
            s.insert_n(f64::NEG_INFINITY, 2);
            s.insert_n(1e-9, 4);
            s.insert_n(42.0, 70_000);
            s.insert_n(-0.5, 140_000);
            let total = s.count();
            let mut ks: Vec<u64> = vec![1, 2, 3, 5, 6, 9, 10, total - 3, total - 2, total];
            ks.extend((0..200).map(|_| r.random_range(1..=total)));
            for k in ks {
                let (a, b) = (s.kth(k), by_scan(&s, k));
                assert!(
                    (a.lo.to_bits(), a.hi.to_bits(), a.mid.to_bits(), a.count)
                        == (b.lo.to_bits(), b.hi.to_bits(), b.mid.to_bits(), b.count),
                    "{name}, n = {n}, k = {k}: {a:?} vs {b:?}"
                );
            }
        }
    }
}
