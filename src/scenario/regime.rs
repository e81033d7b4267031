//! Regimes: reading `[[regimes]]`, resolving `base`/`remove`, and binding names.
//!
//! Owns the rules of docs/model.md for regimes: measures, agreements and sanctions merge by
//! `name` onto a copy of the base; the tables `de_minimis`, `fees`, `enforcement` and
//! `inspection` merge key by key (v2.2); `remove` drops base entries or whole tables;
//! bases chain but never loop; `replaces`, `floor_over` and `waived_by` must name
//! something in the resolved regime. It must not judge routes (see `checks`).

use super::diag::{Diagnostics, Loc};
use super::model::*;
use super::read::{TableReader, Unit};
pub(super) use super::regime_raw::NameRef;
use super::regime_raw::{merge_table, RawMeasure, RawRegime};
use super::regime_schedule::{read_schedule, the_law_of, ScheduleContext, Scheduled};
use super::tables;

/// The single tables a regime may have, which `remove` can drop by key.
const TABLE_KEYS: [&str; 4] = ["de_minimis", "fees", "enforcement", "inspection"];

/// Reads and resolves every `[[regimes]]`. Returns the regimes in file order.
pub fn read_regimes(
    tables: Vec<TableReader<'_>>,
    ctx: &ScheduleContext,
    d: &mut Diagnostics,
) -> (Vec<Regime>, Vec<Loc>) {
    let raws: Vec<RawRegime> = tables
        .into_iter()
        .filter_map(|t| read_regime(t, ctx, d))
        .collect();
    check_unique(
        raws.iter()
            .map(|r| (r.name.as_str(), &r.loc, r.path.as_str())),
        "regime",
        d,
    );
    let mut resolved: Vec<Option<RawRegime>> = vec![None; raws.len()];
    for i in 0..raws.len() {
        resolve(i, &raws, &mut resolved, &mut Vec::new(), d);
    }
    let mut out = Vec::new();
    let mut locs = Vec::new();
    for (raw, res) in raws.iter().zip(resolved) {
        if let Some(r) = res {
            locs.push(raw.loc.clone());
            out.push(bind(r, d));
        }
    }
    (out, locs)
}

/// Reports duplicate names.
pub fn check_unique<'a>(
    items: impl Iterator<Item = (&'a str, &'a Loc, &'a str)>,
    what: &str,
    d: &mut Diagnostics,
) {
    let mut seen: Vec<(&str, &Loc)> = Vec::new();
    for (name, loc, path) in items {
        if let Some((_, first)) = seen.iter().find(|(n, _)| *n == name) {
            d.error_help(
                loc,
                path,
                format!("duplicate {what} name `{name}`"),
                format!("the first `{name}` is at {first}; names must be unique"),
            );
        } else {
            seen.push((name, loc));
        }
    }
}

fn resolve(
    i: usize,
    raws: &[RawRegime],
    done: &mut Vec<Option<RawRegime>>,
    stack: &mut Vec<usize>,
    d: &mut Diagnostics,
) -> Option<RawRegime> {
    if let Some(r) = &done[i] {
        return Some(r.clone());
    }
    let me = &raws[i];
    if let (Some(generated), None) = (&me.generated, &me.base) {
        let mut parent = (**generated).clone();
        parent.name = format!("the schedule (regime `{}`)", me.name);
        let merged = merge_onto(parent.clone(), me, &parent, raws, d);
        done[i] = Some(merged);
        return done[i].clone();
    }
    let Some(base) = &me.base else {
        done[i] = Some(me.clone());
        return done[i].clone();
    };
    let Some(bi) = raws.iter().position(|r| r.name == base.name) else {
        let names: Vec<&str> = raws.iter().map(|r| r.name.as_str()).collect();
        dangling(base, "regime", &names, d);
        return None;
    };
    if stack.contains(&bi) || bi == i {
        let mut cycle: Vec<&str> = stack.iter().map(|&k| raws[k].name.as_str()).collect();
        cycle.push(&me.name);
        cycle.push(&raws[bi].name);
        d.error(
            &base.loc,
            &base.path,
            format!("regime bases form a loop: {}", cycle.join(" -> ")),
        );
        return None;
    }
    stack.push(i);
    let parent = resolve(bi, raws, done, stack, d);
    stack.pop();
    let mut parent = parent?;
    if let Some(generated) = &me.generated {
        parent = the_law_of(parent, generated);
    }
    let merged = merge_onto(parent.clone(), me, &parent, raws, d);
    done[i] = Some(merged);
    done[i].clone()
}

/// `me`'s own entries merged onto a copy of `merged` (its resolved base, or the regime the
/// schedule built): `remove` first, then measures, agreements and sanctions by name, the
/// single tables key by key. `parent` names what `remove` refers to.
fn merge_onto(
    mut merged: RawRegime,
    me: &RawRegime,
    parent: &RawRegime,
    raws: &[RawRegime],
    d: &mut Diagnostics,
) -> RawRegime {
    let _ = raws;
    for rm in &me.remove {
        let mut found = false;
        let mut drop = |n: usize, kept: usize| found |= n != kept;
        let n = merged.measures.len();
        merged.measures.retain(|m| m.m.name != rm.name);
        drop(n, merged.measures.len());
        let n = merged.agreements.len();
        merged.agreements.retain(|a| a.name != rm.name);
        drop(n, merged.agreements.len());
        let n = merged.sanctions.len();
        merged.sanctions.retain(|s| s.name != rm.name);
        drop(n, merged.sanctions.len());
        match rm.name.as_str() {
            "de_minimis" => found |= merged.de_minimis.take().is_some(),
            "fees" => found |= merged.fees.take().is_some(),
            "enforcement" => found |= merged.enforcement.take().is_some(),
            "inspection" => found |= merged.inspection.take().is_some(),
            _ => {}
        }
        if !found && !parent.law_unknown {
            dangling(
                rm,
                &format!(
                    "measure, agreement, sanction or table of base `{}`",
                    parent.name
                ),
                &removable(parent),
                d,
            );
        }
    }
    for m in &me.measures {
        match merged.measures.iter_mut().find(|x| x.m.name == m.m.name) {
            Some(slot) => *slot = m.clone(),
            None => merged.measures.push(m.clone()),
        }
    }
    for a in &me.agreements {
        match merged.agreements.iter_mut().find(|x| x.name == a.name) {
            Some(slot) => *slot = a.clone(),
            None => merged.agreements.push(a.clone()),
        }
    }
    for s in &me.sanctions {
        match merged.sanctions.iter_mut().find(|x| x.name == s.name) {
            Some(slot) => *slot = s.clone(),
            None => merged.sanctions.push(s.clone()),
        }
    }
    merged.name = me.name.clone();
    merged.loc = me.loc.clone();
    merged.path = me.path.clone();
    merged.base = None;
    merged.remove = Vec::new();
    merged.generated = None;
    merged.law_unknown |= me.law_unknown;
    merged.de_minimis = merge_table(merged.de_minimis, &me.de_minimis);
    merged.fees = merge_table(merged.fees, &me.fees);
    merged.enforcement = merge_table(merged.enforcement, &me.enforcement);
    merged.inspection = merge_table(merged.inspection, &me.inspection);
    merged
}

/// What `remove` can name in a resolved regime: its measures, agreements, sanctions and
/// the tables it has.
fn removable(r: &RawRegime) -> Vec<&str> {
    let tables = [
        r.de_minimis.is_some(),
        r.fees.is_some(),
        r.enforcement.is_some(),
        r.inspection.is_some(),
    ];
    r.measures
        .iter()
        .map(|m| m.m.name.as_str())
        .chain(r.agreements.iter().map(|a| a.name.as_str()))
        .chain(r.sanctions.iter().map(|s| s.name.as_str()))
        .chain(
            TABLE_KEYS
                .iter()
                .zip(tables)
                .filter(|(_, t)| *t)
                .map(|(k, _)| *k),
        )
        .collect()
}

/// Reports a name that refers to nothing, suggesting the nearest existing one.
pub(super) fn dangling(r: &NameRef, what: &str, names: &[&str], d: &mut Diagnostics) {
    if d.has_error_at(&r.loc, &r.path) {
        return;
    }
    let mut names: Vec<&str> = names.to_vec();
    names.sort_unstable();
    names.dedup();
    let names = &names[..];
    let msg = format!("`{}` names no {what}", r.name);
    match super::diag::nearest(&r.name, names.iter().copied()) {
        Some(near) => d.error_help(&r.loc, &r.path, msg, format!("did you mean `{near}`?")),
        None if names.is_empty() => d.error(&r.loc, &r.path, msg),
        None => d.error_help(&r.loc, &r.path, msg, format!("known: {}", names.join(", "))),
    }
}

fn bind(r: RawRegime, d: &mut Diagnostics) -> Regime {
    let measure_names: Vec<&str> = r.measures.iter().map(|m| m.m.name.as_str()).collect();
    let agreement_names: Vec<&str> = r.agreements.iter().map(|a| a.name.as_str()).collect();
    let lookup =
        |refs: &[NameRef], names: &[&str], what: &str, d: &mut Diagnostics| -> Vec<usize> {
            refs.iter()
                .filter_map(|x| {
                    let found = names.iter().position(|n| *n == x.name);
                    if found.is_none() && !r.law_unknown {
                        dangling(x, what, names, d);
                    }
                    found
                })
                .collect()
        };
    let mut measures = Vec::new();
    for raw in &r.measures {
        let mut m = raw.m.clone();
        m.waived_by = lookup(
            &raw.waived_by,
            &agreement_names,
            &format!("agreement of regime `{}`", r.name),
            d,
        );
        m.floor_over = lookup(
            &raw.floor_over,
            &measure_names,
            &format!("measure of regime `{}`", r.name),
            d,
        );
        m.replaces = lookup(
            &raw.replaces,
            &measure_names,
            &format!("measure of regime `{}`", r.name),
            d,
        );
        measures.push(m);
    }
    Regime {
        name: r.name,
        measures,
        agreements: r.agreements,
        de_minimis: r.de_minimis.as_ref().and_then(|p| tables::de_minimis(p, d)),
        fees: r.fees.as_ref().and_then(|p| tables::fees(p, d)),
        enforcement: r
            .enforcement
            .as_ref()
            .and_then(|p| tables::enforcement(p, d)),
        inspection: r.inspection.as_ref().and_then(|p| tables::inspection(p, d)),
        sanctions: r.sanctions,
    }
}

fn name_refs(t: &mut TableReader<'_>, key: &'static str, d: &mut Diagnostics) -> Vec<NameRef> {
    let path = t.key_path(key);
    t.strings(key, d)
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, (name, loc))| NameRef {
            name,
            loc,
            path: format!("{path}[{i}]"),
        })
        .collect()
}

/// The key of an in-force draw: measures and sanctions of one group share it.
fn draw_key(kind: &str, name: &str, group: &str) -> String {
    if group.is_empty() {
        format!("{kind}:{name}")
    } else {
        format!("group:{group}")
    }
}

fn read_regime(
    mut t: TableReader<'_>,
    ctx: &ScheduleContext,
    d: &mut Diagnostics,
) -> Option<RawRegime> {
    let name = t.name(d);
    let (generated, law_unknown) = match read_schedule(&mut t, ctx, d) {
        Scheduled::No => (None, false),
        Scheduled::Law(r) => (Some(r), false),
        Scheduled::Unknown => (None, true),
    };
    let base = t.string("base", d).map(|(name, loc)| NameRef {
        name,
        loc,
        path: t.key_path("base"),
    });
    let remove = name_refs(&mut t, "remove", d);
    let mut measures = Vec::new();
    for m in t.tables("measures", d) {
        if let Some(m) = read_measure(m, d) {
            measures.push(m);
        }
    }
    check_unique(
        measures
            .iter()
            .map(|m| (m.m.name.as_str(), &m.loc, m.path.as_str())),
        "measure",
        d,
    );
    let agreements_t = t.tables("agreements", d);
    let mut agreements = Vec::new();
    let mut agreement_locs = Vec::new();
    for a in agreements_t {
        let (loc, path) = (a.loc.clone(), a.path.clone());
        if let Some(a) = read_agreement(a, d) {
            agreement_locs.push((loc, path));
            agreements.push(a);
        }
    }
    check_unique(
        agreements
            .iter()
            .zip(&agreement_locs)
            .map(|(a, (l, p))| (a.name.as_str(), l, p.as_str())),
        "agreement",
        d,
    );
    let mut sanctions = Vec::new();
    let mut sanction_locs = Vec::new();
    for s in t.tables("sanctions", d) {
        let (loc, path) = (s.loc.clone(), s.path.clone());
        if let Some(s) = read_sanction(s, d) {
            sanction_locs.push((loc, path));
            sanctions.push(s);
        }
    }
    check_unique(
        sanctions
            .iter()
            .zip(&sanction_locs)
            .map(|(s, (l, p))| (s.name.as_str(), l, p.as_str())),
        "sanction",
        d,
    );
    let de_minimis = t
        .table("de_minimis", d)
        .map(|x| tables::read_de_minimis(x, d));
    let fees = t.table("fees", d).map(|x| tables::read_fees(x, d));
    let enforcement = t
        .table("enforcement", d)
        .map(|x| tables::read_enforcement(x, d));
    let inspection = t
        .table("inspection", d)
        .map(|x| tables::read_inspection(x, d));
    let (loc, path) = (t.loc.clone(), t.path.clone());
    t.finish(d);
    let (name, _) = name?;
    Some(RawRegime {
        name,
        loc,
        path,
        base,
        remove,
        measures,
        agreements,
        sanctions,
        de_minimis,
        fees,
        enforcement,
        inspection,
        generated,
        law_unknown,
    })
}

fn read_measure(mut t: TableReader<'_>, d: &mut Diagnostics) -> Option<RawMeasure> {
    let name = t.name(d);
    let origins = tables::origins(&mut t, "origins", d).unwrap_or(Origins::All);
    let except = tables::country_list(&mut t, "except", false, d).unwrap_or_default();
    let waived_by = name_refs(&mut t, "waived_by", d);
    let ad_valorem = t.number_or("ad_valorem", Unit::Rate, 0.0, d);
    let per_unit = t.number_or("per_unit", Unit::NonNegative, 0.0, d);
    let hs: Vec<String> = t
        .strings("hs", d)
        .unwrap_or_default()
        .iter()
        .map(|(s, _)| hs_digits(s))
        .collect();
    let probability = t.number_or("probability", Unit::Probability, 1.0, d);
    let group = t.string("group", d).map(|(g, _)| g).unwrap_or_default();
    let floor = t.number_or("floor", Unit::Rate, 0.0, d);
    let floor_over = name_refs(&mut t, "floor_over", d);
    let replaces = name_refs(&mut t, "replaces", d);
    let when = match t.string("when", d) {
        None => When::Always,
        Some((w, _)) if w == "always" => When::Always,
        Some((w, _)) if w == "caught" => When::Caught,
        Some((w, loc)) => {
            d.error_help(
                &loc,
                &t.key_path("when"),
                format!("unknown value `{w}`"),
                "expected \"always\" or \"caught\"",
            );
            When::Always
        }
    };
    let effective_day = t.dist("effective_day", Unit::Any, d);
    let end_day = t.number("end_day", Unit::Any, d);
    let (loc, path) = (t.loc.clone(), t.path.clone());
    t.finish(d);
    let (name, _) = name?;
    let draw_key = draw_key("measure", &name, &group);
    Some(RawMeasure {
        m: Measure {
            name,
            origins,
            except,
            waived_by: Vec::new(),
            ad_valorem,
            per_unit,
            hs,
            probability,
            draw_key,
            floor,
            floor_over: Vec::new(),
            replaces: Vec::new(),
            when,
            effective_day,
            end_day,
        },
        loc,
        path,
        waived_by,
        floor_over,
        replaces,
    })
}

fn read_agreement(mut t: TableReader<'_>, d: &mut Diagnostics) -> Option<Agreement> {
    let name = t.name(d);
    let origins = tables::country_list(&mut t, "origins", false, d).unwrap_or_default();
    let rule = match t.string_req("rule", d) {
        None => None,
        Some((r, loc)) => match r.as_str() {
            "shift" => Some(Rule::Shift),
            "rvc" => Some(Rule::Rvc),
            "shift_or_rvc" => Some(Rule::ShiftOrRvc),
            "shift_and_rvc" => Some(Rule::ShiftAndRvc),
            other => {
                let kinds = ["shift", "rvc", "shift_or_rvc", "shift_and_rvc"];
                let help = match super::diag::nearest(other, kinds) {
                    Some(n) => format!("did you mean \"{n}\"?"),
                    None => {
                        "expected \"shift\", \"rvc\", \"shift_or_rvc\" or \"shift_and_rvc\"".into()
                    }
                };
                d.error_help(
                    &loc,
                    &t.key_path("rule"),
                    format!("unknown rule `{other}`"),
                    help,
                );
                None
            }
        },
    };
    let needs_rvc = matches!(rule, Some(Rule::Rvc | Rule::ShiftOrRvc | Rule::ShiftAndRvc));
    let rvc_threshold = if needs_rvc {
        t.number_req("rvc_threshold", Unit::Probability, d)
            .unwrap_or(0.0)
    } else {
        t.number_or("rvc_threshold", Unit::Probability, 0.0, d)
    };
    let waives_mpf = t.boolean("waives_mpf", false, d);
    t.finish(d);
    Some(Agreement {
        name: name?.0,
        origins,
        rule: rule?,
        rvc_threshold,
        waives_mpf,
    })
}

fn read_sanction(mut t: TableReader<'_>, d: &mut Diagnostics) -> Option<Sanction> {
    let name = t.name(d);
    let target = t.string_req("target", d);
    let probability = t.number_or("probability", Unit::Probability, 1.0, d);
    let group = t.string("group", d).map(|(g, _)| g).unwrap_or_default();
    let ownership_threshold = t.number_or("ownership_threshold", Unit::Probability, 0.5, d);
    let effect = match t.string("effect", d) {
        None => Effect::Reroute,
        Some((e, _)) if e == "reroute" => Effect::Reroute,
        Some((e, _)) if e == "seize" => Effect::Seize,
        Some((e, loc)) => {
            d.error_help(
                &loc,
                &t.key_path("effect"),
                format!("unknown effect `{e}`"),
                "expected \"reroute\" or \"seize\"",
            );
            Effect::Reroute
        }
    };
    t.finish(d);
    let name = name?.0;
    let draw_key = draw_key("sanction", &name, &group);
    Some(Sanction {
        name,
        target: target?.0,
        probability,
        draw_key,
        ownership_threshold,
        effect,
    })
}
