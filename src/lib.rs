//! tariffsim: a Monte Carlo tariff-routing trade simulator.
//!
//! A scenario (TOML, see `docs/model.md`) names goods, routes to the US and tariff regimes;
//! the engine draws many shipments and reports, for every regime and route, the
//! distribution of the landed cost per unit. The pipeline, one module a step:
//! [`scenario`] (parse, validate, sweeps) → [`job`] (a file made ready to run) →
//! [`model`] (the cost of one shipment) → [`engine`] (trials in parallel blocks) →
//! [`stats`] (mergeable accumulators, intervals) → [`summary`] (the reported numbers) →
//! [`output`] (file bytes, column schemas) → [`report`] (charts and report.html from the
//! files); [`breakeven`] and [`shard`] build on the engine. The library does no I/O
//! (files come through the caller's reader); the binary and the Python package read
//! files and write results. See docs/architecture.md.

// `unsafe` only in `cpu`, to call code compiled for instructions found at run time.
#![deny(unsafe_code)]
#![warn(missing_docs)]

pub mod assumptions;
pub mod breakeven;
pub mod countries;
pub mod cpu;
pub mod dist;
pub mod engine;
pub mod job;
pub mod model;
pub mod output;
pub mod report;
pub mod rng;
pub mod scenario;
pub mod schedule;
pub mod shard;
pub mod spelling;
pub mod stats;
pub mod summary;

/// Sweeps live in [`scenario::sweep`] (a scenario's grid of variants, read with it);
/// `tariffsim::sweep` stays their public path.
pub use scenario::sweep;

/// The crate's version, as the binary writes it in every manifest.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
