//! `tariffsim rates`: the duty stack of the built-in schedule, printed.

use anyhow::anyhow;
use tariffsim::schedule::{self, Query, Schedule};

use super::options::{RatesFormat, RatesOptions};
use super::{print_stdout, Failure};

/// Prints the duty stack of `o`'s line, origin and date in its format.
pub fn rates(o: &RatesOptions) -> Result<(), Failure> {
    let q = Query {
        hts: &o.hts,
        origin: &o.origin,
        date: o.date,
        claim: o.claim.as_deref(),
        metal_share: o.metal_share,
    };
    let stack = Schedule::us()
        .stack(&q)
        .map_err(|e| Failure::Input(anyhow!("rates: {e}")))?;
    let text = match o.format {
        RatesFormat::Table => schedule::print::table(&stack),
        RatesFormat::Csv => schedule::print::csv(&stack),
        RatesFormat::Json => schedule::print::json(&stack),
    };
    print_stdout(&text)
}
