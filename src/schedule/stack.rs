//! The stack in force for one line, origin and entry date, by the stacking rules of the
//! calendar:
//!
//! 1. duty = column 1 rate (general; special when an agreement is claimed and the line
//!    lists it; column 2 for CU, KP, RU, BY) + every additional measure in force;
//! 2. a measure whose `not_with` names a tag of another measure in force is displaced
//!    (reciprocal and Section 122 by full-value Section 232, metals by autos, ...);
//! 3. within a group one measure per line, the highest (Section 301: a 9903.91 rate
//!    replaces the list rate; Section 232: one programme per line);
//! 4. a floor adds max(0, N − column 1), a total N − column 1;
//! 5. a Section 232 duty on the metal content is charged on m·V, and reciprocal and
//!    Section 122 on the rest (1 − m)·V.

use super::data::{Basis, Kind, Line, Measure, Products, Schedule};
use super::date::Date;
use super::hts::{parse_rate, special_rate, Programme, PROGRAMMES};
use super::{digits, dotted, ScheduleError};
use crate::countries;

/// A question to the schedule.
#[derive(Clone, Debug)]
pub struct Query<'a> {
    /// The HTS code (dots optional).
    pub hts: &'a str,
    /// Origin, ISO 3166-1 alpha-2.
    pub origin: &'a str,
    /// Entry date.
    pub date: Date,
    /// An agreement claimed (its name, e.g. `KORUS`), if any.
    pub claim: Option<&'a str>,
    /// Share of the value that is steel, aluminium or copper, for content-based duties.
    pub metal_share: Option<f64>,
}

/// One measure of a stack.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    /// Calendar row id (`MFN` for the column 1 rate).
    pub id: String,
    /// Authority (`Section 301`, `IEEPA reciprocal`, ...).
    pub authority: String,
    /// Chapter 99 heading, or the column for MFN.
    pub heading: String,
    /// How it combines.
    pub kind: Kind,
    /// Its rate as written (fraction).
    pub rate: f64,
    /// On what value.
    pub basis: Basis,
    /// What it adds to the ad valorem total (fraction of the whole value).
    pub ad_valorem: f64,
    /// First day (`None` for MFN).
    pub start: Option<Date>,
    /// Last day, if it ends.
    pub end: Option<Date>,
    /// Statute, proclamation, order or notice.
    pub legal_basis: String,
    /// Source grade of the calendar: P primary, S secondary.
    pub grade: String,
    /// Agreements whose claim waives it (`USMCA`), for regimes built from the schedule.
    pub waived_by: Vec<String>,
}

/// The law in force for one line, origin and date.
#[derive(Clone, Debug, PartialEq)]
pub struct Stack {
    /// The line, dotted.
    pub hts: String,
    /// Its description.
    pub description: String,
    /// Origin.
    pub origin: String,
    /// Entry date.
    pub date: Date,
    /// The agreement claimed, if any.
    pub claim: Option<String>,
    /// Measures in force, column 1 first.
    pub measures: Vec<Applied>,
    /// Sum of every measure's ad valorem part (fraction).
    pub total_ad_valorem: f64,
    /// Specific duties as written, not converted to ad valorem.
    pub specific: Vec<String>,
    /// Caveats (partial product coverage, a claim that gives nothing, ...).
    pub notes: Vec<String>,
    /// De minimis threshold per shipment for this origin and date (`None`: none).
    pub de_minimis: Option<f64>,
    /// Legal basis of the de minimis rule.
    pub de_minimis_basis: String,
    /// CBP fees of the date's fiscal year.
    pub fees: Option<super::FeeYear>,
}

/// Whether products match a line: fully, only some statistical lines, or not.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Cover {
    No,
    Some,
    Full,
}

/// Column 2 countries (Pub. L. 117-110 for RU and BY from 2022-04-09).
const COLUMN2: &[&str] = &["CU", "KP", "RU", "BY"];

impl Schedule {
    /// Resolves a code to a rated line: the line itself, or a statistical line's parent.
    fn rated_line(&self, hts: &str) -> Result<(String, &Line), ScheduleError> {
        let mut code = digits(hts);
        // An 8-digit rate line printed as 10 digits (`8302.20.00.00`) answers to its 8.
        if self.line(&code).is_none()
            && code.len() == 8
            && self.line(&format!("{code}00")).is_some()
        {
            code.push_str("00");
        }
        let Some(line) = self.line(&code) else {
            return Err(ScheduleError::UnknownLine {
                code: hts.to_string(),
                nearest: self.nearest_lines(&code),
            });
        };
        if !line.general.is_empty() {
            return Ok((code, line));
        }
        // A statistical line inherits its 8-digit parent's rates.
        for len in [8usize, 6] {
            if code.len() > len {
                if let Some(p) = self.line(&code[..len]).filter(|p| !p.general.is_empty()) {
                    return Ok((code, p));
                }
            }
        }
        let lines: Vec<String> = self
            .lines_under(&code)
            .filter(|l| !l.general.is_empty())
            .take(12)
            .map(|l| dotted(&l.code))
            .collect();
        Err(ScheduleError::NotRated {
            code: hts.to_string(),
            lines,
        })
    }

    /// Up to five existing lines sharing the longest prefix with `code`.
    fn nearest_lines(&self, code: &str) -> Vec<String> {
        for len in (2..=code.len().min(10)).rev() {
            let near: Vec<String> = self
                .lines_under(&code[..len])
                .filter(|l| !l.general.is_empty())
                .take(5)
                .map(|l| dotted(&l.code))
                .collect();
            if !near.is_empty() {
                return near;
            }
        }
        Vec::new()
    }

    fn cover(&self, p: &Products, code: &str) -> Cover {
        if p.all {
            return Cover::Full;
        }
        let prefixes = p
            .prefixes
            .iter()
            .chain(p.lists.iter().flat_map(|l| self.lists[l].iter()));
        let mut some = false;
        for x in prefixes {
            if code.starts_with(x.as_str()) {
                return Cover::Full;
            }
            some |= x.starts_with(code);
        }
        if some {
            Cover::Some
        } else {
            Cover::No
        }
    }

    /// The stack in force for `q`.
    pub fn stack(&self, q: &Query<'_>) -> Result<Stack, ScheduleError> {
        let (from, to) = self.span;
        if q.date < from || q.date > to {
            return Err(ScheduleError::OutsideSpan {
                date: q.date,
                from,
                to,
            });
        }
        if !countries::is_code(q.origin) {
            return Err(ScheduleError::UnknownOrigin {
                code: q.origin.to_string(),
                suggestion: countries::suggest(q.origin).map(str::to_string),
            });
        }
        let claim: Option<&Programme> = match q.claim {
            None => None,
            Some(name) => {
                let p = super::programme(name).ok_or_else(|| ScheduleError::UnknownAgreement {
                    name: name.to_string(),
                    known: PROGRAMMES
                        .iter()
                        .map(|p| p.name)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
                if !p.origins.contains(&q.origin) {
                    return Err(ScheduleError::ClaimNotOpen {
                        agreement: p.name.to_string(),
                        covers: p.origins.join(", "),
                        origin: q.origin.to_string(),
                    });
                }
                Some(p)
            }
        };
        let (code, line) = self.rated_line(q.hts)?;
        let mut notes = Vec::new();
        let mut specific = Vec::new();
        let column2 = COLUMN2.contains(&q.origin);
        let (column, cell) = match claim {
            _ if column2 => ("column 2", line.column2.clone()),
            Some(p) => match special_rate(&line.special, p) {
                Some(_) => ("column 1 special", line.special.clone()),
                None => {
                    notes.push(format!(
                        "{} gives no special rate on this line: column 1 general applies",
                        p.name
                    ));
                    ("column 1 general", line.general.clone())
                }
            },
            None => ("column 1 general", line.general.clone()),
        };
        let c1 = match (claim, column2) {
            (Some(p), false) => special_rate(&line.special, p).unwrap_or_else(|| parse_rate(&cell)),
            _ => parse_rate(&cell),
        };
        if let Some(s) = &c1.specific {
            specific.push(format!("MFN {s}"));
        }
        let mfn_waivers = PROGRAMMES
            .iter()
            .filter(|p| {
                special_rate(&line.special, p)
                    .is_some_and(|r| r.ad_valorem == 0.0 && r.specific.is_none())
            })
            .map(|p| p.name.to_string())
            .collect();
        let mut applied = vec![Applied {
            id: "MFN".into(),
            authority: "MFN".into(),
            heading: column.into(),
            kind: Kind::Add,
            rate: c1.ad_valorem,
            basis: Basis::Full,
            ad_valorem: c1.ad_valorem,
            start: None,
            end: None,
            legal_basis: "HTSUS 2025 basic edition".into(),
            grade: "P".into(),
            waived_by: mfn_waivers,
        }];

        // Candidates: in force on the date, for the origin and the line, not waived.
        let mut partial = Vec::new();
        let candidates: Vec<&Measure> = self
            .measures
            .iter()
            .filter(|m| m.start <= q.date && m.end.is_none_or(|e| q.date <= e))
            .filter(|m| m.origins.contains(q.origin) && !m.except.contains(q.origin))
            .filter(|m| {
                let c = self.cover(&m.products, &code);
                if c == Cover::Some {
                    partial.push(m.authority.clone());
                }
                c != Cover::No && self.cover(&m.exclude, &code) != Cover::Full
            })
            .filter(|m| match claim {
                Some(p) => !m.waived_by.iter().any(|w| w == p.name),
                None => true,
            })
            .collect();
        for a in partial.iter().collect::<std::collections::BTreeSet<_>>() {
            notes.push(format!(
                "{a} covers only some 10-digit lines under {}: give a 10-digit code to be exact (counted as covered)",
                dotted(&code)
            ));
        }
        let mut tags: Vec<&str> = candidates
            .iter()
            .flat_map(|m| m.tags.iter().map(String::as_str))
            .collect();
        if candidates.iter().any(|m| m.group == "s232") {
            tags.push("s232any");
        }
        let mut kept: Vec<&Measure> = candidates
            .into_iter()
            .filter(|m| !m.not_with.iter().any(|t| tags.contains(&t.as_str())))
            .collect();
        // One measure per group: the highest rate.
        let mut i = 0;
        while i < kept.len() {
            let g = &kept[i].group;
            let beaten = !g.is_empty()
                && kept.iter().enumerate().any(|(j, o)| {
                    j != i
                        && &o.group == g
                        && (o.rate > kept[i].rate || (o.rate == kept[i].rate && j < i))
                });
            if beaten {
                kept.remove(i);
            } else {
                i += 1;
            }
        }
        let metal = kept.iter().find(|m| m.basis == Basis::MetalContent);
        let share = match (metal, q.metal_share) {
            (None, _) => None,
            (Some(m), None) => {
                return Err(ScheduleError::MetalShareNeeded {
                    measure: format!("{} ({})", m.authority, m.heading),
                })
            }
            (Some(_), Some(s)) => Some(s),
        };
        for m in kept {
            let factor = match (m.basis, share) {
                (Basis::MetalContent, Some(s)) => s,
                (Basis::Full, Some(s)) if m.tags.iter().any(|t| t == "recip" || t == "s122") => {
                    1.0 - s
                }
                _ => 1.0,
            };
            let ad_valorem = match m.kind {
                Kind::Add => m.rate * factor,
                Kind::Floor => (m.rate - c1.ad_valorem).max(0.0),
                Kind::Total => m.rate - c1.ad_valorem,
            };
            applied.push(Applied {
                id: m.id.clone(),
                authority: m.authority.clone(),
                heading: m.heading.clone(),
                kind: m.kind,
                rate: m.rate,
                basis: m.basis,
                ad_valorem,
                start: Some(m.start),
                end: m.end,
                legal_basis: m.legal_basis.clone(),
                grade: m.grade.clone(),
                waived_by: m.waived_by.clone(),
            });
        }
        let total_ad_valorem = applied.iter().map(|a| a.ad_valorem).sum();
        let (de_minimis, basis) = self.de_minimis_on(q.origin, q.date);
        Ok(Stack {
            hts: dotted(&code),
            description: line.description.clone(),
            origin: q.origin.to_string(),
            date: q.date,
            claim: claim.map(|p| p.name.to_string()),
            measures: applied,
            total_ad_valorem,
            specific,
            notes,
            de_minimis,
            de_minimis_basis: basis.to_string(),
            fees: self.fees_on(q.date).cloned(),
        })
    }
}
