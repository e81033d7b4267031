//! The assumptions behind a run, per regime, in words and numbers: the duty stack per
//! origin with and without each preference (what `check` prints), enforcement,
//! inspection, de minimis, fees and sanctions, and how a regime differs from its base.
//! Written to `assumptions.json` so that the report can show them; no I/O here.

use serde::{Deserialize, Serialize};

use crate::dist::Dist;
use crate::model::Plan;
use crate::scenario::model::{Effect, Lookback, Origins, Regime, When};

/// Every regime's assumptions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Assumptions {
    /// The scenario's name.
    pub scenario: String,
    /// Its description.
    pub description: String,
    /// Per regime, in file order.
    pub regimes: Vec<RegimeAssumptions>,
}

/// One line of a duty stack: an origin filed, with or without a preference claimed.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct StackLine {
    /// The filed origin (ISO code).
    pub origin: String,
    /// `no preference` or `claiming AGREEMENT`.
    pub claim: String,
    /// The measures that apply when every measure is in force.
    pub measures: Vec<String>,
    /// The stacked ad valorem rate (floors applied).
    pub ad_valorem: f64,
    /// The specific duty, USD per unit.
    pub per_unit: f64,
}

/// One regime's assumptions.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct RegimeAssumptions {
    /// Its name.
    pub name: String,
    /// The regime it is based on, if any.
    pub base: Option<String>,
    /// The duty stack per origin, without and with each open preference.
    pub stacks: Vec<StackLine>,
    /// Each measure, in words.
    pub measures: Vec<String>,
    /// Each agreement, in words.
    pub agreements: Vec<String>,
    /// De minimis, in words (`none` when absent).
    pub de_minimis: String,
    /// Entry fees, in words.
    pub fees: String,
    /// Enforcement against false claims, in words.
    pub enforcement: String,
    /// Inspection, in words.
    pub inspection: String,
    /// Each sanction, in words.
    pub sanctions: Vec<String>,
    /// What differs from the base regime, one change a line (empty without a base).
    pub differs: Vec<String>,
}

/// A number as short text (up to 6 significant digits).
fn n(x: f64) -> String {
    if x == x.trunc() && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        let s = format!("{:.6}", x);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    }
}

/// A rate as a percentage.
fn pct(x: f64) -> String {
    format!("{}%", n((x * 1e6).round() / 1e4))
}

/// A distribution in words.
pub fn dist_text(d: &Dist) -> String {
    match d {
        Dist::Fixed(v) => n(*v),
        Dist::Uniform { min, max } => format!("uniform {}–{}", n(*min), n(*max)),
        Dist::Triangular { min, mode, max } => {
            format!("triangular {}–{}–{}", n(*min), n(*mode), n(*max))
        }
        Dist::LogNormal { median, sigma } => {
            format!("lognormal, median {}, σ {}", n(*median), n(*sigma))
        }
        Dist::Normal { mean, sd, .. } => format!("normal, mean {}, sd {}", n(*mean), n(*sd)),
        Dist::Pert(_) => format!("PERT, mean {}", n(d.mean())),
        Dist::Beta(_) => format!("beta, mean {}", n(d.mean())),
        Dist::Empirical(_) => format!("empirical, mean {}", n(d.mean())),
    }
}

fn origins_text(o: &Origins) -> String {
    match o {
        Origins::All => "every origin".into(),
        Origins::List(v) => v.join(", "),
    }
}

fn measure_text(g: &Regime, i: usize) -> String {
    let m = &g.measures[i];
    let mut s = format!("{}: {} ad valorem", m.name, pct(m.ad_valorem));
    if m.per_unit != 0.0 {
        s.push_str(&format!(" + {} USD/unit", n(m.per_unit)));
    }
    s.push_str(&format!(" on {}", origins_text(&m.origins)));
    if !m.except.is_empty() {
        s.push_str(&format!(" except {}", m.except.join(", ")));
    }
    if !m.hs.is_empty() {
        s.push_str(&format!(" (HS {})", m.hs.join(", ")));
    }
    if m.floor > 0.0 {
        s.push_str(&format!(", floor {}", pct(m.floor)));
    }
    let names = |v: &[usize], what: &str| -> String {
        let list: Vec<&str> = v.iter().map(|&k| g.measures[k].name.as_str()).collect();
        format!(", {what} {}", list.join(", "))
    };
    if !m.replaces.is_empty() {
        s.push_str(&names(&m.replaces, "replaces"));
    }
    if !m.waived_by.is_empty() {
        let list: Vec<&str> = m
            .waived_by
            .iter()
            .map(|&k| g.agreements[k].name.as_str())
            .collect();
        s.push_str(&format!(", waived by {}", list.join(", ")));
    }
    if m.probability < 1.0 {
        s.push_str(&format!(", in force with probability {}", n(m.probability)));
    }
    if let Some(d) = &m.effective_day {
        s.push_str(&format!(", effective on day {}", dist_text(d)));
    }
    if let Some(e) = m.end_day {
        s.push_str(&format!(", ends on day {}", n(e)));
    }
    if m.when == When::Caught {
        s.push_str(", applies only when a false claim is caught");
    }
    s
}

fn describe_regime(g: &Regime) -> RegimeAssumptions {
    let agreements = g
        .agreements
        .iter()
        .map(|a| {
            let mut s = format!(
                "{}: open to {}, rule {:?}",
                a.name,
                a.origins.join(", "),
                a.rule
            );
            if a.rvc_threshold > 0.0 {
                s.push_str(&format!(", RVC at least {}", pct(a.rvc_threshold)));
            }
            if a.waives_mpf {
                s.push_str(", waives the MPF");
            }
            s
        })
        .collect();
    let de_minimis = g.de_minimis.as_ref().map_or("none".into(), |d| {
        let mut s = format!("shipments up to {} USD enter free", n(d.threshold));
        if !d.except.is_empty() {
            s.push_str(&format!(", except from {}", d.except.join(", ")));
        }
        s
    });
    let fees = g.fees.as_ref().map_or("none".into(), |f| {
        format!(
            "MPF {} (min {}, max {} USD), informal entry up to {} USD pays {} USD; HMF {} (ocean); entry fee {} USD",
            pct(f.mpf_rate),
            n(f.mpf_min),
            n(f.mpf_max),
            n(f.informal_threshold),
            n(f.mpf_informal),
            pct(f.hmf_rate),
            n(f.entry_fee)
        )
    });
    let enforcement = g.enforcement.as_ref().map_or("none".into(), |e| {
        let lookback = match &e.lookback {
            Lookback::Entries(d) => format!("{} entries", dist_text(d)),
            Lookback::SinceFirst { limit } if limit.is_finite() => {
                format!("since the first entry, at most {} entries", n(*limit))
            }
            Lookback::SinceFirst { .. } => "since the first entry, unlimited".into(),
        };
        format!(
            "a false claim is caught with probability {} per entry; look-back {}; penalty {} × duty evaded + {} of value per entry; seizure probability {} once caught",
            n(e.detection),
            lookback,
            dist_text(&e.penalty_multiple),
            pct(e.penalty_ad_valorem),
            n(e.seizure)
        )
    });
    let inspection = g.inspection.as_ref().map_or("none".into(), |i| {
        format!(
            "{} inspected with probability {}, delay {} days, fee {} USD per entry, exclusion probability {}",
            origins_text(&i.origins),
            n(i.probability),
            dist_text(&i.days),
            n(i.fee),
            n(i.exclusion)
        )
    });
    let sanctions = g
        .sanctions
        .iter()
        .map(|s| {
            format!(
                "{}: against {}, in force with probability {}, catches operators owned at least {}, {}",
                s.name,
                s.target,
                n(s.probability),
                pct(s.ownership_threshold),
                match s.effect {
                    Effect::Reroute => "shipments reroute to their fallback",
                    Effect::Seize => "goods are seized, then the fallback ships",
                }
            )
        })
        .collect();
    RegimeAssumptions {
        name: g.name.clone(),
        base: None,
        stacks: Vec::new(),
        measures: (0..g.measures.len()).map(|i| measure_text(g, i)).collect(),
        agreements,
        de_minimis,
        fees,
        enforcement,
        inspection,
        sanctions,
        differs: Vec::new(),
    }
}

/// The name before the first `:` of a described item.
fn key(s: &str) -> &str {
    s.split_once(':').map_or(s, |(k, _)| k)
}

/// What differs between the described lists of a regime and its base.
fn diff_list(what: &str, mine: &[String], base: &[String], out: &mut Vec<String>) {
    for m in mine {
        match base.iter().find(|b| key(b) == key(m)) {
            None => out.push(format!("adds {what} {m}")),
            Some(b) if b != m => out.push(format!("changes {what} {m} (base: {b})")),
            _ => {}
        }
    }
    for b in base {
        if !mine.iter().any(|m| key(m) == key(b)) {
            out.push(format!("removes {what} {}", key(b)));
        }
    }
}

/// The assumptions of a compiled scenario. `bases` maps regimes to their base's name.
pub fn describe(plan: &Plan, bases: &[(String, String)]) -> Assumptions {
    let s = plan.scenario();
    let mut origins: Vec<&str> = Vec::new();
    for r in &s.routes {
        for o in [r.true_origin(), r.filed_origin()] {
            if !origins.contains(&o) {
                origins.push(o);
            }
        }
    }
    let mut regimes: Vec<RegimeAssumptions> = s.regimes.iter().map(describe_regime).collect();
    for (g, regime) in s.regimes.iter().enumerate() {
        let mut stacks = Vec::new();
        for o in &origins {
            let mut claims: Vec<(String, u64)> = vec![("no preference".into(), 0)];
            for (i, a) in regime.agreements.iter().enumerate() {
                if a.origins.iter().any(|x| x == o) {
                    claims.push((format!("claiming {}", a.name), 1u64 << i));
                }
            }
            for (claim, mask) in claims {
                let (names, rate, per_unit) = plan.duty_stack(g, o, mask);
                stacks.push(StackLine {
                    origin: o.to_string(),
                    claim,
                    measures: names.iter().map(|x| x.to_string()).collect(),
                    ad_valorem: rate,
                    per_unit,
                });
            }
        }
        regimes[g].stacks = stacks;
    }
    for g in 0..regimes.len() {
        let Some((_, b)) = bases.iter().find(|(r, _)| *r == regimes[g].name) else {
            continue;
        };
        regimes[g].base = Some(b.clone());
        let Some(base) = regimes.iter().find(|r| &r.name == b).cloned() else {
            continue;
        };
        let me = &regimes[g];
        let mut d = Vec::new();
        diff_list("measure", &me.measures, &base.measures, &mut d);
        diff_list("agreement", &me.agreements, &base.agreements, &mut d);
        diff_list("sanction", &me.sanctions, &base.sanctions, &mut d);
        for (what, mine, theirs) in [
            ("de minimis", &me.de_minimis, &base.de_minimis),
            ("fees", &me.fees, &base.fees),
            ("enforcement", &me.enforcement, &base.enforcement),
            ("inspection", &me.inspection, &base.inspection),
        ] {
            if mine != theirs {
                d.push(format!("{what}: {mine} (base: {theirs})"));
            }
        }
        if d.is_empty() {
            d.push("nothing: the same assumptions as its base".into());
        }
        regimes[g].differs = d;
    }
    Assumptions {
        scenario: s.name.clone(),
        description: s.description.clone(),
        regimes,
    }
}

impl Assumptions {
    /// As pretty JSON bytes (`assumptions.json`).
    pub fn to_json(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec_pretty(self).unwrap_or_default();
        v.push(b'\n');
        v
    }
}

/// Each regime's `base` (regime name, base name) of a scenario given as TOML text (e.g. the manifest's resolved scenario);
/// empty when the text does not parse.
pub fn bases_from_toml(text: &str) -> Vec<(String, String)> {
    let Ok(doc) = text.parse::<toml::Table>() else {
        return Vec::new();
    };
    let Some(toml::Value::Array(regimes)) = doc.get("regimes") else {
        return Vec::new();
    };
    regimes
        .iter()
        .filter_map(|r| {
            let name = r.get("name")?.as_str()?.to_string();
            let base = r.get("base")?.as_str()?.to_string();
            Some((name, base))
        })
        .collect()
}
