//! Diagnostics: located, actionable messages about a scenario.
//!
//! Owns the shape of every scenario error and warning (file, line, column, key path,
//! message, hint) and how a list of them is printed. It must not decide what is wrong:
//! the builder does that.

use std::collections::HashSet;
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The run goes on; the researcher should look.
    Warning,
    /// The scenario cannot run.
    Error,
}

/// One finding about a scenario: where, which key, what is wrong, how to fix it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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

/// Collects diagnostics so that every mistake in a file is reported at once. A
/// diagnostic recorded twice is kept once, in the order first recorded; the look-ups are
/// hashed, so a file with 100,000 mistakes is collected in linear time.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
    /// Every diagnostic in `items`.
    seen: HashSet<Diagnostic>,
    /// `(loc, path)` of every error in `items`.
    error_at: HashSet<(Loc, String)>,
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
        self.add(d);
    }

    fn add(&mut self, d: Diagnostic) {
        if self.seen.contains(&d) {
            return;
        }
        if d.severity == Severity::Error {
            self.error_at.insert((d.loc.clone(), d.path.clone()));
        }
        self.seen.insert(d.clone());
        self.items.push(d);
    }

    /// Appends all of `other`.
    pub fn extend(&mut self, other: Diagnostics) {
        for d in other.items {
            self.add(d);
        }
    }

    /// Whether an error was already recorded at this place for this key (a value
    /// inherited through `base` is checked once per regime but reported once).
    pub fn has_error_at(&self, loc: &Loc, path: &str) -> bool {
        self.error_at.contains(&(loc.clone(), path.to_string()))
    }

    /// True when at least one error was recorded.
    pub fn has_errors(&self) -> bool {
        !self.error_at.is_empty()
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

/// The nearest spelling (defined in [`crate::spelling`], which the country table shares
/// without depending on the scenario reader).
pub use crate::spelling::nearest;

/// A scenario that cannot run: every error found, and the warnings seen so far.
#[derive(Clone, Debug, thiserror::Error)]
#[error("{}", render(.errors, .warnings))]
pub struct ScenarioError {
    /// The errors, in file order (never empty).
    pub errors: Vec<Diagnostic>,
    /// Warnings found alongside.
    pub warnings: Vec<Diagnostic>,
}

/// Most errors (and, separately, warnings) printed; the rest are counted. The first
/// ones are what a researcher fixes first, and 100,000 lines would bury the count.
pub const MAX_PRINTED: usize = 50;

fn render(errors: &[Diagnostic], warnings: &[Diagnostic]) -> String {
    let mut s = String::new();
    for (list, what) in [(warnings, "warning"), (errors, "error")] {
        for d in list.iter().take(MAX_PRINTED) {
            s.push_str(&d.to_string());
            s.push('\n');
        }
        if list.len() > MAX_PRINTED {
            let more = list.len() - MAX_PRINTED;
            s.push_str(&format!(
                "... and {more} more {what}{}\n",
                if more == 1 { "" } else { "s" }
            ));
        }
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

    fn numbered(n: usize) -> Vec<Diagnostic> {
        let mut d = Diagnostics::default();
        for i in 0..n {
            let loc = Loc {
                file: Arc::from("a.toml"),
                line: i as u32 + 1,
                col: 1,
            };
            d.error(&loc, &format!("goods.k{i}"), "unknown key");
            d.error(&loc, &format!("goods.k{i}"), "unknown key");
        }
        d.errors()
    }

    #[test]
    fn duplicates_are_kept_once_in_first_order() {
        let mut d = Diagnostics::default();
        let loc = Loc::synthetic("--set");
        d.warning(&loc, "b", "w");
        d.error(&loc, "a", "x");
        d.error(&loc, "b", "y");
        d.error(&loc, "a", "x");
        assert!(d.has_error_at(&loc, "a") && !d.has_error_at(&loc, "c"));
        let msgs: Vec<String> = d.errors().iter().map(|e| e.message.clone()).collect();
        assert_eq!(msgs, ["x", "y"]);
        assert_eq!(d.warnings().len(), 1);
        let mut e = Diagnostics::default();
        e.extend(d.clone());
        e.extend(d);
        assert_eq!(e.errors().len(), 2);
    }

    #[test]
    fn only_the_first_errors_are_printed_with_a_count_of_the_rest() {
        let all = numbered(MAX_PRINTED);
        let text = render(&all, &[]);
        assert!(!text.contains("more error"), "{text}");
        assert!(text.ends_with("\n50 errors in the scenario; nothing was run"));
        let all = numbered(100_000);
        let text = render(&all, &[]);
        assert_eq!(text.lines().count(), MAX_PRINTED + 2, "{text}");
        assert!(text.contains("`goods.k49`") && !text.contains("`goods.k50`"));
        assert!(text.ends_with(
            "... and 99950 more errors\n100000 errors in the scenario; nothing was run"
        ));
    }
}
