//! `summary.csv`, `compare.csv` and `histogram.csv`.
//!
//! Fields of user text (names, swept paths and text values) pass through
//! [`guard`](super::guard): one starting with `=`, `+`, `-` or `@` reaches a spreadsheet
//! as text, never as a formula.

use super::text::{guard, guard_value};
use crate::model::{COMPONENTS, FLAGS};
use crate::summary::{
    Bin, CellSummary, CompareSummary, Est, ExceedancePoint, SensitivityRow, TimingSummary,
    QUANTILES,
};

/// Values of the swept paths that a block of rows belongs to (empty without sweeps).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Point {
    /// `(path, value)` per swept path, in sweep order.
    pub values: Vec<(String, String)>,
}

fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, num)
}

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
    let mut c: Vec<String> = ["regime", "route", "trials", "mean", "sd", "se", "min"]
        .map(String::from)
        .to_vec();
    c.extend(QUANTILES.iter().map(|(n, _)| n.to_string()));
    c.extend(["max", "cvar95"].map(String::from));
    c.extend(COMPONENTS.iter().map(|n| n.to_string()));
    c.extend(
        [
            "effective_duty_rate",
            "days_mean",
            "days_p50",
            "days_p95",
            "p_cheapest",
        ]
        .map(String::from),
    );
    c.extend(FLAGS.iter().map(|f| format!("p_{f}")));
    c.push("mean_if_caught".into());
    // Monte Carlo confidence intervals (95%), after the headline columns.
    c.extend(["mean_lo", "mean_hi"].map(String::from));
    for (n, _) in QUANTILES {
        c.push(format!("{n}_lo"));
        c.push(format!("{n}_hi"));
    }
    c.extend(["p_cheapest_lo", "p_cheapest_hi"].map(String::from));
    for f in FLAGS {
        c.push(format!("p_{f}_lo"));
        c.push(format!("p_{f}_hi"));
    }
    // Appended later (issue 14): P(cheapest) counting only the route's own shipment.
    c.extend(["p_cheapest_own", "p_cheapest_own_lo", "p_cheapest_own_hi"].map(String::from));
    c
}

fn summary_row(c: &CellSummary) -> Vec<String> {
    let mut r = vec![
        guard(&c.regime).into_owned(),
        guard(&c.route).into_owned(),
        c.trials.to_string(),
        num(c.mean.value),
        num(c.sd),
        num(c.se),
        num(c.min),
    ];
    r.extend(c.quantiles.iter().map(|q| num(q.value)));
    r.extend([num(c.max), num(c.cvar95)]);
    r.extend(c.components.iter().map(|x| num(*x)));
    r.extend([
        opt(c.effective_duty_rate),
        num(c.days_mean),
        num(c.days_p50),
        num(c.days_p95),
        num(c.p_cheapest.value),
    ]);
    r.extend(c.flags.iter().map(|f| num(f.value)));
    r.push(opt(c.mean_if_caught));
    let ci = |e: &Est| [num(e.lo), num(e.hi)];
    r.extend(ci(&c.mean));
    for q in &c.quantiles {
        r.extend(ci(q));
    }
    r.extend(ci(&c.p_cheapest));
    for f in &c.flags {
        r.extend(ci(f));
    }
    r.push(num(c.p_cheapest_own.value));
    r.extend(ci(&c.p_cheapest_own));
    r
}

/// `summary.csv`: one row per (sweep point, regime, route). `extra` columns (e.g.
/// `scenario` in a batch) come first, then one column per swept path.
pub fn summary_csv(extra: &[&str], rows: &[(Vec<String>, Point, &CellSummary)]) -> Vec<u8> {
    let mut w = writer();
    let mut header: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
    if let Some((_, p, _)) = rows.first() {
        header.extend(p.values.iter().map(|(k, _)| guard(k).into_owned()));
    }
    header.extend(summary_columns());
    let _ = w.write_record(&header);
    for (ex, p, c) in rows {
        let mut rec: Vec<String> = ex.iter().map(|e| guard(e).into_owned()).collect();
        rec.extend(p.values.iter().map(|(_, v)| guard_value(v).into_owned()));
        rec.extend(summary_row(c));
        let _ = w.write_record(&rec);
    }
    finish(w)
}

/// A table with the sweep point's columns first, then `columns`; `fields` gives a row's
/// values for `columns`. Shared by every per-point CSV.
fn point_table<T>(
    rows: &[(Point, &T)],
    columns: &[&str],
    fields: impl Fn(&T) -> Vec<String>,
) -> Vec<u8> {
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
    header.extend(columns.iter().map(|c| c.to_string()));
    let _ = w.write_record(&header);
    for (p, row) in rows {
        let mut rec: Vec<String> = p
            .values
            .iter()
            .map(|(_, v)| guard_value(v).into_owned())
            .collect();
        rec.extend(fields(row));
        let _ = w.write_record(&rec);
    }
    finish(w)
}

/// `compare.csv`: one row per (sweep point, paired comparison).
pub fn compare_csv(rows: &[(Point, &CompareSummary)]) -> Vec<u8> {
    let mut columns: Vec<String> = [
        "kind",
        "regime_a",
        "route_a",
        "regime_b",
        "route_b",
        "trials",
        "mean_diff",
        "sd_diff",
        "se_diff",
        "p05_diff",
        "p50_diff",
        "p95_diff",
        "p_first_cheaper",
    ]
    .map(String::from)
    .to_vec();
    columns.extend(COMPONENTS.iter().map(|c| format!("diff_{c}")));
    columns.extend(
        [
            "mean_diff_lo",
            "mean_diff_hi",
            "p_first_cheaper_lo",
            "p_first_cheaper_hi",
            "margin",
            "p_first_cheaper_by_margin",
            "p_first_cheaper_by_margin_lo",
            "p_first_cheaper_by_margin_hi",
        ]
        .map(String::from),
    );
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    point_table(rows, &columns, |c| {
        let mut rec = vec![
            c.kind.to_string(),
            guard(&c.regime_a).into_owned(),
            guard(&c.route_a).into_owned(),
            guard(&c.regime_b).into_owned(),
            guard(&c.route_b).into_owned(),
            c.trials.to_string(),
            num(c.mean.value),
            num(c.sd),
            num(c.se),
            num(c.p05),
            num(c.p50),
            num(c.p95),
            num(c.p_first_cheaper.value),
        ];
        rec.extend(c.components.iter().map(|x| num(*x)));
        rec.extend([
            num(c.mean.lo),
            num(c.mean.hi),
            num(c.p_first_cheaper.lo),
            num(c.p_first_cheaper.hi),
            num(c.margin),
            num(c.p_first_cheaper_by_margin.value),
            num(c.p_first_cheaper_by_margin.lo),
            num(c.p_first_cheaper_by_margin.hi),
        ]);
        rec
    })
}

/// `histogram.csv`: one row per (sweep point, regime, route, bin).
pub fn histogram_csv(rows: &[(Point, &Bin)]) -> Vec<u8> {
    point_table(
        rows,
        &["regime", "route", "bin", "lo", "hi", "count", "share"],
        |b| {
            vec![
                guard(&b.regime).into_owned(),
                guard(&b.route).into_owned(),
                b.bin.to_string(),
                num(b.lo),
                num(b.hi),
                b.count.to_string(),
                num(b.share),
            ]
        },
    )
}

/// `timing.csv`: per (sweep point, regime, route, timed measure), the share of shipments
/// that reached the US before the measure took effect, with its 95% CI.
pub fn timing_csv(rows: &[(Point, &TimingSummary)]) -> Vec<u8> {
    let columns = [
        "regime",
        "route",
        "measure",
        "p_before_effective",
        "p_before_effective_lo",
        "p_before_effective_hi",
    ];
    point_table(rows, &columns, |t| {
        vec![
            guard(&t.regime).into_owned(),
            guard(&t.route).into_owned(),
            guard(&t.measure).into_owned(),
            num(t.before.value),
            num(t.before.lo),
            num(t.before.hi),
        ]
    })
}

/// `sensitivity.csv`: per (sweep point, regime, route), every input that can move the
/// cell's cost, strongest first: Spearman's rank correlation, its share of variance, and
/// the swing (mean cost with the input in its top decile minus bottom decile, USD).
pub fn sensitivity_csv(rows: &[(Point, &SensitivityRow)]) -> Vec<u8> {
    point_table(
        rows,
        &[
            "regime", "route", "rank", "input", "spearman", "share", "swing", "swing_lo",
            "swing_hi",
        ],
        |r| {
            vec![
                guard(&r.regime).into_owned(),
                guard(&r.route).into_owned(),
                r.rank.to_string(),
                guard(&r.input).into_owned(),
                num(r.spearman),
                num(r.share),
                num(r.swing.value),
                num(r.swing.lo),
                num(r.swing.hi),
            ]
        },
    )
}

/// `exceedance.csv`: per (sweep point, regime, route), the cost at fixed quantile levels
/// (0 = min, 1 = max) and the share of trials costing more: each route's whole
/// distribution, tails included.
pub fn exceedance_csv(rows: &[(Point, &ExceedancePoint)]) -> Vec<u8> {
    point_table(rows, &["regime", "route", "q", "cost", "p_exceed"], |e| {
        vec![
            guard(&e.regime).into_owned(),
            guard(&e.route).into_owned(),
            num(e.q),
            num(e.cost),
            num(e.p_exceed),
        ]
    })
}
