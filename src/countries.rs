//! Country codes: the ISO 3166-1 alpha-2 list shipped in `data/iso3166-1.tsv`, and the
//! code a mistaken spelling most likely means (`"China"` → `CN`, `"cn"` → `CN`, `"CHN"` →
//! `CN`). Shared by the scenario reader and the tariff schedule; it knows nothing of
//! either.

use std::sync::OnceLock;

use crate::spelling::nearest;

/// The list, embedded: `code \t alpha3 \t name \t other;names`, `#` comments, a header.
const ISO_3166_1: &str = include_str!("../data/iso3166-1.tsv");

/// One country of the list.
struct Country {
    code: &'static str,
    alpha3: &'static str,
    /// The ISO short name, then common and official names, lower case.
    names: Vec<String>,
}

fn countries() -> &'static [Country] {
    static LIST: OnceLock<Vec<Country>> = OnceLock::new();
    LIST.get_or_init(|| {
        ISO_3166_1
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("code\t") && !l.is_empty())
            .filter_map(|l| {
                let mut f = l.split('\t');
                let code = f.next()?;
                let alpha3 = f.next()?;
                let name = f.next()?;
                let others = f.next().unwrap_or("");
                let names = std::iter::once(name)
                    .chain(others.split(';').filter(|s| !s.is_empty()))
                    .map(str::to_lowercase)
                    .collect();
                Some(Country {
                    code,
                    alpha3,
                    names,
                })
            })
            .collect()
    })
}

/// Whether `code` is an assigned ISO 3166-1 alpha-2 code, upper case.
pub fn is_code(code: &str) -> bool {
    countries().iter().any(|c| c.code == code)
}

/// The code a mistaken `written` most likely means, if any: its upper case, an alpha-3
/// code, a country name (exact, then the nearest spelling), or the nearest code.
pub fn suggest(written: &str) -> Option<&'static str> {
    let t = written.trim();
    let upper = t.to_uppercase();
    let lower = t.to_lowercase();
    let list = countries();
    if let Some(c) = list.iter().find(|c| c.code == upper || c.alpha3 == upper) {
        return Some(c.code);
    }
    if let Some(c) = list.iter().find(|c| c.names.contains(&lower)) {
        return Some(c.code);
    }
    if t.chars().count() > 3 {
        let names = list.iter().flat_map(|c| c.names.iter().map(String::as_str));
        let near = nearest(&lower, names)?;
        return list
            .iter()
            .find(|c| c.names.iter().any(|n| n == near))
            .map(|c| c.code);
    }
    None
}

/// The ISO short name of a code (for messages), if assigned.
pub fn name_of(code: &str) -> Option<String> {
    countries().iter().find(|c| c.code == code).map(|c| {
        let n = &c.names[0];
        // The list's names are stored lower case; restore an initial capital per word.
        n.split(' ')
            .map(|w| {
                let mut ch = w.chars();
                ch.next().map_or(String::new(), |f| {
                    f.to_uppercase().chain(ch).collect::<String>()
                })
            })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_list_has_every_assigned_code() {
        assert_eq!(countries().len(), 249);
        for c in ["CN", "KR", "US", "VN", "MY", "MX", "HK", "TW", "DE", "ZW"] {
            assert!(is_code(c), "{c}");
        }
        for c in ["cn", "China", "EU", "XX", "UK", "", "*"] {
            assert!(!is_code(c), "{c}");
        }
    }

    #[test]
    fn suggestions_for_names_cases_and_alpha3() {
        assert_eq!(suggest("China"), Some("CN"));
        assert_eq!(suggest("cn"), Some("CN"));
        assert_eq!(suggest("my"), Some("MY"));
        assert_eq!(suggest("CHN"), Some("CN"));
        assert_eq!(suggest("South Korea"), Some("KR"));
        assert_eq!(suggest("Korea"), Some("KR"));
        assert_eq!(suggest("Vietnam"), Some("VN"));
        assert_eq!(suggest("UK"), Some("GB"));
        assert_eq!(suggest("USA"), Some("US"));
        assert_eq!(suggest("Malaysa"), Some("MY"));
        assert_eq!(name_of("CN").as_deref(), Some("China"));
    }
}
