#!/usr/bin/env python3
"""Checks the layering of the crates (issue 12): no import circle between files, and the
layer rules between the top-level modules of the library.

    scripts/check_layers.py          # prints every edge that breaks a rule; exit 1 on a new one
    scripts/check_layers.py --edges  # also prints every file's imports

What counts as an import of a file by another: a `use` path or an inline path starting
with `crate::`, `$crate::`, `super::` or `self::`, and a bare path whose first segment is a
module the file declares (`mod run;` ... `run::run(args)`). A folder's `mod.rs` is the
folder's face: its uses of its own files (declaring, re-exporting, dispatching to them)
are its structure, not imports, so its files may use what it defines (a shared error
type) without a circle; every other pair of files counts. A path resolves to the file of
the deepest module it names; a name a `mod.rs` re-exports (`pub use build::Built`, also
`pub use model::*`) resolves to the file that defines it, so re-exporting does not make a
folder's files depend on one another. Paths inside an inline `mod tests { ... }` count for
the file that holds it. The library (src/lib.rs), the binary (src/main.rs) and the Python
crate (python/src/lib.rs) are separate crates; `tariffsim::` paths from the binary or the
Python crate lead into the library, where no circle can close, and are not followed.

Layer rules (issue 12), on the library's top-level modules:
  - `model` imports nothing from `scenario` but its types (src/scenario/model.rs,
    src/scenario/diag.rs);
  - `engine` imports nothing from `output`, `report` (or the binary's `app`);
  - `output` and `report` import nothing from `engine`;
  - `stats` imports nothing of the crate;
and at crate level (top-level modules) there is no circle either (a known rule exception
below is left out of that graph: it is reported once, as itself).

A violation that must stay for a while can be listed in KNOWN below, with its reason: it
is printed, but does not fail the check (the list is empty today). A known exception that no longer occurs is
reported too (remove it from the list). Python 3 standard library only.
"""

import os
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CRATES = {
    "lib": "src/lib.rs",
    "bin": "src/main.rs",
    "python": "python/src/lib.rs",
}

# Known violations: (kind, from, to) -> reason. `kind` is "circle" (the files of a circle,
# sorted, joined by " <-> ") or "rule" (an edge from a file to a file).
KNOWN: dict = {}

# What each top-level module of the library may not import: module -> (forbidden
# modules, or "*" for all of the crate; allowed files inside them).
RULES = {
    "model": ({"scenario"}, {"src/scenario/model.rs", "src/scenario/diag.rs"}),
    "engine": ({"output", "report", "app"}, set()),
    "output": ({"engine"}, set()),
    "report": ({"engine"}, set()),
    "stats": ("*", set()),
}

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip(text):
    """The text with comments, strings and char literals blanked (lengths kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:]) and not re.match(r"[A-Za-z0-9_]", text[i - 1] if i else " "):
            m = re.match(r'r(#*)"', text[i:])
            end = '"' + m.group(1)
            j = text.find(end, i + len(m.group(0)))
            j = n if j < 0 else j + len(end)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4] + "    "):
            m = re.match(r"'(\\[^']*|[^\\'])'", text[i:])
            k = len(m.group(0)) if m else 1
            out.append(" " * k)
            i += k
        else:
            out.append(c)
            i += 1
    return "".join(out)


def expand(tree):
    """`a::{b, c::{d, self}}` -> [["a","b"], ["a","c","d"], ["a","c"]] (aliases dropped)."""
    tree = tree.strip()
    m = re.match(r"^(.*?)\{(.*)\}$", tree, re.S)
    if not m:
        path = re.sub(r"\s+as\s+" + IDENT + r"$", "", tree).strip()
        segs = [s.strip() for s in path.split("::") if s.strip()]
        return [segs] if segs else []
    prefix = [s.strip() for s in m.group(1).split("::") if s.strip()]
    inner, parts, depth, cur = m.group(2), [], 0, ""
    for ch in inner:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if not p.strip():
            continue
        for sub in expand(p):
            out.append(prefix if sub == ["self"] else prefix + sub)
    return out


class File:
    def __init__(self, crate, path, module):
        self.crate, self.path, self.module = crate, path, module
        text = open(os.path.join(ROOT, path), encoding="utf-8").read()
        self.code = strip(text)
        self.children = {}  # declared `mod x;` -> File
        self.reexports = []  # (segments relative, name or "*")
        self.items = set(re.findall(
            r"\b(?:struct|enum|fn|const|static|type|trait|union|macro_rules!)\s+(" + IDENT + ")",
            self.code))
        for segs in self._uses(pub_only=True):
            self.reexports.append(segs)

    def _uses(self, pub_only=False):
        pat = r"\bpub(?:\([^)]*\))?\s+use\s+([^;]+);" if pub_only else r"\buse\s+([^;]+);"
        for m in re.finditer(pat, self.code):
            for segs in expand(m.group(1)):
                yield segs

    def inline_mods(self):
        """(start, end, name) of every inline `mod name { ... }` block."""
        out = []
        for m in re.finditer(r"\bmod\s+(" + IDENT + r")\s*\{", self.code):
            depth, j = 1, m.end()
            while j < len(self.code) and depth:
                depth += {"{": 1, "}": -1}.get(self.code[j], 0)
                j += 1
            out.append((m.start(), j, m.group(1)))
        return out


def is_mod_file(path):
    return os.path.basename(path) in ("mod.rs", "lib.rs", "main.rs")


def discover():
    """Every file of every crate, by crate and module path."""
    files = {}  # (crate, module tuple) -> File
    for crate, root in CRATES.items():
        if not os.path.exists(os.path.join(ROOT, root)):
            continue
        todo = [(root, ())]
        while todo:
            path, module = todo.pop()
            f = File(crate, path, module)
            files[(crate, module)] = f
            base = os.path.dirname(path) if is_mod_file(path) else path[:-3]
            inline = f.inline_mods()
            for m in re.finditer(r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+(" + IDENT + r")\s*;", f.code):
                name = m.group(1)
                if any(s <= m.start() < e for s, e, _ in inline):
                    continue
                for cand in (f"{base}/{name}.rs", f"{base}/{name}/mod.rs"):
                    if os.path.exists(os.path.join(ROOT, cand)):
                        todo.append((cand, module + (name,)))
                        f.children[name] = cand
                        break
    return files


def resolve(files, crate, segs, depth=0):
    """The file a crate-absolute path leads to (following re-exports), or None."""
    cur = ()
    i = 0
    while i < len(segs) and (crate, cur + (segs[i],)) in files:
        cur += (segs[i],)
        i += 1
    f = files.get((crate, cur))
    if f is None or i == len(segs) or depth > 8:
        return f
    name = segs[i]
    if name == "*":
        return f
    for r in f.reexports:
        target = None
        if r[-1] == name:
            target = r
        elif r[-1] == "*":
            target = r[:-1] + [name]
        if target is None:
            continue
        absolute = absolutize(files, f, target)
        if absolute is None:
            continue
        g = resolve(files, crate, absolute, depth + 1)
        if g is not None and g is not f and (r[-1] != "*" or defines(files, g, name)):
            return g
    return f


def defines(files, f, name):
    if name in f.items or name in f.children:
        return True
    return any(r[-1] == name for r in f.reexports)


def absolutize(files, f, segs, base=None):
    """A path relative to file `f` (or to inline module `base`) as crate-absolute, or None
    for an external crate."""
    module = list(f.module if base is None else base)
    if not segs:
        return None
    head = segs[0]
    if head in ("crate", "$crate"):
        return list(segs[1:])
    if head in ("self", "super"):
        out = module
        rest = list(segs)
        while rest and rest[0] in ("self", "super"):
            if rest.pop(0) == "super":
                out = out[:-1]
        return out + rest
    if (f.crate, tuple(module) + (head,)) in files:
        return module + list(segs)
    return None


def edges_of(files, f):
    """The files `f` imports, each with an example path."""
    found = {}
    inline = f.inline_mods()

    def base_at(pos):
        for s, e, name in inline:
            if s <= pos < e:
                return f.module + (name,)
        return f.module

    def add(segs, pos, text):
        absolute = absolutize(files, f, segs, base_at(pos))
        if absolute is None:
            return
        g = resolve(files, f.crate, absolute)
        if g is not None and g is not f and g.path not in f.children.values():
            found.setdefault(g.path, text)

    uses = list(re.finditer(r"\buse\s+([^;]+);", f.code))
    for m in uses:
        for segs in expand(m.group(1)):
            add(segs, m.start(), "use " + "::".join(segs))
    code = f.code
    for m in uses:
        code = code[:m.start()] + " " * (m.end() - m.start()) + code[m.end():]
    for m in re.finditer(r"(?<![A-Za-z0-9_:])(\$?crate|super|self|" + IDENT + r")((?:::" + IDENT + r")+)", code):
        head = m.group(1)
        segs = [head] + m.group(2).split("::")[1:]
        if head not in ("crate", "$crate", "super", "self") and head not in f.children:
            continue
        add(segs, m.start(), "::".join(segs))
    return found


def cycles(graph):
    """Strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]
    sys.setrecursionlimit(10000)

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def top(f):
    return f.module[0] if f.module else "(root)"


def main():
    show_edges = "--edges" in sys.argv
    files = discover()
    by_path = {f.path: f for f in files.values()}
    graph = {f.path: edges_of(files, f) for f in files.values()}
    problems, known_seen = [], set()

    def report(key, text):
        if key in KNOWN:
            known_seen.add(key)
            print(f"known:     {text}\n           (exception: {KNOWN[key]})")
        else:
            problems.append(text)
            print(f"VIOLATION: {text}")

    if show_edges:
        for p in sorted(graph):
            for q, why in sorted(graph[p].items()):
                print(f"{p} -> {q}   ({why})")
    # (a) circles between files.
    for comp in cycles({p: set(e) for p, e in graph.items()}):
        inner = [f"{p} -> {q} ({graph[p][q]})" for p in comp for q in graph[p] if q in comp]
        report(("circle", " <-> ".join(comp)),
               "import circle: " + " <-> ".join(comp) + "\n             " + "\n             ".join(inner))
    # Circles between the library's top-level modules.
    crate_graph = defaultdict(set)
    crate_why = {}
    for p, es in graph.items():
        f = by_path[p]
        if f.crate != "lib":
            continue
        for q, why in es.items():
            g = by_path[q]
            if ("rule", p, q) in KNOWN:
                continue  # listed (and printed) below; it would only repeat here
            if top(f) != top(g) and "(root)" not in (top(f), top(g)):
                crate_graph[top(f)].add(top(g))
                crate_why.setdefault((top(f), top(g)), f"{p} -> {q} ({why})")
    for comp in cycles(crate_graph):
        inner = [crate_why[(a, b)] for a in comp for b in crate_graph[a] if b in comp]
        report(("crate-circle", " <-> ".join(comp)),
               "crate-level circle: " + " <-> ".join(comp) + "\n             " + "\n             ".join(inner))
    # (b) layer rules.
    for p, es in sorted(graph.items()):
        f = by_path[p]
        if f.crate != "lib" or top(f) not in RULES:
            continue
        forbidden, allowed = RULES[top(f)]
        for q, why in sorted(es.items()):
            g = by_path[q]
            if top(g) == top(f) or q in allowed:
                continue
            if forbidden == "*" or top(g) in forbidden:
                report(("rule", p, q), f"layer rule: {top(f)} must not import {top(g)}: {p} -> {q} ({why})")
    for key in sorted(set(KNOWN) - known_seen):
        print(f"stale exception (no longer occurs; remove it from KNOWN): {key}")
    n_edges = sum(len(e) for e in graph.values())
    print(f"check_layers: {len(files)} files, {n_edges} imports between them; "
          f"{len(problems)} violation(s), {len(known_seen)} known exception(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
