//! Mergeable, deterministic statistics accumulators for the Monte Carlo engine.
//!
//! What this module owns:
//! - [`Sketch`] (`sketch.rs`): a log-linear quantile sketch (HDR-histogram
//!   style) with integer bucket counts and exact min/max; `sketch::RankTable`, the
//!   mid-rank CDF of a sketch, by which the sensitivity pass ranks costs.
//! - [`ExactSum`] and [`Moments`] (`exact.rs`): fixed-point sums in `i128`.
//! - [`intervals`]: the 95% confidence intervals the outputs report ([`Est`], Wilson,
//!   normal, Welch).
//!
//! What it must not do: no I/O, no RNG, no threads, no global state, no
//! references to the rest of the crate (only `self::`/`super::` paths), so the
//! files can be copied into any crate under `src/stats/`.
//!
//! # The determinism contract
//! The engine runs trials in parallel blocks (Rayon) and must produce
//! byte-identical results for any thread count and any split into shards.
//! Every accumulator here therefore merges *exactly* associatively and
//! commutatively: all state is integer counts, integer fixed-point sums, or
//! a total-order min/max. Everything reported (quantiles, CVaR, means, …) is
//! a pure function of that state, so the merge order can never show up in
//! the output. Memory never grows with the number of trials: a sketch's size
//! depends only on the *range* of values seen.
//!
//! # Intended usage of the sums
//! Within one block the engine accumulates values in plain `f64`, strictly
//! sequentially (the block's contents and order are fixed by its seed, so this
//! is deterministic). At the end of the block it converts each block total
//! *once* with [`ExactSum::from_f64`] (or [`Moments::add_block`]) and adds it to
//! the shard/global accumulator. Cross-block merging is then exact integer
//! addition, hence independent of order and grouping.

pub mod exact;
pub mod intervals;
pub mod sketch;

pub use self::exact::{ExactSum, Moments};
pub use self::intervals::Est;
pub use self::sketch::Sketch;

/// Errors raised when deserialized data violates an accumulator's invariants.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StatsError {
    /// A serialized [`Sketch`] is structurally inconsistent (corrupt or hand-edited).
    #[error("invalid sketch: {0}")]
    InvalidSketch(&'static str),
}

/// Serde helpers shared by the submodules.
mod serde_util {
    /// `f64` as a string (`"1.5"`, `"inf"`, `"-inf"`): Rust's shortest
    /// round-trip formatting plus its correctly rounded parser make this
    /// bit-exact for every value, including infinities, independent of the
    /// JSON library's float settings.
    pub(super) mod f64_str {
        use serde::{de::Error, Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(&format_args!("{v:?}"))
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
            let s = String::deserialize(d)?;
            s.parse::<f64>().map_err(D::Error::custom)
        }
    }

    /// `i128` as a decimal string (JSON numbers cannot hold an `i128`).
    pub(super) mod i128_str {
        use serde::{de::Error, Deserialize, Deserializer, Serializer};

        pub fn serialize<S: Serializer>(v: &i128, s: S) -> Result<S::Ok, S::Error> {
            s.collect_str(v)
        }

        pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i128, D::Error> {
            let s = String::deserialize(d)?;
            s.parse::<i128>().map_err(D::Error::custom)
        }
    }
}
