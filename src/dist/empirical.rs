//! Empirical: one of the listed values, with optional weights.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------------------------------
// Empirical
// ---------------------------------------------------------------------------------------

/// Discrete distribution over distinct sorted values with cumulative probabilities
/// (last one exactly 1). Built only by `Dist::empirical`.
#[derive(Clone, Debug, PartialEq)]
pub struct Empirical {
    pub(super) values: Arc<[f64]>,
    pub(super) cum: Arc<[f64]>,
}

impl Empirical {
    /// The smallest value whose cumulative probability is >= `u` (inverse CDF).
    #[inline]
    pub(super) fn quantile(&self, u: f64) -> f64 {
        let i = self
            .cum
            .partition_point(|&c| c < u)
            .min(self.values.len() - 1);
        self.values[i]
    }

    /// The distinct values with positive weight, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Cumulative probabilities matching `values()`; the last is exactly 1.
    pub fn cumulative(&self) -> &[f64] {
        &self.cum
    }

    pub(super) fn probs(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        self.values.iter().enumerate().map(|(i, &v)| {
            let prev = if i == 0 { 0.0 } else { self.cum[i - 1] };
            (v, self.cum[i] - prev)
        })
    }
}
