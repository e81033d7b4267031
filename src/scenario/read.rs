//! Typed reading of located tables, with errors a researcher can act on.
//!
//! Owns the checks of form that every key shares: type, rate syntax (`0.6` or `"60%"`),
//! ranges, distributions, unknown keys with the nearest valid key suggested. Every getter
//! records the key as known, so [`TableReader::finish`] can flag the rest as typos. It must
//! not know what a key means in the model: the builder decides that.

use std::collections::BTreeSet;

use super::diag::{nearest, Diagnostics, Loc};
use super::tree::{Node, Table, Value};

/// What a number stands for, which sets its valid range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Money, counts, days: any value >= 0.
    NonNegative,
    /// A probability or share: in [0, 1].
    Probability,
    /// A rate (tariff, fee or margin as a fraction): >= 0; above 1 warns, above 5 fails.
    Rate,
    /// A strictly positive quantity (units per container, kg per unit).
    Positive,
    /// Any finite number.
    Any,
}

/// Reads one table of the scenario; remembers which keys were asked for.
pub struct TableReader<'t> {
    table: &'t Table,
    /// The key path of this table, e.g. `routes[1].legs[0]`.
    pub path: String,
    /// Where the table was written.
    pub loc: Loc,
    known: BTreeSet<&'static str>,
}

impl<'t> TableReader<'t> {
    /// A reader over `table`, written at `loc`, at key path `path`.
    pub fn new(table: &'t Table, path: impl Into<String>, loc: Loc) -> Self {
        TableReader {
            table,
            path: path.into(),
            loc,
            known: BTreeSet::new(),
        }
    }

    /// The key path of a key of this table.
    pub fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The raw node under `key`, marking the key as valid.
    pub fn node(&mut self, key: &'static str) -> Option<&'t Node> {
        self.known.insert(key);
        self.table.get(key)
    }

    /// Marks keys as valid without reading them (read elsewhere).
    pub fn allow(&mut self, keys: &[&'static str]) {
        self.known.extend(keys);
    }

    /// An optional date, written `YYYY-MM-DD` as a string or a TOML date.
    pub fn date(
        &mut self,
        key: &'static str,
        d: &mut Diagnostics,
    ) -> Option<(crate::schedule::Date, Loc)> {
        let n = self.node(key)?;
        let text = match &n.value {
            Value::Str(s) | Value::Datetime(s) => s.clone(),
            other => {
                d.error(
                    &n.loc,
                    &self.key_path(key),
                    format!("expected a date (\"YYYY-MM-DD\"), found {}", other.kind()),
                );
                return None;
            }
        };
        match crate::schedule::Date::parse(&text) {
            Some(day) => Some((day, n.loc.clone())),
            None => {
                d.error(
                    &n.loc,
                    &self.key_path(key),
                    format!("`{text}` is not a date: expected YYYY-MM-DD"),
                );
                None
            }
        }
    }

    /// Where `key` was written, without reading it.
    pub fn peek_loc(&self, key: &str) -> Option<Loc> {
        self.table.get(key).map(|n| n.loc.clone())
    }

    /// The string under `key`, if it holds one, without reading it.
    pub fn peek_str(&self, key: &str) -> Option<&'t str> {
        match &self.table.get(key)?.value {
            Value::Str(s) => Some(s.as_str()),
            _ => None,
        }
    }

    /// Reports every key that no getter asked for, suggesting the nearest valid one.
    pub fn finish(self, d: &mut Diagnostics) {
        self.report_unknown(d);
    }

    /// As [`TableReader::finish`], keeping the reader.
    pub fn report_unknown(&self, d: &mut Diagnostics) {
        for (key, _) in &self.table.entries {
            if self.known.contains(key.name.as_str()) {
                continue;
            }
            let path = self.key_path(&key.name);
            let valid: Vec<&str> = self.known.iter().copied().collect();
            match nearest(&key.name, valid.iter().copied()) {
                Some(near) => d.error_help(
                    &key.loc,
                    &path,
                    format!("unknown key `{}`", key.name),
                    format!("did you mean `{near}`?"),
                ),
                None => d.error_help(
                    &key.loc,
                    &path,
                    format!("unknown key `{}`", key.name),
                    format!("valid keys here: {}", valid.join(", ")),
                ),
            }
        }
    }

    /// A required key: reports its absence.
    pub(super) fn required(
        &mut self,
        key: &'static str,
        what: &str,
        d: &mut Diagnostics,
    ) -> Option<&'t Node> {
        let n = self.node(key);
        if n.is_none() {
            d.error(
                &self.loc,
                &self.key_path(key),
                format!("missing key `{key}`: expected {what}"),
            );
        }
        n
    }

    /// An optional string.
    pub fn string(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<(String, Loc)> {
        let n = self.node(key)?;
        match &n.value {
            Value::Str(s) => Some((s.clone(), n.loc.clone())),
            other => {
                d.error(
                    &n.loc,
                    &self.key_path(key),
                    format!("expected a string, found {}", other.kind()),
                );
                None
            }
        }
    }

    /// A required string.
    pub fn string_req(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<(String, Loc)> {
        self.required(key, "a string", d)?;
        self.string(key, d)
    }

    /// A required, non-empty name.
    pub fn name(&mut self, d: &mut Diagnostics) -> Option<(String, Loc)> {
        let (s, loc) = self.string_req("name", d)?;
        if s.trim().is_empty() {
            d.error(&loc, &self.key_path("name"), "a name cannot be empty");
            return None;
        }
        Some((s, loc))
    }

    /// An optional boolean, or `default`.
    pub fn boolean(&mut self, key: &'static str, default: bool, d: &mut Diagnostics) -> bool {
        let Some(n) = self.node(key) else {
            return default;
        };
        match &n.value {
            Value::Bool(b) => *b,
            other => {
                d.error(
                    &n.loc,
                    &self.key_path(key),
                    format!("expected true or false, found {}", other.kind()),
                );
                default
            }
        }
    }

    /// An optional list of strings (a single string is accepted as a list of one).
    pub fn strings(
        &mut self,
        key: &'static str,
        d: &mut Diagnostics,
    ) -> Option<Vec<(String, Loc)>> {
        let n = self.node(key)?;
        let path = self.key_path(key);
        match &n.value {
            Value::Str(s) => Some(vec![(s.clone(), n.loc.clone())]),
            Value::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match &item.value {
                        Value::Str(s) => out.push((s.clone(), item.loc.clone())),
                        other => d.error(
                            &item.loc,
                            &format!("{path}[{i}]"),
                            format!("expected a string, found {}", other.kind()),
                        ),
                    }
                }
                Some(out)
            }
            other => {
                d.error(
                    &n.loc,
                    &path,
                    format!("expected a list of strings, found {}", other.kind()),
                );
                None
            }
        }
    }

    /// An optional number of the given unit.
    pub fn number(&mut self, key: &'static str, unit: Unit, d: &mut Diagnostics) -> Option<f64> {
        let n = self.node(key)?;
        number_node(n, &self.key_path(key), unit, d)
    }

    /// A number of the given unit, or `default` when absent.
    pub fn number_or(
        &mut self,
        key: &'static str,
        unit: Unit,
        default: f64,
        d: &mut Diagnostics,
    ) -> f64 {
        self.number(key, unit, d).unwrap_or(default)
    }

    /// A required number.
    pub fn number_req(
        &mut self,
        key: &'static str,
        unit: Unit,
        d: &mut Diagnostics,
    ) -> Option<f64> {
        self.required(key, expected(unit), d)?;
        self.number(key, unit, d)
    }

    /// An optional sub-table.
    pub fn table(&mut self, key: &'static str, d: &mut Diagnostics) -> Option<TableReader<'t>> {
        let n = self.node(key)?;
        let path = self.key_path(key);
        match &n.value {
            Value::Table(t) => Some(TableReader::new(t, path, n.loc.clone())),
            other => {
                d.error(
                    &n.loc,
                    &path,
                    format!("expected a table, found {}", other.kind()),
                );
                None
            }
        }
    }

    /// An optional array of tables (`[[key]]`); absent means empty.
    pub fn tables(&mut self, key: &'static str, d: &mut Diagnostics) -> Vec<TableReader<'t>> {
        let Some(n) = self.node(key) else {
            return Vec::new();
        };
        let path = self.key_path(key);
        match &n.value {
            Value::Array(items) => items
                .iter()
                .enumerate()
                .filter_map(|(i, item)| match &item.value {
                    Value::Table(t) => Some(TableReader::new(
                        t,
                        format!("{path}[{i}]"),
                        item.loc.clone(),
                    )),
                    other => {
                        d.error(
                            &item.loc,
                            &format!("{path}[{i}]"),
                            format!("expected a table, found {}", other.kind()),
                        );
                        None
                    }
                })
                .collect(),
            other => {
                d.error_help(
                    &n.loc,
                    &path,
                    format!("expected an array of tables, found {}", other.kind()),
                    format!("write each entry as a `[[{key}]]` table"),
                );
                Vec::new()
            }
        }
    }

    /// The entries of a table whose keys are names chosen by the user (e.g. `[fx]`).
    pub fn entries(&self) -> &'t [(super::tree::Key, Node)] {
        &self.table.entries
    }
}

pub(super) fn expected(unit: Unit) -> &'static str {
    match unit {
        Unit::NonNegative => "a number >= 0",
        Unit::Probability => "a probability in [0, 1] (e.g. 0.06 or \"6%\")",
        Unit::Rate => "a rate as a fraction (e.g. 0.25 or \"25%\")",
        Unit::Positive => "a number > 0",
        Unit::Any => "a number",
    }
}

/// Reads a number from a node: integers, floats, and for rates and probabilities `"60%"`.
pub fn number_node(n: &Node, path: &str, unit: Unit, d: &mut Diagnostics) -> Option<f64> {
    let allows_percent = matches!(unit, Unit::Rate | Unit::Probability);
    let x = match &n.value {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Str(s) if allows_percent => match parse_percent(s) {
            Some(x) if x > 1.0 && unit == Unit::Probability => {
                d.error(
                    &n.loc,
                    path,
                    format!("`{s}` is above 100%: expected {}", expected(unit)),
                );
                return None;
            }
            Some(x) if x > 5.0 => {
                d.error_help(
                    &n.loc,
                    path,
                    format!("rate `{s}` is above 500%, which is surely not meant"),
                    "check the figure: \"25%\" is a 25% rate",
                );
                return None;
            }
            Some(x) => x,
            None => {
                d.error_help(
                    &n.loc,
                    path,
                    format!("cannot read `{s}` as a rate"),
                    "write a fraction like 0.25 or a percentage like \"25%\"",
                );
                return None;
            }
        },
        other => {
            d.error(
                &n.loc,
                path,
                format!("expected {}, found {}", expected(unit), other.kind()),
            );
            return None;
        }
    };
    check_range(x, &n.loc, path, unit, d)
}

fn parse_percent(s: &str) -> Option<f64> {
    let t = s.trim();
    let num = t.strip_suffix('%')?.trim();
    let x: f64 = num.parse().ok()?;
    x.is_finite().then_some(x / 100.0)
}

/// Checks `x` against the range of `unit`; warns on rates above 1.
pub fn check_range(x: f64, loc: &Loc, path: &str, unit: Unit, d: &mut Diagnostics) -> Option<f64> {
    if !x.is_finite() {
        d.error(loc, path, format!("expected {}, found {x}", expected(unit)));
        return None;
    }
    let ok = match unit {
        Unit::NonNegative => x >= 0.0,
        Unit::Probability => (0.0..=1.0).contains(&x),
        Unit::Rate => x >= 0.0,
        Unit::Positive => x > 0.0,
        Unit::Any => true,
    };
    if !ok {
        let help = if unit == Unit::Probability && x > 1.0 && x <= 100.0 {
            Some(format!("write {x}% as {} or \"{x}%\"", clean(x / 100.0)))
        } else {
            None
        };
        let msg = format!("expected {}, found {x}", expected(unit));
        match help {
            Some(h) => d.error_help(loc, path, msg, h),
            None => d.error(loc, path, msg),
        }
        return None;
    }
    if unit == Unit::Rate && x > 5.0 {
        d.error_help(
            loc,
            path,
            format!(
                "rate {x} reads as {}%, which is surely not meant",
                fmt_pct(x)
            ),
            format!(
                "rates are fractions: write {x}% as {} or \"{x}%\"",
                clean(x / 100.0)
            ),
        );
        return None;
    }
    if unit == Unit::Rate && x > 1.0 {
        d.warning(
            loc,
            path,
            format!(
                "rate {x} reads as {}% (rates are fractions: 0.25 is 25%)",
                fmt_pct(x)
            ),
        );
    }
    Some(x)
}

/// `x` with float noise removed (12 significant digits), for messages.
pub(super) fn clean(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let digits = 12 - (x.abs().log10().floor() as i32) - 1;
    let scale = 10f64.powi(digits.clamp(-300, 300));
    format!("{}", (x * scale).round() / scale)
}

pub(super) fn fmt_pct(x: f64) -> String {
    clean(x * 100.0)
}
