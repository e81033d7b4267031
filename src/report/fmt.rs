//! Number and text formatting for the report: USD amounts, shares, axis ticks, escaping.

/// Groups the integer digits of an already formatted number with commas: `1234.5` → `1,234.5`.
fn group_thousands(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.find('.') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let mut out = String::with_capacity(s.len() + int.len() / 3);
    out.push_str(sign);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out.push_str(frac);
    out
}

/// `x` with `decimals` decimals and thousands separators; never `-0.00`.
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let s = format!("{x:.decimals$}");
    // `-0.00` → `0.00`
    let s = if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        s[1..].to_string()
    } else {
        s
    };
    group_thousands(&s)
}

/// A USD amount per unit: two decimals, thousands separators (`1,193.14`).
pub fn usd(x: f64) -> String {
    fixed(x, 2)
}

/// A share in [0, 1] as a percentage with one decimal; `<0.1%` and `>99.9%` for values
/// that would round to 0 or 100 without being exactly that.
pub fn pct(p: f64) -> String {
    if !p.is_finite() {
        return "–".into();
    }
    if p == 0.0 {
        return "0%".into();
    }
    if p == 1.0 {
        return "100%".into();
    }
    if p > 0.0 && p < 0.0005 {
        return "<0.1%".into();
    }
    if p < 1.0 && p > 0.9995 {
        return ">99.9%".into();
    }
    format!("{}%", fixed(p * 100.0, 1))
}

/// An integer count with thousands separators.
pub fn count(n: u64) -> String {
    group_thousands(&n.to_string())
}

/// A number with as few decimals as `step` needs (axis ticks): step 0.25 → 2 decimals.
pub fn tick(x: f64, step: f64) -> String {
    let decimals = if step > 0.0 && step.is_finite() {
        let d = -(step.log10() + 1e-9).floor();
        // A step of 2.5 needs one decimal more than its magnitude says.
        let mut d = d.max(0.0) as usize;
        let scaled = step * 10f64.powi(d as i32);
        if (scaled - scaled.round()).abs() > 1e-6 {
            d += 1;
        }
        d.min(6)
    } else {
        2
    };
    fixed(x, decimals)
}

/// A short general number (for sweep values and break-even points): up to 4 significant
/// decimals, trailing zeros dropped.
pub fn short(x: f64) -> String {
    if !x.is_finite() {
        return "–".into();
    }
    let a = x.abs();
    let decimals = if a >= 1000.0 {
        0
    } else if a >= 100.0 {
        1
    } else if a >= 1.0 {
        3
    } else {
        4
    };
    let s = fixed(x, decimals);
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Escapes text for XML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A file-name-safe form of a name: ASCII letters, digits, `.`, `_` and `-` kept, anything
/// else becomes `-`.
pub fn slug(s: &str) -> String {
    let out: String = s
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '_' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let out = out.trim_matches('.').to_string();
    if out.is_empty() {
        "x".into()
    } else {
        out
    }
}

/// An SVG coordinate: one decimal, no `-0.0`.
pub fn c(x: f64) -> String {
    let s = format!("{x:.1}");
    if s == "-0.0" {
        "0.0".into()
    } else {
        s
    }
}

/// Approximate width in pixels of `text` at `size` px in a sans-serif font.
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|ch| match ch {
            'i' | 'l' | 'j' | '.' | ',' | ':' | ';' | '|' | '!' | '\'' | ' ' => 0.3,
            'f' | 't' | 'r' | '(' | ')' | '-' | '[' | ']' => 0.38,
            'm' | 'w' | 'M' | 'W' | '%' => 0.85,
            c if c.is_ascii_uppercase() => 0.66,
            c if c.is_ascii_digit() => 0.56,
            _ => 0.54,
        })
        .sum::<f64>()
        * size
}

/// Nice axis ticks covering `[lo, hi]` with about `target` intervals: returns the ticks
/// (first ≤ lo, last ≥ hi) and the step.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> (Vec<f64>, f64) {
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else if lo == 0.0 {
        (0.0, 1.0)
    } else {
        let pad = lo.abs() * 0.05;
        (lo - pad, hi + pad)
    };
    let raw = (hi - lo) / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw * 0.999)
        .unwrap_or(10.0 * mag);
    let first = (lo / step + 1e-9).floor();
    let last = (hi / step - 1e-9).ceil();
    let n = (last - first).round().max(1.0) as usize;
    let ticks = (0..=n)
        .map(|i| {
            let v = (first + i as f64) * step;
            // Snap away floating noise (0.30000000000000004).
            (v / step).round() * step
        })
        .collect();
    (ticks, step)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usd_rounds_to_cents_with_separators() {
        assert_eq!(usd(39.33293046940166), "39.33");
        assert_eq!(usd(1193.143721318345), "1,193.14");
        assert_eq!(usd(1234567.0), "1,234,567.00");
        assert_eq!(usd(-0.001), "0.00");
        assert_eq!(usd(-19.166), "-19.17");
        assert_eq!(usd(0.0), "0.00");
        assert_eq!(usd(f64::NAN), "–");
    }

    #[test]
    fn pct_formats_shares() {
        assert_eq!(pct(0.15333), "15.3%");
        assert_eq!(pct(0.0), "0%");
        assert_eq!(pct(1.0), "100%");
        assert_eq!(pct(0.00004), "<0.1%");
        assert_eq!(pct(0.99996), ">99.9%");
        assert_eq!(pct(0.9006), "90.1%");
        assert_eq!(pct(0.0005), "0.1%");
    }

    #[test]
    fn counts_and_short_numbers() {
        assert_eq!(count(100000), "100,000");
        assert_eq!(count(999), "999");
        assert_eq!(short(0.7087043178573219), "0.7087");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(12.0), "12");
        assert_eq!(short(1500.4), "1,500");
    }

    #[test]
    fn ticks_are_nice_and_cover_the_range() {
        let (t, s) = nice_ticks(21.7, 61.3, 6);
        assert_eq!(s, 10.0);
        assert_eq!(t.first().copied(), Some(20.0));
        assert_eq!(t.last().copied(), Some(70.0));
        let (t, s) = nice_ticks(0.0, 1.0, 5);
        assert_eq!(s, 0.2);
        assert_eq!(t.len(), 6);
        assert_eq!(tick(t[3], s), "0.6");
        assert_eq!(tick(2.5, 2.5), "2.5");
        assert_eq!(tick(1000.0, 250.0), "1,000");
        let (t, _) = nice_ticks(5.0, 5.0, 5);
        assert!(t.first().unwrap() <= &5.0 && t.last().unwrap() >= &5.0);
    }

    #[test]
    fn escaping_and_slugs() {
        assert_eq!(esc("a<b & \"c\""), "a&lt;b &amp; &quot;c&quot;");
        assert_eq!(slug("status-quo 2024/x"), "status-quo-2024-x");
        assert_eq!(slug(".."), "x");
        assert_eq!(c(-0.04), "0.0");
        assert_eq!(c(12.345), "12.3");
    }
}
