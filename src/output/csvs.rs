//! The per-point CSV files: `summary.csv`, `compare.csv`, `histogram.csv`, `timing.csv`,
//! `sensitivity.csv` and `exceedance.csv`, each from its [`schema`](super::schema).
//!
//! Fields of user text (names, swept paths and text values) pass through
//! [`guard`](super::guard): one starting with `=`, `+`, `-` or `@` reaches a spreadsheet
//! as text, never as a formula.

use super::schema::{self, Schema};
use super::text::{guard, guard_value};
use crate::summary::{
    Bin, CellSummary, CompareSummary, ExceedancePoint, Point, SensitivityRow, TimingSummary,
};

fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new())
}

fn finish(w: csv::Writer<Vec<u8>>) -> Vec<u8> {
    w.into_inner().unwrap_or_default()
}

/// The columns of `summary.csv` after the sweep columns, in order.
pub fn summary_columns() -> Vec<String> {
    schema::summary()
        .names()
        .into_iter()
        .map(String::from)
        .collect()
}

/// `summary.csv`: one row per (sweep point, regime, route). `extra` columns (e.g.
/// `scenario` in a batch) come first, then one column per swept path.
pub fn summary_csv(extra: &[&str], rows: &[(Vec<String>, Point, &CellSummary)]) -> Vec<u8> {
    let s = schema::summary();
    let mut w = writer();
    let mut header: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    if let Some((_, p, _)) = rows.first() {
        header.extend(p.values.iter().map(|(k, _)| guard(k).into_owned()));
    }
    header.extend(s.names().into_iter().map(String::from));
    let _ = w.write_record(&header);
    for (ex, p, c) in rows {
        let mut rec: Vec<String> = ex.iter().map(|e| guard(e).into_owned()).collect();
        rec.extend(p.values.iter().map(|(_, v)| guard_value(v).into_owned()));
        rec.extend(s.row(c));
        let _ = w.write_record(&rec);
    }
    finish(w)
}

/// A table with the sweep point's columns first, then the schema's. Shared by every
/// per-point CSV.
fn point_table<T>(rows: &[(Point, &T)], schema: &Schema<T>) -> Vec<u8> {
    let mut w = writer();
    let mut header: Vec<String> = rows
        .first()
        .map(|(p, _)| {
            p.values
                .iter()
                .map(|(k, _)| guard(k).into_owned())
                .collect()
        })
        .unwrap_or_default();
    header.extend(schema.names().into_iter().map(String::from));
    let _ = w.write_record(&header);
    for (p, row) in rows {
        let mut rec: Vec<String> = p
            .values
            .iter()
            .map(|(_, v)| guard_value(v).into_owned())
            .collect();
        rec.extend(schema.row(row));
        let _ = w.write_record(&rec);
    }
    finish(w)
}

/// `compare.csv`: one row per (sweep point, paired comparison).
pub fn compare_csv(rows: &[(Point, &CompareSummary)]) -> Vec<u8> {
    point_table(rows, &schema::compare())
}

/// `histogram.csv`: one row per (sweep point, regime, route, bin).
pub fn histogram_csv(rows: &[(Point, &Bin)]) -> Vec<u8> {
    point_table(rows, &schema::histogram())
}

/// `timing.csv`: per (sweep point, regime, route, timed measure), the share of shipments
/// that reached the US before the measure took effect, with its 95% CI.
pub fn timing_csv(rows: &[(Point, &TimingSummary)]) -> Vec<u8> {
    point_table(rows, &schema::timing())
}

/// `sensitivity.csv`: per (sweep point, regime, route), every input that can move the
/// cell's cost, strongest first: Spearman's rank correlation, its share of variance, and
/// the swing (mean cost with the input in its top decile minus bottom decile, USD).
pub fn sensitivity_csv(rows: &[(Point, &SensitivityRow)]) -> Vec<u8> {
    point_table(rows, &schema::sensitivity())
}

/// `exceedance.csv`: per (sweep point, regime, route), the cost at fixed quantile levels
/// (0 = min, 1 = max) and the share of trials costing more: each route's whole
/// distribution, tails included.
pub fn exceedance_csv(rows: &[(Point, &ExceedancePoint)]) -> Vec<u8> {
    point_table(rows, &schema::exceedance())
}
