//! The located document tree: a TOML file as values that remember where they were written.
//!
//! Owns parsing TOML text into [`Node`]s with file, line and column on every key and value,
//! and rendering a tree back to TOML (for the manifest). Later stages (overrides,
//! `extends` merges, validation) work on this tree so that every message can point at the
//! line a value came from, whichever file that was. It must not interpret any key.

use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::diag::{Diagnostics, Loc};

/// A value of the document with the place it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it was written.
    pub loc: Loc,
}

/// A TOML value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A string.
    Str(String),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A date or time, kept as written (no key of the format uses one).
    Datetime(String),
    /// An array (of values or of tables).
    Array(Vec<Node>),
    /// A table, keys in file order.
    Table(Table),
}

impl Value {
    /// A short name of the type, for messages ("a string", "a table", ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Str(_) => "a string",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a float",
            Value::Bool(_) => "a boolean",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::Table(_) => "a table",
        }
    }
}

/// A key as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    /// The key's text.
    pub name: String,
    /// Where the key was written.
    pub loc: Loc,
}

/// A table: entries in the order they were written.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Table {
    /// The entries.
    pub entries: Vec<(Key, Node)>,
}

impl Table {
    /// The value under `key`, if present.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// The mutable value under `key`, if present.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k.name == key)
            .map(|(_, v)| v)
    }

    /// Sets `key` to `node`, replacing an existing entry in place or appending.
    pub fn insert(&mut self, key: Key, node: Node) {
        match self.entries.iter_mut().find(|(k, _)| k.name == key.name) {
            Some(slot) => slot.1 = node,
            None => self.entries.push((key, node)),
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let i = self.entries.iter().position(|(k, _)| k.name == key)?;
        Some(self.entries.remove(i).1)
    }

    /// The keys, in order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.name.as_str())
    }
}

/// Maps byte offsets of one file to lines and columns.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
    file: Arc<str>,
}

impl<'a> LineIndex<'a> {
    fn new(file: Arc<str>, text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts, file }
    }

    fn loc(&self, offset: usize) -> Loc {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count());
        Loc {
            file: self.file.clone(),
            line: line as u32 + 1,
            col: col as u32 + 1,
        }
    }
}

/// Parses TOML `text` from `file` into a located table. Syntax errors are reported with
/// their place; the returned tree holds what could be recovered.
pub fn parse(file: &str, text: &str, diags: &mut Diagnostics) -> Table {
    let index = LineIndex::new(Arc::from(file), text);
    let (doc, errors) = DeTable::parse_recoverable(text);
    for e in &errors {
        let loc = index.loc(e.span().map_or(0, |s| s.start));
        diags.error(&loc, "", format!("TOML syntax: {}", e.message().trim_end()));
    }
    if !errors.is_empty() {
        return Table::default();
    }
    convert_table(doc.get_ref(), &index, diags)
}

fn convert_table(t: &DeTable<'_>, index: &LineIndex<'_>, diags: &mut Diagnostics) -> Table {
    let entries = t
        .iter()
        .map(|(k, v)| {
            let key = Key {
                name: k.get_ref().to_string(),
                loc: index.loc(k.span().start),
            };
            let node = convert(v.get_ref(), v.span().start, index, diags);
            (key, node)
        })
        .collect();
    Table { entries }
}

fn convert(v: &DeValue<'_>, offset: usize, index: &LineIndex<'_>, diags: &mut Diagnostics) -> Node {
    let loc = index.loc(offset);
    let value = match v {
        DeValue::String(s) => Value::Str(s.to_string()),
        DeValue::Integer(i) => {
            let digits: String = i.as_str().chars().filter(|c| *c != '_').collect();
            let digits = digits
                .trim_start_matches("0x")
                .trim_start_matches("0o")
                .trim_start_matches("0b");
            match i64::from_str_radix(digits, i.radix()) {
                Ok(n) => Value::Int(n),
                Err(_) => {
                    diags.error(
                        &loc,
                        "",
                        format!("integer `{}` is out of range", i.as_str()),
                    );
                    Value::Int(0)
                }
            }
        }
        DeValue::Float(f) => {
            let text: String = f.as_str().chars().filter(|c| *c != '_').collect();
            Value::Float(text.parse().unwrap_or(f64::NAN))
        }
        DeValue::Boolean(b) => Value::Bool(*b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(a) => Value::Array(
            a.iter()
                .map(|e| convert(e.get_ref(), e.span().start, index, diags))
                .collect(),
        ),
        DeValue::Table(t) => Value::Table(convert_table(t, index, diags)),
    };
    Node { value, loc }
}

/// Renders a tree back to TOML text (used to record the scenario as resolved).
pub fn to_toml(table: &Table) -> String {
    let value = to_toml_value(&Value::Table(table.clone()));
    match value {
        toml::Value::Table(t) => toml::to_string(&t).unwrap_or_default(),
        _ => String::new(),
    }
}

fn to_toml_value(v: &Value) -> toml::Value {
    match v {
        Value::Str(s) => toml::Value::String(s.clone()),
        Value::Int(i) => toml::Value::Integer(*i),
        Value::Float(f) => toml::Value::Float(*f),
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Datetime(d) => toml::Value::String(d.clone()),
        Value::Array(a) => toml::Value::Array(a.iter().map(|n| to_toml_value(&n.value)).collect()),
        Value::Table(t) => {
            let mut map = toml::Table::new();
            for (k, n) in &t.entries {
                map.insert(k.name.clone(), to_toml_value(&n.value));
            }
            toml::Value::Table(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_carry_line_and_column() {
        let mut d = Diagnostics::default();
        let t = parse("s.toml", "[goods]\nunits = 2000\nhs = \"85\"\n", &mut d);
        assert!(!d.has_errors());
        let goods = t.get("goods").unwrap();
        let Value::Table(g) = &goods.value else {
            panic!()
        };
        let units = g.get("units").unwrap();
        assert_eq!(units.value, Value::Int(2000));
        assert_eq!((units.loc.line, units.loc.col), (2, 9));
        let key = &g.entries[1].0;
        assert_eq!((key.name.as_str(), key.loc.line, key.loc.col), ("hs", 3, 1));
    }

    #[test]
    fn syntax_errors_are_located() {
        let mut d = Diagnostics::default();
        parse("bad.toml", "[goods]\nunits = = 3\n", &mut d);
        let e = &d.errors()[0];
        assert_eq!(e.loc.line, 2);
        assert!(e.message.starts_with("TOML syntax"), "{}", e.message);
    }

    #[test]
    fn renders_back_to_toml() {
        let mut d = Diagnostics::default();
        let t = parse("s.toml", "a = 1\n[b]\nc = \"x\"\n", &mut d);
        let text = to_toml(&t);
        assert!(text.contains("a = 1") && text.contains("[b]") && text.contains("c = \"x\""));
    }
}
