//! The US tariff schedule by HTS line and date, built in: the law in force for a line,
//! an origin and an entry date, as a stack of measures (MFN, Section 301, IEEPA,
//! Section 122, Section 232, Section 201, forced-labour Section 301), with de minimis
//! and CBP fees for the date.
//!
//! Owns the data in `data/us/` (embedded, so no network and no file is needed) and the
//! stacking rules of the calendar: which authority displaces which, floors against the
//! column 1 rate, metal-content bases. It must not know scenarios or simulation: the
//! scenario reader turns a [`Stack`] into a regime. The data format is documented in
//! `docs/schedule.md`.

mod data;
mod date;
mod hts;
pub mod print;
mod stack;

pub use data::{Basis, FeeYear, Kind, Schedule};
pub use date::Date;
pub use hts::{programme, Programme, Rate, PROGRAMMES};
pub use stack::{Applied, Query, Stack};

/// Why the schedule cannot answer a question.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ScheduleError {
    /// The code is not a line of the HTS.
    #[error("`{code}` is not a line of the HTS 2025{}", nearest_list(.nearest))]
    UnknownLine {
        /// The code as given.
        code: String,
        /// The nearest lines that exist.
        nearest: Vec<String>,
    },
    /// The code is a heading or subheading without rates of its own.
    #[error("`{code}` is a heading without rates of its own; give one of its lines{}", nearest_list(.lines))]
    NotRated {
        /// The code as given.
        code: String,
        /// Its rated lines (at most 12).
        lines: Vec<String>,
    },
    /// The date is outside the span the calendar covers.
    #[error("{date} is outside the schedule's span, {from} to {to}")]
    OutsideSpan {
        /// The date asked.
        date: Date,
        /// First covered day.
        from: Date,
        /// Last covered day.
        to: Date,
    },
    /// A date that does not read as YYYY-MM-DD.
    #[error("`{0}` is not a date: expected YYYY-MM-DD")]
    BadDate(String),
    /// An origin that is not an ISO 3166-1 alpha-2 code.
    #[error("`{code}` is not an ISO 3166-1 alpha-2 country code{}", .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default())]
    UnknownOrigin {
        /// The origin as given.
        code: String,
        /// The code it most likely means.
        suggestion: Option<String>,
    },
    /// An agreement the schedule does not know.
    #[error("`{name}` is not an agreement the schedule knows; known: {known}")]
    UnknownAgreement {
        /// The name as given.
        name: String,
        /// The known names.
        known: String,
    },
    /// An agreement claimed for an origin it does not cover.
    #[error("{agreement} covers {covers}, not {origin}")]
    ClaimNotOpen {
        /// The agreement.
        agreement: String,
        /// Its countries.
        covers: String,
        /// The origin asked.
        origin: String,
    },
    /// A measure on the metal content applies and no metal share was given.
    #[error("{measure} is charged on the metal content of this line: give the metal share of the value (0 to 1)")]
    MetalShareNeeded {
        /// The measure.
        measure: String,
    },
}

fn nearest_list(v: &[String]) -> String {
    if v.is_empty() {
        String::new()
    } else {
        format!("; nearest: {}", v.join(", "))
    }
}

/// Digits of an HTS code (`"8541.43.00.10"` → `"8541430010"`).
pub fn digits(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_digit()).collect()
}

/// An HTS code in its dotted form (`"85414300"` → `"8541.43.00"`).
pub fn dotted(digits: &str) -> String {
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i == 4 || i == 6 || i == 8 {
            out.push('.');
        }
        out.push(c);
    }
    out
}
