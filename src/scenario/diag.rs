//! Diagnostics: located, actionable messages about a scenario.
//!
//! Owns the shape of every scenario error and warning (file, line, column, key path,
//! message, hint) and how a list of them is printed. It must not decide what is wrong:
//! the builder does that.

use std::fmt;
use std::sync::Arc;

/// Where a value was written: file, 1-based line and column.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Loc {
    /// The file as the user named it (or `<--set>` for a command-line override).
    pub file: Arc<str>,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl Loc {
    /// A location for values that come from no file (defaults, overrides).
    pub fn synthetic(what: &str) -> Loc {
        Loc {
            file: Arc::from(what),
            line: 0,
            col: 0,
        }
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}", self.file)
        } else {
            write!(f, "{}:{}:{}", self.file, self.line, self.col)
        }
    }
}

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The run goes on; the researcher should look.
    Warning,
    /// The scenario cannot run.
    Error,
}

/// One finding about a scenario: where, which key, what is wrong, how to fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where the offending value (or its table) was written.
    pub loc: Loc,
    /// The key path, e.g. `routes[1].legs[0].rate.sigma`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// A suggestion, e.g. the nearest valid key for a typo.
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        if self.path.is_empty() {
            write!(f, "{level}: {}: {}", self.loc, self.message)?;
        } else {
            write!(
                f,
                "{level}: {}: `{}`: {}",
                self.loc, self.path, self.message
            )?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Collects diagnostics so that every mistake in a file is reported at once.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Records an error at `loc` for the key `path`.
    pub fn error(&mut self, loc: &Loc, path: &str, message: impl Into<String>) {
        self.push(Severity::Error, loc, path, message.into(), None);
    }

    /// Records an error with a suggestion.
    pub fn error_help(
        &mut self,
        loc: &Loc,
        path: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) {
        self.push(
            Severity::Error,
            loc,
            path,
            message.into(),
            Some(help.into()),
        );
    }

    /// Records a warning.
    pub fn warning(&mut self, loc: &Loc, path: &str, message: impl Into<String>) {
        self.push(Severity::Warning, loc, path, message.into(), None);
    }

    fn push(
        &mut self,
        severity: Severity,
        loc: &Loc,
        path: &str,
        message: String,
        help: Option<String>,
    ) {
        let d = Diagnostic {
            severity,
            loc: loc.clone(),
            path: path.to_string(),
            message,
            help,
        };
        if !self.items.contains(&d) {
            self.items.push(d);
        }
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            if !self.items.contains(&d) {
                self.items.push(d);
            }
        }
    }

    /// Whether an error was already recorded at this place for this key (a value
    /// inherited through `base` is checked once per regime but reported once).
    pub fn has_error_at(&self, loc: &Loc, path: &str) -> bool {
        self.items
            .iter()
            .any(|d| d.severity == Severity::Error && d.loc == *loc && d.path == path)
    }

    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The errors, in file order.
    pub fn errors(&self) -> Vec<Diagnostic> {
        self.sorted(Severity::Error)
    }

    /// The warnings, in file order.
    pub fn warnings(&self) -> Vec<Diagnostic> {
        self.sorted(Severity::Warning)
    }

    fn sorted(&self, severity: Severity) -> Vec<Diagnostic> {
        let mut v: Vec<Diagnostic> = self
            .items
            .iter()
            .filter(|d| d.severity == severity)
            .cloned()
            .collect();
        v.sort_by(|a, b| {
            (a.loc.file.as_ref(), a.loc.line, a.loc.col).cmp(&(
                b.loc.file.as_ref(),
                b.loc.line,
                b.loc.col,
            ))
        });
        v
    }
}

/// The nearest valid key to a misspelt one, if any is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(word, c), c))
        .filter(|(score, _)| *score >= 0.75)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A scenario that cannot run: every error found, and the warnings seen so far.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", render(.errors, .warnings))]
pub struct ScenarioError {
    /// The errors, in file order (never empty).
    pub errors: Vec<Diagnostic>,
    /// Warnings found alongside.
    pub warnings: Vec<Diagnostic>,
}

fn render(errors: &[Diagnostic], warnings: &[Diagnostic]) -> String {
    let mut s = String::new();
    for d in warnings.iter().chain(errors) {
        s.push_str(&d.to_string());
        s.push('\n');
    }
    let n = errors.len();
    s.push_str(&format!(
        "{n} error{} in the scenario; nothing was run",
        if n == 1 { "" } else { "s" }
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_finds_typos_and_ignores_strangers() {
        let keys = ["unit_value", "units", "units_per_feu", "kg_per_unit"];
        assert_eq!(nearest("unit_valu", keys), Some("unit_value"));
        assert_eq!(nearest("units_per_fue", keys), Some("units_per_feu"));
        assert_eq!(nearest("zzzz", keys), None);
    }

    #[test]
    fn diagnostic_prints_location_path_and_help() {
        let mut d = Diagnostics::default();
        let loc = Loc {
            file: Arc::from("a.toml"),
            line: 3,
            col: 7,
        };
        d.error_help(
            &loc,
            "goods.unit_valu",
            "unknown key",
            "did you mean `unit_value`?",
        );
        let text = d.errors()[0].to_string();
        assert_eq!(
            text,
            "error: a.toml:3:7: `goods.unit_valu`: unknown key\n  help: did you mean `unit_value`?"
        );
    }
}
