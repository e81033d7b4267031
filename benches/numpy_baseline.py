#!/usr/bin/env python3
"""NumPy baseline for tariffsim: an independent, vectorised implementation of the cost
model in /work/shared/MODEL.md, written the way a careful researcher would in NumPy.

It serves two purposes:
  1. a speed baseline (benches report tariffsim's trials/s against this script's), and
  2. a cross-check: its mean landed cost per (regime, route) must agree with tariffsim's
     `summary.csv` `mean` column within Monte Carlo error,
         |m_np - m_rs| <= 4 * sqrt(se_np^2 + se_rs^2).

Run:
    pip install numpy            # the only dependency (Python >= 3.11 for tomllib)
    cargo build --release
    ./target/release/tariffsim run scenarios/korea-jv.toml --trials 1000000 --out /tmp/jv1m
    python3 benches/numpy_baseline.py scenarios/korea-jv.toml --trials 1000000 \\
        --compare /tmp/jv1m/summary.csv

Options: --trials N (default: the scenario's), --chunk N (trials per vectorised chunk,
default 65536), --seed N (default: the scenario's), --compare SUMMARY_CSV (prints a
table of both means and exits 1 if any |z| > 4).

Scope: the features the shipped scenario `scenarios/korea-jv.toml` uses, written
generally: every distribution kind of MODEL.md; ocean/air/parcel legs; processing with
hub currency, materials, markup, transformation and RVC; agreements with the four rules;
declare "true" or a claimed country; measures with origins/except/hs/waived_by/replaces/
floor/floor_over/when="caught"/probability/group; de minimis; fees; enforcement with
lookback and penalty-multiple distributions and seizure; inspection with exclusion;
sanctions (aggregate ownership, reroute or seize) with fallbacks; holding; regime `base`
chains with `remove`; correlated markets for legs whose rate is lognormal (the Gaussian
copula of MODEL.md is then exact: rate = median * exp(sigma * (rho Z + sqrt(1 - rho^2) e)));
every leg of a market in korea-jv is lognormal. Not implemented (not used by the
scenario): markets on legs of other distributions (an error), timing, sweeps.

Threads: NumPy's element-wise work is single-threaded; the only BLAS call is the dot
product for the sums of squares, where OpenBLAS's threads gain nothing (idle 2-core
machine, 1e6 trials: 0.69 s with them, 0.67 s without) and, when the other core is busy,
made whole runs 3x slower (2.3 s against 0.74 s). The script therefore pins BLAS to one
thread (unless OPENBLAS_NUM_THREADS etc. are set): a stable one-core baseline.

Choices where MODEL.md is silent follow tariffsim's (so the comparison is meaningful):
fees are not reassessed when a false claim is caught; de minimis is re-evaluated at the
true origin on reassessment; a seizure (enforcement, or a "seize" sanction) loses goods +
freight + processing + penalty and adds the fallback's whole cost as `rerouting`, with
duty, fees, inspection and holding 0; an excluded shipment pays no inspection fee and is
lost as seized; a "reroute" sanction costs the fallback's whole cost; the penalty
component is filed duty + lookback * (evaded * (1 + multiple) + penalty_ad_valorem * CV)
- true duty; several floors each top up independently; inspection only if not seized;
sanction ownership is aggregated over the targets in force.

Random numbers are this script's own (NumPy PCG64), so draws differ from tariffsim's;
only means are compared. Draws are keyed by purpose (zlib.crc32 of a label) and chunk
index, so results depend on (scenario, seed, trials, chunk).
Common random numbers: trial-level draws (goods value, FX, in-force uniforms) are shared
by routes and regimes; each route's draws (legs, processing, event uniforms) are shared
by regimes; a regime-level distribution (inspection days, lookback, penalty multiple) is
drawn once per (route, spec), so regimes with the same spec share it.
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


def merge_by_name(base_items, own_items):
    """Measures, agreements, sanctions: same name replaces the base's, new ones append."""
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
    """Apply `base` chains: merge measures/agreements/sanctions by name, drop `remove`,
    and let any other table the regime writes replace the base's whole."""
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
        else:
            out = {"measures": [], "agreements": [], "sanctions": []}
        for key in ("measures", "agreements", "sanctions"):
            out[key] = merge_by_name(out.get(key, []), own.get(key, []))
        drop = set(own.get("remove", []))
        out["measures"] = [m for m in out["measures"] if m["name"] not in drop]
        for key, value in own.items():
            if key not in ("measures", "agreements", "sanctions", "base", "remove"):
                out[key] = copy.deepcopy(value)
        out["name"] = name
        resolved[name] = out
        return out

    return [resolve(r["name"]) for r in raw_regimes]


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
    """Trial-level draws shared by every route and regime: goods value (USD), FX."""
    fx = {name: draws.value(f"fx/{name}", spec) for name, spec in sc.get("fx", {}).items()}
    goods = sc["goods"]
    v = usd(draws.value("goods/unit_value", goods["unit_value"]), goods.get("currency"), fx)
    return v, fx


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


def route_physical(route, goods, v, fx, draws):
    """Everything about a route that no regime changes: freight, hub costs, CV, RVC,
    origins, days. Returns a dict of arrays/scalars."""
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
        "freight": fr_before + fr_after, "days": days, "has_proc": proc is not None,
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


def enforcement(regime, route, phys, flags, goods, filed_duty, truth, false, draws):
    """Caught false claims: reassess at the true origin and preferences with
    when="caught" measures; book lookback entries' charges. Returns (caught, seized,
    true duty, penalty component)."""
    n = len(phys["cv"])
    enf = regime.get("enforcement")
    zero = np.zeros(n)
    if enf is None or not false.any():
        return np.zeros(n, bool), np.zeros(n, bool), filed_duty, zero
    key = f"route/{route['name']}/enforcement"
    caught = false & (draws.uniform(key + "/detection") < float(enf.get("detection", 0.0)))
    seized = caught & (draws.uniform(key + "/seizure") < float(enf.get("seizure", 0.0)))
    units = goods["units"]
    true_duty = duty_per_unit(regime, flags, goods.get("hs"), phys["true_origin"], truth,
                              phys["cv"], caught=True)
    true_duty = np.where(de_minimis(regime, phys["true_origin"], phys["cv"], units), 0.0, true_duty)
    evaded = np.maximum(0.0, true_duty - filed_duty)
    lookback = draws.value(key + "/lookback", enf.get("lookback_entries", 1.0))
    multiple = draws.value(key + "/multiple", enf.get("penalty_multiple", 0.0))
    pav = float(enf.get("penalty_ad_valorem", 0.0))
    total = filed_duty + lookback * (evaded * (1.0 + multiple) + pav * phys["cv"])
    duty = np.where(caught, true_duty, filed_duty)
    penalty = np.where(caught, total - true_duty, 0.0)
    return caught, seized, duty, penalty


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


def sanctions(regime, route, entities, flags):
    """(blocked by a reroute sanction, seized by a seize sanction): the operator is a
    target in force, or targets in force together own at least the threshold of it."""
    n = len(next(iter(flags.values()))) if flags else 0
    reroute, seize = np.zeros(n, bool), np.zeros(n, bool)
    op = route.get("operator")
    if op is None:
        return reroute, seize
    owners = entities.get(op, {})
    owned = np.zeros(n)  # aggregate share of the operator held by targets in force
    counted = set()
    for s in regime.get("sanctions", []):
        t = s["target"]
        if t in owners and t not in counted:
            counted.add(t)
            on = np.zeros(n, bool)
            for s2 in regime.get("sanctions", []):
                if s2["target"] == t:
                    on |= flags[("sanctions", s2["name"])]
            owned += on * float(owners[t])
    for s in regime.get("sanctions", []):
        on = flags[("sanctions", s["name"])]
        hit = on & ((s["target"] == op) |
                    ((s["target"] in owners) &
                     (owned >= float(s.get("ownership_threshold", 0.5)))))
        if s.get("effect", "reroute") == "seize":
            seize |= hit
        else:
            reroute |= hit
    return reroute, seize


def landed_cost(route, regime, phys, flags, goods, entities, fallback_cost, draws):
    """Landed cost per unit of one route under one regime, for every trial of the chunk."""
    units = goods["units"]
    cv, v = phys["cv"], phys["v"]
    origin, claimed, truth, false = filing(route, regime, phys)
    dm = de_minimis(regime, origin, cv, units)
    filed_duty = np.where(dm, 0.0, duty_per_unit(regime, flags, goods.get("hs"), origin,
                                                 claimed, cv, caught=False))
    fees = np.where(dm, 0.0, fees_per_unit(regime, claimed, phys, units))
    caught, seized, duty, penalty = enforcement(regime, route, phys, flags, goods,
                                                filed_duty, truth, false, draws)
    insp_fee, insp_days, excluded = inspection(regime, route, origin, seized, draws, units)
    holding = float(goods.get("carrying_rate", 0.0)) * cv * (phys["days"] + insp_days) / 365.0
    processing = cv - v - phys["fr_before"] if phys["has_proc"] else 0.0
    base = v + phys["freight"] + processing
    entered = base + duty + fees + penalty + insp_fee + holding
    fallback = fallback_cost if fallback_cost is not None else 0.0
    lost = base + penalty + fallback  # seized or excluded: no duty/fees/inspection/holding
    blocked, sanction_seized = sanctions(regime, route, entities, flags)
    cost = np.where(seized | excluded, lost, entered)
    cost = np.where(sanction_seized & ~blocked, base + fallback, cost)
    return np.where(blocked, fallback, cost)


# --------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------

def simulate(sc, trials, chunk, seed):
    """Run all chunks; returns (regime names, route names, sums, sums of squares)."""
    regimes = resolve_regimes(sc["regimes"])
    routes = route_order(sc["routes"])
    entities = {e["name"]: e.get("owners", {}) for e in sc.get("entities", [])}
    goods = sc["goods"]
    s1 = np.zeros((len(regimes), len(sc["routes"])))
    s2 = np.zeros_like(s1)
    col = {r["name"]: j for j, r in enumerate(sc["routes"])}
    done, ci = 0, 0
    while done < trials:
        n = min(chunk, trials - done)
        draws = Draws(seed, ci, n)
        v, fx = trial_draws(sc, draws)
        flags = in_force_draws(regimes, draws)
        phys = {r["name"]: route_physical(r, goods, v, fx, draws) for r in routes}
        for i, reg in enumerate(regimes):
            costs = {}
            for r in routes:
                fb = costs.get(r.get("fallback"))
                c = landed_cost(r, reg, phys[r["name"]], flags[i], goods, entities, fb, draws)
                costs[r["name"]] = c
                s1[i, col[r["name"]]] += c.sum()
                s2[i, col[r["name"]]] += np.dot(c, c)
        done += n
        ci += 1
    return [r["name"] for r in regimes], [r["name"] for r in sc["routes"]], s1, s2


def compare(path, reg_names, route_names, mean, se):
    """Print numpy vs tariffsim means; return the number of |z| > 4."""
    rust = {}
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            rust[(row["regime"], row["route"])] = (float(row["mean"]), float(row["se"]))
    print(f"\n{'regime':<24} {'route':<16} {'mean_numpy':>11} {'se_numpy':>9} "
          f"{'mean_rust':>11} {'se_rust':>9} {'z':>7}")
    bad = 0
    for i, reg in enumerate(reg_names):
        for j, rt in enumerate(route_names):
            if (reg, rt) not in rust:
                print(f"{reg:<24} {rt:<16} {mean[i, j]:11.4f} {se[i, j]:9.4f}  missing in {path}")
                bad += 1
                continue
            mr, sr = rust[(reg, rt)]
            z = (mean[i, j] - mr) / math.sqrt(se[i, j] ** 2 + sr ** 2)
            flag = "  <-- |z| > 4" if abs(z) > 4 else ""
            bad += abs(z) > 4
            print(f"{reg:<24} {rt:<16} {mean[i, j]:11.4f} {se[i, j]:9.4f} "
                  f"{mr:11.4f} {sr:9.4f} {z:7.2f}{flag}")
    return bad


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int)
    ap.add_argument("--chunk", type=int, default=1 << 16)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--compare", metavar="SUMMARY_CSV")
    args = ap.parse_args(argv)
    with open(args.scenario, "rb") as f:
        sc = normalise_rates(tomllib.load(f))
    trials = args.trials or sc["scenario"].get("trials", 100000)
    seed = args.seed if args.seed is not None else sc["scenario"].get("seed", 0)

    t0 = time.perf_counter()
    reg_names, route_names, s1, s2 = simulate(sc, trials, args.chunk, seed)
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
        print(f"\n{bad} of {len(reg_names) * len(route_names)} cells with |z| > 4")
        return 1 if bad else 0
    print(f"\n{'regime':<24} {'route':<16} {'mean':>11} {'se':>9}")
    for i, reg in enumerate(reg_names):
        for j, rt in enumerate(route_names):
            print(f"{reg:<24} {rt:<16} {mean[i, j]:11.4f} {se[i, j]:9.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
