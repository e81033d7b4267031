//! `trials.csv`: one row per (trial, regime, route), when asked for (`--trials-csv`).
//!
//! The engine formats rows on its worker threads with [`rows`] (handed to it by the
//! caller, so the engine imports nothing from here) and hands them to the caller's
//! sink in trial order.

use std::borrow::Cow;
use std::io::Write;

use crate::model::{Outcomes, Plan, COMPONENTS, FLAGS};

/// The header of per-trial rows (without the sweep-point columns a sweep puts first).
pub fn header() -> String {
    let mut h = String::from("trial,regime,route,cost");
    for c in COMPONENTS {
        h.push(',');
        h.push_str(c);
    }
    h.push_str(",days");
    for f in FLAGS {
        h.push(',');
        h.push_str(f);
    }
    h.push('\n');
    h
}

/// Appends the rows of the trials `first..` held in `outcomes` to `buf`: trial by
/// trial, each trial's cells in (regime, route) order.
pub fn rows(buf: &mut Vec<u8>, plan: &Plan, first: u64, outcomes: &Outcomes) {
    let s = plan.scenario();
    let routes = plan.n_routes();
    let cells = plan.n_regimes() * routes;
    for t in 0..outcomes.len() {
        let trial = first + t as u64;
        for i in 0..cells {
            let o = &outcomes.cell(i)[t];
            let _ = write!(
                buf,
                "{trial},{},{},{}",
                csv_field(&super::guard(&s.regimes[i / routes].name)),
                csv_field(&super::guard(&s.routes[i % routes].name)),
                o.cost
            );
            for p in o.parts {
                let _ = write!(buf, ",{p}");
            }
            let _ = write!(buf, ",{}", o.days);
            for k in 0..FLAGS.len() {
                let _ = write!(buf, ",{}", (o.flags >> k) & 1);
            }
            buf.push(b'\n');
        }
    }
}

/// Quotes a CSV field when it needs it.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}
