//! Scenario families: `extends = "base.toml"` and the merge of documents.
//!
//! A scenario may start with `extends = "base.toml"` (relative to its own file): the base
//! is loaded (recursively), then the child's values override or add to it. Tables merge
//! key by key; arrays of tables merge by `name` (an element of the same name is merged,
//! a new name is appended); any other value replaces the base's. Every value keeps the
//! file and line where it was written, so errors in the merged result point there.
//! The only I/O is through the `read` function the caller passes in.

use std::path::{Path, PathBuf};

use super::diag::Diagnostics;
use super::tree::{self, Node, Table, Value};

/// Reads a file's text; the caller decides how (the binary uses `std::fs`).
pub type ReadFile<'a> = &'a dyn Fn(&Path) -> std::io::Result<String>;

/// Loads `path` and every file it extends, merged. Problems are reported in `d`.
pub fn load_tree(path: &Path, read: ReadFile<'_>, d: &mut Diagnostics) -> Table {
    load_rec(path, read, d, &mut Vec::new())
}

fn load_rec(
    path: &Path,
    read: ReadFile<'_>,
    d: &mut Diagnostics,
    stack: &mut Vec<PathBuf>,
) -> Table {
    let file = path.display().to_string();
    let text = match read(path) {
        Ok(t) => t,
        Err(e) => {
            d.error(
                &super::diag::Loc::synthetic(&file),
                "",
                format!("cannot read the scenario: {e}"),
            );
            return Table::default();
        }
    };
    let mut child = tree::parse(&file, &text, d);
    let Some(ext) = child.remove("extends") else {
        return child;
    };
    let Value::Str(rel) = &ext.value else {
        d.error(
            &ext.loc,
            "extends",
            format!("expected a file name, found {}", ext.value.kind()),
        );
        return child;
    };
    let base_path = path.parent().unwrap_or(Path::new("")).join(rel);
    let canon = std::fs::canonicalize(&base_path).unwrap_or(base_path.clone());
    let me = std::fs::canonicalize(path).unwrap_or(path.to_path_buf());
    if stack.contains(&canon) || canon == me {
        d.error(
            &ext.loc,
            "extends",
            format!("`extends` loops back to {}", base_path.display()),
        );
        return child;
    }
    if read(&base_path).is_err() {
        d.error(
            &ext.loc,
            "extends",
            format!(
                "cannot read `{}` (resolved to {})",
                rel,
                base_path.display()
            ),
        );
        return child;
    }
    stack.push(me);
    let mut base = load_rec(&base_path, read, d, stack);
    stack.pop();
    merge(&mut base, child);
    base
}

/// The `name` of a table, if it has one.
fn name_of(n: &Node) -> Option<String> {
    match &n.value {
        Value::Table(t) => match t.get("name").map(|v| &v.value) {
            Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a table is an inline distribution (it names its `dist`).
fn is_dist(t: &Table) -> bool {
    t.get("dist").is_some()
}

/// Merges `child` into `base`: tables by key, arrays of named tables by name; a
/// distribution is one value and replaces the base's whole.
pub fn merge(base: &mut Table, child: Table) {
    for (key, node) in child.entries {
        let Some(slot) = base.get_mut(&key.name) else {
            base.entries.push((key, node));
            continue;
        };
        match (&mut slot.value, node.value) {
            // A distribution (`{ dist = ... }`) is one value: the child's replaces it whole.
            (Value::Table(b), Value::Table(c)) if !is_dist(b) && !is_dist(&c) => merge(b, c),
            (Value::Array(b), Value::Array(c))
                if b.iter().all(|e| name_of(e).is_some())
                    && c.iter().all(|e| name_of(e).is_some()) =>
            {
                for item in c {
                    let name = name_of(&item);
                    match b.iter_mut().find(|e| name_of(e) == name) {
                        Some(existing) => {
                            if let (Value::Table(bt), Value::Table(ct)) =
                                (&mut existing.value, item.value)
                            {
                                merge(bt, ct);
                            }
                        }
                        None => b.push(item),
                    }
                }
            }
            (_, value) => {
                *slot = Node {
                    value,
                    loc: node.loc,
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn reader(files: &[(&str, &str)]) -> impl Fn(&Path) -> std::io::Result<String> {
        let map: HashMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        move |p: &Path| {
            map.get(p)
                .cloned()
                .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"))
        }
    }

    #[test]
    fn child_overrides_and_adds_keeping_locations() {
        let read = reader(&[
            ("dir/base.toml", "[goods]\nunits = 10\nkg_per_unit = 1.0\n[[routes]]\nname = \"a\"\nx = 1\n[[routes]]\nname = \"b\"\n"),
            ("dir/child.toml", "extends = \"base.toml\"\n[goods]\nunits = 20\n[[routes]]\nname = \"a\"\nx = 2\n[[routes]]\nname = \"c\"\n"),
        ]);
        let mut d = Diagnostics::default();
        let t = load_tree(Path::new("dir/child.toml"), &read, &mut d);
        assert!(!d.has_errors(), "{:?}", d.errors());
        let Value::Table(goods) = &t.get("goods").unwrap().value else {
            panic!()
        };
        let units = goods.get("units").unwrap();
        assert_eq!(units.value, Value::Int(20));
        assert_eq!((&*units.loc.file, units.loc.line), ("dir/child.toml", 3));
        let kg = goods.get("kg_per_unit").unwrap();
        assert_eq!((&*kg.loc.file, kg.loc.line), ("dir/base.toml", 3));
        let Value::Array(routes) = &t.get("routes").unwrap().value else {
            panic!()
        };
        let names: Vec<String> = routes.iter().filter_map(name_of).collect();
        assert_eq!(names, ["a", "b", "c"]);
        let Value::Table(a) = &routes[0].value else {
            panic!()
        };
        assert_eq!(a.get("x").unwrap().value, Value::Int(2));
    }

    #[test]
    fn a_distribution_is_replaced_whole_not_merged_key_by_key() {
        let read = reader(&[
            ("base.toml", "[goods]\nunit_value = { dist = \"triangular\", min = 20.0, mode = 30.0, max = 40.0 }\n"),
            ("child.toml", "extends = \"base.toml\"\n[goods]\nunit_value = { dist = \"uniform\", min = 25.0, max = 35.0 }\n"),
        ]);
        let mut d = Diagnostics::default();
        let t = load_tree(Path::new("child.toml"), &read, &mut d);
        let Value::Table(goods) = &t.get("goods").unwrap().value else {
            panic!()
        };
        let Value::Table(v) = &goods.get("unit_value").unwrap().value else {
            panic!()
        };
        let keys: Vec<&str> = v.entries.iter().map(|(k, _)| k.name.as_str()).collect();
        assert_eq!(keys, ["dist", "min", "max"]);
    }

    #[test]
    fn loops_and_missing_bases_are_errors() {
        let read = reader(&[
            ("a.toml", "extends = \"b.toml\"\n"),
            ("b.toml", "extends = \"a.toml\"\n"),
        ]);
        let mut d = Diagnostics::default();
        load_tree(Path::new("a.toml"), &read, &mut d);
        assert!(
            d.errors().iter().any(|e| e.message.contains("loops")),
            "{:?}",
            d.errors()
        );
        let read = reader(&[("a.toml", "extends = \"nope.toml\"\n")]);
        let mut d = Diagnostics::default();
        load_tree(Path::new("a.toml"), &read, &mut d);
        let e = &d.errors()[0];
        assert!(e.message.contains("cannot read `nope.toml`"));
        assert_eq!((e.loc.line, e.loc.col), (1, 11));
    }
}
