//! `tariffsim merge`: shard state files in, the outputs of a single run out.

use std::path::PathBuf;

use anyhow::anyhow;
use tariffsim::model::Plan;
use tariffsim::output::Point;
use tariffsim::scenario;
use tariffsim::shard::{self, ShardState};

use super::outputs::Outputs;
use super::run::{write_results, PointResult, Provenance};
use super::Failure;
use crate::cli::MergeArgs;

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

pub fn merge(args: MergeArgs) -> Result<(), Failure> {
    let files = shard_files(&args.inputs)?;
    let mut states = Vec::new();
    for f in &files {
        let name = f.display().to_string();
        let bytes = std::fs::read(f)
            .map_err(|e| Failure::Input(anyhow!("cannot read shard {name}: {e}")))?;
        let state = ShardState::from_json(&name, &bytes).map_err(|e| Failure::Input(anyhow!(e)))?;
        states.push((name, state));
    }
    let merged = shard::merge(states).map_err(|e| Failure::Input(anyhow!(e)))?;
    let mut results = Vec::new();
    for p in merged.points {
        let built = scenario::from_str(&merged.scenario_file, &p.scenario_toml)
            .map_err(|e| Failure::Input(anyhow!(e)))?;
        let plan = Plan::new(built.scenario).map_err(|e| Failure::Input(anyhow!(e)))?;
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
        margin: 0.0,
    };
    let mut out = Outputs::open(&args.out)?;
    write_results(&mut out, &results, &provenance)?;
    if !args.no_charts {
        super::report::add_report(&mut out)?;
    }
    out.commit()?;
    if !args.quiet {
        eprintln!(
            "{}: merged {} shard files -> {}",
            merged.scenario,
            files.len(),
            args.out.display()
        );
    }
    Ok(())
}
