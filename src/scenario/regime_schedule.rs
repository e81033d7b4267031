//! Regimes built from the built-in schedule: reading `schedule` and `as_of`, turning the
//! schedule's parts into a raw regime, and replacing a base's law by the schedule's.
//!
//! Owns where schedule errors are reported (at `goods.hs`, `as_of` or `schedule`). It
//! must not compute stacks (`from_schedule` does) or resolve bases (`regime` does).

use super::diag::{Diagnostics, Loc};
use super::read::TableReader;
use super::regime_raw::{merge_table, NameRef, RawMeasure, RawRegime};
use super::tables;

/// What a regime built from the schedule needs from the rest of the scenario, with
/// where it was written (for errors).
#[derive(Clone, Debug, Default)]
pub struct ScheduleContext {
    /// Goods, routes' origins and the start date.
    pub inputs: super::from_schedule::Inputs,
    /// Where `goods.hs` was written, if it was.
    pub hs_loc: Option<Loc>,
    /// Where `[scenario] start_date` was written, if it was.
    pub start_loc: Option<Loc>,
    /// `[goods]` had errors (reported there), so the goods' HTS line is not known.
    pub goods_failed: bool,
}

/// What a regime's `schedule` key gives.
pub(super) enum Scheduled {
    /// No `schedule` key.
    No,
    /// The regime the schedule builds.
    Law(Box<RawRegime>),
    /// Asked for, but the law could not be built; the reason is reported.
    Unknown,
}

/// `schedule = "us"` and `as_of`: the regime the built-in schedule gives, if asked.
pub(super) fn read_schedule(
    t: &mut TableReader<'_>,
    ctx: &ScheduleContext,
    d: &mut Diagnostics,
) -> Scheduled {
    let as_of = t.date("as_of", d);
    let Some((which, loc)) = t.string("schedule", d) else {
        if let Some((_, l)) = &as_of {
            d.error_help(
                l,
                &t.key_path("as_of"),
                "`as_of` dates a regime built from the schedule, and this one has no `schedule`",
                "add `schedule = \"us\"`, or drop `as_of`",
            );
        }
        return Scheduled::No;
    };
    let path = t.key_path("schedule");
    if which != "us" {
        d.error_help(
            &loc,
            &path,
            format!("unknown schedule `{which}`"),
            "the built-in schedule is \"us\" (the US tariff schedule by HTS line and date)",
        );
        return Scheduled::Unknown;
    }
    if ctx.goods_failed {
        // `[goods]`'s own error says what is wrong; "needs `goods.hs`" would be false.
        return Scheduled::Unknown;
    }
    use super::from_schedule::FromScheduleError as E;
    use crate::schedule::ScheduleError as S;
    match super::from_schedule::generate(&ctx.inputs, as_of.as_ref().map(|(d, _)| *d)) {
        Ok(g) => {
            for n in &g.notes {
                d.warning(&loc, &path, n.clone());
            }
            Scheduled::Law(Box::new(generated_raw(g, &loc, &path)))
        }
        Err(e) => {
            let (at, at_path) = match &e {
                E::Schedule(S::OutsideSpan { .. }) => match (&as_of, &ctx.start_loc) {
                    (Some((_, l)), _) => (l.clone(), t.key_path("as_of")),
                    (None, Some(l)) => (l.clone(), "scenario.start_date".to_string()),
                    _ => (loc.clone(), path.clone()),
                },
                E::Schedule(
                    S::UnknownLine { .. } | S::NotRated { .. } | S::MetalShareNeeded { .. },
                ) => (
                    ctx.hs_loc.clone().unwrap_or(loc.clone()),
                    "goods.hs".to_string(),
                ),
                _ => (loc.clone(), path.clone()),
            };
            match &e {
                E::Schedule(S::MetalShareNeeded { .. }) => d.error_help(
                    &at,
                    &at_path,
                    e.to_string(),
                    "add `metal_share = 0.4` (say) to `[goods]`",
                ),
                _ => d.error(&at, &at_path, e.to_string()),
            }
            Scheduled::Unknown
        }
    }
}

/// The schedule's parts as a raw regime, every value located at the `schedule` key.
fn generated_raw(g: super::from_schedule::Generated, loc: &Loc, path: &str) -> RawRegime {
    let refs = |names: &[String]| -> Vec<NameRef> {
        names
            .iter()
            .map(|n| NameRef {
                name: n.clone(),
                loc: loc.clone(),
                path: path.to_string(),
            })
            .collect()
    };
    RawRegime {
        name: String::new(),
        loc: loc.clone(),
        path: path.to_string(),
        base: None,
        remove: Vec::new(),
        measures: g
            .measures
            .iter()
            .map(|m| RawMeasure {
                m: m.measure.clone(),
                loc: loc.clone(),
                path: path.to_string(),
                waived_by: refs(&m.waived_by),
                floor_over: refs(&m.floor_over),
                replaces: Vec::new(),
            })
            .collect(),
        agreements: g.agreements,
        sanctions: Vec::new(),
        de_minimis: g
            .de_minimis
            .as_ref()
            .map(|x| tables::de_minimis_given(x, loc, path)),
        fees: g.fees.as_ref().map(|x| tables::fees_given(x, loc, path)),
        enforcement: None,
        inspection: None,
        generated: None,
        law_unknown: false,
    }
}

/// A base with its law replaced by the schedule's (a regime with both `base` and
/// `schedule`): measures and de minimis from the schedule; agreements from the schedule,
/// each replaced by the base's of the same name (its rule of origin); fees key by key (the
/// schedule's MPF and HMF, the base's `entry_fee`); enforcement, inspection and sanctions
/// from the base.
pub(super) fn the_law_of(mut base: RawRegime, generated: &RawRegime) -> RawRegime {
    base.measures = generated.measures.clone();
    let mut agreements: Vec<_> = generated
        .agreements
        .iter()
        .map(|a| {
            base.agreements
                .iter()
                .find(|b| b.name == a.name)
                .unwrap_or(a)
                .clone()
        })
        .collect();
    for b in &base.agreements {
        if !agreements.iter().any(|a| a.name == b.name) {
            agreements.push(b.clone());
        }
    }
    base.agreements = agreements;
    base.de_minimis = generated.de_minimis.clone();
    base.fees = merge_table(base.fees, &generated.fees);
    base
}
