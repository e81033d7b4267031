//! The cost model of docs/model.md: the landed cost of one shipment per (regime, route).
//!
//! [`Plan`] compiles a validated scenario once (purpose keys, static filters, masks);
//! [`Plan::simulate`] then turns a block of trials' uniforms into an [`Outcome`] per
//! (cell, trial), drawing purpose by purpose over the block and evaluating cell by cell
//! ([`Plan::trial`] is a block of one); each outcome goes to the caller's [`CellSink`].
//!
//! Owns: `plan.rs` (compiling), `draws.rs` (a block's shared draws), `trial.rs` (the
//! cells), `sink.rs` (where outcomes go), `duty.rs` (the duty stack), `inputs.rs` (the sampled inputs, for
//! sensitivity). Must not: do I/O, keep statistics, start threads, or import from
//! `scenario` anything but its types (`scenario/model.rs`).

mod draws;
mod duty;
mod inputs;
mod plan;
mod sink;
mod trial;

pub use draws::BlockScratch;
pub use inputs::{Input, InputUse};
pub use plan::Plan;
pub use sink::{CellSink, Outcomes};
pub use trial::TrialScratch;

/// The cost components, in the order of every output.
pub const COMPONENTS: [&str; 9] = [
    "goods",
    "freight",
    "processing",
    "duty",
    "fees",
    "penalty",
    "inspection",
    "holding",
    "rerouting",
];

/// Index of each component in [`Outcome::parts`].
pub mod part {
    /// Goods value at the factory's port.
    pub const GOODS: usize = 0;
    /// Every leg's freight and fees.
    pub const FREIGHT: usize = 1;
    /// Hub costs and markup (CV − goods − freight before processing).
    pub const PROCESSING: usize = 2;
    /// Duty paid on this entry (its true duty when caught).
    pub const DUTY: usize = 3;
    /// MPF, HMF, entry fee.
    pub const FEES: usize = 4;
    /// Penalties and duties recovered on earlier entries.
    pub const PENALTY: usize = 5;
    /// Inspection fee.
    pub const INSPECTION: usize = 6;
    /// Cost of capital tied up in transit.
    pub const HOLDING: usize = 7;
    /// The fallback route's whole cost when this shipment was stopped or lost.
    pub const REROUTING: usize = 8;
}

/// The event flags, in the order of every output (`p_<name>` columns).
pub const FLAGS: [&str; 9] = [
    "true_origin_hub",
    "preference",
    "false_claim",
    "caught",
    "seized",
    "excluded",
    "blocked",
    "inspected",
    "de_minimis",
];

/// Bit of each flag in [`Outcome::flags`].
pub mod flag {
    /// Processing transformed the goods: their true origin is the hub.
    pub const TRUE_ORIGIN_HUB: u16 = 1 << 0;
    /// The filing claims at least one agreement's preference.
    pub const PREFERENCE: u16 = 1 << 1;
    /// The filed origin or a claimed preference is not true.
    pub const FALSE_CLAIM: u16 = 1 << 2;
    /// The false claim was caught.
    pub const CAUGHT: u16 = 1 << 3;
    /// The goods were seized (enforcement or a `seize` sanction).
    pub const SEIZED: u16 = 1 << 4;
    /// Inspection refused entry.
    pub const EXCLUDED: u16 = 1 << 5;
    /// A sanction stopped the route.
    pub const BLOCKED: u16 = 1 << 6;
    /// The shipment was inspected.
    pub const INSPECTED: u16 = 1 << 7;
    /// It entered under de minimis.
    pub const DE_MINIMIS: u16 = 1 << 8;
}

/// What one shipment costs on one route under one regime, per unit.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Outcome {
    /// Landed cost per unit, USD: the sum of `parts`.
    pub cost: f64,
    /// The components, indexed by [`part`].
    pub parts: [f64; 9],
    /// Delivery days (the fallback's when rerouted; own plus fallback's when lost).
    pub days: f64,
    /// Event flags, bits of [`flag`].
    pub flags: u16,
    /// Whether this route's own shipment entered the US (not stopped, seized or excluded).
    pub entered: bool,
    /// Customs value per unit (of the entered shipment; 0 when it did not enter).
    pub cv: f64,
    /// Timed measures (bit per measure of the regime) whose effective day came after
    /// this route's own shipment reached the US (departure + legs + processing days).
    pub before_effective: u128,
}

impl Outcome {
    /// Whether `flag` is set.
    pub fn has(&self, flag: u16) -> bool {
        self.flags & flag != 0
    }
}
