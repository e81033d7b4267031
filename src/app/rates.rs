//! `tariffsim rates`: the duty stack of the built-in schedule, printed.

use anyhow::anyhow;
use tariffsim::schedule::{self, Date, Query, Schedule};

use super::{print_stdout, Failure};
use crate::cli::{RatesArgs, RatesFormat};

/// Today's date (UTC), for `rates` without `--date`.
fn today() -> Option<Date> {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    Date::from_unix_seconds(now.ok()?.as_secs())
}

pub fn rates(args: RatesArgs) -> Result<(), Failure> {
    let bad = |m: String| Failure::Input(anyhow!(m));
    let date = match &args.date {
        Some(d) => Date::parse(d)
            .ok_or_else(|| bad(format!("--date: `{d}` is not a date: expected YYYY-MM-DD")))?,
        None => today().ok_or_else(|| bad("cannot read today's date: give --date".into()))?,
    };
    if let Some(m) = args.metal_share {
        if !(0.0..=1.0).contains(&m) {
            return Err(bad(format!("--metal-share must lie in [0, 1], found {m}")));
        }
    }
    let q = Query {
        hts: &args.hts,
        origin: &args.origin,
        date,
        claim: args.claim.as_deref(),
        metal_share: args.metal_share,
    };
    let stack = Schedule::us()
        .stack(&q)
        .map_err(|e| bad(format!("rates: {e}")))?;
    let text = match args.format {
        RatesFormat::Table => schedule::print::table(&stack),
        RatesFormat::Csv => schedule::print::csv(&stack),
        RatesFormat::Json => schedule::print::json(&stack),
    };
    print_stdout(&text)
}
