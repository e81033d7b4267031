//! Paths into a scenario document, and changing values by path (`--set`, sweeps).
//!
//! A path walks tables by key and arrays of tables by the `name` of an element or its
//! index: `regimes.campaign-60.measures.china-60.ad_valorem`, `routes.korea-jv.legs.0.rate`.
//! A segment holding a dot can be quoted: `regimes."stack-2025.1".name`. A wrong path is
//! an error that lists the valid keys where it went wrong. Owns nothing else.

use std::sync::Arc;

use super::diag::{Diagnostics, Loc};
use super::tree::{self, Key, Node, Table, Value};

/// Why a path or an override is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum PathError {
    /// The path is empty or malformed.
    #[error("bad path `{0}`: {1}")]
    Syntax(String, String),
    /// A segment names nothing; `valid` lists what exists there.
    #[error("`{path}`: no `{segment}` at `{at}`; valid here: {valid}")]
    NotFound {
        /// The whole path.
        path: String,
        /// The segment that failed.
        segment: String,
        /// The path up to (not including) the failed segment.
        at: String,
        /// What exists there.
        valid: String,
    },
    /// The path goes through a plain value.
    #[error("`{path}`: `{at}` is {kind}, not a table or array of tables")]
    NotContainer {
        /// The whole path.
        path: String,
        /// Where it stopped.
        at: String,
        /// What was found there.
        kind: &'static str,
    },
    /// The value is not valid TOML and not a bare word.
    #[error("`{0}`: cannot read the value `{1}`")]
    Value(String, String),
}

/// Splits a path into segments, honouring double quotes.
pub fn segments(path: &str) -> Result<Vec<String>, PathError> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut was_quoted = false;
    for c in path.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                was_quoted = true;
            }
            '.' if !quoted => {
                if cur.is_empty() && !was_quoted {
                    return Err(PathError::Syntax(path.into(), "empty segment".into()));
                }
                out.push(std::mem::take(&mut cur));
                was_quoted = false;
            }
            c => cur.push(c),
        }
    }
    if quoted {
        return Err(PathError::Syntax(path.into(), "unclosed quote".into()));
    }
    if cur.is_empty() && !was_quoted {
        return Err(PathError::Syntax(path.into(), "empty segment".into()));
    }
    out.push(cur);
    Ok(out)
}

/// The name of an array element (its `name` key), if it has one.
fn element_name(n: &Node) -> Option<&str> {
    match &n.value {
        Value::Table(t) => match t.get("name").map(|v| &v.value) {
            Some(Value::Str(s)) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn valid_children(n: &Value) -> String {
    match n {
        Value::Table(t) => t.keys().collect::<Vec<_>>().join(", "),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, e)| element_name(e).map_or(i.to_string(), str::to_string))
            .collect::<Vec<_>>()
            .join(", "),
        _ => String::new(),
    }
}

/// Finds the child `seg` of `v`, mutably.
fn child<'a>(v: &'a mut Value, seg: &str) -> Option<&'a mut Node> {
    match v {
        Value::Table(t) => t.get_mut(seg),
        Value::Array(items) => {
            if let Some(i) = items.iter().position(|e| element_name(e) == Some(seg)) {
                return items.get_mut(i);
            }
            seg.parse::<usize>().ok().and_then(|i| items.get_mut(i))
        }
        _ => None,
    }
}

/// Parses an override's value: TOML (`0.6`, `"60%"`, `{ dist = "pert", ... }`, `[1, 2]`),
/// else the text as a string (so `--set routes.x.declare=KR` works unquoted).
pub fn parse_value(path: &str, text: &str) -> Result<Node, PathError> {
    let file = format!("--set {path}");
    let mut d = Diagnostics::default();
    let t = tree::parse(&file, &format!("v = {text}"), &mut d);
    let loc = Loc {
        file: Arc::from(file.as_str()),
        line: 0,
        col: 0,
    };
    match (d.has_errors(), t.get("v")) {
        (false, Some(n)) => Ok(relocate(n.clone(), &loc)),
        _ if !text.trim().is_empty() && !text.contains(['"', '{', '[', '=']) => Ok(Node {
            value: Value::Str(text.trim().to_string()),
            loc,
        }),
        _ => Err(PathError::Value(path.into(), text.into())),
    }
}

/// Gives every node of a value the location of the override that wrote it.
fn relocate(mut n: Node, loc: &Loc) -> Node {
    n.loc = loc.clone();
    match &mut n.value {
        Value::Array(items) => {
            for i in items.iter_mut() {
                *i = relocate(i.clone(), loc);
            }
        }
        Value::Table(t) => {
            for (k, v) in t.entries.iter_mut() {
                k.loc = loc.clone();
                *v = relocate(v.clone(), loc);
            }
        }
        _ => {}
    }
    n
}

/// Whether `path` names an existing value of `root`.
pub fn exists(root: &Table, path: &str) -> bool {
    let Ok(segs) = segments(path) else {
        return false;
    };
    let mut cur = Value::Table(root.clone());
    for s in &segs {
        match child(&mut cur, s) {
            Some(n) => cur = n.value.clone(),
            None => return false,
        }
    }
    true
}

/// Sets the value at `path` in `root` to `value`. Every segment but the last must exist;
/// the last may add a new key to a table (the validator then checks it is a valid key).
pub fn set(root: &mut Table, path: &str, value: Node) -> Result<(), PathError> {
    let segs = segments(path)?;
    let mut cur = Value::Table(std::mem::take(root));
    let result = set_in(&mut cur, path, &segs, 0, value);
    if let Value::Table(t) = cur {
        *root = t;
    }
    result
}

fn set_in(
    v: &mut Value,
    path: &str,
    segs: &[String],
    i: usize,
    value: Node,
) -> Result<(), PathError> {
    let seg = &segs[i];
    let at = segs[..i].join(".");
    let last = i + 1 == segs.len();
    if last {
        if let Value::Table(t) = v {
            let loc = value.loc.clone();
            t.insert(
                Key {
                    name: seg.clone(),
                    loc,
                },
                value,
            );
            return Ok(());
        }
        if let Some(n) = child(v, seg) {
            let loc = n.loc.clone();
            *n = value;
            let _ = loc;
            return Ok(());
        }
    } else if let Some(n) = child(v, seg) {
        return match &mut n.value {
            next @ (Value::Table(_) | Value::Array(_)) => set_in(next, path, segs, i + 1, value),
            other => Err(PathError::NotContainer {
                path: path.into(),
                at: segs[..=i].join("."),
                kind: other.kind(),
            }),
        };
    }
    match v {
        Value::Table(_) | Value::Array(_) => Err(PathError::NotFound {
            path: path.into(),
            segment: seg.clone(),
            at: if at.is_empty() {
                "the top level".into()
            } else {
                at
            },
            valid: valid_children(v),
        }),
        other => Err(PathError::NotContainer {
            path: path.into(),
            at,
            kind: other.kind(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"
[goods]
units = 10
[[routes]]
name = "direct"
[[routes.legs]]
rate = 1.0
[[regimes]]
name = "campaign-60"
[[regimes.measures]]
name = "china-60"
ad_valorem = 0.6
"#;

    fn doc() -> Table {
        let mut d = Diagnostics::default();
        tree::parse("s.toml", DOC, &mut d)
    }

    fn get<'a>(t: &'a Table, path: &str) -> &'a Value {
        let mut v = t.get(&segments(path).unwrap()[0]).unwrap();
        for s in &segments(path).unwrap()[1..] {
            v = match &v.value {
                Value::Table(t) => t.get(s).unwrap(),
                Value::Array(a) => a
                    .iter()
                    .find(|e| element_name(e) == Some(s))
                    .or_else(|| a.get(s.parse::<usize>().ok()?))
                    .unwrap(),
                _ => panic!(),
            };
        }
        &v.value
    }

    #[test]
    fn grammar_splits_and_quotes() {
        assert_eq!(segments("a.b.0.c").unwrap(), ["a", "b", "0", "c"]);
        assert_eq!(
            segments(r#"regimes."x.y".name"#).unwrap(),
            ["regimes", "x.y", "name"]
        );
        assert!(segments("a..b").is_err());
        assert!(segments("").is_err());
        assert!(segments("a.\"b").is_err());
    }

    #[test]
    fn sets_by_key_by_name_and_by_index() {
        let mut t = doc();
        set(
            &mut t,
            "regimes.campaign-60.measures.china-60.ad_valorem",
            parse_value("p", "0.3").unwrap(),
        )
        .unwrap();
        assert_eq!(
            get(&t, "regimes.campaign-60.measures.china-60.ad_valorem"),
            &Value::Float(0.3)
        );
        set(
            &mut t,
            "routes.direct.legs.0.rate",
            parse_value("p", "{ dist = \"uniform\", min = 1, max = 2 }").unwrap(),
        )
        .unwrap();
        assert!(matches!(
            get(&t, "routes.direct.legs.0.rate"),
            Value::Table(_)
        ));
        set(&mut t, "goods.units", parse_value("p", "20").unwrap()).unwrap();
        assert_eq!(get(&t, "goods.units"), &Value::Int(20));
        set(&mut t, "routes.0.declare", parse_value("p", "KR").unwrap()).unwrap();
        assert_eq!(get(&t, "routes.direct.declare"), &Value::Str("KR".into()));
    }

    #[test]
    fn wrong_paths_list_the_valid_keys() {
        let mut t = doc();
        let e = set(
            &mut t,
            "regimes.campaign-6.measures.x",
            parse_value("p", "1").unwrap(),
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("no `campaign-6`") && msg.contains("campaign-60"),
            "{msg}"
        );
        let e = set(&mut t, "good.units", parse_value("p", "1").unwrap()).unwrap_err();
        assert!(e.to_string().contains("goods, routes, regimes"), "{e}");
        let e = set(&mut t, "goods.units.x", parse_value("p", "1").unwrap()).unwrap_err();
        assert!(matches!(e, PathError::NotContainer { .. }), "{e}");
    }
}
