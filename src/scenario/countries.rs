//! Country codes in scenarios: ISO 3166-1 alpha-2, upper case (docs/model.md v2.2).
//!
//! Owns the rule that every country key (`origin`, `from`, `to`, `country`, `declare`,
//! `origins`, `except`) holds an assigned code, reported with the code a mistaken spelling
//! most likely means. A code the list lacks would otherwise match no measure and make
//! every duty 0% without a word. It must not know which keys hold countries: readers call
//! it.

pub use crate::countries::{is_code, name_of, suggest};

use super::diag::{Diagnostics, Loc};

/// Checks one country code written at `loc` (key path `path`); `"*"` passes where
/// `star` allows it. Reports an error with the suggested code and returns false when
/// the code is not valid.
pub fn check(code: &str, star: bool, loc: &Loc, path: &str, d: &mut Diagnostics) -> bool {
    if is_code(code) || (star && code == "*") {
        return true;
    }
    if code == "*" {
        d.error_help(
            loc,
            path,
            "`\"*\"` (every origin) is not allowed here",
            "list the country codes (ISO 3166-1 alpha-2, e.g. \"CN\")",
        );
        return false;
    }
    let msg = format!("`{code}` is not an ISO 3166-1 alpha-2 country code");
    match suggest(code) {
        Some(s) => d.error_help(
            loc,
            path,
            msg,
            format!(
                "did you mean `{s}` ({})? codes are two upper-case letters",
                name_of(s).unwrap_or_default()
            ),
        ),
        None => d.error_help(
            loc,
            path,
            msg,
            "codes are two upper-case letters, e.g. \"CN\", \"KR\", \"US\"",
        ),
    }
    false
}
