//! Why a distribution cannot be built: the parameter at fault and what it must be.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// Why a distribution's parameters are invalid; `param` is the key name as written in the
/// scenario (e.g. "sigma", "mode"), and the message says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DistError {
    /// A scalar parameter is NaN or infinite.
    #[error("`{param}` must be a finite number, got {value}")]
    NotFinite {
        /// Offending key.
        param: &'static str,
        /// Value given.
        value: f64,
    },
    /// One entry of a list parameter (`values`, `weights`) is NaN or infinite.
    #[error("`{param}[{index}]` must be a finite number, got {value}")]
    NotFiniteItem {
        /// Offending key.
        param: &'static str,
        /// Position in the list (0-based).
        index: usize,
        /// Value given.
        value: f64,
    },
    /// A parameter that must be strictly positive is not.
    #[error("`{param}` must be greater than 0, got {value}")]
    NotPositive {
        /// Offending key.
        param: &'static str,
        /// Value given.
        value: f64,
    },
    /// A parameter that must be zero or positive is negative.
    #[error("`{param}` must be 0 or greater, got {value}")]
    Negative {
        /// Offending key.
        param: &'static str,
        /// Value given.
        value: f64,
    },
    /// A value (e.g. `mode`) lies outside `[min, max]`.
    #[error("`{param}` ({value}) must lie between `min` ({min}) and `max` ({max})")]
    OutsideRange {
        /// Offending key.
        param: &'static str,
        /// Value given.
        value: f64,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
    },
    /// `min` is not below `max` (or above it where equality is allowed).
    #[error("`max` ({max}) must be greater than `min` ({min}){hint}")]
    BadRange {
        /// Offending key (`max`, or `min` when `max` took its default).
        param: &'static str,
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Extra explanation (may be empty).
        hint: &'static str,
    },
    /// `sd` is 0 so the value is fixed at `mean`, but `mean` lies outside the truncation.
    #[error(
        "`sd` is 0, so the value is fixed at `mean` ({mean}), which lies outside the truncation range [{min}, {max}]"
    )]
    FixedOutsideBounds {
        /// Mean given.
        mean: f64,
        /// Lower truncation bound (-inf when absent).
        min: f64,
        /// Upper truncation bound (+inf when absent).
        max: f64,
    },
    /// A list parameter is empty.
    #[error("`{param}` must contain at least one value")]
    Empty {
        /// Offending key.
        param: &'static str,
    },
    /// `weights` and `values` have different lengths.
    #[error(
        "`weights` has {got} entries but `values` has {expected}; give exactly one weight per value"
    )]
    LengthMismatch {
        /// Number of weights.
        got: usize,
        /// Number of values.
        expected: usize,
    },
    /// A weight is negative.
    #[error("`weights[{index}]` is {value}; weights must be 0 or greater")]
    NegativeWeight {
        /// Position in the list (0-based).
        index: usize,
        /// Value given.
        value: f64,
    },
    /// The weights do not sum to a positive finite number.
    #[error("`weights` sum to {total}; the sum must be positive and finite")]
    BadWeightSum {
        /// Sum of the weights.
        total: f64,
    },
    /// A truncated normal keeps (almost) no probability inside `[min, max]`.
    #[error(
        "truncating normal(mean {mean}, sd {sd}) to [{min}, {max}] keeps probability {mass:e} (need > 1e-12); move `{param}` towards the mean or widen the range"
    )]
    NegligibleMass {
        /// The bound judged responsible (`min` or `max`).
        param: &'static str,
        /// Mean given.
        mean: f64,
        /// Standard deviation given.
        sd: f64,
        /// Lower bound (-inf when absent).
        min: f64,
        /// Upper bound (+inf when absent).
        max: f64,
        /// Probability left inside the range.
        mass: f64,
    },
}

impl DistError {
    /// The scenario key the error is about, so the loader can point at the right field.
    pub fn param(&self) -> &'static str {
        match self {
            DistError::NotFinite { param, .. }
            | DistError::NotFiniteItem { param, .. }
            | DistError::NotPositive { param, .. }
            | DistError::Negative { param, .. }
            | DistError::OutsideRange { param, .. }
            | DistError::BadRange { param, .. }
            | DistError::Empty { param }
            | DistError::NegligibleMass { param, .. } => param,
            DistError::FixedOutsideBounds { .. } => "mean",
            DistError::LengthMismatch { .. }
            | DistError::NegativeWeight { .. }
            | DistError::BadWeightSum { .. } => "weights",
        }
    }
}

/// Reject NaN and infinities.
pub(super) fn finite(param: &'static str, value: f64) -> Result<f64, DistError> {
    if value.is_finite() {
        Ok(value)
    } else {
        Err(DistError::NotFinite { param, value })
    }
}

/// Reject non-finite and non-positive values (written so NaN fails).
pub(super) fn positive(param: &'static str, value: f64) -> Result<f64, DistError> {
    finite(param, value)?;
    if value > 0.0 {
        Ok(value)
    } else {
        Err(DistError::NotPositive { param, value })
    }
}

/// Reject non-finite and negative values.
pub(super) fn non_negative(param: &'static str, value: f64) -> Result<f64, DistError> {
    finite(param, value)?;
    if value >= 0.0 {
        Ok(value)
    } else {
        Err(DistError::Negative { param, value })
    }
}

/// Validate `min <= mode <= max` with `min < max` unless all three are equal.
pub(super) fn check_min_mode_max(min: f64, mode: f64, max: f64) -> Result<(), DistError> {
    finite("min", min)?;
    finite("mode", mode)?;
    finite("max", max)?;
    if !(min <= max) {
        return Err(DistError::BadRange {
            param: "max",
            min,
            max,
            hint: "",
        });
    }
    if !(min <= mode && mode <= max) {
        return Err(DistError::OutsideRange {
            param: "mode",
            value: mode,
            min,
            max,
        });
    }
    Ok(())
}
