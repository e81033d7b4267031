//! `tariffsim.rates`: the duty stack of the built-in US schedule, as the CLI's `rates`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use tariffsim::schedule::{self, Date, Query, Schedule};

/// Today's date (UTC).
fn today() -> Option<Date> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Date::from_unix_seconds(now.ok()?.as_secs())
}

/// The duty stack of the built-in schedule as (csv, table, json) text.
/// The duty stack (see `tariffsim.rates` in Python).
#[pyfunction]
#[pyo3(signature = (hts, origin, date=None, claim=None, metal_share=None))]
pub(crate) fn rates(
    hts: &str,
    origin: &str,
    date: Option<&str>,
    claim: Option<&str>,
    metal_share: Option<f64>,
) -> PyResult<(String, String, String)> {
    let bad = PyValueError::new_err;
    let date = match date {
        Some(d) => Date::parse(d)
            .ok_or_else(|| bad(format!("date: `{d}` is not a date: expected YYYY-MM-DD")))?,
        None => today().ok_or_else(|| bad("cannot read today's date: give date=".to_string()))?,
    };
    if let Some(m) = metal_share {
        if !(0.0..=1.0).contains(&m) {
            return Err(bad(format!("metal_share must lie in [0, 1], found {m}")));
        }
    }
    let q = Query {
        hts,
        origin,
        date,
        claim,
        metal_share,
    };
    let stack = Schedule::us()
        .stack(&q)
        .map_err(|e| bad(format!("rates: {e}")))?;
    Ok((
        schedule::print::csv(&stack),
        schedule::print::table(&stack),
        schedule::print::json(&stack),
    ))
}
