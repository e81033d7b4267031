//! The output folder's CSV files, read back: columns by name, sweep points, regimes and
//! routes in the order the files list them.

use super::ReportError;
use crate::output::schema::col;

/// A parsed CSV file: header and rows of text fields.
pub(crate) struct Table {
    pub file: &'static str,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
    /// Line number of each row (for error messages).
    lines: Vec<u64>,
}

impl Table {
    pub fn parse(file: &'static str, text: &str) -> Result<Table, ReportError> {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(true)
            .from_reader(text.as_bytes());
        let csv_err = |e: csv::Error| ReportError::Csv {
            file: file.into(),
            message: e.to_string(),
        };
        let headers: Vec<String> = r
            .headers()
            .map_err(csv_err)?
            .iter()
            .map(|h| crate::output::unguard(h.trim()).to_string())
            .collect();
        if headers.iter().all(|h| h.is_empty()) {
            return Err(ReportError::Csv {
                file: file.into(),
                message: "no header line".into(),
            });
        }
        let mut rows = Vec::new();
        let mut lines = Vec::new();
        for rec in r.records() {
            let rec = rec.map_err(csv_err)?;
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            lines.push(rec.position().map_or(0, |p| p.line()));
            // Names guarded against formula injection read back as written.
            let mut row: Vec<String> = rec
                .iter()
                .map(|f| crate::output::unguard(f.trim()).to_string())
                .collect();
            row.resize(headers.len().max(row.len()), String::new());
            rows.push(row);
        }
        Ok(Table {
            file,
            headers,
            rows,
            lines,
        })
    }

    pub fn find(&self, name: &str) -> Option<usize> {
        self.headers.iter().position(|h| h == name)
    }

    pub fn col(&self, name: &str) -> Result<usize, ReportError> {
        self.find(name).ok_or_else(|| ReportError::MissingColumn {
            file: self.file.into(),
            column: name.into(),
        })
    }

    /// The sweep columns: those before `anchor` (e.g. `regime`), except `scenario`.
    pub fn sweep_cols(&self, anchor: &str) -> Result<Vec<usize>, ReportError> {
        let end = self.col(anchor)?;
        Ok((0..end)
            .filter(|&i| self.headers[i] != col::SCENARIO)
            .collect())
    }

    pub fn text(&self, row: usize, col: usize) -> &str {
        self.rows[row].get(col).map_or("", |s| s.as_str())
    }

    /// A number; `None` for an empty field (not applicable).
    pub fn num(&self, row: usize, col: usize) -> Result<Option<f64>, ReportError> {
        let s = self.text(row, col);
        if s.is_empty() {
            return Ok(None);
        }
        s.parse::<f64>()
            .map(Some)
            .map_err(|_| ReportError::BadNumber {
                file: self.file.into(),
                line: self.lines.get(row).copied().unwrap_or(0),
                column: self.headers.get(col).cloned().unwrap_or_default(),
                value: s.into(),
            })
    }
}

/// A regime (of a scenario, in a batch summary) and its routes in file order.
#[derive(Clone, Debug)]
pub(crate) struct Group {
    pub scenario: Option<String>,
    pub regime: String,
    pub routes: Vec<String>,
    /// The sweep point of the group's first row: the one the table and single-point
    /// charts show.
    pub first_point: Vec<String>,
}

impl Group {
    /// "regime", or "scenario / regime" in a batch summary.
    pub fn label(&self) -> String {
        match &self.scenario {
            Some(s) => format!("{s} / {}", self.regime),
            None => self.regime.clone(),
        }
    }

    pub fn slug(&self) -> String {
        match &self.scenario {
            Some(s) => super::fmt::slug(&format!("{s}-{}", self.regime)),
            None => super::fmt::slug(&self.regime),
        }
    }
}

/// One row of `summary.csv`, located.
pub(crate) struct Cell {
    pub scenario: Option<String>,
    pub point: Vec<String>,
    pub regime: String,
    pub route: String,
    pub row: usize,
}

/// The columns the report reads from `summary.csv`, by the writer's names (a test
/// checks each is in its schema, as are the lists below).
pub(crate) const SUMMARY_COLUMNS: [&str; 12] = [
    col::REGIME,
    col::ROUTE,
    col::TRIALS,
    col::MEAN,
    col::MIN,
    col::P05,
    col::P50,
    col::P90,
    col::P95,
    col::MAX,
    col::CVAR95,
    col::P_CHEAPEST,
];

/// The columns the report reads from `histogram.csv`.
pub(crate) const HISTOGRAM_COLUMNS: [&str; 5] =
    [col::REGIME, col::ROUTE, col::LO, col::HI, col::SHARE];

/// The columns the report reads from `compare.csv`.
pub(crate) const COMPARE_COLUMNS: [&str; 7] = [
    col::KIND,
    col::REGIME_A,
    col::ROUTE_A,
    col::REGIME_B,
    col::ROUTE_B,
    col::MEAN_DIFF_LO,
    col::MEAN_DIFF_HI,
];

/// The columns the report reads from `sensitivity.csv` (the swing ones when present).
pub(crate) const SENSITIVITY_COLUMNS: [&str; 4] =
    [col::REGIME, col::ROUTE, col::INPUT, col::SPEARMAN];

/// Cost components, in stacking order (the model's order).
pub(crate) use crate::model::COMPONENTS;

/// `summary.csv`, indexed.
pub(crate) struct Summary {
    pub t: Table,
    pub sweep_paths: Vec<String>,
    pub points: Vec<Vec<String>>,
    pub groups: Vec<Group>,
    pub cells: Vec<Cell>,
    pub scenarios: Vec<String>,
}

impl Summary {
    pub fn parse(text: &str) -> Result<Summary, ReportError> {
        let t = Table::parse("summary.csv", text)?;
        for c in SUMMARY_COLUMNS.iter().chain(COMPONENTS.iter()) {
            t.col(c)?;
        }
        if t.rows.is_empty() {
            return Err(ReportError::Empty {
                file: "summary.csv".into(),
            });
        }
        let sweep = t.sweep_cols(col::REGIME)?;
        let sweep_paths = sweep.iter().map(|&i| t.headers[i].clone()).collect();
        let scen = t.find(col::SCENARIO);
        let (ri, ui) = (t.col(col::REGIME)?, t.col(col::ROUTE)?);
        let mut cells = Vec::new();
        let mut points: Vec<Vec<String>> = Vec::new();
        let mut groups: Vec<Group> = Vec::new();
        let mut scenarios: Vec<String> = Vec::new();
        for row in 0..t.rows.len() {
            let scenario = scen.map(|i| t.text(row, i).to_string());
            let point: Vec<String> = sweep.iter().map(|&i| t.text(row, i).to_string()).collect();
            let regime = t.text(row, ri).to_string();
            let route = t.text(row, ui).to_string();
            if !points.contains(&point) {
                points.push(point.clone());
            }
            if let Some(s) = &scenario {
                if !scenarios.contains(s) {
                    scenarios.push(s.clone());
                }
            }
            match groups
                .iter_mut()
                .find(|g| g.scenario == scenario && g.regime == regime)
            {
                Some(g) => {
                    if !g.routes.contains(&route) {
                        g.routes.push(route.clone());
                    }
                }
                None => groups.push(Group {
                    scenario: scenario.clone(),
                    regime: regime.clone(),
                    routes: vec![route.clone()],
                    first_point: point.clone(),
                }),
            }
            cells.push(Cell {
                scenario,
                point,
                regime,
                route,
                row,
            });
        }
        Ok(Summary {
            t,
            sweep_paths,
            points,
            groups,
            cells,
            scenarios,
        })
    }

    pub fn cell(&self, g: &Group, point: &[String], route: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| {
            c.scenario == g.scenario && c.regime == g.regime && c.route == route && c.point == point
        })
    }

    /// A number of a cell by column name (`None` when empty).
    pub fn get(&self, c: &Cell, col: &str) -> Result<Option<f64>, ReportError> {
        let i = self.t.col(col)?;
        self.t.num(c.row, i)
    }

    /// The raw text of a cell's field.
    pub fn raw(&self, c: &Cell, col: &str) -> Result<&str, ReportError> {
        let i = self.t.col(col)?;
        Ok(self.t.text(c.row, i))
    }
}

/// Rows of a CSV with sweep columns that belong to a group at a sweep point. When the
/// file's sweep columns differ from `summary.csv`'s, its own first point is used.
pub(crate) fn rows_of(
    t: &Table,
    sweep_paths: &[String],
    g: &Group,
    point: &[String],
) -> Result<Vec<usize>, ReportError> {
    let sweep = t.sweep_cols(col::REGIME)?;
    let names: Vec<&str> = sweep.iter().map(|&i| t.headers[i].as_str()).collect();
    let same =
        names.len() == sweep_paths.len() && names.iter().zip(sweep_paths).all(|(a, b)| a == b);
    let ri = t.col(col::REGIME)?;
    let si = t.find(col::SCENARIO);
    let point_at =
        |row: usize| -> Vec<String> { sweep.iter().map(|&i| t.text(row, i).to_string()).collect() };
    let in_group = |row: usize| -> bool {
        t.text(row, ri) == g.regime
            && match (si, &g.scenario) {
                (Some(i), Some(s)) => t.text(row, i) == s,
                _ => true,
            }
    };
    let want: Vec<String> = if same {
        point.to_vec()
    } else {
        match (0..t.rows.len()).find(|&r| in_group(r)) {
            Some(r) => point_at(r),
            None => return Ok(Vec::new()),
        }
    };
    Ok((0..t.rows.len())
        .filter(|&r| in_group(r) && point_at(r) == want)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::schema;

    /// Columns of `summary.csv` read when present (added after the first format).
    const SUMMARY_OPTIONAL: [&str; 5] = [
        col::P_CHEAPEST_OWN,
        col::MEAN_LO,
        col::MEAN_HI,
        col::P95_LO,
        col::P95_HI,
    ];

    /// Columns of `sensitivity.csv` read when present.
    const SENSITIVITY_OPTIONAL: [&str; 4] = [col::SHARE, col::SWING, col::SWING_LO, col::SWING_HI];

    /// The columns the report reads from `exceedance.csv`.
    const EXCEEDANCE_COLUMNS: [&str; 5] =
        [col::REGIME, col::ROUTE, col::Q, col::COST, col::P_EXCEED];

    fn has(file: &str, names: &[&str], reads: &[&str]) {
        for c in reads {
            assert!(
                names.contains(c),
                "the report reads `{c}` from {file}, which its schema lacks"
            );
        }
    }

    /// Every column the report reads is one the writers write, by the same name.
    #[test]
    fn the_report_reads_the_columns_the_writers_write() {
        let s = schema::summary();
        has(s.file, &s.names(), &SUMMARY_COLUMNS);
        has(s.file, &s.names(), &SUMMARY_OPTIONAL);
        has(s.file, &s.names(), &COMPONENTS);
        let h = schema::histogram();
        has(h.file, &h.names(), &HISTOGRAM_COLUMNS);
        let c = schema::compare();
        has(c.file, &c.names(), &COMPARE_COLUMNS);
        let t = schema::sensitivity();
        has(t.file, &t.names(), &SENSITIVITY_COLUMNS);
        has(t.file, &t.names(), &SENSITIVITY_OPTIONAL);
        let e = schema::exceedance();
        has(e.file, &e.names(), &EXCEEDANCE_COLUMNS);
        has(
            "frontier.csv",
            &schema::FRONTIER.names,
            &[col::OVER, col::X, col::CI_LO, col::CI_HI],
        );
    }
}
