//! Break-even: the value of a parameter at which two routes cost the same.
//!
//! [`search`] finds the root of the cost difference by bracketing (it runs nothing);
//! [`eval`] evaluates the difference at a parameter value by running the simulator in
//! independent slices (for a quantile's standard error); [`params`] reads the searched
//! parameter in the document and refuses questions the search cannot answer. Shared by
//! the binary's `breakeven` and the Python package's `Scenario.breakeven`, so both give
//! the same numbers; the files (`breakeven.csv`, the manifest) are written by
//! [`crate::output::breakeven`].
//!
//! Must not do I/O or know the command line: messages name options through a prefix the
//! caller gives (`"--"` for the binary).

pub mod eval;
pub mod params;
pub mod search;

pub use eval::{evaluate, EvalError, Metric, Question};
pub use search::{find, Eval, Found, Search, MAX_ITER};
