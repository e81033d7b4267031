//! The embedded data files of `data/us/`, read once: HTS lines, product lists, the dated
//! calendar of measures, de minimis rules and CBP fees by fiscal year.

use std::collections::HashMap;
use std::sync::OnceLock;

use super::date::Date;

/// How a measure's rate combines with the column 1 rate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Added to everything else.
    Add,
    /// Tops the column 1 rate up to the rate: adds max(0, rate − column 1).
    Floor,
    /// The all-in rate replaces column 1: adds rate − column 1.
    Total,
}

/// On what value a measure is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Basis {
    /// The whole customs value.
    Full,
    /// The value of the metal content (Section 232 derivatives before 2026-04-06).
    MetalContent,
}

const HTS: &str = include_str!("../../data/us/hts.csv");
const LISTS: &str = include_str!("../../data/us/lists.csv");
const MEASURES: &str = include_str!("../../data/us/measures.csv");
const FEES: &str = include_str!("../../data/us/fees.csv");
const DE_MINIMIS: &str = include_str!("../../data/us/de_minimis.csv");

/// The EU's 27 members, for origins written `@EU`.
pub(super) const EU: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
];

/// First and last day the calendar covers.
const SPAN: (&str, &str) = ("2024-01-01", "2026-12-31");

/// One line of the HTS.
#[derive(Clone, Debug)]
pub(super) struct Line {
    pub code: String,
    pub general: String,
    pub special: String,
    pub column2: String,
    pub description: String,
}

/// Which countries a calendar row covers.
#[derive(Clone, Debug)]
pub(super) struct Countries {
    pub all: bool,
    pub codes: Vec<String>,
}

impl Countries {
    fn parse(s: &str) -> Countries {
        let mut c = Countries {
            all: false,
            codes: Vec::new(),
        };
        for w in s.split_whitespace() {
            match w {
                "*" => c.all = true,
                "@EU" => c.codes.extend(EU.iter().map(|s| s.to_string())),
                code => c.codes.push(code.to_string()),
            }
        }
        c
    }

    pub fn contains(&self, code: &str) -> bool {
        self.all || self.codes.iter().any(|c| c == code)
    }
}

/// Which products a calendar row covers: HTS prefixes and named lists.
#[derive(Clone, Debug, Default)]
pub(super) struct Products {
    pub all: bool,
    pub prefixes: Vec<String>,
    pub lists: Vec<String>,
}

impl Products {
    fn parse(s: &str) -> Products {
        let mut p = Products::default();
        for w in s.split_whitespace() {
            if w == "*" {
                p.all = true;
            } else if let Some(l) = w.strip_prefix("list:") {
                p.lists.push(l.to_string());
            } else if let Some(h) = w.strip_prefix("hts:") {
                p.prefixes.push(super::digits(h));
            } else {
                p.prefixes.push(super::digits(w));
            }
        }
        p
    }
}

/// One dated row of the calendar.
#[derive(Clone, Debug)]
pub(super) struct Measure {
    pub id: String,
    pub authority: String,
    pub heading: String,
    pub origins: Countries,
    pub except: Countries,
    pub products: Products,
    pub exclude: Products,
    pub kind: Kind,
    pub rate: f64,
    pub basis: Basis,
    pub tags: Vec<String>,
    pub group: String,
    pub not_with: Vec<String>,
    pub waived_by: Vec<String>,
    pub start: Date,
    pub end: Option<Date>,
    pub legal_basis: String,
    pub grade: String,
}

/// CBP's merchandise processing and harbor maintenance fees of one fiscal year.
#[derive(Clone, Debug, PartialEq)]
pub struct FeeYear {
    /// `FY2026`.
    pub fiscal_year: String,
    /// First day.
    pub start: Date,
    /// Last day.
    pub end: Date,
    /// Formal-entry MPF rate.
    pub mpf_rate: f64,
    /// Formal-entry MPF minimum, USD per entry.
    pub mpf_min: f64,
    /// Formal-entry MPF maximum, USD per entry.
    pub mpf_max: f64,
    /// Informal-entry MPF, USD.
    pub mpf_informal: f64,
    /// Entries at or under this value are informal, USD.
    pub informal_threshold: f64,
    /// HMF rate (vessel cargo).
    pub hmf_rate: f64,
    /// Federal Register or CBP source.
    pub source: String,
    /// A caveat (amounts carried forward).
    pub note: String,
}

/// A de minimis rule for a period.
#[derive(Clone, Debug)]
pub(super) struct DeMinimisRule {
    pub origins: Countries,
    pub except: Countries,
    pub threshold: f64,
    pub start: Date,
    pub end: Option<Date>,
    pub basis: String,
}

/// The US schedule: embedded data, read once.
#[derive(Debug)]
pub struct Schedule {
    pub(super) lines: Vec<Line>,
    pub(super) lists: HashMap<String, Vec<String>>,
    pub(super) measures: Vec<Measure>,
    pub(super) fees: Vec<FeeYear>,
    pub(super) de_minimis: Vec<DeMinimisRule>,
    /// First and last covered day.
    pub span: (Date, Date),
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes())
}

fn date(s: &str, what: &str) -> Result<Date, String> {
    Date::parse(s).ok_or_else(|| format!("{what}: bad date `{s}`"))
}

fn opt_date(s: &str, what: &str) -> Result<Option<Date>, String> {
    if s.trim().is_empty() {
        Ok(None)
    } else {
        date(s, what).map(Some)
    }
}

fn number(s: &str, what: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("{what}: bad number `{s}`"))
}

impl Schedule {
    /// The schedule shipped in the binary.
    pub fn us() -> &'static Schedule {
        static S: OnceLock<Schedule> = OnceLock::new();
        // The embedded files are checked by the tests; a failure here is a build defect.
        S.get_or_init(|| Schedule::load().expect("embedded data/us files are valid"))
    }

    /// Reads the embedded files.
    fn load() -> Result<Schedule, String> {
        let mut lines = Vec::new();
        for r in reader(HTS).records() {
            let r = r.map_err(|e| format!("hts.csv: {e}"))?;
            lines.push(Line {
                code: r[0].to_string(),
                general: r[1].to_string(),
                special: r[2].to_string(),
                column2: r[3].to_string(),
                description: r[4].to_string(),
            });
        }
        lines.sort_by(|a, b| a.code.cmp(&b.code));
        let mut lists: HashMap<String, Vec<String>> = HashMap::new();
        for r in reader(LISTS).records() {
            let r = r.map_err(|e| format!("lists.csv: {e}"))?;
            lists
                .entry(r[0].to_string())
                .or_default()
                .push(r[1].to_string());
        }
        let mut measures = Vec::new();
        for r in reader(MEASURES).records() {
            let r = r.map_err(|e| format!("measures.csv: {e}"))?;
            let id = r[0].to_string();
            let what = format!("measures.csv `{id}`");
            let kind = match &r[7] {
                "add" => Kind::Add,
                "floor" => Kind::Floor,
                "total" => Kind::Total,
                k => return Err(format!("{what}: bad kind `{k}`")),
            };
            let basis = match &r[9] {
                "full" => Basis::Full,
                "metal" => Basis::MetalContent,
                b => return Err(format!("{what}: bad basis `{b}`")),
            };
            let words = |s: &str| s.split_whitespace().map(str::to_string).collect();
            let m = Measure {
                authority: r[1].to_string(),
                heading: r[2].to_string(),
                origins: Countries::parse(&r[3]),
                except: Countries::parse(&r[4]),
                products: Products::parse(&r[5]),
                exclude: Products::parse(&r[6]),
                kind,
                rate: number(&r[8], &what)? / 100.0,
                basis,
                tags: words(&r[10]),
                group: r[11].to_string(),
                not_with: words(&r[12]),
                waived_by: words(&r[13]),
                start: date(&r[14], &what)?,
                end: opt_date(&r[15], &what)?,
                legal_basis: r[16].to_string(),
                grade: r[17].to_string(),
                id,
            };
            for l in m.products.lists.iter().chain(&m.exclude.lists) {
                if !lists.contains_key(l) {
                    return Err(format!("{what}: unknown list `{l}`"));
                }
            }
            measures.push(m);
        }
        let mut fees = Vec::new();
        for r in reader(FEES).records() {
            let r = r.map_err(|e| format!("fees.csv: {e}"))?;
            let what = format!("fees.csv `{}`", &r[0]);
            fees.push(FeeYear {
                fiscal_year: r[0].to_string(),
                start: date(&r[1], &what)?,
                end: date(&r[2], &what)?,
                mpf_rate: number(&r[3], &what)?,
                mpf_min: number(&r[4], &what)?,
                mpf_max: number(&r[5], &what)?,
                mpf_informal: number(&r[6], &what)?,
                informal_threshold: number(&r[7], &what)?,
                hmf_rate: number(&r[8], &what)?,
                source: r[9].to_string(),
                note: r[10].to_string(),
            });
        }
        let mut de_minimis = Vec::new();
        for r in reader(DE_MINIMIS).records() {
            let r = r.map_err(|e| format!("de_minimis.csv: {e}"))?;
            de_minimis.push(DeMinimisRule {
                origins: Countries::parse(&r[0]),
                except: Countries::parse(&r[1]),
                threshold: number(&r[2], "de_minimis.csv")?,
                start: date(&r[3], "de_minimis.csv")?,
                end: opt_date(&r[4], "de_minimis.csv")?,
                basis: r[5].to_string(),
            });
        }
        Ok(Schedule {
            lines,
            lists,
            measures,
            fees,
            de_minimis,
            span: (date(SPAN.0, "span")?, date(SPAN.1, "span")?),
        })
    }

    /// The line with exactly these digits.
    pub(super) fn line(&self, code: &str) -> Option<&Line> {
        self.lines
            .binary_search_by(|l| l.code.as_str().cmp(code))
            .ok()
            .map(|i| &self.lines[i])
    }

    /// Lines whose code starts with `prefix`, in order.
    pub(super) fn lines_under<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = &'a Line> + 'a {
        let start = self.lines.partition_point(|l| l.code.as_str() < prefix);
        self.lines[start..]
            .iter()
            .take_while(move |l| l.code.starts_with(prefix))
    }

    /// Every day on which a calendar measure starts, or the day after one ends.
    pub fn measure_dates(&self) -> impl Iterator<Item = Date> + '_ {
        self.measures
            .iter()
            .flat_map(|m| std::iter::once(m.start).chain(m.end.and_then(|e| e.plus_days(1))))
    }

    /// The special rate the line of `hs` gives under `p`, if it lists `p`.
    pub fn special_rate_of(&self, hs: &str, p: &super::Programme) -> Option<super::Rate> {
        let code = super::digits(hs);
        let line = self
            .line(&code)
            .filter(|l| !l.general.is_empty())
            .or_else(|| self.line(&format!("{code}00")))
            .or_else(|| (code.len() > 8).then(|| self.line(&code[..8])).flatten())?;
        super::hts::special_rate(&line.special, p)
    }

    /// The fees of the fiscal year holding `date`.
    pub fn fees_on(&self, date: Date) -> Option<&FeeYear> {
        self.fees.iter().find(|f| f.start <= date && date <= f.end)
    }

    /// The de minimis threshold for goods from `origin` entered on `date` (USD per
    /// shipment), with its legal basis; `None` when none applies.
    pub fn de_minimis_on(&self, origin: &str, date: Date) -> (Option<f64>, &str) {
        for r in &self.de_minimis {
            if r.start <= date && r.end.is_none_or(|e| date <= e) {
                let open = r.origins.contains(origin) && !r.except.contains(origin);
                let t = (open && r.threshold > 0.0).then_some(r.threshold);
                return (t, &r.basis);
            }
        }
        (None, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_files_load() {
        let s = Schedule::load().unwrap();
        assert!(s.lines.len() > 25_000, "{}", s.lines.len());
        assert!(s.measures.len() > 100, "{}", s.measures.len());
        assert!(s.line("85414300").is_some());
        assert_eq!(s.lines_under("854143").count(), 3);
    }
}
