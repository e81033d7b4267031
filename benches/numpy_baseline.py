#!/usr/bin/env python3
"""NumPy baseline for tariffsim: an independent, vectorised implementation of the cost
model in docs/model.md, written the way a careful researcher would in NumPy.

It serves two purposes:
  1. a speed baseline (benches report tariffsim's trials/s against this script's), and
  2. a cross-check: its mean landed cost per (regime, route) must agree with tariffsim's
     `summary.csv` `mean` column within Monte Carlo error,
         |m_np - m_rs| <= 4 * sqrt(se_np^2 + se_rs^2).

Run:
    pip install numpy            # the only dependency (Python >= 3.11 for tomllib)
    cargo build --release
    ./target/release/tariffsim run benches/scenarios/korea-jv-explicit.toml --trials 1000000 \\
        --out /tmp/jv1m
    python3 benches/numpy_baseline.py benches/scenarios/korea-jv-explicit.toml \\
        --trials 1000000 --compare /tmp/jv1m/summary.csv

The shipped scenarios take their law from tariffsim's built-in schedule (`schedule =
"us"`), which this model does not carry (a regime with `schedule` is an error here):
benches/scenarios/korea-jv-explicit.toml is korea-jv with that law written out (tariffsim
gives both files byte-identical results), and benches/scenarios/korea-jv-timed.toml adds
timing. A member of the korea-jv family (timing-60, enforcement-lax/strict) runs here
when its `extends` names korea-jv-explicit.toml instead of korea-jv.toml.

Options: --trials N (default: the scenario's), --chunk N (trials per vectorised chunk,
default 65536), --seed N (default: the scenario's), --compare SUMMARY_CSV (prints a
table of both means and exits 1 if any |z| > 4; for a timed scenario also each
p_before_effective of the timing.csv beside it, z from both binomial standard errors),
--components (with --compare: also compares the mean of each of the nine cost
components, which catches an error in a small component, such as fees, that the noise of
the total would hide; summary.csv has no se per component, so their z uses sqrt(2) *
se_numpy; slower, not for timing).

Scope: model version 2.2 (docs/model.md Part I, with its "Changes in version 2.1" and
"2.2"), the features the shipped scenarios use, written generally: `extends` families
(enforcement-lax/strict); every distribution kind of docs/model.md; ocean/air/parcel legs;
processing with hub currency, materials, markup, transformation and RVC; agreements with
the four rules; declare "true" or a claimed country; measures with origins/except/hs/
waived_by/replaces/floor/floor_over/when="caught"/probability/group; de minimis; fees;
enforcement with whole reassessment at the true filing, lookback_entries as a
distribution or "since_first" with lookback_limit, penalty-multiple distributions and
seizure; inspection with exclusion; sanctions (aggregate and indirect ownership, reroute or
seize) with fallbacks; holding; regime `base` chains (tables merged key by key) with
`remove`; correlated markets for legs whose rate is lognormal (the Gaussian copula of
docs/model.md is then exact: rate = median * exp(sigma * (rho Z + sqrt(1 - rho^2) e)));
every leg on a market in the shipped scenarios is lognormal; timing (`[scenario]
departure`, a measure's `effective_day` and `end_day`, and timing.csv's
p_before_effective). Not implemented, and an error rather than silently ignored: markets
on legs of other distributions, sweeps (sweep-china-tariff.toml), `schedule` regimes, an
`effective_day` beta with alpha or beta below 1; no validation beyond what the model needs
(run `tariffsim check` for that).

Threads: NumPy's element-wise work is single-threaded; the only BLAS call is the dot
product for the sums of squares, where OpenBLAS's threads gain nothing (idle 2-core
machine, 1e6 trials: 0.69 s with them, 0.67 s without) and, when the other core is busy,
made whole runs 3x slower (2.3 s against 0.74 s). The script therefore pins BLAS to one
thread (unless OPENBLAS_NUM_THREADS etc. are set): a stable one-core baseline.

The model as docs/model.md v2.2 states it, in the points easiest to get wrong: a caught
false claim is reassessed whole at the true filing (true origin, true preferences,
when="caught" measures): duty, de minimis, fees and MPF waiver are the true filing's; per
reassessed entry charge = evaded * (1 + multiple) + penalty_ad_valorem * CV with evaded =
max(0, true duty - filed duty), and the penalty component is L * charge - evaded (an
over-filed entry is refunded its excess: with no evasion only the penalty_ad_valorem part
remains); "since_first": G = max(1, ceil(ln(1 - u) / ln(1 - detection))), L = min(G,
lookback_limit); a seizure (enforcement, or a "seize" sanction) or an exclusion loses goods
+ freight + processing + penalty and adds the fallback's whole cost as `rerouting`, with
duty, fees, inspection and holding 0 (a "seize" sanction stops the goods in transit: never
caught, no penalty); seized goods are never inspected; a "reroute" sanction costs the
fallback's whole cost; a sanction's probability defaults to 1; ownership aggregates the
targets in force and follows entities that own entities (a stopped entity's shares count
as the targets'); under `base`, de_minimis/fees/enforcement/inspection merge key by key
and `remove` drops base measures, agreements, sanctions or whole tables.

Timing (docs/model.md Part I, "Extensions" and "Details", v2.1/v2.2): the departure day
is a trial-level draw shared by every route and regime (0 without `departure`); a route's
US entry day is departure + its leg and processing days (an inspection delays release and
counts in holding, not in the entry day). A measure's effective day comes from one
uniform per trial per measure name (or group), shared by every route and regime and
turned into a day through each regime's own `effective_day` distribution by its inverse
CDF, so regimes that time a measure differently get comonotone days. A timed measure
applies only to a shipment entering on a day in [effective_day, end_day): with only
`end_day` from the start, with only `effective_day` for good. Outside its window it does
not apply at all, as if not in force: it neither charges, nor replaces, nor floors; the
reassessment of a caught entry uses the same entry day. A fallback's cost is its own
route's in the same trial (its own entry day). p_before_effective, per (regime, route,
timed measure), is the share of all trials whose own shipment entered before the
effective day, counting trials where the route was rerouted (0 for a measure with only
`end_day`).

Choices where docs/model.md is silent follow tariffsim's (Part II "Model notes"; so the
comparison is meaningful), or are this script's reading where the notes say nothing:
several floors each top up independently, a floor acts only while its own measure
applies, an empty floor_over covers every applicable measure (its own included); a
measure replaces others only while it applies itself, and a replaced measure still
replaces; HS prefixes compare digits only; reroute wins when one sanction reroutes and
another seizes; an intermediate entity is stopped by a sanction when the blocked parties
own at least that sanction's ownership_threshold of it (each sanction's threshold applies
down the whole chain); "since_first" with detection = 1 gives G = 1, and a fractional
lookback_limit is used as written (L = min(G, limit), as tariffsim does); `remove` acts on
the base's copy before the regime's own entries apply, so a removed name may be written
again; under `base` a table's values are replaced whole (a distribution included), while
under `extends` tables merge key by key, inline distribution tables too (a child writing
`unit_value = { max = 50 }` changes only `max`, as tariffsim does). An untruncated normal
accepted for a non-negative value (mean >= 8 sd) is not truncated at 0 here; its chance of
a negative draw is below 1e-15.

Random numbers are this script's own (NumPy PCG64), so draws differ from tariffsim's;
only means are compared. Draws are keyed by purpose (zlib.crc32 of a label) and chunk
index, so results depend on (scenario, seed, trials, chunk).
Common random numbers: trial-level draws (goods value, FX, departure, in-force and
effective-day uniforms) are shared by routes and regimes; each route's draws (legs,
processing, event uniforms) are shared by regimes; a regime-level distribution
(inspection days, lookback, penalty multiple) is drawn once per (route, spec), so regimes
with the same spec share it; the "since_first" look-back uses one uniform per route shared
by every regime (as tariffsim does).
"""

from __future__ import annotations

import argparse
import copy
import csv
import json
import math
import os
import sys
import time
import tomllib
import zlib

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")  # before importing numpy: see "Threads" above

import numpy as np  # noqa: E402

# --------------------------------------------------------------------------------------
# Scenario: reading, rates, regime resolution
# --------------------------------------------------------------------------------------

RATE_KEYS = {
    "ad_valorem", "floor", "rvc_threshold", "mpf_rate", "hmf_rate", "detection",
    "penalty_ad_valorem", "seizure", "exclusion", "probability", "ownership_threshold",
    "carrying_rate", "markup",
}


def parse_rate(x):
    """A rate is a fraction; the string "60%" is also accepted."""
    if isinstance(x, str) and x.strip().endswith("%"):
        return float(x.strip()[:-1]) / 100.0
    return x


def normalise_rates(node):
    """Turn every "NN%" string under a rate key into a fraction, recursively."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in RATE_KEYS and isinstance(v, str):
                node[k] = parse_rate(v)
            elif k == "owners" and isinstance(v, dict):
                node[k] = {o: parse_rate(s) for o, s in v.items()}
            else:
                normalise_rates(v)
    elif isinstance(node, list):
        for v in node:
            normalise_rates(v)
    return node


NAMED = ("measures", "agreements", "sanctions")
TABLES = ("de_minimis", "fees", "enforcement", "inspection")


def merge_by_name(base_items, own_items):
    """Measures, agreements, sanctions under `base`: same name replaces the base's
    entry whole (in place), a new name appends."""
    out = [copy.deepcopy(x) for x in base_items]
    index = {x["name"]: i for i, x in enumerate(out)}
    for item in own_items:
        if item["name"] in index:
            out[index[item["name"]]] = copy.deepcopy(item)
        else:
            index[item["name"]] = len(out)
            out.append(copy.deepcopy(item))
    return out


def resolve_regimes(raw_regimes):
    """Apply `base` chains (v2.2). The copy of the base is taken first and `remove` drops
    base measures, agreements or sanctions by name, or a whole base table by its key;
    then the regime's own entries apply: measures/agreements/sanctions merge by name
    (same name replaces the base's entry whole, a new name adds), and the tables
    de_minimis, fees, enforcement, inspection merge key by key onto the base's."""
    by_name = {r["name"]: r for r in raw_regimes}
    resolved = {}

    def resolve(name, stack=()):
        if name in resolved:
            return resolved[name]
        if name in stack:
            raise ValueError(f"regime base loop: {' -> '.join(stack + (name,))}")
        own = by_name[name]
        if "base" in own:
            out = copy.deepcopy(resolve(own["base"], stack + (name,)))
            drop = set(own.get("remove", []))
            known = {x["name"] for k in NAMED for x in out.get(k, [])}
            known |= {t for t in TABLES if t in out}
            if drop - known:
                raise ValueError(f"regime {name}: remove names {sorted(drop - known)}, "
                                 f"not in base {own['base']}")
            for key in NAMED:
                out[key] = [x for x in out.get(key, []) if x["name"] not in drop]
            for key in TABLES:
                if key in drop:
                    out.pop(key, None)
        else:
            out = {key: [] for key in NAMED}
        for key in NAMED:
            out[key] = merge_by_name(out.get(key, []), own.get(key, []))
        for key in TABLES:
            if key in own:
                merged = out.get(key, {})
                merged.update(copy.deepcopy(own[key]))  # a dist value is replaced whole
                out[key] = merged
        unknown = set(own) - set(NAMED) - set(TABLES) - {"name", "base", "remove"}
        if unknown:
            raise ValueError(f"regime {name}: unknown keys {sorted(unknown)}")
        out["name"] = name
        resolved[name] = out
        return out

    return [resolve(r["name"]) for r in raw_regimes]


def _named_array(v):
    return (isinstance(v, list) and v and
            all(isinstance(x, dict) and "name" in x for x in v))


def merge_extends(base, child):
    """`extends` merge of a child document onto its base (docs/model.md, Families):
    tables key by key, inline ones too (a distribution table is a table: a child writing
    `{ max = 50 }` changes only that key, as tariffsim does); arrays of tables whose
    entries all have a `name` by name (same name merges key by key, a new name appends);
    any other value (arrays of unnamed tables such as legs, lists, numbers) replaces the
    base's whole."""
    out = copy.deepcopy(base)
    for k, v in child.items():
        b = out.get(k)
        if isinstance(b, dict) and isinstance(v, dict):
            out[k] = merge_extends(b, v)
        elif _named_array(b) and _named_array(v):
            items = out[k]
            index = {x["name"]: i for i, x in enumerate(items)}
            for entry in v:
                if entry["name"] in index:
                    items[index[entry["name"]]] = merge_extends(items[index[entry["name"]]], entry)
                else:
                    index[entry["name"]] = len(items)
                    items.append(copy.deepcopy(entry))
        else:
            out[k] = copy.deepcopy(v)
    return out


def load_scenario(path, stack=()):
    """Read a scenario file, resolving `extends = "base.toml"` (relative to the file;
    chains allowed, loops an error) before anything else."""
    path = os.path.abspath(path)
    if path in stack:
        raise ValueError(f"extends loop: {' -> '.join(stack + (path,))}")
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    parent = doc.pop("extends", None)
    if parent is None:
        return doc
    base = load_scenario(os.path.join(os.path.dirname(path), parent), stack + (path,))
    return merge_extends(base, doc)


def split_legs(route):
    """Chain the legs geographically from the route's origin to the US and split them
    at the processing country: (legs before processing, legs after)."""
    legs = list(route["legs"])
    ordered, here = [], route["origin"]
    while legs:
        nxt = [l for l in legs if l["from"] == here]
        if not nxt:
            raise ValueError(f"route {route['name']}: no leg leaves {here}")
        ordered.append(nxt[0])
        legs.remove(nxt[0])
        here = nxt[0]["to"]
    if here != "US":
        raise ValueError(f"route {route['name']}: legs end in {here}, not US")
    proc = route.get("processing")
    if proc is None or proc["country"] == route["origin"]:
        return [], ordered
    for i, leg in enumerate(ordered):
        if leg["to"] == proc["country"]:
            return ordered[: i + 1], ordered[i + 1:]
    raise ValueError(f"route {route['name']}: no leg reaches {proc['country']}")


def route_order(routes):
    """Routes sorted so every fallback is computed before the routes that use it."""
    by_name = {r["name"]: r for r in routes}
    done, out = set(), []

    def visit(r, stack=()):
        if r["name"] in done:
            return
        if r["name"] in stack:
            raise ValueError("fallback loop")
        if "fallback" in r:
            visit(by_name[r["fallback"]], stack + (r["name"],))
        done.add(r["name"])
        out.append(r)

    for r in routes:
        visit(r)
    return out


# --------------------------------------------------------------------------------------
# Distributions and keyed random streams
# --------------------------------------------------------------------------------------

def sample(spec, n, rng):
    """n draws of a *dist* value: a plain number or an inline table with `dist`."""
    if not isinstance(spec, dict):
        return np.full(n, float(parse_rate(spec)))
    kind = spec.get("dist", "fixed")
    if kind == "fixed":
        return np.full(n, float(parse_rate(spec["value"])))
    if kind == "uniform":
        return rng.uniform(spec["min"], spec["max"], n)
    if kind == "triangular":
        if spec["min"] == spec["max"]:
            return np.full(n, float(spec["min"]))
        return rng.triangular(spec["min"], spec["mode"], spec["max"], n)
    if kind == "pert":
        lo, mode, hi = spec["min"], spec["mode"], spec["max"]
        if lo == hi:
            return np.full(n, float(lo))
        a = 1.0 + 4.0 * (mode - lo) / (hi - lo)
        b = 1.0 + 4.0 * (hi - mode) / (hi - lo)
        return lo + (hi - lo) * rng.beta(a, b, n)
    if kind == "lognormal":
        return spec["median"] * np.exp(spec["sigma"] * rng.standard_normal(n))
    if kind == "normal":
        lo, hi = spec.get("min", -np.inf), spec.get("max", np.inf)
        out = rng.normal(spec["mean"], spec["sd"], n)
        bad = (out < lo) | (out > hi)
        while bad.any():  # truncated by resampling, not clamping
            out[bad] = rng.normal(spec["mean"], spec["sd"], int(bad.sum()))
            bad = (out < lo) | (out > hi)
        return out
    if kind == "beta":
        lo, hi = spec.get("min", 0.0), spec.get("max", 1.0)
        return lo + (hi - lo) * rng.beta(spec["alpha"], spec["beta"], n)
    if kind == "empirical":
        vals = np.asarray(spec["values"], dtype=float)
        w = np.asarray(spec.get("weights", np.ones(len(vals))), dtype=float)
        return rng.choice(vals, size=n, p=w / w.sum())
    raise ValueError(f"unknown dist {kind!r}")


QUANTILE_NODES = 1 << 15  # nodes of a tabulated CDF (see `quantile`)
_cdf_tables = {}


def _tabulated_cdf(spec):
    """(x, cdf) nodes of a distribution without a closed-form quantile in NumPy: the
    density on a grid over its support (a truncated normal's [min, max], else mean +-
    9 sd; beta and PERT on [min, max]), integrated with the trapezoid rule and normalised,
    so a truncated normal is renormalised to its window as resampling does. Cached per
    spec."""
    k = json.dumps(spec, sort_keys=True)
    if k in _cdf_tables:
        return _cdf_tables[k]
    kind = spec["dist"]
    if kind == "normal":
        mu, sd = float(spec["mean"]), float(spec["sd"])
        lo = max(float(spec.get("min", -np.inf)), mu - 9.0 * sd)
        hi = min(float(spec.get("max", np.inf)), mu + 9.0 * sd)
        x = np.linspace(lo, hi, QUANTILE_NODES)
        pdf = np.exp(-0.5 * ((x - mu) / sd) ** 2)
    elif kind in ("beta", "pert"):
        lo, hi = float(spec.get("min", 0.0)), float(spec.get("max", 1.0))
        if kind == "pert":
            mode = float(spec["mode"])
            a = 1.0 + 4.0 * (mode - lo) / (hi - lo)
            b = 1.0 + 4.0 * (hi - mode) / (hi - lo)
        else:
            a, b = float(spec["alpha"]), float(spec["beta"])
        if a < 1.0 or b < 1.0:  # an unbounded density at an end: the grid would miss it
            raise NotImplementedError("effective_day: beta with alpha or beta below 1")
        t = np.linspace(0.0, 1.0, QUANTILE_NODES)
        x = lo + (hi - lo) * t
        pdf = t ** (a - 1.0) * (1.0 - t) ** (b - 1.0)
    else:
        raise ValueError(f"no tabulated CDF for dist {kind!r}")
    cdf = np.concatenate(([0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(x))))
    _cdf_tables[k] = (x, cdf / cdf[-1])
    return _cdf_tables[k]


def quantile(spec, u):
    """The inverse CDF of a *dist* value at uniforms u: what turns the one shared
    effective-day uniform into each regime's own day (docs/model.md, Timing). Closed
    forms for fixed, uniform, triangular, lognormal and empirical (values sorted, the
    first whose cumulative weight reaches u); normal, beta and PERT by interpolating a
    tabulated CDF (`_tabulated_cdf`; NumPy has no erf or incomplete beta), which is
    within ~1e-8 of the exact quantile in probability, far below Monte Carlo error."""
    u = np.asarray(u, dtype=float)
    if not isinstance(spec, dict):
        return np.full(u.shape, float(spec))
    kind = spec.get("dist", "fixed")
    if kind == "fixed":
        return np.full(u.shape, float(spec["value"]))
    if kind == "uniform":
        return spec["min"] + u * (spec["max"] - spec["min"])
    if kind == "triangular":
        lo, mode, hi = float(spec["min"]), float(spec["mode"]), float(spec["max"])
        if lo == hi:
            return np.full(u.shape, lo)
        fc = (mode - lo) / (hi - lo)
        left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
        right = hi - np.sqrt((1.0 - u) * (hi - lo) * (hi - mode))
        return np.where(u < fc, left, right)
    if kind == "lognormal":
        z_nodes, cdf = _tabulated_cdf({"dist": "normal", "mean": 0.0, "sd": 1.0})
        return spec["median"] * np.exp(spec["sigma"] * np.interp(u, cdf, z_nodes))
    if kind == "empirical":
        vals = np.asarray(spec["values"], dtype=float)
        w = np.asarray(spec.get("weights", np.ones(len(vals))), dtype=float)
        order = np.argsort(vals, kind="stable")
        cum = np.cumsum(w[order]) / w.sum()
        idx = np.minimum(np.searchsorted(cum, u, side="left"), len(vals) - 1)
        return vals[order][idx]
    if kind in ("pert", "beta") and spec.get("min", 0.0) == spec.get("max", 1.0):
        return np.full(u.shape, float(spec.get("min", 0.0)))
    x, cdf = _tabulated_cdf(spec)
    return np.interp(u, cdf, x)


class Draws:
    """Per-chunk random draws, each keyed by what it is for, memoised so every regime
    (and route, for trial-level keys) sees the same numbers."""

    def __init__(self, seed, chunk_index, n):
        self.seed, self.chunk, self.n, self.cache = seed, chunk_index, n, {}

    def _rng(self, key):
        return np.random.default_rng([self.seed, self.chunk, zlib.crc32(key.encode())])

    def value(self, key, spec):
        k = key + "|" + json.dumps(spec, sort_keys=True)
        if k not in self.cache:
            self.cache[k] = sample(spec, self.n, self._rng(k))
        return self.cache[k]

    def uniform(self, key):
        if key not in self.cache:
            self.cache[key] = self._rng(key).random(self.n)
        return self.cache[key]

    def normal(self, key):
        k = key + "|normal"
        if k not in self.cache:
            self.cache[k] = self._rng(k).standard_normal(self.n)
        return self.cache[k]


# --------------------------------------------------------------------------------------
# Model steps
# --------------------------------------------------------------------------------------

def usd(amount, currency, fx):
    """Local amount -> USD; `fx` holds local currency per USD for each [fx] entry."""
    if currency is None or currency == "USD" or currency not in fx:
        return amount
    return amount / fx[currency]


def trial_draws(sc, draws):
    """Trial-level draws shared by every route and regime: goods value (USD), FX, and the
    departure day (days from the scenario's day 0; 0 without `[scenario] departure`)."""
    fx = {name: draws.value(f"fx/{name}", spec) for name, spec in sc.get("fx", {}).items()}
    goods = sc["goods"]
    v = usd(draws.value("goods/unit_value", goods["unit_value"]), goods.get("currency"), fx)
    departure = draws.value("scenario/departure", sc["scenario"].get("departure", 0.0))
    return v, fx, departure


def timed(measure):
    return "effective_day" in measure or "end_day" in measure


def effective_days(regimes, draws):
    """Per regime, the window [effective day, end day) of each timed measure: the
    effective day is one uniform per trial per measure name (or group), shared by every
    route and regime, turned into a day by each regime's own `effective_day`
    distribution (`quantile`), so regimes that time a measure differently get
    comonotone days; without `effective_day` the window opens at -inf, without
    `end_day` it never closes."""
    out = []
    for reg in regimes:
        win = {}
        for m in reg.get("measures", []):
            if not timed(m):
                continue
            if "effective_day" in m:
                u = draws.uniform(f"effective-day/{m.get('group') or m['name']}")
                eff = quantile(m["effective_day"], u)
            else:
                eff = None
            win[m["name"]] = (eff, float(m.get("end_day", math.inf)))
        out.append(win)
    return out


def in_window(flags, windows, entry_day):
    """The regime's in-force flags for one route, with each timed measure also required
    to be in its window on the route's US entry day: effective day <= entry < end day.
    A measure outside its window does not apply at all (it neither charges, nor
    replaces, nor floors)."""
    if not windows:
        return flags
    out = dict(flags)
    for name, (eff, end) in windows.items():
        ok = entry_day < end
        if eff is not None:
            ok = ok & (eff <= entry_day)
        out[("measures", name)] = flags[("measures", name)] & ok
    return out


def in_force_draws(regimes, draws):
    """Whether each measure/sanction is in force: one uniform per trial per group (or
    per name without a group), compared with the item's probability."""
    out = []
    for reg in regimes:
        flags = {}
        for kind in ("measures", "sanctions"):
            for item in reg.get(kind, []):
                p = float(parse_rate(item.get("probability", 1.0)))
                if p >= 1.0:
                    flags[(kind, item["name"])] = np.ones(draws.n, bool)
                    continue
                key = item.get("group") or f"{kind}/{item['name']}"
                flags[(kind, item["name"])] = draws.uniform(f"in-force/{key}") < p
        out.append(flags)
    return out


def leg_rate(leg, draws, key):
    """A leg's rate; a leg on a correlated market loads `correlation` on the market's
    standard-normal shock Z (one per trial, shared by every leg of that market)."""
    market = leg.get("market")
    if market is None:
        return draws.value(key + "/rate", leg["rate"])
    spec = leg["rate"]
    if not (isinstance(spec, dict) and spec.get("dist") == "lognormal"):
        raise NotImplementedError(f"{key}: market legs must be lognormal in this baseline")
    rho = float(leg.get("correlation", 0.0))
    z = draws.normal(f"market/{market}")
    e = draws.normal(key + "/rate/e")
    return spec["median"] * np.exp(spec["sigma"] * (rho * z + math.sqrt(1.0 - rho * rho) * e))


def leg_freight(leg, goods, draws, key):
    """Freight per unit of one leg (rate per FEU or per kg, plus fees) and its days."""
    rate = leg_rate(leg, draws, key)
    if leg.get("mode", "ocean") == "ocean":
        per_unit = rate / goods["units_per_feu"]
    else:  # air | parcel: USD per kg
        per_unit = rate * goods["kg_per_unit"]
    per_unit = per_unit + draws.value(key + "/fees", leg.get("fees", 0.0))
    return per_unit, draws.value(key + "/days", leg.get("days", 0.0))


def route_physical(route, goods, v, fx, departure, draws):
    """Everything about a route that no regime changes: freight, hub costs, CV, RVC,
    origins, days (legs + processing) and the US entry day (departure + those days; an
    inspection delays release, not entry). Returns a dict of arrays/scalars."""
    key = f"route/{route['name']}"
    before, after = split_legs(route)
    n = draws.n
    fr_before, fr_after, days = np.zeros(n), np.zeros(n), np.zeros(n)
    for i, leg in enumerate(before + after):
        f, d = leg_freight(leg, goods, draws, f"{key}/leg{i}")
        if i < len(before):
            fr_before += f
        else:
            fr_after += f
        days += d
    proc = route.get("processing")
    if proc is not None:
        cur = proc.get("currency", "USD")
        cost = usd(draws.value(key + "/proc/cost", proc.get("cost", 0.0)), cur, fx)
        mats = usd(draws.value(key + "/proc/materials", proc.get("materials", 0.0)), cur, fx)
        markup = draws.value(key + "/proc/markup", proc.get("markup", 0.0))
        days += draws.value(key + "/proc/days", proc.get("days", 0.0))
        cv = (v + fr_before + cost + mats) * (1.0 + markup)
        vnm = v + fr_before + (0.0 if proc.get("materials_originating", True) else mats)
        rvc = (cv - vnm) / cv
        transforms = bool(proc.get("transforms", False))
        made_in = proc["country"]
        true_origin = proc["country"] if transforms else route["origin"]
    else:
        cv, rvc, transforms = v, None, False
        made_in = true_origin = route["origin"]
    return {
        "name": route["name"], "v": v, "cv": cv, "rvc": rvc, "transforms": transforms,
        "made_in": made_in, "true_origin": true_origin, "fr_before": fr_before,
        "freight": fr_before + fr_after, "days": days, "entry_day": departure + days,
        "has_proc": proc is not None,
        "last_mode": after[-1].get("mode", "ocean") if after else before[-1].get("mode", "ocean"),
    }


def listed(country, origins):
    return "*" in origins or country in origins


def qualifies(agreement, phys):
    """Boolean array: the goods truly qualify for the agreement's preference."""
    n = len(phys["cv"])
    if not listed(phys["made_in"], agreement.get("origins", [])):
        return np.zeros(n, bool)
    if not phys["has_proc"]:
        return np.ones(n, bool)
    rule = agreement.get("rule", "shift_or_rvc")
    shift = np.full(n, phys["transforms"])
    rvc_ok = phys["rvc"] >= float(agreement.get("rvc_threshold", 0.0))
    return {"shift": shift, "rvc": rvc_ok, "shift_or_rvc": shift | rvc_ok,
            "shift_and_rvc": shift & rvc_ok}[rule]


def filing(route, regime, phys):
    """(filed origin, claimed agreements {name: bool array}, true preferences,
    false-claim bool array)."""
    n = len(phys["cv"])
    truth = {a["name"]: qualifies(a, phys) for a in regime.get("agreements", [])}
    declare = route.get("declare", "true")
    if declare == "true":
        return phys["true_origin"], truth, truth, np.zeros(n, bool)
    claimed = {a["name"]: np.full(n, listed(declare, a.get("origins", [])))
               for a in regime.get("agreements", [])}
    false = np.full(n, declare != phys["true_origin"])
    for name, c in claimed.items():
        false |= c & ~truth[name]
    return declare, claimed, truth, false


def duty_per_unit(regime, flags, goods_hs, origin, claimed, cv, caught):
    """Duty per unit for a filing: applicable measures in force, not waived by a claimed
    agreement, minus replaced ones; floors top up their floor_over sums independently."""
    n = len(cv)
    hs = (goods_hs or "").replace(".", "")
    applies = {}
    for m in regime.get("measures", []):
        if not listed(origin, m.get("origins", ["*"])) or origin in m.get("except", []):
            continue
        prefixes = [p.replace(".", "") for p in m.get("hs", [])]
        if prefixes and not any(hs.startswith(p) for p in prefixes):
            continue
        if m.get("when", "always") == "caught" and not caught:
            continue
        ok = flags[("measures", m["name"])].copy()
        for ag in m.get("waived_by", []):
            if ag in claimed:
                ok &= ~claimed[ag]
        applies[m["name"]] = ok
    by_name = {m["name"]: m for m in regime.get("measures", [])}
    active = {}
    for name, ok in applies.items():
        replaced = np.zeros(n, bool)
        for other, ok2 in applies.items():
            if other != name and name in by_name[other].get("replaces", []):
                replaced |= ok2
        active[name] = ok & ~replaced
    rate, specific = np.zeros(n), np.zeros(n)
    for name, on in active.items():
        m = by_name[name]
        rate += on * float(m.get("ad_valorem", 0.0))
        specific += on * float(m.get("per_unit", 0.0))
    for name, on in active.items():  # floors, each topping up on its own
        m = by_name[name]
        floor = float(m.get("floor", 0.0))
        if floor <= 0.0:
            continue
        over = m.get("floor_over") or list(active)
        covered = sum((active[o] * float(by_name[o].get("ad_valorem", 0.0))
                       for o in over if o in active), np.zeros(n))
        rate += on * np.maximum(0.0, floor - covered)
    return rate * cv + specific


def de_minimis(regime, origin, cv, units):
    """Bool array: the entry is under de minimis (no duty, no fees)."""
    dm = regime.get("de_minimis")
    if dm is None or origin in dm.get("except", []):
        return np.zeros(len(cv), bool)
    return cv * units <= float(dm["threshold"])


def fees_per_unit(regime, claimed, phys, units):
    """MPF (formal clamp or informal flat; waived by a claimed waives_mpf agreement),
    HMF on an ocean arrival, entry fee; per entry, divided by units."""
    f = regime.get("fees")
    cv = phys["cv"]
    if f is None:
        return np.zeros(len(cv))
    value = cv * units
    mpf = np.where(value <= float(f.get("informal_threshold", 0.0)),
                   float(f.get("mpf_informal", 0.0)),
                   np.clip(float(f.get("mpf_rate", 0.0)) * value,
                           float(f.get("mpf_min", 0.0)), float(f.get("mpf_max", np.inf))))
    waived = np.zeros(len(cv), bool)
    for a in regime.get("agreements", []):
        if a.get("waives_mpf", False):
            waived |= claimed[a["name"]]
    mpf = np.where(waived, 0.0, mpf)
    hmf = float(f.get("hmf_rate", 0.0)) * value if phys["last_mode"] == "ocean" else 0.0
    return (mpf + hmf + float(f.get("entry_fee", 0.0))) / units


def lookback_entries(enf, route, draws, n):
    """Entries reassessed once caught. A *dist* value is drawn once per (route, spec);
    "since_first" (v2.2): the caught entry is the G-th of the scheme,
    G = max(1, ceil(ln(1 - u) / ln(1 - detection))) from the route's look-back uniform u
    (shared by every regime), and L = min(G, lookback_limit), the limit unlimited by
    default."""
    key = f"route/{route['name']}/enforcement"
    spec = enf.get("lookback_entries", 1.0)
    if spec != "since_first":
        if "lookback_limit" in enf:
            raise ValueError(f"{key}: lookback_limit needs lookback_entries = \"since_first\"")
        return draws.value(key + "/lookback", spec)
    d = float(enf.get("detection", 0.0))
    if d >= 1.0 or d <= 0.0:  # certain detection: the first entry; never caught: unused
        g = np.ones(n)
    else:
        u = draws.uniform(key + "/lookback-u")
        g = np.maximum(1.0, np.ceil(np.log1p(-u) / math.log1p(-d)))
    return np.minimum(g, float(enf.get("lookback_limit", math.inf)))


def enforcement(regime, route, phys, flags, goods, filed_duty, truth, false, draws):
    """Caught false claims (v2.1/v2.2): the entry is reassessed whole at the true filing
    (true origin, true preferences, when="caught" measures applying): duty, de minimis,
    fees and MPF waiver all as the true filing would have them. Per reassessed entry the
    charge is evaded * (1 + multiple) + penalty_ad_valorem * CV, evaded =
    max(0, true duty - filed duty); L entries are booked on this shipment: the penalty
    component is L * charge - evaded (an over-filed entry is refunded its excess).
    Returns (caught, seized, true duty, true fees, penalty), per unit; None when the
    regime cannot catch this route."""
    enf = regime.get("enforcement")
    if enf is None or not false.any():
        return None
    n = len(phys["cv"])
    key = f"route/{route['name']}/enforcement"
    caught = false & (draws.uniform(key + "/detection") < float(enf.get("detection", 0.0)))
    seized = caught & (draws.uniform(key + "/seizure") < float(enf.get("seizure", 0.0)))
    units = goods["units"]
    cv = phys["cv"]
    true_dm = de_minimis(regime, phys["true_origin"], cv, units)
    true_duty = np.where(true_dm, 0.0, duty_per_unit(regime, flags, goods.get("hs"),
                                                     phys["true_origin"], truth, cv,
                                                     caught=True))
    true_fees = np.where(true_dm, 0.0, fees_per_unit(regime, truth, phys, units))
    evaded = np.maximum(0.0, true_duty - filed_duty)
    lookback = lookback_entries(enf, route, draws, n)
    multiple = draws.value(key + "/multiple", enf.get("penalty_multiple", 0.0))
    pav = float(enf.get("penalty_ad_valorem", 0.0))
    charge = evaded * (1.0 + multiple) + pav * cv
    penalty = np.where(caught, lookback * charge - evaded, 0.0)
    return caught, seized, true_duty, true_fees, penalty


def inspection(regime, route, origin, seized, draws, units):
    """By filed origin, only for goods not seized. Returns (fee per unit, delay days,
    excluded)."""
    insp = regime.get("inspection")
    n = len(seized)
    if insp is None or not listed(origin, insp.get("origins", ["*"])):
        return np.zeros(n), np.zeros(n), np.zeros(n, bool)
    key = f"route/{route['name']}/inspection"
    inspected = ~seized & (draws.uniform(key + "/inspected") < float(insp.get("probability", 0.0)))
    excluded = inspected & (draws.uniform(key + "/exclusion") < float(insp.get("exclusion", 0.0)))
    days = draws.value(key + "/days", insp.get("days", 0.0))
    fee = float(insp.get("fee", 0.0)) / units
    return (np.where(inspected & ~excluded, fee, 0.0), np.where(inspected, days, 0.0),
            excluded)


def sanctions(regime, route, entities, flags, n):
    """(stopped by a reroute sanction, seized by a seize sanction). A sanction in force
    stops the route when the operator is its target, or when its target owns part of the
    operator (directly or through entities that own entities) and the parties blocked
    in that trial together own at least its ownership_threshold of the operator.
    Blocked parties: the targets of every sanction in force, and every entity whose
    blocked owners together hold at least the threshold (a stopped entity's shares
    count as the targets'). Reroute wins over seize (known before shipping)."""
    reroute, seize = np.zeros(n, bool), np.zeros(n, bool)
    op = route.get("operator")
    sanc = regime.get("sanctions", [])
    if op is None or not sanc:
        return reroute, seize
    target_on = {}
    for s in sanc:
        t = s["target"]
        target_on[t] = target_on.get(t, np.zeros(n, bool)) | flags[("sanctions", s["name"])]

    ancestors, todo = set(), [op]
    while todo:  # every party owning part of op, directly or indirectly
        for o in entities.get(todo.pop(), {}):
            if o not in ancestors:
                ancestors.add(o)
                todo.append(o)

    def blocked_share(theta):
        """Share of op held by blocked parties, with entities blocked at threshold theta."""
        blocked = {p: on.copy() for p, on in target_on.items()}
        for _ in range(len(entities) + 1):  # fixpoint: blocked sets only grow
            changed = False
            for e, owners in entities.items():
                share = sum((blocked[o] * float(w) for o, w in owners.items() if o in blocked),
                            np.zeros(n))
                now = blocked.get(e, np.zeros(n, bool)) | (share >= theta)
                if e not in blocked or (now != blocked[e]).any():
                    blocked[e], changed = now, True
            if not changed:
                break
        return sum((blocked[o] * float(w) for o, w in entities.get(op, {}).items()
                    if o in blocked), np.zeros(n))

    shares = {}
    for s in sanc:
        on = flags[("sanctions", s["name"])]
        if s["target"] == op:
            hit = on
        elif s["target"] in ancestors:
            theta = float(s.get("ownership_threshold", 0.5))
            if theta not in shares:
                shares[theta] = blocked_share(theta)
            hit = on & (shares[theta] >= theta)
        else:
            continue
        if s.get("effect", "reroute") == "seize":
            seize |= hit
        else:
            reroute |= hit
    return reroute, seize & ~reroute


def landed_cost(route, regime, phys, flags, goods, entities, fallback_cost, draws,
                components=False):
    """Landed cost per unit of one route under one regime, for every trial of the chunk;
    with `components`, also the nine components of summary.csv (they sum to the cost)."""
    units = goods["units"]
    cv, v = phys["cv"], phys["v"]
    n = len(cv)
    origin, claimed, truth, false = filing(route, regime, phys)
    dm = de_minimis(regime, origin, cv, units)
    duty = np.where(dm, 0.0, duty_per_unit(regime, flags, goods.get("hs"), origin,
                                           claimed, cv, caught=False))
    fees = np.where(dm, 0.0, fees_per_unit(regime, claimed, phys, units))
    caught = seized = np.zeros(n, bool)
    penalty = np.zeros(n)
    enf = enforcement(regime, route, phys, flags, goods, duty, truth, false, draws)
    if enf is not None:  # a caught entry pays the true filing's duty and fees
        caught, seized, true_duty, true_fees, penalty = enf
        duty = np.where(caught, true_duty, duty)
        fees = np.where(caught, true_fees, fees)
    insp_fee, insp_days, excluded = inspection(regime, route, origin, seized, draws, units)
    holding = float(goods.get("carrying_rate", 0.0)) * cv * (phys["days"] + insp_days) / 365.0
    processing = cv - v - phys["fr_before"] if phys["has_proc"] else 0.0
    base = v + phys["freight"] + processing
    entered = base + duty + fees + penalty + insp_fee + holding
    fallback = fallback_cost if fallback_cost is not None else 0.0
    lost = base + penalty + fallback  # seized or excluded: no duty/fees/inspection/holding
    blocked, sanction_seized = sanctions(regime, route, entities, flags, n)
    cost = np.where(seized | excluded, lost, entered)
    cost = np.where(sanction_seized, base + fallback, cost)  # never entered: no penalty
    cost = np.where(blocked, fallback, cost)
    if not components:
        return cost, None
    alive = ~blocked                            # the route's own shipment left
    landed = alive & ~sanction_seized           # it reached the US
    entered_ok = landed & ~seized & ~excluded   # and was released
    comps = {
        "goods": np.where(alive, v, 0.0), "freight": np.where(alive, phys["freight"], 0.0),
        "processing": np.where(alive, processing, 0.0), "duty": np.where(entered_ok, duty, 0.0),
        "fees": np.where(entered_ok, fees, 0.0), "penalty": np.where(landed, penalty, 0.0),
        "inspection": np.where(entered_ok, insp_fee, 0.0),
        "holding": np.where(entered_ok, holding, 0.0),
        "rerouting": np.where(entered_ok, 0.0, fallback),
    }
    return cost, comps


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

def unsupported(sc):
    """Refuse what this baseline does not model rather than silently ignore it."""
    if "sweep" in sc:
        raise NotImplementedError("[[sweep]] is not supported by this baseline")


COMPONENTS = ("goods", "freight", "processing", "duty", "fees", "penalty", "inspection",
              "holding", "rerouting")


def simulate(sc, trials, chunk, seed, components=False):
    """Run all chunks; returns (regime names, route names, sums, sums of squares,
    timing), the sums over the landed cost (index 0) and, with `components`, each
    component; timing maps (regime, route, measure) of every timed measure to the number
    of trials whose own shipment entered the US before the measure's effective day."""
    regimes = resolve_regimes(sc["regimes"])
    routes = route_order(sc["routes"])
    entities = {e["name"]: e.get("owners", {}) for e in sc.get("entities", [])}
    goods = sc["goods"]
    k = 1 + (len(COMPONENTS) if components else 0)
    s1 = np.zeros((k, len(regimes), len(sc["routes"])))
    s2 = np.zeros_like(s1)
    col = {r["name"]: j for j, r in enumerate(sc["routes"])}
    before = {}
    done, ci = 0, 0
    while done < trials:
        n = min(chunk, trials - done)
        draws = Draws(seed, ci, n)
        v, fx, departure = trial_draws(sc, draws)
        flags = in_force_draws(regimes, draws)
        windows = effective_days(regimes, draws)
        phys = {r["name"]: route_physical(r, goods, v, fx, departure, draws) for r in routes}
        for i, reg in enumerate(regimes):
            costs = {}
            for r in routes:
                fb = costs.get(r.get("fallback"))
                ph = phys[r["name"]]
                fl = in_window(flags[i], windows[i], ph["entry_day"])
                c, comps = landed_cost(r, reg, ph, fl, goods, entities, fb, draws, components)
                costs[r["name"]] = c
                j = col[r["name"]]
                for q, x in enumerate([c] + [comps[name] for name in COMPONENTS] if comps else [c]):
                    s1[q, i, j] += x.sum()
                    s2[q, i, j] += np.dot(x, x)
                for m, (eff, _) in windows[i].items():  # the route's own entry day, even
                    key = (reg["name"], r["name"], m)     # when rerouted; only an end_day:
                    early = 0 if eff is None else int((ph["entry_day"] < eff).sum())  # never
                    before[key] = before.get(key, 0) + early
        done += n
        ci += 1
    return [r["name"] for r in regimes], [r["name"] for r in sc["routes"]], s1, s2, before


def zscore(diff, se, ref):
    """diff / se; with se 0 (a fixed result) the values must agree to 1e-9 relative."""
    if se > 0:
        return diff / se
    return 0.0 if abs(diff) <= 1e-9 * max(1.0, abs(ref)) else math.copysign(math.inf, diff)


def compare(path, reg_names, route_names, mean, se):
    """Print numpy vs tariffsim means; return the number of |z| > 4. With component
    means (mean, se of shape (10, regimes, routes)), also compare each component mean;
    summary.csv has no se per component, so z uses sqrt(2) * se_numpy (both estimate
    the same distribution with as many trials). A mean or component that is constant
    (se 0) must agree to 1e-9 relative."""
    rust = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rust[(row["regime"], row["route"])] = row
    print(f"\n{'regime':<24} {'route':<16} {'mean_numpy':>11} {'se_numpy':>9} "
          f"{'mean_rust':>11} {'se_rust':>9} {'z':>7}")
    bad = 0
    worst = {}
    for i, reg in enumerate(reg_names):
        for j, rt in enumerate(route_names):
            if (reg, rt) not in rust:
                print(f"{reg:<24} {rt:<16} {mean[0, i, j]:11.4f} {se[0, i, j]:9.4f}  missing in {path}")
                bad += 1
                continue
            row = rust[(reg, rt)]
            mr, sr = float(row["mean"]), float(row["se"])
            z = zscore(mean[0, i, j] - mr, math.sqrt(se[0, i, j] ** 2 + sr ** 2), mr)
            worst["mean"] = max(worst.get("mean", 0.0), abs(z))
            flag = "  <-- |z| > 4" if abs(z) > 4 else ""
            bad += abs(z) > 4
            print(f"{reg:<24} {rt:<16} {mean[0, i, j]:11.4f} {se[0, i, j]:9.4f} "
                  f"{mr:11.4f} {sr:9.4f} {z:7.2f}{flag}")
            for q, name in enumerate(COMPONENTS[: len(mean) - 1], start=1):
                mr = float(row[name])
                d = mean[q, i, j] - mr
                sd = math.sqrt(2.0) * se[q, i, j]
                zc = zscore(d, sd, mr)
                worst[name] = max(worst.get(name, 0.0), abs(zc))
                if abs(zc) > 4:
                    bad += 1
                    print(f"{'':<24} {'  ' + name:<16} {mean[q, i, j]:11.4f} {se[q, i, j]:9.4f} "
                          f"{mr:11.4f} {'':>9} {zc:7.2f}  <-- |z| > 4")
    print("max |z|: " + ", ".join(f"{k} {v:.2f}" for k, v in worst.items()))
    return bad


def compare_timing(path, summary, before, trials):
    """Print numpy vs tariffsim p_before_effective (timing.csv beside summary.csv, whose
    `trials` column gives tariffsim's count); return the number of |z| > 4, with z from
    both binomial standard errors, and the number of rows compared. A row on one side
    only counts as a disagreement."""
    with open(summary, newline="") as f:
        n_rust = {(row["regime"], row["route"]): int(row["trials"]) for row in csv.DictReader(f)}
    rust = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rust[(row["regime"], row["route"], row["measure"])] = float(row["p_before_effective"])
    keys = sorted(set(rust) | set(before))
    w = [max([len(h)] + [len(k[c]) for k in keys]) for c, h in enumerate(("regime", "route",
                                                                          "measure"))]
    print(f"\n{'regime':<{w[0]}} {'route':<{w[1]}} {'measure':<{w[2]}} {'before_numpy':>12} "
          f"{'before_rust':>12} {'z':>7}")
    bad, worst = 0, 0.0
    for key in keys:
        reg, rt, m = key
        if key not in before or key not in rust:
            side = "numpy" if key not in before else path
            print(f"{reg:<{w[0]}} {rt:<{w[1]}} {m:<{w[2]}}  missing in {side}")
            bad += 1
            continue
        pn, pr = before[key] / trials, rust[key]
        se = math.sqrt(pn * (1.0 - pn) / trials + pr * (1.0 - pr) / n_rust[(reg, rt)])
        z = zscore(pn - pr, se, pr)
        worst = max(worst, abs(z))
        flag = "  <-- |z| > 4" if abs(z) > 4 else ""
        bad += abs(z) > 4
        print(f"{reg:<{w[0]}} {rt:<{w[1]}} {m:<{w[2]}} {pn:12.5f} {pr:12.5f} {z:7.2f}{flag}")
    print(f"max |z|: p_before_effective {worst:.2f}")
    return bad, len(set(rust) | set(before))


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--chunk", type=int, default=1 << 16)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--compare", metavar="SUMMARY_CSV")
    ap.add_argument("--components", action="store_true",
                    help="also compare the mean of each cost component (slower)")
    args = ap.parse_args(argv)
    sc = normalise_rates(load_scenario(args.scenario))
    unsupported(sc)
    trials = args.trials or sc["scenario"].get("trials", 100000)
    seed = args.seed if args.seed is not None else sc["scenario"].get("seed", 0)

    t0 = time.perf_counter()
    reg_names, route_names, s1, s2, before = simulate(sc, trials, args.chunk, seed,
                                                      args.components)
    wall = time.perf_counter() - t0
    mean = s1 / trials
    var = np.maximum(0.0, s2 / trials - mean ** 2) * trials / max(1, trials - 1)
    se = np.sqrt(var / trials)

    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    print(f"scenario {args.scenario}: {len(reg_names)} regimes x {len(route_names)} routes")
    print(f"trials {trials} (chunk {args.chunk}, seed {seed})")
    print(f"wall seconds {wall:.3f}")
    print(f"trials per second {trials / wall:.0f}")
    if args.compare:
        bad = compare(args.compare, reg_names, route_names, mean, se)
        what = " (mean or a component)" if args.components else ""
        print(f"\n{bad} of {len(reg_names) * len(route_names)} cells{what} with |z| > 4")
        timing_csv = os.path.join(os.path.dirname(os.path.abspath(args.compare)), "timing.csv")
        if before or os.path.exists(timing_csv):
            if os.path.exists(timing_csv):
                tbad, rows = compare_timing(timing_csv, args.compare, before, trials)
                print(f"{tbad} of {rows} timing.csv rows with |z| > 4")
                bad += tbad
            else:
                print(f"timing.csv not found beside {args.compare}: "
                      "p_before_effective not compared")
                bad += 1
        return 1 if bad else 0
    print(f"\n{'regime':<24} {'route':<16} {'mean':>11} {'se':>9}")
    for i, reg in enumerate(reg_names):
        for j, rt in enumerate(route_names):
            print(f"{reg:<24} {rt:<16} {mean[0, i, j]:11.4f} {se[0, i, j]:9.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
