//! User text (regime, route, scenario and measure names, swept paths) on its way out:
//! into a CSV field, where a spreadsheet must not read it as a formula, and onto a
//! terminal, where a control character must not move the cursor or recolour the screen.

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula (`=`, `+`, `-`, `@`;
/// tab and carriage return per the OWASP CSV-injection guidance), and the quote that
/// marks a guarded field, so that guarding can be undone exactly.
const LEADERS: [char; 7] = ['=', '+', '-', '@', '\t', '\r', '\''];

/// A text field for a CSV file: prefixed with a single quote `'` when it starts with
/// `=`, `+`, `-`, `@`, a tab or a carriage return (a spreadsheet then shows it as text,
/// not a formula; OWASP's CSV-injection mitigation), or with a quote itself (so that
/// [`unguard`] restores every name exactly). Other text is unchanged.
pub fn guard(s: &str) -> Cow<'_, str> {
    if s.starts_with(LEADERS) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// [`guard`] for a field that holds a number or text (a swept value): numbers, `-0.5`
/// included, are written as they are.
pub fn guard_value(s: &str) -> Cow<'_, str> {
    if s.trim().parse::<f64>().is_ok() {
        Cow::Borrowed(s)
    } else {
        guard(s)
    }
}

/// The text a [`guard`]ed field was made from (a reader of tariffsim's own CSV files).
pub fn unguard(s: &str) -> &str {
    match s.strip_prefix('\'') {
        Some(rest) if rest.starts_with(LEADERS) => rest,
        _ => s,
    }
}

/// Text for a terminal message: control characters other than newline and tab are
/// written as escapes (`\u{1b}`, `\r`), so a name holding them cannot move the cursor,
/// clear the screen or forge a line.
pub fn escape_controls(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn is_unsafe(c: char) -> bool {
    c.is_control() && c != '\n' && c != '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_leaders_are_quoted_and_restored() {
        for s in [
            "=1+2", "+cmd", "-x", "@SUM(A1)", "\tx", "\rx", "'=x", "'plain",
        ] {
            let g = guard(s);
            assert!(g.starts_with('\''), "{s:?}");
            assert_eq!(unguard(&g), s);
        }
        for s in ["direct", "korea-jv", "status-quo-2024", "", "a=b"] {
            assert_eq!(guard(s), s);
            assert_eq!(unguard(s), s);
        }
        assert_eq!(guard_value("-0.5"), "-0.5");
        assert_eq!(guard_value("=2"), "'=2");
    }

    #[test]
    fn controls_are_escaped_for_the_terminal() {
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\rc\u{7}"),
            "a\\u{1b}[2Jb\\rc\\u{7}"
        );
        assert_eq!(escape_controls("line\n\tnext"), "line\n\tnext");
        assert_eq!(escape_controls("x\u{9b}y"), "x\\u{9b}y");
    }
}
