//! Library-level: a run's accumulators merge exactly. Accumulating blocks 0..k and k..n
//! separately and merging them ([`Acc::merge`]) gives the accumulators of the whole run
//! (`==`, so every count, exact sum and sketch bucket) and the same files, for shipped
//! scenarios and splits that are not at half; the same for the sensitivity pass. This is
//! what lets `run --shard` and `merge` reproduce a single run byte for byte.
//!
//! Also: the shard file format version is tied to the layout it serializes (see
//! [`shard_layout_is_pinned_to_its_version`]).

use std::path::Path;

use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use sha2::{Digest, Sha256};
use tariffsim::engine::{self, sensitivity, Acc, RunSpec, Silent};
use tariffsim::model::Plan;
use tariffsim::output::results::{run_files, Provenance};
use tariffsim::output::Point;
use tariffsim::shard::{self, PointState, ShardState};
use tariffsim::summary::{self, PointResult};

/// Trials of every run here: 11 whole blocks and a partial 12th.
const TRIALS: u64 = 11 * engine::BLOCK + 300;
const SEED: u64 = 7;

/// A shipped scenario, loaded as the binary loads it (its first grid point); also its
/// resolved TOML.
fn shipped(file: &str) -> (Plan, String) {
    let path = Path::new("scenarios").join(file);
    let job = tariffsim::job::job(&path, &tariffsim::job::read_scenario_file, &[], &[])
        .unwrap_or_else(|e| panic!("{file}: {}", e.message("--")));
    let built = &job.points[0].1;
    (
        Plan::new(built.scenario.clone()).unwrap(),
        built.document.clone(),
    )
}

/// The accumulators of `blocks` of the run.
fn acc_of(plan: &Plan, blocks: std::ops::Range<u64>) -> Acc {
    let mut spec = RunSpec::new(TRIALS, SEED, 2);
    spec.blocks = blocks;
    engine::run(plan, &spec, &Silent, None).unwrap()
}

/// Every file a run writes from `acc` (no wall time, so the bytes depend on `acc` alone).
fn files_of(file: &str, acc: Acc) -> Vec<(&'static str, Vec<u8>)> {
    let (plan, toml) = shipped(file);
    let results = [PointResult {
        point: Point::default(),
        scenario_toml: toml.clone(),
        plan,
        acc,
        sensitivity: None,
    }];
    let s = summary::summarise(&results, 0.0, None, None, &toml);
    let p = Provenance {
        scenario_file: file.into(),
        scenario: "s".into(),
        seed: SEED,
        trials: TRIALS,
        target_se: None,
        target_rse: None,
        threads: None,
        wall_seconds: None,
        merged_shards: None,
        overrides: Vec::new(),
        sweep: Vec::new(),
        warnings: Vec::new(),
        resolved_scenario: toml,
    };
    run_files(&s, &p)
}

#[test]
fn merged_slices_equal_the_whole_run() {
    // korea-jv: the main example; timing-60: timed measures (`before_effective` counts).
    for file in ["korea-jv.toml", "timing-60.toml"] {
        let (plan, _) = shipped(file);
        let n = engine::n_blocks(TRIALS);
        let whole = acc_of(&plan, 0..n);
        assert_eq!(whole.trials, TRIALS);
        let whole_files = files_of(file, whole.clone());
        for k in [1, 3, n - 1] {
            let (a, b) = (acc_of(&plan, 0..k), acc_of(&plan, k..n));
            assert!(a.trials > 0 && b.trials > 0 && a != whole);
            let mut ab = a.clone();
            ab.merge(&b);
            assert!(
                ab == whole,
                "{file}: blocks 0..{k} + {k}..{n} != the whole run"
            );
            let mut ba = b;
            ba.merge(&a);
            assert!(
                ba == whole,
                "{file}: blocks {k}..{n} + 0..{k} != the whole run"
            );
            assert!(
                files_of(file, ab) == whole_files,
                "{file}: the files of the merged split at block {k} differ from the whole run's"
            );
        }
        // The split `run --shard K/3` makes (uneven: 12 blocks is 4 + 4 + 4, but the
        // last block is partial), merged in shard order.
        let mut merged: Option<Acc> = None;
        for k in 0..3 {
            let spec = RunSpec::new(TRIALS, SEED, 2).shard(k, 3);
            let acc = engine::run(&plan, &spec, &Silent, None).unwrap();
            match &mut merged {
                Some(m) => m.merge(&acc),
                None => merged = Some(acc),
            }
        }
        assert!(
            merged.as_ref() == Some(&whole),
            "{file}: 3 shards != the whole run"
        );
    }
}

#[test]
fn merged_sensitivity_slices_equal_the_whole_pass() {
    let (plan, _) = shipped("korea-jv.toml");
    let n = engine::n_blocks(TRIALS);
    let first = acc_of(&plan, 0..n);
    // Ranks come from the whole first pass's sketches, whichever blocks a slice runs.
    let sketches: Vec<_> = first.cells.iter().map(|c| &c.cost_sketch).collect();
    let pass = |blocks: std::ops::Range<u64>| {
        let mut spec = RunSpec::new(TRIALS, SEED, 2);
        spec.blocks = blocks;
        sensitivity::run(&plan, &spec, &sketches, &Silent).unwrap()
    };
    let whole = pass(0..n);
    let k = 4;
    let mut merged = pass(0..k);
    let rest = pass(k..n);
    assert!(merged.acc != whole.acc && rest.acc != whole.acc);
    merged.acc.merge(&rest.acc);
    assert!(
        merged.acc == whole.acc,
        "sensitivity: 0..{k} + {k}..{n} != the whole pass"
    );
    assert_eq!(
        summary::sensitivity(&plan, &merged),
        summary::sensitivity(&plan, &whole)
    );
}

/// The layout of a JSON document as lines `path: type`, each once, in the order the file
/// first shows them (`a.b` a field, `a[]` an array's elements). Values do not matter,
/// nor how long an array is.
struct Walk<'a> {
    path: String,
    out: &'a mut Vec<String>,
}

impl Walk<'_> {
    fn leaf<E>(self, kind: &str) -> Result<(), E> {
        let line = format!("{}: {kind}", self.path);
        if !self.out.contains(&line) {
            self.out.push(line);
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        self.leaf("bool")
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        self.leaf("int")
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        self.leaf("int")
    }
    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        self.leaf("float")
    }
    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        self.leaf("string")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        self.leaf("null")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        let path = format!("{}[]", self.path);
        let out = self.out;
        while a
            .next_element_seed(Walk {
                path: path.clone(),
                out: &mut *out,
            })?
            .is_some()
        {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<(), A::Error> {
        let out = self.out;
        while let Some(key) = a.next_key::<String>()? {
            a.next_value_seed(Walk {
                path: format!("{}.{key}", self.path),
                out: &mut *out,
            })?;
        }
        Ok(())
    }
}

/// The shard format version and the SHA-256 of the layout it was pinned with.
const PINNED: (u32, &str) = (
    2,
    "0f932332d505ffcda81a24e9b1bffd88d4f18b5fb0493dac8a083f08367a2abc",
);

/// A shard file is read back by a later build only when its `version` is this build's
/// [`shard::VERSION`], so the version must change whenever the layout of what it saves
/// does: a field of `Acc` (or of what it holds: sketches, exact sums) or of `ShardState`
/// added, removed, renamed, retyped or moved. (Moving matters too: the file's seal is a
/// digest of the state as the reading build serializes it again.) This test pins the
/// layout of a shard file of a tiny scenario (its field paths and value types, in file
/// order, not its values: see [`Walk`]) to the version: change the layout and it fails until the version
/// is bumped and the new layout pinned here with it.
#[test]
fn shard_layout_is_pinned_to_its_version() {
    // An empty Acc (its layout, not a run's numbers), every sketch given one value on
    // each side of zero so that no part of it is an empty array (an empty array shows
    // no element layout).
    let (plan, toml) = shipped("timing-60.toml");
    let mut acc = Acc::new(&plan);
    let sketches = acc
        .cells
        .iter_mut()
        .flat_map(|c| [&mut c.cost_sketch, &mut c.days_sketch]);
    for s in sketches.chain(acc.pair_accs.iter_mut().map(|p| &mut p.sketch)) {
        s.insert(-1.0);
        s.insert(1.0);
    }
    let state = ShardState {
        format: shard::FORMAT.into(),
        version: shard::VERSION,
        tariffsim: env!("CARGO_PKG_VERSION").into(),
        scenario_file: "timing-60.toml".into(),
        scenario: "timing-60".into(),
        scenario_hash: String::new(),
        seed: SEED,
        trials: TRIALS,
        shard: 1,
        shards: 4,
        blocks: (0, 3),
        overrides: vec!["a=1".into()],
        resolved_scenario: toml.clone(),
        content_sha256: None,
        points: vec![PointState {
            labels: vec![("p".into(), "1".into())],
            scenario_toml: toml,
            acc,
        }],
    };
    let bytes = state.to_json();
    let mut lines = Vec::new();
    Walk {
        path: String::new(),
        out: &mut lines,
    }
    .deserialize(&mut serde_json::Deserializer::from_slice(&bytes))
    .unwrap();
    let layout = lines.join("\n");
    let hash: String = Sha256::digest(layout.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let (version, pinned) = PINNED;
    if shard::VERSION == version {
        assert!(
            hash == pinned,
            "the layout of a shard file changed (its accumulators or its fields), but \
             shard::VERSION is still {version}: an older build's files would be misread. \
             Bump shard::VERSION in src/shard/mod.rs and pin ({}, \"{hash}\") in PINNED \
             here. The layout now:\n{layout}",
            version + 1
        );
    } else {
        panic!(
            "shard::VERSION is now {}: pin ({}, \"{hash}\") in PINNED here. The layout \
             now:\n{layout}",
            shard::VERSION,
            shard::VERSION
        );
    }
}
