//! A regime's single tables (`de_minimis`, `fees`, `enforcement`, `inspection`), read as
//! the keys actually written, so a regime with `base` merges them key by key (docs/model.md
//! v2.2), then completed with defaults and checked once merged.
//!
//! Owns the keys, defaults and cross-key rules of those four tables. It must not know
//! about bases or names: `regime` decides what merges onto what.

use super::countries;
use super::diag::{Diagnostics, Loc};
use super::model::*;
use super::read::{TableReader, Unit};
use crate::dist::Dist;

/// A value as written, with where.
#[derive(Clone, Debug)]
pub(super) struct Written<T> {
    pub value: T,
    pub loc: Loc,
    pub path: String,
}

/// The keys a table wrote; a key it did not write is `None`.
#[derive(Clone, Debug)]
pub(super) struct Part<K> {
    /// Where the table that last wrote into this one was written.
    pub loc: Loc,
    pub path: String,
    /// Whether a key written in it (or its bases) was invalid and already reported.
    pub failed: bool,
    pub keys: K,
}

/// Merges `child` onto `base` key by key: a key the child wrote wins.
pub(super) trait Merge {
    fn merge(self, child: Self) -> Self;
}

impl<K: MergeKeys> Merge for Part<K> {
    fn merge(self, child: Self) -> Self {
        Part {
            loc: child.loc,
            path: child.path,
            failed: self.failed || child.failed,
            keys: self.keys.merge_keys(child.keys),
        }
    }
}

/// Field-wise `child.or(base)`.
pub(super) trait MergeKeys {
    fn merge_keys(self, child: Self) -> Self;
}

macro_rules! keys_struct {
    ($name:ident { $($field:ident : $ty:ty),* $(,)? }) => {
        #[derive(Clone, Debug, Default)]
        pub(super) struct $name { $(pub $field: Option<Written<$ty>>,)* }
        impl MergeKeys for $name {
            fn merge_keys(self, child: Self) -> Self {
                $name { $($field: child.$field.or(self.$field),)* }
            }
        }
    };
}

keys_struct!(DeMinimisKeys {
    threshold: f64,
    except: Vec<Country>,
});
keys_struct!(FeesKeys {
    mpf_rate: f64,
    mpf_min: f64,
    mpf_max: f64,
    informal_threshold: f64,
    mpf_informal: f64,
    hmf_rate: f64,
    entry_fee: f64,
});
keys_struct!(EnforcementKeys {
    detection: f64,
    lookback_entries: LookbackEntries,
    lookback_limit: f64,
    penalty_ad_valorem: f64,
    penalty_multiple: Dist,
    seizure: f64,
});
keys_struct!(InspectionKeys {
    origins: Origins,
    probability: f64,
    days: Dist,
    fee: f64,
    exclusion: f64,
});

/// `lookback_entries` as written: a number of entries or `"since_first"`.
#[derive(Clone, Debug)]
pub(super) enum LookbackEntries {
    Entries(Dist),
    SinceFirst,
}

/// Reads the keys of one table, keeping where each was written and whether any
/// written key failed (then its required and cross-key checks are not repeated).
struct KeyReader<'a, 't> {
    t: &'a mut TableReader<'t>,
    failed: bool,
}

impl<'t> KeyReader<'_, 't> {
    /// An optional key read with `get`.
    fn with<T>(
        &mut self,
        key: &'static str,
        get: impl FnOnce(&mut TableReader<'t>, &mut Diagnostics) -> Option<T>,
        d: &mut Diagnostics,
    ) -> Option<Written<T>> {
        self.t.allow(&[key]);
        let loc = self.t.peek_loc(key)?;
        let path = self.t.key_path(key);
        let got = get(self.t, d);
        self.failed |= got.is_none();
        got.map(|value| Written { value, loc, path })
    }

    fn number(
        &mut self,
        key: &'static str,
        unit: Unit,
        d: &mut Diagnostics,
    ) -> Option<Written<f64>> {
        self.with(key, |t, d| t.number(key, unit, d), d)
    }

    fn dist(
        &mut self,
        key: &'static str,
        unit: Unit,
        d: &mut Diagnostics,
    ) -> Option<Written<Dist>> {
        self.with(key, |t, d| t.dist(key, unit, d), d)
    }

    /// The table, its keys, and whether a written key failed; reports unknown keys.
    fn finish<K>(self, keys: K, d: &mut Diagnostics) -> Part<K> {
        let p = Part {
            loc: self.t.loc.clone(),
            path: self.t.path.clone(),
            failed: self.failed,
            keys,
        };
        self.t.report_unknown(d);
        p
    }
}

/// A list of country codes (each checked); `star` allows `"*"` (every origin).
pub(super) fn country_list(
    t: &mut TableReader<'_>,
    key: &'static str,
    star: bool,
    d: &mut Diagnostics,
) -> Option<Vec<Country>> {
    let path = t.key_path(key);
    let items = t.strings(key, d)?;
    let mut ok = true;
    for (i, (code, loc)) in items.iter().enumerate() {
        ok &= countries::check(code, star, loc, &format!("{path}[{i}]"), d);
    }
    ok.then(|| items.into_iter().map(|(s, _)| s).collect())
}

/// An origins list: `"*"` anywhere in it covers every origin.
pub(super) fn origins(
    t: &mut TableReader<'_>,
    key: &'static str,
    d: &mut Diagnostics,
) -> Option<Origins> {
    let v = country_list(t, key, true, d)?;
    Some(if v.iter().any(|s| s == "*") {
        Origins::All
    } else {
        Origins::List(v)
    })
}

/// Reads `[regimes.de_minimis]` as written.
pub(super) fn read_de_minimis(mut t: TableReader<'_>, d: &mut Diagnostics) -> Part<DeMinimisKeys> {
    let mut r = KeyReader {
        t: &mut t,
        failed: false,
    };
    let keys = DeMinimisKeys {
        threshold: r.number("threshold", Unit::NonNegative, d),
        except: r.with("except", |t, d| country_list(t, "except", false, d), d),
    };
    r.finish(keys, d)
}

/// Reads `[regimes.fees]` as written.
pub(super) fn read_fees(mut t: TableReader<'_>, d: &mut Diagnostics) -> Part<FeesKeys> {
    let mut r = KeyReader {
        t: &mut t,
        failed: false,
    };
    let keys = FeesKeys {
        mpf_rate: r.number("mpf_rate", Unit::Rate, d),
        mpf_min: r.number("mpf_min", Unit::NonNegative, d),
        mpf_max: r.number("mpf_max", Unit::NonNegative, d),
        informal_threshold: r.number("informal_threshold", Unit::NonNegative, d),
        mpf_informal: r.number("mpf_informal", Unit::NonNegative, d),
        hmf_rate: r.number("hmf_rate", Unit::Rate, d),
        entry_fee: r.number("entry_fee", Unit::NonNegative, d),
    };
    r.finish(keys, d)
}

/// Reads `lookback_entries`: `"since_first"`, a number of entries or a distribution.
fn lookback_entries(t: &mut TableReader<'_>, d: &mut Diagnostics) -> Option<LookbackEntries> {
    const KEY: &str = "lookback_entries";
    match t.peek_str(KEY) {
        Some("since_first") => {
            t.node(KEY);
            Some(LookbackEntries::SinceFirst)
        }
        Some(s) if !s.trim_end().ends_with('%') => {
            let s = s.to_string();
            let loc = t.peek_loc(KEY)?;
            t.node(KEY);
            let help = match super::diag::nearest(&s, ["since_first"]) {
                Some(n) => format!("did you mean \"{n}\"?"),
                None => "expected a number of entries, a distribution, or \"since_first\"".into(),
            };
            d.error_help(&loc, &t.key_path(KEY), format!("unknown value `{s}`"), help);
            None
        }
        _ => t
            .dist(KEY, Unit::NonNegative, d)
            .map(LookbackEntries::Entries),
    }
}

/// Reads `[regimes.enforcement]` as written.
pub(super) fn read_enforcement(
    mut t: TableReader<'_>,
    d: &mut Diagnostics,
) -> Part<EnforcementKeys> {
    let mut r = KeyReader {
        t: &mut t,
        failed: false,
    };
    let keys = EnforcementKeys {
        detection: r.number("detection", Unit::Probability, d),
        lookback_entries: r.with("lookback_entries", lookback_entries, d),
        lookback_limit: r.number("lookback_limit", Unit::Any, d),
        penalty_ad_valorem: r.number("penalty_ad_valorem", Unit::Rate, d),
        penalty_multiple: r.dist("penalty_multiple", Unit::NonNegative, d),
        seizure: r.number("seizure", Unit::Probability, d),
    };
    if let Some(l) = &keys.lookback_limit {
        if l.value < 1.0 {
            d.error_help(
                &l.loc,
                &l.path,
                format!("`lookback_limit` must be at least 1, found {}", l.value),
                "it counts the entries reassessed, the caught one included",
            );
            r.failed = true;
        }
    }
    r.finish(keys, d)
}

/// Reads `[regimes.inspection]` as written.
pub(super) fn read_inspection(mut t: TableReader<'_>, d: &mut Diagnostics) -> Part<InspectionKeys> {
    let mut r = KeyReader {
        t: &mut t,
        failed: false,
    };
    let keys = InspectionKeys {
        origins: r.with("origins", |t, d| origins(t, "origins", d), d),
        probability: r.number("probability", Unit::Probability, d),
        days: r.dist("days", Unit::NonNegative, d),
        fee: r.number("fee", Unit::NonNegative, d),
        exclusion: r.number("exclusion", Unit::Probability, d),
    };
    r.finish(keys, d)
}

fn value<T: Clone>(w: &Option<Written<T>>) -> Option<T> {
    w.as_ref().map(|w| w.value.clone())
}

/// Reports a required key that neither the regime nor its bases wrote.
fn require<T: Clone>(
    w: &Option<Written<T>>,
    key: &str,
    what: &str,
    p: &Part<impl Sized>,
    d: &mut Diagnostics,
) -> Option<T> {
    if w.is_none() && !p.failed {
        let path = format!("{}.{key}", p.path);
        if !d.has_error_at(&p.loc, &path) {
            d.error(
                &p.loc,
                &path,
                format!("missing key `{key}`: expected {what}"),
            );
        }
    }
    value(w)
}

/// The merged `de_minimis`, with defaults; `None` after reporting a missing key.
pub(super) fn de_minimis(p: &Part<DeMinimisKeys>, d: &mut Diagnostics) -> Option<DeMinimis> {
    let k = &p.keys;
    Some(DeMinimis {
        threshold: require(&k.threshold, "threshold", "a number >= 0", p, d)?,
        except: value(&k.except).unwrap_or_default(),
    })
}

/// The merged `fees`, with defaults, checked.
pub(super) fn fees(p: &Part<FeesKeys>, d: &mut Diagnostics) -> Option<Fees> {
    let k = &p.keys;
    let f = Fees {
        mpf_rate: value(&k.mpf_rate).unwrap_or(0.0),
        mpf_min: value(&k.mpf_min).unwrap_or(0.0),
        mpf_max: value(&k.mpf_max).unwrap_or(f64::INFINITY),
        informal_threshold: value(&k.informal_threshold).unwrap_or(0.0),
        mpf_informal: value(&k.mpf_informal).unwrap_or(0.0),
        hmf_rate: value(&k.hmf_rate).unwrap_or(0.0),
        entry_fee: value(&k.entry_fee).unwrap_or(0.0),
    };
    if f.mpf_min > f.mpf_max {
        let at = k.mpf_min.as_ref().or(k.mpf_max.as_ref());
        let (loc, path) = at.map_or((&p.loc, format!("{}.mpf_min", p.path)), |w| {
            (&w.loc, w.path.clone())
        });
        d.error(
            loc,
            &path,
            format!(
                "`mpf_min` ({}) exceeds `mpf_max` ({})",
                f.mpf_min, f.mpf_max
            ),
        );
        return None;
    }
    Some(f)
}

/// The merged `enforcement`, with defaults, checked.
pub(super) fn enforcement(p: &Part<EnforcementKeys>, d: &mut Diagnostics) -> Option<Enforcement> {
    let k = &p.keys;
    let detection = require(&k.detection, "detection", "a number in [0, 1]", p, d);
    let since_first = matches!(
        k.lookback_entries.as_ref().map(|w| &w.value),
        Some(LookbackEntries::SinceFirst)
    );
    if let (Some(l), false, false) = (&k.lookback_limit, since_first, p.failed) {
        d.error_help(
            &l.loc,
            &l.path,
            "`lookback_limit` applies only with `lookback_entries = \"since_first\"`",
            "set `lookback_entries = \"since_first\"`, or drop `lookback_limit` and give `lookback_entries` the number of entries",
        );
        return None;
    }
    let lookback = match value(&k.lookback_entries) {
        None => Lookback::Entries(Dist::Fixed(1.0)),
        Some(LookbackEntries::Entries(dist)) => Lookback::Entries(dist),
        Some(LookbackEntries::SinceFirst) => Lookback::SinceFirst {
            limit: value(&k.lookback_limit).unwrap_or(f64::INFINITY),
        },
    };
    Some(Enforcement {
        detection: detection?,
        lookback,
        penalty_ad_valorem: value(&k.penalty_ad_valorem).unwrap_or(0.0),
        penalty_multiple: value(&k.penalty_multiple).unwrap_or(Dist::Fixed(0.0)),
        seizure: value(&k.seizure).unwrap_or(0.0),
    })
}

/// The merged `inspection`, with defaults.
pub(super) fn inspection(p: &Part<InspectionKeys>, d: &mut Diagnostics) -> Option<Inspection> {
    let k = &p.keys;
    Some(Inspection {
        origins: value(&k.origins).unwrap_or(Origins::All),
        probability: require(&k.probability, "probability", "a number in [0, 1]", p, d)?,
        days: value(&k.days).unwrap_or(Dist::Fixed(0.0)),
        fee: value(&k.fee).unwrap_or(0.0),
        exclusion: value(&k.exclusion).unwrap_or(0.0),
    })
}

/// A value written by the schedule, at the regime's `schedule` key.
fn given<T>(value: T, loc: &Loc, path: &str) -> Option<Written<T>> {
    Some(Written {
        value,
        loc: loc.clone(),
        path: path.to_string(),
    })
}

/// `de_minimis` as generated by the schedule, so the regime's own table merges onto it.
pub(super) fn de_minimis_given(dm: &DeMinimis, loc: &Loc, path: &str) -> Part<DeMinimisKeys> {
    Part {
        loc: loc.clone(),
        path: path.to_string(),
        failed: false,
        keys: DeMinimisKeys {
            threshold: given(dm.threshold, loc, path),
            except: given(dm.except.clone(), loc, path),
        },
    }
}

/// `fees` as generated by the schedule.
pub(super) fn fees_given(f: &Fees, loc: &Loc, path: &str) -> Part<FeesKeys> {
    Part {
        loc: loc.clone(),
        path: path.to_string(),
        failed: false,
        keys: FeesKeys {
            mpf_rate: given(f.mpf_rate, loc, path),
            mpf_min: given(f.mpf_min, loc, path),
            mpf_max: given(f.mpf_max, loc, path),
            informal_threshold: given(f.informal_threshold, loc, path),
            mpf_informal: given(f.mpf_informal, loc, path),
            hmf_rate: given(f.hmf_rate, loc, path),
            // Broker and bond costs are not in the schedule: a base's or the regime's own.
            entry_fee: None,
        },
    }
}
