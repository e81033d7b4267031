//! Fault suite, shard files: `merge` trusts a shard for nothing. Each tampered file
//! (shape, counts, hash, sketch, truncation) is refused with exit 2 naming the file and
//! the field, and no output folder is written.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_tariffsim"))
}

/// Two shard files of one small run, written once per case into a fresh folder.
fn shards(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("tariffsim-shards-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    for k in ["1/2", "2/2"] {
        let o = bin()
            .args([
                "run",
                "scenarios/korea-jv.toml",
                "--trials",
                "5000",
                "--quiet",
            ])
            .args(["--shard", k, "--out"])
            .arg(d.join("in"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    d
}

fn merge(d: &Path) -> (Option<i32>, String) {
    let o = bin()
        .args(["merge", "--quiet", "--no-charts", "--out"])
        .arg(d.join("out"))
        .arg(d.join("in"))
        .output()
        .unwrap();
    (
        o.status.code(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Edits shard 1 with `edit`, merges, and checks the refusal names the file and `field`.
fn refused(name: &str, field: &str, edit: impl FnOnce(&mut Value)) {
    let d = shards(name);
    let f = d.join("in/shard-1-of-2.json");
    let mut v: Value = serde_json::from_slice(&std::fs::read(&f).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&f, serde_json::to_vec(&v).unwrap()).unwrap();
    let (code, err) = merge(&d);
    assert_eq!(code, Some(2), "{name}: {err}");
    assert!(
        err.contains("shard-1-of-2.json"),
        "{name}: no file in: {err}"
    );
    assert!(err.contains(field), "{name}: no `{field}` in: {err}");
    assert!(
        !d.join("out").exists(),
        "{name}: an output folder was written"
    );
}

fn cell(v: &mut Value) -> &mut Value {
    &mut v["points"][0]["acc"]["cells"][0]
}

#[test]
fn untouched_shards_merge() {
    let d = shards("untouched");
    let (code, err) = merge(&d);
    assert_eq!(code, Some(0), "{err}");
    assert!(d.join("out/summary.csv").exists());
}

#[test]
fn a_shortened_array_is_refused() {
    refused("short-counts", "cells[0].counts", |v| {
        cell(v)["counts"].as_array_mut().unwrap().pop();
    });
    refused("short-sums", "cells[0].sums", |v| {
        cell(v)["sums"].as_array_mut().unwrap().pop();
    });
    refused("short-cells", "acc.cells", |v| {
        v["points"][0]["acc"]["cells"].as_array_mut().unwrap().pop();
    });
    refused("short-pairs", "acc.pair", |v| {
        v["points"][0]["acc"]["pair_accs"]
            .as_array_mut()
            .unwrap()
            .pop();
    });
}

#[test]
fn an_edited_count_is_refused() {
    refused("count", "cells[0].counts[0]", |v| {
        cell(v)["counts"][0] = Value::from(3_333_000u64);
    });
    refused("moments", "cells[0].cost", |v| {
        cell(v)["cost"]["n"] = Value::from(1u64);
    });
    refused("trials", "acc.trials", |v| {
        v["points"][0]["acc"]["trials"] = Value::from(1u64);
    });
}

#[test]
fn a_count_edited_to_a_possible_value_is_refused_by_the_seal() {
    // One less in the largest flag count: every shape and range check still passes.
    refused("possible-count", "content_sha256", |v| {
        let counts = cell(v)["counts"].as_array_mut().unwrap();
        let i = (0..counts.len())
            .max_by_key(|&i| counts[i].as_u64())
            .unwrap();
        counts[i] = Value::from(counts[i].as_u64().unwrap() - 1);
    });
}

#[test]
fn an_edited_scenario_is_refused_by_its_hash() {
    refused("hash", "scenario_hash", |v| {
        let t = v["points"][0]["scenario_toml"]
            .as_str()
            .unwrap()
            .to_string();
        v["points"][0]["scenario_toml"] = Value::from(t.replace("trials", "trials ") + "\n");
    });
}

#[test]
fn a_sketch_with_bad_bounds_or_a_stretched_range_is_refused() {
    refused("sketch-min", "cells[0].cost_sketch", |v| {
        cell(v)["cost_sketch"]["min"] = Value::from("-inf");
    });
    // Move one value 500 octaves up: counts still add up, the range is minimal,
    // but the bucket range no longer matches max.
    refused("sketch-stretch", "cells[0].cost_sketch", |v| {
        let store = &mut cell(v)["cost_sketch"]["pos"];
        let counts = store["counts"].as_array_mut().unwrap();
        let i = (0..counts.len())
            .max_by_key(|&i| counts[i].as_u64())
            .unwrap();
        counts[i] = Value::from(counts[i].as_u64().unwrap() - 1);
        counts.extend(std::iter::repeat_n(Value::from(0u64), 1024 * 500));
        *counts.last_mut().unwrap() = Value::from(1u64);
    });
}

#[test]
fn a_truncated_file_is_refused() {
    let d = shards("truncated");
    let f = d.join("in/shard-1-of-2.json");
    let bytes = std::fs::read(&f).unwrap();
    std::fs::write(&f, &bytes[..bytes.len() / 2]).unwrap();
    let (code, err) = merge(&d);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("shard-1-of-2.json") && err.contains("EOF"),
        "{err}"
    );
    assert!(!d.join("out").exists());
}
