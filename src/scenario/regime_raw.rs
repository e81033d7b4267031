//! Regimes as read, before `base` and `remove` are resolved: the raw records that
//! `regime` (reading, resolving) and `regime_schedule` (the regime a `schedule = "us"`
//! generates) both build, and the key-by-key merge of their tables.
//!
//! Owns these types only, so both readers can use them without using each other.

use super::diag::Loc;
use super::model::*;
use super::tables::{DeMinimisKeys, EnforcementKeys, FeesKeys, InspectionKeys, Merge, Part};

/// A name written in the file, kept with its place for later binding.
#[derive(Clone, Debug)]
pub(super) struct NameRef {
    pub(super) name: String,
    pub(super) loc: Loc,
    pub(super) path: String,
}

#[derive(Clone, Debug)]
pub(super) struct RawMeasure {
    pub(super) m: Measure,
    pub(super) loc: Loc,
    pub(super) path: String,
    pub(super) waived_by: Vec<NameRef>,
    pub(super) floor_over: Vec<NameRef>,
    pub(super) replaces: Vec<NameRef>,
}

#[derive(Clone, Debug)]
pub(super) struct RawRegime {
    pub(super) name: String,
    pub(super) loc: Loc,
    pub(super) path: String,
    pub(super) base: Option<NameRef>,
    pub(super) remove: Vec<NameRef>,
    pub(super) measures: Vec<RawMeasure>,
    pub(super) agreements: Vec<Agreement>,
    pub(super) sanctions: Vec<Sanction>,
    pub(super) de_minimis: Option<Part<DeMinimisKeys>>,
    pub(super) fees: Option<Part<FeesKeys>>,
    pub(super) enforcement: Option<Part<EnforcementKeys>>,
    pub(super) inspection: Option<Part<InspectionKeys>>,
    /// With `schedule = "us"`: the regime the schedule builds, which this one's own
    /// tables merge onto as onto a base.
    pub(super) generated: Option<Box<RawRegime>>,
    /// The schedule was asked for and could not build the law: its error is reported
    /// already (or `[goods]`'s is). Names that may be the schedule's measures or
    /// agreements are then not checked, so one mistake is not reported many times.
    pub(super) law_unknown: bool,
}

/// Merges a child's table onto its base's, key by key.
pub(super) fn merge_table<T: Merge + Clone>(base: Option<T>, child: &Option<T>) -> Option<T> {
    match (base, child.clone()) {
        (Some(b), Some(c)) => Some(b.merge(c)),
        (b, c) => c.or(b),
    }
}
