//! A stack as text: an aligned table for people, CSV and JSON for programs.

use super::data::{Basis, Kind};
use super::stack::{Applied, Stack};

fn pct(x: f64) -> String {
    let v = (x * 100.0 * 1e6).round() / 1e6;
    format!("{v}%")
}

fn kind(a: &Applied) -> String {
    let k = match a.kind {
        Kind::Add => "add",
        Kind::Floor => "floor",
        Kind::Total => "total",
    };
    match a.basis {
        Basis::Full => k.to_string(),
        Basis::MetalContent => format!("{k} on metal content"),
    }
}

fn period(a: &Applied) -> (String, String) {
    (
        a.start.map_or(String::new(), |d| d.to_string()),
        a.end.map_or(String::new(), |d| d.to_string()),
    )
}

/// The stack as an aligned table with totals, de minimis, fees and notes.
pub fn table(s: &Stack) -> String {
    let mut out = format!(
        "{} from {} entered {}{}\n  {}\n",
        s.hts,
        s.origin,
        s.date,
        s.claim
            .as_ref()
            .map(|c| format!(", claiming {c}"))
            .unwrap_or_default(),
        s.description
    );
    let rows: Vec<[String; 6]> = s
        .measures
        .iter()
        .map(|a| {
            let (from, to) = period(a);
            [
                a.authority.clone(),
                a.heading.clone(),
                format!("{} {}", kind(a), pct(a.rate)),
                pct(a.ad_valorem),
                if to.is_empty() {
                    from
                } else {
                    format!("{from} to {to}")
                },
                a.legal_basis.clone(),
            ]
        })
        .collect();
    let head = [
        "authority",
        "heading",
        "rate",
        "adds",
        "in force",
        "legal basis",
    ];
    let mut w = head.map(str::len);
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut l = String::from(" ");
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            l.push(' ');
            l.push_str(c);
            if i + 1 < cells.len() {
                l.push_str(&" ".repeat(pad + 1));
            }
        }
        l.push('\n');
        l
    };
    out += &line(&head.map(String::from));
    for r in &rows {
        out += &line(r);
    }
    out += &format!("  total ad valorem: {}\n", pct(s.total_ad_valorem));
    for sp in &s.specific {
        out += &format!("  plus specific duty (not converted): {sp}\n");
    }
    out += &match s.de_minimis {
        Some(t) => format!(
            "  de minimis: shipments valued at or under ${t} enter free ({})\n",
            s.de_minimis_basis
        ),
        None => format!(
            "  de minimis: none for {} on this date ({})\n",
            s.origin, s.de_minimis_basis
        ),
    };
    if let Some(f) = &s.fees {
        out += &format!(
            "  fees ({}): MPF {} of value, min ${}, max ${} per formal entry; informal (<= ${}) ${}; HMF {} by vessel ({}){}\n",
            f.fiscal_year,
            pct(f.mpf_rate),
            f.mpf_min,
            f.mpf_max,
            f.informal_threshold,
            f.mpf_informal,
            pct(f.hmf_rate),
            f.source,
            if f.note.is_empty() { String::new() } else { format!("; {}", f.note) }
        );
    }
    for n in &s.notes {
        out += &format!("  note: {n}\n");
    }
    out
}

/// The measures as CSV: one row per measure, the total as a last row.
pub fn csv(s: &Stack) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record([
        "hts",
        "origin",
        "date",
        "claim",
        "id",
        "authority",
        "heading",
        "kind",
        "basis",
        "rate",
        "ad_valorem",
        "start",
        "end",
        "legal_basis",
        "grade",
    ]);
    let claim = s.claim.clone().unwrap_or_default();
    for a in &s.measures {
        let (from, to) = period(a);
        let k = match a.kind {
            Kind::Add => "add",
            Kind::Floor => "floor",
            Kind::Total => "total",
        };
        let b = match a.basis {
            Basis::Full => "full",
            Basis::MetalContent => "metal",
        };
        let _ = w.write_record([
            &s.hts,
            &s.origin,
            &s.date.to_string(),
            &claim,
            &a.id,
            &a.authority,
            &a.heading,
            k,
            b,
            &a.rate.to_string(),
            &a.ad_valorem.to_string(),
            &from,
            &to,
            &a.legal_basis,
            &a.grade,
        ]);
    }
    let _ = w.write_record([
        &s.hts,
        &s.origin,
        &s.date.to_string(),
        &claim,
        "total",
        "",
        "",
        "",
        "",
        "",
        &s.total_ad_valorem.to_string(),
        "",
        "",
        "",
        "",
    ]);
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

/// The stack as JSON: `total_ad_valorem` (a fraction), `measures`, de minimis, fees.
pub fn json(s: &Stack) -> String {
    use serde_json::json;
    let measures: Vec<_> = s
        .measures
        .iter()
        .map(|a| {
            let (from, to) = period(a);
            json!({
                "id": a.id, "authority": a.authority, "heading": a.heading,
                "kind": match a.kind { Kind::Add => "add", Kind::Floor => "floor", Kind::Total => "total" },
                "basis": match a.basis { Basis::Full => "full", Basis::MetalContent => "metal" },
                "rate": a.rate, "ad_valorem": a.ad_valorem,
                "start": (!from.is_empty()).then_some(from), "end": (!to.is_empty()).then_some(to),
                "legal_basis": a.legal_basis, "grade": a.grade,
            })
        })
        .collect();
    let fees = s.fees.as_ref().map(|f| {
        json!({
            "fiscal_year": f.fiscal_year, "mpf_rate": f.mpf_rate, "mpf_min": f.mpf_min,
            "mpf_max": f.mpf_max, "mpf_informal": f.mpf_informal,
            "informal_threshold": f.informal_threshold, "hmf_rate": f.hmf_rate,
            "source": f.source, "note": f.note,
        })
    });
    let v = json!({
        "hts": s.hts, "description": s.description, "origin": s.origin,
        "date": s.date.to_string(), "claim": s.claim,
        "total_ad_valorem": s.total_ad_valorem, "measures": measures,
        "specific": s.specific, "notes": s.notes,
        "de_minimis": s.de_minimis, "de_minimis_basis": s.de_minimis_basis, "fees": fees,
    });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}
