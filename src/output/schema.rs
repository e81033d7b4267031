//! The column schemas of the output files, defined once: the writers build header and
//! rows from them, and the report reads columns by the same names ([`col`]).
//!
//! A [`Schema`] is a list of columns, each a name with the function giving its field of
//! a row, so a header and its rows cannot drift apart: adding a column adds both. Files
//! written field by field (breakeven.csv, frontier.csv) use [`Columns`], whose rows must
//! have exactly as many fields as the header names (checked by the compiler).

use std::borrow::Cow;

use super::text::guard;
use crate::model::{COMPONENTS, FLAGS};
use crate::summary::{
    Bin, CellSummary, CompareSummary, Est, ExceedancePoint, SensitivityRow, TimingSummary,
    QUANTILES,
};

/// Column names that more than one place uses (the writers here, the report that reads
/// the files back). Quantile columns are named by [`QUANTILES`], components by
/// [`COMPONENTS`], flags by `p_` and [`FLAGS`].
pub mod col {
    /// The scenario of a batch summary's row (an extra first column).
    pub const SCENARIO: &str = "scenario";
    /// The regime of a row.
    pub const REGIME: &str = "regime";
    /// The route of a row.
    pub const ROUTE: &str = "route";
    /// Trials summarised.
    pub const TRIALS: &str = "trials";
    /// Mean landed cost.
    pub const MEAN: &str = "mean";
    /// Its 95% CI.
    pub const MEAN_LO: &str = "mean_lo";
    /// Its 95% CI.
    pub const MEAN_HI: &str = "mean_hi";
    /// Smallest cost.
    pub const MIN: &str = "min";
    /// Largest cost.
    pub const MAX: &str = "max";
    /// The 5th percentile.
    pub const P05: &str = "p05";
    /// The median.
    pub const P50: &str = "p50";
    /// The 90th percentile.
    pub const P90: &str = "p90";
    /// The 95th percentile.
    pub const P95: &str = "p95";
    /// Its 95% CI.
    pub const P95_LO: &str = "p95_lo";
    /// Its 95% CI.
    pub const P95_HI: &str = "p95_hi";
    /// Mean of the worst 5%.
    pub const CVAR95: &str = "cvar95";
    /// Share of trials in which the route was (one of) the cheapest.
    pub const P_CHEAPEST: &str = "p_cheapest";
    /// The same, counting only the route's own shipment.
    pub const P_CHEAPEST_OWN: &str = "p_cheapest_own";
    /// compare.csv: `routes` (two routes, one regime) or `regimes`.
    pub const KIND: &str = "kind";
    /// compare.csv: the first cell's regime.
    pub const REGIME_A: &str = "regime_a";
    /// compare.csv: the first cell's route.
    pub const ROUTE_A: &str = "route_a";
    /// compare.csv: the second cell's regime.
    pub const REGIME_B: &str = "regime_b";
    /// compare.csv: the second cell's route.
    pub const ROUTE_B: &str = "route_b";
    /// compare.csv: 95% CI of the mean difference.
    pub const MEAN_DIFF_LO: &str = "mean_diff_lo";
    /// compare.csv: 95% CI of the mean difference.
    pub const MEAN_DIFF_HI: &str = "mean_diff_hi";
    /// histogram.csv: a bin's lower edge.
    pub const LO: &str = "lo";
    /// histogram.csv: a bin's upper edge.
    pub const HI: &str = "hi";
    /// histogram.csv and sensitivity.csv: a share.
    pub const SHARE: &str = "share";
    /// sensitivity.csv: the input.
    pub const INPUT: &str = "input";
    /// sensitivity.csv: Spearman's rank correlation.
    pub const SPEARMAN: &str = "spearman";
    /// sensitivity.csv: the swing.
    pub const SWING: &str = "swing";
    /// sensitivity.csv: its 95% CI.
    pub const SWING_LO: &str = "swing_lo";
    /// sensitivity.csv: its 95% CI.
    pub const SWING_HI: &str = "swing_hi";
    /// exceedance.csv: the quantile level.
    pub const Q: &str = "q";
    /// exceedance.csv: the cost at it.
    pub const COST: &str = "cost";
    /// exceedance.csv: the share of trials costing more.
    pub const P_EXCEED: &str = "p_exceed";
    /// breakeven.csv: the step (a number, or `result`, `ci_lo`, `ci_hi`).
    pub const STEP: &str = "step";
    /// breakeven.csv and frontier.csv: the parameter value.
    pub const X: &str = "x";
    /// breakeven.csv: route A's metric.
    pub const METRIC_A: &str = "metric_a";
    /// breakeven.csv: route B's metric.
    pub const METRIC_B: &str = "metric_b";
    /// breakeven.csv: the difference.
    pub const DIFF: &str = "diff";
    /// breakeven.csv: its standard error.
    pub const SE: &str = "se";
    /// frontier.csv: the `--over` value.
    pub const OVER: &str = "over";
    /// frontier.csv: the break-even's 95% CI.
    pub const CI_LO: &str = "ci_lo";
    /// frontier.csv: the break-even's 95% CI.
    pub const CI_HI: &str = "ci_hi";
    /// frontier.csv: evaluations made.
    pub const EVALUATIONS: &str = "evaluations";
}

/// A number as every CSV writes it: the shortest text that reads back to the same f64;
/// NaN (not applicable) as an empty field.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{x}")
    }
}

/// An optional number: empty when absent.
pub fn opt(x: Option<f64>) -> String {
    x.map_or_else(String::new, num)
}

/// One column: its name and the field it gives each row.
pub struct Column<T> {
    /// The header name.
    pub name: Cow<'static, str>,
    value: Box<dyn Fn(&T) -> String>,
}

/// The columns of a file (after its sweep columns), in order.
pub struct Schema<T> {
    /// The file written.
    pub file: &'static str,
    columns: Vec<Column<T>>,
}

impl<T> Schema<T> {
    fn new(file: &'static str) -> Self {
        Schema {
            file,
            columns: Vec::new(),
        }
    }

    /// Adds a column.
    fn col(
        mut self,
        name: impl Into<Cow<'static, str>>,
        f: impl Fn(&T) -> String + 'static,
    ) -> Self {
        self.columns.push(Column {
            name: name.into(),
            value: Box::new(f),
        });
        self
    }

    /// Adds a number column.
    fn num(self, name: impl Into<Cow<'static, str>>, f: impl Fn(&T) -> f64 + 'static) -> Self {
        self.col(name, move |r| num(f(r)))
    }

    /// Adds a column of user text (a name), guarded against spreadsheet formulas.
    fn text(self, name: &'static str, f: impl Fn(&T) -> &str + 'static) -> Self {
        self.col(name, move |r| guard(f(r)).into_owned())
    }

    /// Adds the two columns `{name}_lo`, `{name}_hi` of an interval.
    fn ci(self, name: &str, f: impl Fn(&T) -> Est + 'static) -> Self {
        let f = std::rc::Rc::new(f);
        let g = f.clone();
        self.num(format!("{name}_lo"), move |r| f(r).lo)
            .num(format!("{name}_hi"), move |r| g(r).hi)
    }

    /// The header names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.columns.iter().map(|c| c.name.as_ref()).collect()
    }

    /// A row's fields, in the order of [`Schema::names`].
    pub fn row(&self, r: &T) -> Vec<String> {
        self.columns.iter().map(|c| (c.value)(r)).collect()
    }
}

/// `summary.csv`'s columns: headline statistics, components, shares, then the Monte
/// Carlo confidence intervals (95%), then (issue 14) P(cheapest) counting only the
/// route's own shipment.
pub fn summary() -> Schema<CellSummary> {
    use col::*;
    let mut s = Schema::new("summary.csv")
        .text(REGIME, |c: &CellSummary| &c.regime)
        .text(ROUTE, |c| &c.route)
        .col(TRIALS, |c| c.trials.to_string())
        .num(MEAN, |c| c.mean.value)
        .num("sd", |c| c.sd)
        .num("se", |c| c.se)
        .num(MIN, |c| c.min);
    for (k, (n, _)) in QUANTILES.iter().enumerate() {
        s = s.num(*n, move |c| c.quantiles[k].value);
    }
    s = s.num(MAX, |c| c.max).num(CVAR95, |c| c.cvar95);
    for (k, n) in COMPONENTS.iter().enumerate() {
        s = s.num(*n, move |c| c.components[k]);
    }
    s = s
        .col("effective_duty_rate", |c| opt(c.effective_duty_rate))
        .num("days_mean", |c| c.days_mean)
        .num("days_p50", |c| c.days_p50)
        .num("days_p95", |c| c.days_p95)
        .num(P_CHEAPEST, |c| c.p_cheapest.value);
    for (k, f) in FLAGS.iter().enumerate() {
        s = s.num(format!("p_{f}"), move |c| c.flags[k].value);
    }
    s = s
        .col("mean_if_caught", |c| opt(c.mean_if_caught))
        .ci(MEAN, |c| c.mean);
    for (k, (n, _)) in QUANTILES.iter().enumerate() {
        s = s.ci(n, move |c| c.quantiles[k]);
    }
    s = s.ci(P_CHEAPEST, |c| c.p_cheapest);
    for (k, f) in FLAGS.iter().enumerate() {
        s = s.ci(&format!("p_{f}"), move |c| c.flags[k]);
    }
    s.num(P_CHEAPEST_OWN, |c| c.p_cheapest_own.value)
        .ci(P_CHEAPEST_OWN, |c| c.p_cheapest_own)
}

/// `compare.csv`'s columns: the two cells, the difference's statistics and components,
/// its CIs, then the margin and P(first cheaper by the margin).
pub fn compare() -> Schema<CompareSummary> {
    use col::*;
    let mut s = Schema::new("compare.csv")
        .col(KIND, |c: &CompareSummary| c.kind.to_string())
        .text(REGIME_A, |c| &c.regime_a)
        .text(ROUTE_A, |c| &c.route_a)
        .text(REGIME_B, |c| &c.regime_b)
        .text(ROUTE_B, |c| &c.route_b)
        .col(TRIALS, |c| c.trials.to_string())
        .num("mean_diff", |c| c.mean.value)
        .num("sd_diff", |c| c.sd)
        .num("se_diff", |c| c.se)
        .num("p05_diff", |c| c.p05)
        .num("p50_diff", |c| c.p50)
        .num("p95_diff", |c| c.p95)
        .num("p_first_cheaper", |c| c.p_first_cheaper.value);
    for (k, n) in COMPONENTS.iter().enumerate() {
        s = s.num(format!("diff_{n}"), move |c| c.components[k]);
    }
    s.ci("mean_diff", |c| c.mean)
        .ci("p_first_cheaper", |c| c.p_first_cheaper)
        .num("margin", |c| c.margin)
        .num("p_first_cheaper_by_margin", |c| {
            c.p_first_cheaper_by_margin.value
        })
        .ci("p_first_cheaper_by_margin", |c| c.p_first_cheaper_by_margin)
}

/// `histogram.csv`'s columns.
pub fn histogram() -> Schema<Bin> {
    use col::*;
    Schema::new("histogram.csv")
        .text(REGIME, |b: &Bin| &b.regime)
        .text(ROUTE, |b| &b.route)
        .col("bin", |b| b.bin.to_string())
        .num(LO, |b| b.lo)
        .num(HI, |b| b.hi)
        .col("count", |b| b.count.to_string())
        .num(SHARE, |b| b.share)
}

/// `timing.csv`'s columns.
pub fn timing() -> Schema<TimingSummary> {
    use col::*;
    Schema::new("timing.csv")
        .text(REGIME, |t: &TimingSummary| &t.regime)
        .text(ROUTE, |t| &t.route)
        .text("measure", |t| &t.measure)
        .num("p_before_effective", |t| t.before.value)
        .ci("p_before_effective", |t| t.before)
}

/// `sensitivity.csv`'s columns.
pub fn sensitivity() -> Schema<SensitivityRow> {
    use col::*;
    Schema::new("sensitivity.csv")
        .text(REGIME, |r: &SensitivityRow| &r.regime)
        .text(ROUTE, |r| &r.route)
        .col("rank", |r| r.rank.to_string())
        .text(INPUT, |r| &r.input)
        .num(SPEARMAN, |r| r.spearman)
        .num(SHARE, |r| r.share)
        .num(SWING, |r| r.swing.value)
        .ci(SWING, |r| r.swing)
}

/// `exceedance.csv`'s columns.
pub fn exceedance() -> Schema<ExceedancePoint> {
    use col::*;
    Schema::new("exceedance.csv")
        .text(REGIME, |e: &ExceedancePoint| &e.regime)
        .text(ROUTE, |e| &e.route)
        .num(Q, |e| e.q)
        .num(COST, |e| e.cost)
        .num(P_EXCEED, |e| e.p_exceed)
}

/// The fixed columns of a file written field by field: a row must have as many fields
/// as the header has names (`N`), or it does not compile.
pub struct Columns<const N: usize> {
    /// The file written.
    pub file: &'static str,
    /// The header names, in order.
    pub names: [&'static str; N],
}

impl<const N: usize> Columns<N> {
    /// The header line.
    pub fn header(&self) -> String {
        self.names.join(",") + "\n"
    }

    /// A row's line: the fields, unquoted (numbers and fixed words only).
    pub fn row(&self, fields: [&dyn std::fmt::Display; N]) -> String {
        let mut s = String::new();
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                s.push(',');
            }
            s.push_str(&f.to_string());
        }
        s.push('\n');
        s
    }
}

/// `breakeven.csv`: numbered steps, then `result`, `ci_lo`, `ci_hi` rows.
pub const BREAKEVEN: Columns<6> = Columns {
    file: "breakeven.csv",
    names: [
        col::STEP,
        col::X,
        col::METRIC_A,
        col::METRIC_B,
        col::DIFF,
        col::SE,
    ],
};

/// `frontier.csv`: the break-even at every `--over` value.
pub const FRONTIER: Columns<5> = Columns {
    file: "frontier.csv",
    names: [col::OVER, col::X, col::CI_LO, col::CI_HI, col::EVALUATIONS],
};

#[cfg(test)]
mod tests {
    use super::*;

    fn est() -> Est {
        Est {
            value: 0.5,
            lo: 0.25,
            hi: 0.75,
        }
    }

    fn check<T>(s: &Schema<T>, row: &T) {
        let names = s.names();
        assert_eq!(names.len(), s.row(row).len(), "{}", s.file);
        let mut seen = std::collections::HashSet::new();
        for n in &names {
            assert!(seen.insert(*n), "{}: column {n} twice", s.file);
        }
    }

    #[test]
    fn every_header_and_row_agree_in_length() {
        let cell = CellSummary {
            regime: "r".into(),
            route: "a".into(),
            trials: 1,
            mean: est(),
            sd: 1.0,
            se: 1.0,
            min: 0.0,
            quantiles: [est(); 9],
            max: 1.0,
            cvar95: 1.0,
            components: [0.0; 9],
            effective_duty_rate: None,
            days_mean: 1.0,
            days_p50: 1.0,
            days_p95: 1.0,
            p_cheapest: est(),
            p_cheapest_own: est(),
            flags: [est(); 9],
            mean_if_caught: None,
        };
        check(&summary(), &cell);
        let bin = Bin {
            regime: "r".into(),
            route: "a".into(),
            bin: 0,
            lo: 0.0,
            hi: 1.0,
            count: 1,
            share: 1.0,
        };
        check(&histogram(), &bin);
        let e = ExceedancePoint {
            regime: "r".into(),
            route: "a".into(),
            q: 0.5,
            cost: 1.0,
            p_exceed: 0.5,
        };
        check(&exceedance(), &e);
        assert_eq!(BREAKEVEN.header(), "step,x,metric_a,metric_b,diff,se\n");
        assert_eq!(FRONTIER.header(), "over,x,ci_lo,ci_hi,evaluations\n");
        assert_eq!(
            BREAKEVEN.row([&"result", &1.5, &"", &"", &"", &""]),
            "result,1.5,,,,\n"
        );
    }

    #[test]
    fn summary_columns_keep_their_documented_order() {
        let s = summary();
        let n = s.names();
        assert_eq!(
            &n[..7],
            ["regime", "route", "trials", "mean", "sd", "se", "min"]
        );
        assert_eq!(n[7], QUANTILES[0].0);
        let ci = n.iter().position(|c| *c == col::MEAN_LO).unwrap();
        assert_eq!(n[ci - 1], "mean_if_caught");
        assert_eq!(
            &n[n.len() - 3..],
            ["p_cheapest_own", "p_cheapest_own_lo", "p_cheapest_own_hi"]
        );
        let c = compare();
        assert_eq!(c.names().len(), 13 + COMPONENTS.len() + 8);
    }
}
