//! Regimes from the built-in schedule: `schedule = "us"` with `as_of` (the law of one
//! day) or, with `[scenario] start_date`, the schedule's dated measures timed from that
//! day, so each shipment pays the law of its own entry day.
//!
//! Owns the translation of schedule stacks into the model's measures, agreements, de
//! minimis and fees: one measure per authority (named by it, or by authority and heading
//! where one name would be ambiguous), origins listed, floors over the MFN, USMCA-style
//! waivers as `waived_by`. It must not read the tree: `regime` hands it what it needs.

use crate::dist::Dist;
use crate::schedule::{self, Applied, Date, Kind, Query, Schedule};

use super::model::*;

/// What the schedule needs from the rest of the scenario.
#[derive(Clone, Debug, Default)]
pub struct Inputs {
    /// `goods.hs`, digits, if given.
    pub hs: Option<String>,
    /// `goods.metal_share`, if given.
    pub metal_share: Option<f64>,
    /// `[scenario] start_date`, if given.
    pub start_date: Option<Date>,
    /// Every origin the routes file or truly have, sorted.
    pub origins: Vec<String>,
}

/// A measure generated from the schedule, with the names it refers to.
#[derive(Clone, Debug)]
pub struct GenMeasure {
    /// The measure (indices unbound).
    pub measure: Measure,
    /// Names of agreements that waive it.
    pub waived_by: Vec<String>,
    /// Names of the measures its floor covers.
    pub floor_over: Vec<String>,
}

/// A regime's parts generated from the schedule.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// Column 1 and every additional measure, in schedule order.
    pub measures: Vec<GenMeasure>,
    /// The agreements the line's special column lists for the scenario's origins.
    pub agreements: Vec<Agreement>,
    /// De minimis on the day (none when no origin has it).
    pub de_minimis: Option<DeMinimis>,
    /// CBP fees of the day's fiscal year.
    pub fees: Option<Fees>,
    /// Caveats for `check` (specific duties not converted, special rates not modelled).
    pub notes: Vec<String>,
}

/// Why a regime cannot be built from the schedule.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum FromScheduleError {
    /// `goods.hs` is needed.
    #[error("a regime built from the schedule needs `goods.hs` (the HTS line of the goods)")]
    NoHs,
    /// Neither `as_of` nor `[scenario] start_date`.
    #[error("give `as_of = \"YYYY-MM-DD\"` (the law of one day), or `[scenario] start_date` to time the schedule's measures from that day")]
    NoDate,
    /// The schedule refused the query.
    #[error("{0}")]
    Schedule(#[from] schedule::ScheduleError),
    /// More measures than a regime holds.
    #[error(
        "the schedule gives {0} measures for these origins and dates; at most 120 fit a regime"
    )]
    TooMany(usize),
}

/// A calendar row for one origin, with the intervals it applies in and what it adds.
type Hits = ((String, String), Vec<(usize, Applied)>);

/// One schedule measure (a calendar row for some origins) over a run of days.
struct Piece {
    id: String,
    authority: String,
    heading: String,
    kind: Kind,
    rate: f64,
    ad_valorem: f64,
    waived_by: Vec<String>,
    origins: Vec<String>,
    /// First and last day of the run (`None`: from the start / to the end).
    from: Option<Date>,
    to: Option<Date>,
}

/// The stacks of every origin on `date`.
fn stacks(
    s: &Schedule,
    inp: &Inputs,
    hs: &str,
    date: Date,
) -> Result<Vec<schedule::Stack>, FromScheduleError> {
    inp.origins
        .iter()
        .map(|o| {
            s.stack(&Query {
                hts: hs,
                origin: o,
                date,
                claim: None,
                metal_share: inp.metal_share,
            })
            .map_err(FromScheduleError::from)
        })
        .collect()
}

/// Days on which some measure starts or ends, from `start` to the span's end.
fn boundaries(s: &Schedule, start: Date) -> Vec<Date> {
    let mut days: Vec<Date> = vec![start];
    for m in s.measure_dates() {
        if m > start && m <= s.span.1 {
            days.push(m);
        }
    }
    days.sort();
    days.dedup();
    days
}

/// Builds the regime's parts: the law of `as_of`, or timed from `inp.start_date`.
pub fn generate(inp: &Inputs, as_of: Option<Date>) -> Result<Generated, FromScheduleError> {
    let s = Schedule::us();
    let hs = inp.hs.as_deref().ok_or(FromScheduleError::NoHs)?;
    let (first, timed) = match (as_of, inp.start_date) {
        (Some(d), _) => (d, false),
        (None, Some(d)) => (d, true),
        (None, None) => return Err(FromScheduleError::NoDate),
    };
    let days = if timed {
        boundaries(s, first)
    } else {
        vec![first]
    };
    let mut notes = Vec::new();
    let first_stacks = stacks(s, inp, hs, first)?;
    // Per (row, origin): the intervals it applies in, with what it adds.
    let mut hits: Vec<Hits> = Vec::new();
    for (k, &day) in days.iter().enumerate() {
        let st = if k == 0 {
            first_stacks.clone()
        } else {
            stacks(s, inp, hs, day)?
        };
        for stack in &st {
            for a in stack.measures.iter().filter(|a| a.id != "MFN") {
                let key = (a.id.clone(), stack.origin.clone());
                match hits.iter_mut().find(|(h, _)| *h == key) {
                    Some((_, v)) => v.push((k, a.clone())),
                    None => hits.push((key, vec![(k, a.clone())])),
                }
            }
        }
    }
    let mut pieces: Vec<Piece> = Vec::new();
    for ((_, origin), runs) in &hits {
        let mut i = 0;
        while i < runs.len() {
            let mut j = i;
            while j + 1 < runs.len()
                && runs[j + 1].0 == runs[j].0 + 1
                && runs[j + 1].1.ad_valorem == runs[i].1.ad_valorem
            {
                j += 1;
            }
            let a = &runs[i].1;
            let from = (runs[i].0 > 0).then(|| days[runs[i].0]);
            let to = days.get(runs[j].0 + 1).and_then(|d| d.plus_days(-1));
            match pieces.iter_mut().find(|p| {
                p.id == a.id && p.ad_valorem == a.ad_valorem && p.from == from && p.to == to
            }) {
                Some(p) => p.origins.push(origin.clone()),
                None => pieces.push(Piece {
                    id: a.id.clone(),
                    authority: a.authority.clone(),
                    heading: a.heading.clone(),
                    kind: a.kind,
                    rate: a.rate,
                    ad_valorem: a.ad_valorem,
                    waived_by: a.waived_by.clone(),
                    origins: vec![origin.clone()],
                    from,
                    to,
                }),
            }
            i = j + 1;
        }
    }
    let mfn = &first_stacks[0].measures[0];
    for st in &first_stacks {
        for sp in &st.specific {
            notes.push(format!(
                "{} from {}: specific duty {sp} not converted (not modelled)",
                st.hts, st.origin
            ));
        }
        notes.extend(
            st.notes
                .iter()
                .map(|n| format!("{} from {}: {n}", st.hts, st.origin)),
        );
    }
    let agreements = agreements(hs, &inp.origins, &mut notes);
    let agreement_names: Vec<String> = agreements.iter().map(|a| a.name.clone()).collect();
    let mut measures = vec![GenMeasure {
        measure: measure("MFN", &[], mfn.ad_valorem, 0.0, None, None, inp.start_date),
        waived_by: mfn
            .waived_by
            .iter()
            .filter(|w| agreement_names.contains(w))
            .cloned()
            .collect(),
        floor_over: Vec::new(),
    }];
    let names = names(&pieces);
    for (p, name) in pieces.iter().zip(&names) {
        let (ad_valorem, floor) = match p.kind {
            Kind::Add => (p.ad_valorem, 0.0),
            // A total N replaces column 1; as a floor it is exact while column 1 <= N.
            Kind::Floor | Kind::Total => (0.0, p.rate),
        };
        let start = if timed { inp.start_date } else { None };
        let m = measure(name, &p.origins, ad_valorem, floor, p.from, p.to, start);
        measures.push(GenMeasure {
            measure: m,
            waived_by: p
                .waived_by
                .iter()
                .filter(|w| agreement_names.contains(w))
                .cloned()
                .collect(),
            floor_over: if floor > 0.0 {
                vec!["MFN".into(), name.clone()]
            } else {
                Vec::new()
            },
        });
    }
    if measures.len() > 120 {
        return Err(FromScheduleError::TooMany(measures.len()));
    }
    let open: Vec<&schedule::Stack> = first_stacks
        .iter()
        .filter(|st| st.de_minimis.is_some())
        .collect();
    let de_minimis = open
        .first()
        .and_then(|st| st.de_minimis)
        .map(|threshold| DeMinimis {
            threshold,
            except: first_stacks
                .iter()
                .filter(|st| st.de_minimis.is_none())
                .map(|st| st.origin.clone())
                .collect(),
        });
    let fees = first_stacks[0].fees.as_ref().map(|f| Fees {
        mpf_rate: f.mpf_rate,
        mpf_min: f.mpf_min,
        mpf_max: f.mpf_max,
        informal_threshold: f.informal_threshold,
        mpf_informal: f.mpf_informal,
        hmf_rate: f.hmf_rate,
        entry_fee: 0.0,
    });
    if let Some(f) = first_stacks[0].fees.as_ref().filter(|f| !f.note.is_empty()) {
        notes.push(format!("fees {}: {}", f.fiscal_year, f.note));
    }
    if timed {
        notes.push(format!(
            "de minimis and fees are those of {first} (they are not timed)"
        ));
    }
    Ok(Generated {
        measures,
        agreements,
        de_minimis,
        fees,
        notes,
    })
}

/// Unique names: the authority, else authority and heading, else with the first day.
fn names(pieces: &[Piece]) -> Vec<String> {
    let count = |f: &dyn Fn(&Piece) -> String, v: &str| pieces.iter().filter(|p| f(p) == v).count();
    let by_authority = |p: &Piece| p.authority.clone();
    let by_heading = |p: &Piece| format!("{} {}", p.authority, p.heading);
    pieces
        .iter()
        .map(|p| {
            if count(&by_authority, &p.authority) == 1 {
                p.authority.clone()
            } else {
                let h = by_heading(p);
                let same: Vec<&Piece> = pieces.iter().filter(|q| by_heading(q) == h).collect();
                if same.len() == 1 {
                    h
                } else {
                    let i = same.iter().position(|q| std::ptr::eq(*q, p)).unwrap_or(0);
                    match p.from {
                        Some(d) => format!("{h} from {d}"),
                        None if i == 0 => h,
                        None => format!("{h} ({})", p.origins.join(" ")),
                    }
                }
            }
        })
        .collect()
}

fn measure(
    name: &str,
    origins: &[String],
    ad_valorem: f64,
    floor: f64,
    from: Option<Date>,
    to: Option<Date>,
    start: Option<Date>,
) -> Measure {
    let day = |d: Date| start.map_or(0.0, |s| s.days_until(d) as f64);
    Measure {
        name: name.to_string(),
        origins: if origins.is_empty() {
            Origins::All
        } else {
            Origins::List(origins.to_vec())
        },
        except: Vec::new(),
        waived_by: Vec::new(),
        ad_valorem,
        per_unit: 0.0,
        hs: Vec::new(),
        probability: 1.0,
        draw_key: format!("measure:{name}"),
        floor,
        floor_over: Vec::new(),
        replaces: Vec::new(),
        when: When::Always,
        effective_day: from.map(|d| Dist::Fixed(day(d))),
        end_day: to.and_then(|d| d.plus_days(1)).map(day),
    }
}

/// The agreements the line's special column lists for origins of the scenario, with
/// the rule `shift` (substantial transformation) and no MPF waiver: a scenario that
/// writes an agreement of the same name replaces it with its own rule.
fn agreements(hs: &str, origins: &[String], notes: &mut Vec<String>) -> Vec<Agreement> {
    let s = Schedule::us();
    let mut out = Vec::new();
    for p in schedule::PROGRAMMES {
        if !p.origins.iter().any(|o| origins.iter().any(|x| x == o)) {
            continue;
        }
        match s.special_rate_of(hs, p) {
            Some(r) if r.ad_valorem == 0.0 && r.specific.is_none() => out.push(Agreement {
                name: p.name.to_string(),
                origins: p.origins.iter().map(|o| o.to_string()).collect(),
                rule: Rule::Shift,
                rvc_threshold: 0.0,
                waives_mpf: false,
            }),
            Some(_) => notes.push(format!(
                "{}: a special rate other than Free is not modelled; a claim pays column 1 general",
                p.name
            )),
            None => {}
        }
    }
    out
}
