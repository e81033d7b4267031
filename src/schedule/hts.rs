//! HTS lines: the column 1 general rate, the special column read as programme groups
//! (`Free (AU,BH,...,KR,...,S,SG) 17.5% (E)`), column 2, and the trade agreements behind
//! the programme codes.

/// A rate cell read: its ad valorem part (a fraction) and any specific part as written.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Rate {
    /// Ad valorem part, fraction of value.
    pub ad_valorem: f64,
    /// Specific or compound parts as written (`2.5¢/kg`), not converted.
    pub specific: Option<String>,
}

/// Reads a rate cell: `Free`, `6.8%`, `2.5¢/kg + 5%`, `$1.23/kg`.
pub fn parse_rate(cell: &str) -> Rate {
    let mut r = Rate::default();
    let mut specific = Vec::new();
    for part in cell.split('+').map(str::trim).filter(|p| !p.is_empty()) {
        if part.eq_ignore_ascii_case("free") {
            continue;
        }
        match part
            .strip_suffix('%')
            .and_then(|p| p.trim().parse::<f64>().ok())
        {
            Some(p) => r.ad_valorem += p / 100.0,
            None => specific.push(part.to_string()),
        }
    }
    if !specific.is_empty() {
        r.specific = Some(specific.join(" + "));
    }
    r
}

/// The special column as (rate cell, programme codes) groups.
pub fn special_groups(cell: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut rest = cell;
    while let Some(open) = rest.find('(') {
        let rate = rest[..open].trim().to_string();
        let Some(close) = rest[open..].find(')') else {
            break;
        };
        let codes = rest[open + 1..open + close]
            .split(',')
            .map(|c| c.trim().to_string())
            .filter(|c| !c.is_empty())
            .collect();
        out.push((rate, codes));
        rest = &rest[open + close + 1..];
    }
    out
}

/// A trade agreement behind special-column programme codes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Programme {
    /// The agreement's name, as a scenario names it.
    pub name: &'static str,
    /// Its programme codes in the special column.
    pub codes: &'static [&'static str],
    /// The countries whose goods it covers.
    pub origins: &'static [&'static str],
}

/// The claimable agreements (GN 3(c)(i)). GSP (A, A*, A+) lapsed after 2020; AGOA (D),
/// CBERA (E), CBTPA (R), Nepal (NP) and the sectoral codes (B, C, K, L) are not modelled.
pub const PROGRAMMES: &[Programme] = &[
    Programme {
        name: "KORUS",
        codes: &["KR"],
        origins: &["KR"],
    },
    Programme {
        name: "USMCA",
        codes: &["S", "S+"],
        origins: &["CA", "MX"],
    },
    Programme {
        name: "AUSFTA",
        codes: &["AU"],
        origins: &["AU"],
    },
    Programme {
        name: "US-Singapore FTA",
        codes: &["SG"],
        origins: &["SG"],
    },
    Programme {
        name: "US-Chile FTA",
        codes: &["CL"],
        origins: &["CL"],
    },
    Programme {
        name: "US-Colombia TPA",
        codes: &["CO"],
        origins: &["CO"],
    },
    Programme {
        name: "US-Israel FTA",
        codes: &["IL"],
        origins: &["IL"],
    },
    Programme {
        name: "US-Jordan FTA",
        codes: &["JO"],
        origins: &["JO"],
    },
    Programme {
        name: "US-Morocco FTA",
        codes: &["MA"],
        origins: &["MA"],
    },
    Programme {
        name: "US-Oman FTA",
        codes: &["OM"],
        origins: &["OM"],
    },
    Programme {
        name: "US-Panama TPA",
        codes: &["PA"],
        origins: &["PA"],
    },
    Programme {
        name: "US-Peru TPA",
        codes: &["PE"],
        origins: &["PE"],
    },
    Programme {
        name: "US-Bahrain FTA",
        codes: &["BH"],
        origins: &["BH"],
    },
    Programme {
        name: "CAFTA-DR",
        codes: &["P", "P+"],
        origins: &["CR", "DO", "GT", "HN", "NI", "SV"],
    },
    Programme {
        name: "US-Japan Trade Agreement",
        codes: &["JP"],
        origins: &["JP"],
    },
];

/// The agreement named `name` (case-insensitive), if the schedule knows it.
pub fn programme(name: &str) -> Option<&'static Programme> {
    PROGRAMMES
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

/// The special rate a line gives under `p`, if its special column lists `p`.
pub fn special_rate(special: &str, p: &Programme) -> Option<Rate> {
    special_groups(special)
        .into_iter()
        .find(|(_, codes)| codes.iter().any(|c| p.codes.contains(&c.as_str())))
        .map(|(rate, _)| parse_rate(&rate))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_read_free_percent_and_specific_parts() {
        assert_eq!(parse_rate("Free").ad_valorem, 0.0);
        assert!((parse_rate("6.8%").ad_valorem - 0.068).abs() < 1e-15);
        let r = parse_rate("2.5¢/kg + 5%");
        assert!((r.ad_valorem - 0.05).abs() < 1e-15);
        assert_eq!(r.specific.as_deref(), Some("2.5¢/kg"));
        assert_eq!(parse_rate("$1.23/kg").specific.as_deref(), Some("$1.23/kg"));
    }

    #[test]
    fn special_column_groups_and_programmes() {
        let cell = "Free (A,AU,BH,CL,CO,D,IL,JO,KR,MA,NP,OM,P,PA,PE,R,S,SG) 17.5% (E)";
        let g = special_groups(cell);
        assert_eq!(g.len(), 2);
        assert_eq!(g[1].0, "17.5%");
        assert_eq!(g[1].1, vec!["E"]);
        let korus = programme("korus").unwrap();
        assert_eq!(special_rate(cell, korus).unwrap().ad_valorem, 0.0);
        assert!(special_rate("Free (AU,SG)", korus).is_none());
        let usmca = programme("USMCA").unwrap();
        assert_eq!(special_rate("Free (S+)", usmca).unwrap().ad_valorem, 0.0);
    }
}
