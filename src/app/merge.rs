//! `tariffsim merge`: shard state files in, the outputs of a single run out.

use std::path::PathBuf;

use anyhow::anyhow;
use tariffsim::model::Plan;
use tariffsim::output::Point;
use tariffsim::scenario;
use tariffsim::shard::{self, ShardState};

use super::options::MergeOptions;
use super::outputs::Outputs;
use super::results::write_results;
use super::Failure;
use tariffsim::output::results::Provenance;
use tariffsim::summary::PointResult;

/// The shard files named directly or found in the given folders, in a stable order.
fn shard_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut files = Vec::new();
    for p in inputs {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Failure::Input(anyhow!("cannot read folder {}: {e}", p.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    f.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| n.starts_with("shard-") && n.ends_with(".json"))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(Failure::Input(anyhow!(
                    "{}: no shard-*.json files in this folder",
                    p.display()
                )));
            }
            files.extend(found);
        } else {
            files.push(p.clone());
        }
    }
    Ok(files)
}

/// Largest shard file read (a real one is a few MB per sweep point).
const MAX_SHARD_BYTES: u64 = 1 << 30;

/// The plan of every point of a shard, from its embedded scenarios.
fn build_plans(file: &str, s: &ShardState) -> Result<Vec<Plan>, Failure> {
    s.points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let built = scenario::from_str(&s.scenario_file, &p.scenario_toml).map_err(|e| {
                Failure::Input(
                    anyhow!(e).context(format!("{file}: field `points[{i}].scenario_toml`")),
                )
            })?;
            Plan::new(built.scenario).map_err(|e| {
                Failure::Input(
                    anyhow!(e).context(format!("{file}: field `points[{i}].scenario_toml`")),
                )
            })
        })
        .collect()
}

/// Merges the shard files of `o` into the outputs of the single run they split.
pub fn merge(o: &MergeOptions) -> Result<(), Failure> {
    let files = shard_files(&o.inputs)?;
    let mut out = Outputs::open(&o.out)?;
    // One file at a time: read (up to a size cap), check the wrapper and the hash, build
    // the plans from the first file's scenarios, check every field against them, merge.
    let mut merger = shard::Merger::default();
    let mut plans: Option<Vec<Plan>> = None;
    for f in &files {
        let name = f.display().to_string();
        let bytes = super::load::read_capped(f, MAX_SHARD_BYTES)
            .map_err(|e| Failure::Input(anyhow!("cannot read shard {name}: {e}")))?;
        let state = ShardState::from_json(&name, &bytes).map_err(|e| Failure::Input(anyhow!(e)))?;
        drop(bytes);
        let plans = match &mut plans {
            Some(p) => p,
            None => plans.insert(build_plans(&name, &state)?),
        };
        if merger.first_hash().is_none_or(|h| h == state.scenario_hash) {
            shard::contents::check(&name, &state, plans).map_err(|e| Failure::Input(anyhow!(e)))?;
        }
        state
            .check_seal(&name)
            .map_err(|e| Failure::Input(anyhow!(e)))?;
        merger
            .add(name, state)
            .map_err(|e| Failure::Input(anyhow!(e)))?;
    }
    let merged = merger.finish().map_err(|e| Failure::Input(anyhow!(e)))?;
    let mut results = Vec::new();
    for (p, plan) in merged.points.into_iter().zip(plans.unwrap_or_default()) {
        results.push(PointResult {
            point: Point { values: p.labels },
            scenario_toml: p.scenario_toml,
            plan,
            acc: p.acc,
            sensitivity: None,
        });
    }
    let mut sweep: Vec<(String, Vec<String>)> = Vec::new();
    for r in &results {
        for (k, v) in &r.point.values {
            match sweep.iter_mut().find(|(p, _)| p == k) {
                Some((_, vals)) if !vals.contains(v) => vals.push(v.clone()),
                Some(_) => {}
                None => sweep.push((k.clone(), vec![v.clone()])),
            }
        }
    }
    let provenance = Provenance {
        scenario_file: merged.scenario_file.clone(),
        scenario: merged.scenario.clone(),
        seed: merged.seed,
        trials: merged.trials,
        target_se: None,
        target_rse: None,
        threads: None,
        wall_seconds: None,
        merged_shards: Some(files.len() as u64),
        overrides: merged.overrides.clone(),
        sweep,
        warnings: Vec::new(),
        resolved_scenario: results
            .first()
            .map(|r| r.scenario_toml.clone())
            .unwrap_or_default(),
    };
    write_results(&mut out, &results, &provenance, 0.0)?;
    if o.charts {
        super::report::add_report(&mut out)?;
    }
    out.commit()?;
    if !o.quiet {
        say!(
            "{}: merged {} shard files -> {}",
            merged.scenario,
            files.len(),
            o.out.display()
        );
    }
    Ok(())
}
