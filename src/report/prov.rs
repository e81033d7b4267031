//! Provenance from `manifest.json`: what every run that must give the same report shares.

#[allow(unused_imports)]
use super::*;

/// Provenance from `manifest.json`: only what is the same for every run that must give
/// the same report (not threads or wall time).
#[derive(Default)]
pub(super) struct Prov {
    pub(super) version: Option<String>,
    pub(super) scenario_file: Option<String>,
    pub(super) scenario: Option<String>,
    pub(super) seed: Option<String>,
    pub(super) trials: Option<u64>,
    pub(super) trials_used: Vec<u64>,
    pub(super) date: Option<String>,
    pub(super) overrides: Vec<String>,
    pub(super) sweep: Vec<(String, Vec<String>)>,
    pub(super) warnings: Vec<String>,
    pub(super) target: Option<String>,
    pub(super) target_met: Option<bool>,
    pub(super) worst: Option<String>,
}

pub(super) fn prov(manifest: Option<&str>) -> Result<Prov, ReportError> {
    let Some(text) = manifest else {
        return Ok(Prov::default());
    };
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ReportError::Manifest(e.to_string()))?;
    let s = |k: &str| -> Option<String> {
        match v.get(k)? {
            serde_json::Value::String(s) => Some(s.clone()),
            serde_json::Value::Null => None,
            other => Some(other.to_string()),
        }
    };
    let strings = |k: &str| -> Vec<String> {
        v.get(k)
            .and_then(|a| a.as_array())
            .map(|a| {
                a.iter()
                    .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    };
    let sweep = v
        .get("sweep")
        .and_then(|a| a.as_array())
        .map(|a| {
            a.iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    let path = p.first()?.as_str()?.to_string();
                    let vals = p
                        .get(1)?
                        .as_array()?
                        .iter()
                        .map(|x| x.as_str().map_or_else(|| x.to_string(), str::to_string))
                        .collect();
                    Some((path, vals))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(Prov {
        version: s("version"),
        scenario_file: s("scenario_file"),
        scenario: s("scenario"),
        seed: s("seed"),
        trials: v.get("trials").and_then(|x| x.as_u64()),
        trials_used: v
            .get("trials_used")
            .and_then(|a| a.as_array())
            .map(|a| a.iter().filter_map(|x| x.as_u64()).collect())
            .unwrap_or_default(),
        date: ["date", "created", "finished"].iter().find_map(|k| s(k)),
        overrides: strings("overrides"),
        sweep,
        warnings: strings("warnings"),
        target: match (v.get("target_se"), v.get("target_rse")) {
            (Some(x), _) if x.is_number() => Some(format!("--target-se {x}")),
            (_, Some(x)) if x.is_number() => Some(format!("--target-rse {x}")),
            _ => None,
        },
        target_met: v.get("target_met").and_then(|b| b.as_bool()),
        worst: v.get("worst_cell").map(|w| {
            let g = |k: &str| {
                w.get(k).map_or(String::new(), |x| {
                    x.as_str().map_or_else(|| x.to_string(), str::to_string)
                })
            };
            let at = g("point");
            format!(
                "{} / {}{}: se {} USD (relative {})",
                g("regime"),
                g("route"),
                if at.is_empty() {
                    String::new()
                } else {
                    format!(" at {at}")
                },
                fmt::short(w.get("se").and_then(|x| x.as_f64()).unwrap_or(f64::NAN)),
                fmt::short(w.get("rse").and_then(|x| x.as_f64()).unwrap_or(f64::NAN))
            )
        }),
    })
}
