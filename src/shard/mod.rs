//! Shard state files: a slice of a run's blocks, saved so that shards run anywhere
//! (Slurm array tasks) can be merged into exactly the outputs of a single run.
//!
//! Format (JSON, versioned): `format = "tariffsim-shard"`, `version` = [`VERSION`], the run's
//! identity (`scenario_hash`, `seed`, `trials`, `shards`), this shard's index (1-based)
//! and block range, and per sweep point the scenario as resolved (TOML text, so a merge
//! needs no scenario file) with its accumulators. Accumulators merge exactly, so any
//! split and any merge order give the same bytes. This module checks and combines
//! states; it does no I/O.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::engine::Acc;

pub mod contents;

/// The format name written in every shard file.
pub const FORMAT: &str = "tariffsim-shard";
/// The format version this build reads and writes.
pub const VERSION: u32 = 2;

/// One sweep point of a shard.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PointState {
    /// `(path, value)` of the swept values (empty without sweeps).
    pub labels: Vec<(String, String)>,
    /// The scenario at this point, as resolved TOML.
    pub scenario_toml: String,
    /// The accumulators of this shard's blocks.
    pub acc: Acc,
}

/// What one shard saves.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShardState {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// tariffsim version that wrote it.
    pub tariffsim: String,
    /// The scenario file as given to the shard.
    pub scenario_file: String,
    /// The scenario's name.
    pub scenario: String,
    /// SHA-256 of every point's resolved scenario and labels: shards of one run agree.
    pub scenario_hash: String,
    /// Seed of the run.
    pub seed: u64,
    /// Trials of the whole run.
    pub trials: u64,
    /// This shard, 1-based.
    pub shard: u64,
    /// Number of shards.
    pub shards: u64,
    /// First block (inclusive) and last block (exclusive) this shard ran.
    pub blocks: (u64, u64),
    /// Per sweep point.
    pub points: Vec<PointState>,
    /// `--set` overrides the shard ran with (recorded in the merged manifest).
    #[serde(default)]
    pub overrides: Vec<String>,
    /// The scenario document as resolved, before sweeps (for the merged manifest).
    #[serde(default)]
    pub resolved_scenario: String,
    /// The digest the file was sealed with, as read ([`ShardState::to_json`] writes it;
    /// [`ShardState::check_seal`] checks it). `None` in a state built in memory.
    #[serde(default, skip_serializing)]
    pub content_sha256: Option<String>,
}

/// Largest shard count accepted (a guard against corrupt files).
pub const MAX_SHARDS: u64 = 1 << 20;

/// Why shards cannot be merged. Every variant names the file at fault.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// Not a shard file, or a different version.
    #[error("{file}: not a tariffsim shard file of version {VERSION}: {why}")]
    Format {
        /// The file.
        file: String,
        /// What is wrong.
        why: String,
    },
    /// A shard of another run.
    #[error("{file}: belongs to a different run ({what} differs from {first})")]
    Foreign {
        /// The file.
        file: String,
        /// What differs.
        what: String,
        /// The file it was compared with.
        first: String,
    },
    /// The same shard twice.
    #[error("{file}: shard {shard}/{shards} is also in {other}")]
    Duplicate {
        /// The file.
        file: String,
        /// Its index.
        shard: u64,
        /// Shard count.
        shards: u64,
        /// The other file.
        other: String,
    },
    /// Shards missing.
    #[error("missing shard(s) {missing} of {shards}: expected {expected} (have: {have})")]
    Missing {
        /// Which are missing, e.g. "2, 4".
        missing: String,
        /// Shard count.
        shards: u64,
        /// The missing files' expected names.
        expected: String,
        /// The files given.
        have: String,
    },
    /// A field whose contents do not fit the run (shape, counts, hash, sketch).
    #[error("{file}: field `{field}`: {why}")]
    Contents {
        /// The file.
        file: String,
        /// The field, as a path (`points[0].acc.cells[3].counts`).
        field: String,
        /// What is wrong.
        why: String,
    },
    /// Nothing given.
    #[error("no shard files given")]
    Empty,
}

/// The identity hash of a run's points.
pub fn scenario_hash(points: &[(Vec<(String, String)>, String)]) -> String {
    let mut h = Sha256::new();
    for (labels, toml) in points {
        for (k, v) in labels {
            h.update(k.as_bytes());
            h.update([0]);
            h.update(v.as_bytes());
            h.update([0]);
        }
        h.update(toml.as_bytes());
        h.update([1]);
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

impl ShardState {
    /// The state as JSON bytes.
    ///
    /// The file carries `content_sha256`, a digest of everything else it holds, so a
    /// count edited to a value that is still possible, or a stale copy of another file
    /// with the same identity, is refused on reading.
    pub fn to_json(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Sealed<'a> {
            content_sha256: String,
            #[serde(flatten)]
            state: &'a ShardState,
        }
        serde_json::to_vec(&Sealed {
            content_sha256: self.digest(),
            state: self,
        })
        .unwrap_or_default()
    }

    /// Checks the seal read from `file` against its contents: a count edited to a value
    /// that is still possible passes every shape and range check, but not this one.
    pub fn check_seal(&self, file: &str) -> Result<(), ShardError> {
        if self.content_sha256.as_deref() == Some(self.digest().as_str()) {
            return Ok(());
        }
        Err(ShardError::Contents {
            file: file.into(),
            field: "content_sha256".into(),
            why: "does not match the file's contents: it was edited or corrupted; rerun this shard"
                .into(),
        })
    }

    /// SHA-256 of the state as written (without its seal), streamed into the hasher.
    fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        struct Hashing(Sha256);
        impl std::io::Write for Hashing {
            fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
                self.0.update(b);
                Ok(b.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let mut h = Hashing(Sha256::new());
        let _ = serde_json::to_writer(&mut h, self);
        h.0.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Reads a state, checking its format and version; `file` names it in errors.
    pub fn from_json(file: &str, bytes: &[u8]) -> Result<ShardState, ShardError> {
        let fmt = |why: String| ShardError::Format {
            file: file.into(),
            why,
        };
        // The wrapper first, skipping the rest unparsed; then the typed state straight
        // from the bytes (a generic JSON tree costs many times the file's size).
        #[derive(Deserialize)]
        struct Wrapper {
            format: Option<serde_json::Value>,
            version: Option<serde_json::Value>,
        }
        let w: Wrapper = serde_json::from_slice(bytes).map_err(|e| fmt(e.to_string()))?;
        if w.format.as_ref().and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(fmt("no `format = \"tariffsim-shard\"`".into()));
        }
        if w.version.as_ref().and_then(|f| f.as_u64()) != Some(u64::from(VERSION)) {
            return Err(fmt(format!("version {:?}", w.version)));
        }
        let s: ShardState = serde_json::from_slice(bytes).map_err(|e| fmt(e.to_string()))?;

        if s.shards == 0 || s.shards > MAX_SHARDS || s.shard == 0 || s.shard > s.shards {
            return Err(fmt(format!(
                "shard {} of {} is not a valid split",
                s.shard, s.shards
            )));
        }
        let spec = crate::engine::RunSpec::new(s.trials, 0, 1).shard(s.shard - 1, s.shards);
        let expected = (spec.blocks.start, spec.blocks.end);
        if s.blocks != expected {
            return Err(fmt(format!(
                "blocks {:?} do not match shard {} of {} of {} trials",
                s.blocks, s.shard, s.shards, s.trials
            )));
        }
        contents::check_hash(file, &s)?;
        Ok(s)
    }
}

/// Checks that `states` (with their file names) are all the shards of one run, each
/// once, and merges them. Returns the merged state (shard 1 of 1). Contents are not
/// checked here: see [`contents::check`] (and [`Merger`], which holds one file at a time).
pub fn merge(states: Vec<(String, ShardState)>) -> Result<ShardState, ShardError> {
    let mut m = Merger::default();
    for (file, s) in states {
        m.add(file, s)?;
    }
    m.finish()
}

/// Merges shard states one at a time, so only the total and one state are in memory.
#[derive(Default)]
pub struct Merger {
    first: Option<(String, ShardState)>,
    seen: Vec<Option<String>>,
    files: Vec<String>,
}

impl Merger {
    /// The scenario hash of the first state added, if any.
    pub fn first_hash(&self) -> Option<&str> {
        self.first.as_ref().map(|(_, s)| s.scenario_hash.as_str())
    }

    /// Adds one shard's state, checking it belongs to the same run as the first.
    pub fn add(&mut self, file: String, s: ShardState) -> Result<(), ShardError> {
        let record = |file: &str,
                      s: &ShardState,
                      seen: &mut Vec<Option<String>>|
         -> Result<(), ShardError> {
            let slot = seen
                .get_mut((s.shard.wrapping_sub(1)) as usize)
                .ok_or_else(|| ShardError::Format {
                    file: file.into(),
                    why: format!("shard {} of {}", s.shard, s.shards),
                })?;
            if let Some(other) = slot {
                return Err(ShardError::Duplicate {
                    file: file.into(),
                    shard: s.shard,
                    shards: s.shards,
                    other: other.clone(),
                });
            }
            *slot = Some(file.to_string());
            Ok(())
        };
        let Some((first_file, total)) = &mut self.first else {
            self.seen = vec![None; s.shards as usize];
            record(&file, &s, &mut self.seen)?;
            self.files.push(file.clone());
            self.first = Some((file, s));
            return Ok(());
        };
        let (first_file, first) = (first_file.clone(), &*total);
        let n = first.shards;
        let foreign = |what: &str| ShardError::Foreign {
            file: file.clone(),
            what: what.into(),
            first: first_file.clone(),
        };
        if s.tariffsim != first.tariffsim {
            return Err(foreign("the tariffsim version"));
        }
        if s.scenario_hash != first.scenario_hash {
            return Err(foreign("the scenario"));
        }
        if s.seed != first.seed {
            return Err(foreign("the seed"));
        }
        if s.trials != first.trials {
            return Err(foreign("the trial count"));
        }
        if s.shards != n {
            return Err(foreign("the number of shards"));
        }
        if s.points.len() != first.points.len() {
            return Err(foreign("the sweep"));
        }
        for (t, p) in first.points.iter().zip(&s.points) {
            if t.acc.cells.len() != p.acc.cells.len() {
                return Err(foreign("the number of regimes and routes"));
            }
        }
        record(&file, &s, &mut self.seen)?;
        for (t, p) in total.points.iter_mut().zip(&s.points) {
            t.acc.merge(&p.acc);
        }
        self.files.push(file);
        Ok(())
    }

    /// The merged state (shard 1 of 1), once every shard has been added.
    pub fn finish(self) -> Result<ShardState, ShardError> {
        let Some((_, mut total)) = self.first else {
            return Err(ShardError::Empty);
        };
        let (seen, files, n) = (self.seen, self.files, total.shards);
        let missing: Vec<String> = seen
            .iter()
            .enumerate()
            .filter(|(_, s)| s.is_none())
            .map(|(i, _)| (i + 1).to_string())
            .collect();
        if !missing.is_empty() {
            let expected = missing
                .iter()
                .map(|k| format!("shard-{k}-of-{n}.json"))
                .collect::<Vec<_>>()
                .join(", ");
            return Err(ShardError::Missing {
                missing: missing.join(", "),
                expected,
                shards: n,
                have: files.join(", "),
            });
        }
        total.shard = 1;
        total.shards = 1;
        total.blocks = (0, crate::engine::n_blocks(total.trials));
        Ok(total)
    }
}
