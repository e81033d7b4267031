"""tariffsim: Monte Carlo tariff-routing trade simulator, from Python.

The same Rust engine as the ``tariffsim`` command, with results as pandas DataFrames::

    import tariffsim
    sc = tariffsim.load("scenarios/korea-jv.toml")
    res = sc.run(trials=100_000, sweep={"regimes.campaign-60-stacked.measures.china-60.ad_valorem": "0:1:11"})
    res.summary            # summary.csv as a DataFrame

For the same scenario, seed and trials, every table holds exactly the numbers of the
CSV file the CLI writes (``res.csv("summary.csv")`` is that file's very text). The
simulation releases the GIL and runs on all cores; Ctrl-C interrupts it
(``KeyboardInterrupt``). Model and file formats: ``docs/model.md``.
"""

from __future__ import annotations

import io
import json
import operator
import os
import warnings as _warnings
from functools import cached_property
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _native
from ._errors import Diagnostic, ScenarioError, ScenarioWarning

__all__ = [
    "load",
    "rates",
    "rates_text",
    "read_csv",
    "Scenario",
    "Result",
    "Breakeven",
    "Diagnostic",
    "ScenarioError",
    "ScenarioWarning",
    "__version__",
]

__version__: str = _native.__version__

PathOrText = Union[str, "os.PathLike[str]"]
Settings = Union[Mapping[str, Any], Iterable[str], None]


def read_csv(source: Union[bytes, str, "os.PathLike[str]"]) -> pd.DataFrame:
    """Reads a tariffsim CSV (bytes, or a file path) the way every table here is read.

    Numbers parse to the exact float64 written (``float_precision="round_trip"``), blank
    fields become NaN, and text such as a route named ``NA`` stays text. Use it on the
    CLI's files to compare them with a :class:`Result`'s tables.
    """
    if isinstance(source, (bytes, bytearray)):
        source = io.BytesIO(source)
    return pd.read_csv(source, keep_default_na=False, na_values=[""], **_ROUND_TRIP)


# pandas < 3 parses floats with a fast parser that can miss the last bit unless asked;
# pandas 3 always round-trips (and deprecates the argument).
_ROUND_TRIP = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


# --- arguments -------------------------------------------------------------------------


def _toml(v: Any, where: str) -> str:
    """A Python value as the TOML text of an override."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        f = float(v)
        if f != f:
            return "nan"
        if f in (float("inf"), float("-inf")):
            return "inf" if f > 0 else "-inf"
        return repr(f)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, Mapping):
        return "{ " + ", ".join(f"{json.dumps(str(k))} = {_toml(x, where)}" for k, x in v.items()) + " }"
    if isinstance(v, (list, tuple, np.ndarray)):
        return "[" + ", ".join(_toml(x, where) for x in v) + "]"
    raise ValueError(f"{where}: cannot use a value of type {type(v).__name__}")


def _sets(set: Settings) -> List[str]:
    if set is None:
        return []
    if isinstance(set, str):
        raise ValueError("set: expected a mapping {path: value} or a list of 'PATH=VALUE' strings")
    if isinstance(set, Mapping):
        out = []
        for k, v in set.items():
            if not isinstance(k, str):
                raise ValueError(f"set: paths are strings, got {k!r}")
            out.append(f"{k}={_toml(v, 'set ' + k)}")
        return out
    out = []
    for s in set:
        if not isinstance(s, str) or "=" not in s:
            raise ValueError(f"set: expected 'PATH=VALUE', got {s!r}")
        out.append(s)
    return out


def _sweeps(sweep: Optional[Mapping[str, Any]]) -> List[str]:
    """``{path: "FROM:TO:STEPS" | "V1,V2" | [values]}`` as the CLI's ``--sweep`` specs."""
    if sweep is None:
        return []
    if not isinstance(sweep, Mapping):
        raise ValueError("sweep: expected a mapping {path: values}")
    out = []
    for k, v in sweep.items():
        if not isinstance(k, str):
            raise ValueError(f"sweep: paths are strings, got {k!r}")
        if isinstance(v, str):
            out.append(f"{k}={v}")
            continue
        try:
            values = list(v)
        except TypeError:
            raise ValueError(f"sweep {k}: expected a list of values or 'FROM:TO:STEPS'") from None
        if not values:
            raise ValueError(f"sweep {k}: no values")
        texts = [_toml(x, "sweep " + k) for x in values]
        if any("," in t for t in texts):
            raise ValueError(f"sweep {k}: values may not contain commas")
        out.append(f"{k}={','.join(texts)}")
    return out


def _count(name: str, v: Any, least: int = 1) -> Optional[int]:
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError(f"{name} must be an integer, got {v!r}")
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    try:
        n = operator.index(v)
    except TypeError:
        raise ValueError(f"{name} must be an integer, got {v!r}") from None
    if n < least:
        raise ValueError(f"{name} must be at least {least}, got {n}")
    if n >= 2**64:
        raise ValueError(f"{name} is too large: {n}")
    return n


def _number(name: str, v: Any) -> Optional[float]:
    if v is None:
        return None
    if isinstance(v, bool):
        raise ValueError(f"{name} must be a number, got {v!r}")
    try:
        return float(v)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {v!r}") from None


# --- loading ---------------------------------------------------------------------------


def load(source: PathOrText, set: Settings = None) -> "Scenario":
    """Loads and validates a scenario, as ``tariffsim check`` does.

    Args:
        source: a scenario file (a path, ``str`` or ``os.PathLike``), or the TOML text
            itself (a ``str`` holding a newline). A file may ``extends`` a base relative
            to itself; text extends relative to the working directory.
        set: overrides, as the CLI's ``--set``: a mapping ``{path: value}`` (Python
            values: numbers, strings, booleans, lists, dicts) or a list of
            ``"PATH=VALUE"`` strings.

    Returns:
        The validated :class:`Scenario` (every sweep point of the file is validated).

    Raises:
        ScenarioError: the scenario does not validate (every error, located).
        ValueError: a bad override or argument.
    """
    if isinstance(source, os.PathLike):
        text, is_text = os.fspath(source), False
    elif isinstance(source, str):
        text, is_text = source, "\n" in source
    else:
        raise ValueError(f"load: expected a path or TOML text, got {type(source).__name__}")
    native = _native.load(text, is_text, _sets(set))
    sc = Scenario(native)
    for w in native.warnings:
        _warnings.warn(w, ScenarioWarning, stacklevel=2)
    return sc


class Scenario:
    """A validated scenario: run it, sweep it, find a break-even.

    Attributes:
        name: the ``[scenario] name``.
        file: the file as given (``<string>`` for text).
        regimes: regime names, in file order.
        routes: route names, in file order.
        trials: the scenario's default trial count.
        seed: the scenario's default seed.
        toml: the resolved document (after ``extends`` and overrides, sweeps removed).
        warnings: the validation warnings, as the CLI prints them.
        sweeps: the file's sweeps, as ``[(path, [value labels])]``.
    """

    def __init__(self, native: "_native.NativeScenario"):
        self._n = native

    name = property(lambda self: self._n.name, doc="The ``[scenario] name``.")
    file = property(lambda self: self._n.file, doc="The file as given, or ``<string>``.")
    regimes = property(lambda self: list(self._n.regimes), doc="Regime names, in order.")
    routes = property(lambda self: list(self._n.routes), doc="Route names, in order.")
    trials = property(lambda self: self._n.trials, doc="Default trial count.")
    seed = property(lambda self: self._n.seed, doc="Default seed.")
    toml = property(lambda self: self._n.toml, doc="The resolved scenario as TOML text.")
    warnings = property(lambda self: list(self._n.warnings), doc="Validation warnings.")
    sweeps = property(lambda self: list(self._n.sweeps), doc="The file's sweeps.")

    def __repr__(self) -> str:
        return (
            f"<tariffsim.Scenario {self.name!r}: {len(self.routes)} routes, "
            f"{len(self.regimes)} regimes, from {self.file}>"
        )

    def check(self) -> str:
        """The text ``tariffsim check`` prints: each regime's duty stack per origin."""
        return self._n.check()

    def run(
        self,
        trials: Optional[int] = None,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
        sweep: Optional[Mapping[str, Any]] = None,
        target_se: Optional[float] = None,
        target_rse: Optional[float] = None,
        sensitivity: bool = False,
        margin: Optional[float] = None,
        trials_out: bool = False,
    ) -> "Result":
        """Runs the scenario (every sweep point), as ``tariffsim run``.

        Args:
            trials: trials per sweep point (default: the scenario's).
            seed: the seed (default: the scenario's). Results depend only on the
                scenario, seed and trials, never on ``threads``.
            threads: worker threads (default: every core).
            sweep: extra sweeps, as the CLI's ``--sweep``: ``{path: "FROM:TO:STEPS"}``,
                ``{path: "V1,V2,..."}`` or ``{path: [values]}``; added after the file's.
            target_se: stop early once every mean's standard error is below this (USD).
            target_rse: ... or below this fraction of its mean.
            sensitivity: also compute ``sensitivity.csv`` (a second pass).
            margin: the margin of compare.csv's ``p_first_cheaper_by_margin`` (USD).
            trials_out: also keep every trial's landed cost (see
                :meth:`Result.trial_costs`); memory: trials x cells x 8 bytes.

        Returns:
            A :class:`Result`.

        Raises:
            ScenarioError: a sweep point does not validate.
            ValueError: a bad argument.
            KeyboardInterrupt: interrupted (Ctrl-C); nothing is returned.
        """
        if not isinstance(sensitivity, bool) or not isinstance(trials_out, bool):
            raise ValueError("sensitivity and trials_out are booleans")
        out = self._n.run(
            trials=_count("trials", trials),
            seed=_count("seed", seed, least=0),
            threads=_count("threads", threads),
            sweeps=_sweeps(sweep),
            target_se=_number("target_se", target_se),
            target_rse=_number("target_rse", target_rse),
            sensitivity=sensitivity,
            margin=_number("margin", margin),
            trials_out=trials_out,
        )
        files, warns, regimes, routes, costs = out
        for w in warns:
            _warnings.warn(w, RuntimeWarning, stacklevel=2)
        return Result(files, regimes, routes, costs)

    def breakeven(
        self,
        param: str,
        routes: Union[str, Sequence[str]],
        regime: Optional[str] = None,
        between: Optional[Tuple[float, float]] = None,
        metric: str = "mean",
        trials: Optional[int] = None,
        seed: Optional[int] = None,
        threads: Optional[int] = None,
    ) -> "Breakeven":
        """The value of ``param`` at which two routes cost the same (``tariffsim breakeven``).

        Args:
            param: the path of a number in the scenario, e.g.
                ``"regimes.campaign-60-stacked.measures.china-60.ad_valorem"``.
            routes: two route names, ``("direct", "korea-assembly")`` or ``"direct,korea-assembly"``.
            regime: the regime (default: the first).
            between: ``(lo, hi)`` to search (default: 0 to twice the current value).
            metric: ``"mean"``, ``"p50"`` or ``"p95"`` of the landed cost.
            trials, seed, threads: as for :meth:`run`.

        Returns:
            A :class:`Breakeven`.

        Raises:
            ValueError: a bad argument (unknown route or regime, empty interval, ...),
                or a question the CLI refuses too: the same route twice, a parameter
                that is a distribution (search one of its parameters), or a parameter
                that moves neither cost (e.g. one of another regime).
            ScenarioError: the scenario does not validate at some value of ``param``.
            KeyboardInterrupt: interrupted.
        """
        if isinstance(routes, str):
            routes = [r.strip() for r in routes.split(",")]
        routes = list(routes)
        if len(routes) != 2 or not all(isinstance(r, str) for r in routes):
            raise ValueError(f"routes takes two route names, e.g. ('direct', 'korea-jv'), got {routes!r}")
        if between is not None:
            try:
                lo, hi = (float(x) for x in between)
            except (TypeError, ValueError):
                raise ValueError("between takes two numbers: (lo, hi)") from None
            between = (lo, hi)
        if not isinstance(param, str):
            raise ValueError("param is a path (a string)")
        evals, found, csv, manifest, regime_used = self._n.breakeven(
            param,
            routes[0],
            routes[1],
            regime=regime,
            between=between,
            metric=str(metric),
            trials=_count("trials", trials),
            seed=_count("seed", seed, least=0),
            threads=_count("threads", threads),
        )
        return Breakeven(param, tuple(routes), regime_used, evals, found, csv, json.loads(manifest))


class Result:
    """The results of :meth:`Scenario.run`: the CLI's output tables as DataFrames.

    Every table has the columns of its CSV file (see the README's "Output reference"),
    sweep columns first; numbers are numbers. ``csv(name)`` gives a file's exact text,
    ``save(folder)`` writes them all.
    """

    def __init__(self, files: Dict[str, bytes], regimes: List[str], routes: List[str], costs):
        self._files = files
        self.regimes: List[str] = list(regimes)
        self.routes: List[str] = list(routes)
        self._costs = [(dict(labels), arr) for labels, arr in costs]

    def __repr__(self) -> str:
        m = self.manifest
        return f"<tariffsim.Result {m['scenario']!r}: {m['trials']} trials x {len(m['trials_used'])} points>"

    @property
    def files(self) -> List[str]:
        """Names of the output files held (summary.csv, compare.csv, ...)."""
        return list(self._files)

    def csv(self, name: str) -> str:
        """The exact text of an output file (``"summary.csv"``, ``"manifest.json"``, ...)."""
        if not name.endswith((".csv", ".json")):
            name += ".csv"
        try:
            return self._files[name].decode("utf-8")
        except KeyError:
            raise ValueError(f"no output {name!r}; outputs: {', '.join(self._files)}") from None

    def save(self, folder: Union[str, "os.PathLike[str]"]) -> None:
        """Writes every output file into ``folder`` (created if needed)."""
        os.makedirs(folder, exist_ok=True)
        for name, data in self._files.items():
            with open(os.path.join(folder, name), "wb") as f:
                f.write(data)

    def _table(self, name: str) -> Optional[pd.DataFrame]:
        data = self._files.get(name)
        return None if data is None else read_csv(data)

    @cached_property
    def summary(self) -> pd.DataFrame:
        """summary.csv: one row per (sweep point, regime, route)."""
        return self._table("summary.csv")

    @cached_property
    def compare(self) -> pd.DataFrame:
        """compare.csv: paired route and regime differences."""
        return self._table("compare.csv")

    @cached_property
    def histogram(self) -> pd.DataFrame:
        """histogram.csv: the landed-cost distributions, binned."""
        return self._table("histogram.csv")

    @cached_property
    def exceedance(self) -> pd.DataFrame:
        """exceedance.csv: P(cost > threshold) curves."""
        return self._table("exceedance.csv")

    @cached_property
    def timing(self) -> Optional[pd.DataFrame]:
        """timing.csv (timed measures only; ``None`` when the scenario has none)."""
        return self._table("timing.csv")

    @cached_property
    def sensitivity(self) -> Optional[pd.DataFrame]:
        """sensitivity.csv (only with ``run(sensitivity=True)``, else ``None``)."""
        return self._table("sensitivity.csv")

    @cached_property
    def manifest(self) -> Dict[str, Any]:
        """manifest.json: what produced these results (seed, trials, resolved scenario)."""
        return json.loads(self._files["manifest.json"])

    @cached_property
    def assumptions(self) -> Dict[str, Any]:
        """assumptions.json: every input distribution, as the report lists them."""
        return json.loads(self._files["assumptions.json"])

    @property
    def points(self) -> List[Dict[str, str]]:
        """The sweep points whose per-trial costs are kept (``trials_out=True``)."""
        return [labels for labels, _ in self._costs]

    def costs(self, point: int = 0) -> np.ndarray:
        """Every trial's landed cost at a sweep point: a float64 array of shape
        (trials, regimes, routes). Only with ``run(trials_out=True)``.

        The array's memory is the engine's buffer (no copy); ``costs()[:, g, r]`` is a
        view.
        """
        if not self._costs:
            raise ValueError("per-trial costs are kept only with run(trials_out=True)")
        try:
            return self._costs[point][1]
        except IndexError:
            raise ValueError(f"point {point}: the run has {len(self._costs)} sweep points") from None

    def trial_costs(self, regime: str, route: str, point: int = 0) -> np.ndarray:
        """Every trial's landed cost (USD per unit) of one cell: a 1-D view, no copy."""
        try:
            g, r = self.regimes.index(regime), self.routes.index(route)
        except ValueError:
            raise ValueError(
                f"no cell {regime!r} / {route!r}; regimes: {', '.join(self.regimes)}; routes: {', '.join(self.routes)}"
            ) from None
        return self.costs(point)[:, g, r]


class Breakeven:
    """The result of :meth:`Scenario.breakeven`.

    Attributes:
        param, routes, regime: what was searched.
        x: the break-even value (``None`` when there is no crossing).
        ci_lo, ci_hi: its 95% confidence interval.
        why: why there is no crossing (``None`` when there is one).
        steps: the evaluations, as breakeven.csv's rows (step, x, metric_a, metric_b,
            diff, se).
        manifest: breakeven-manifest.json's content.
    """

    def __init__(self, param, routes, regime, evals, found, csv, manifest):
        self.param: str = param
        self.routes: Tuple[str, str] = routes
        self.regime: str = regime
        self.x, self.ci_lo, self.ci_hi, self.why = found
        self._csv = csv
        self.manifest: Dict[str, Any] = manifest
        self.steps = pd.DataFrame(evals, columns=["x", "metric_a", "metric_b", "diff", "se"])
        self.steps.insert(0, "step", range(len(evals)))

    @property
    def found(self) -> bool:
        """Whether the routes cross inside the interval."""
        return self.x is not None

    def csv(self) -> str:
        """The exact text of the CLI's breakeven.csv."""
        return self._csv

    def __repr__(self) -> str:
        if self.found:
            return f"<tariffsim.Breakeven {self.param} = {self.x} (95% CI {self.ci_lo} to {self.ci_hi})>"
        return f"<tariffsim.Breakeven no crossing: {self.why}>"


# --- rates -----------------------------------------------------------------------------


def rates_text(
    hts: str,
    origin: str,
    date: Optional[str] = None,
    claim: Optional[str] = None,
    metal_share: Optional[float] = None,
    format: str = "table",
) -> str:
    """The duty stack of the built-in US schedule as ``tariffsim rates`` prints it.

    ``format`` is ``"table"``, ``"csv"`` or ``"json"``; other arguments as :func:`rates`.
    """
    if format not in ("table", "csv", "json"):
        raise ValueError(f"format must be table, csv or json, got {format!r}")
    for name, v in (("hts", hts), ("origin", origin)):
        if not isinstance(v, str):
            raise ValueError(f"{name} must be a string, got {v!r}")
    for name, v in (("date", date), ("claim", claim)):
        if v is not None and not isinstance(v, str):
            raise ValueError(f"{name} must be a string, got {v!r}")
    csv, table, js = _native.rates(hts, origin, date, claim, _number("metal_share", metal_share))
    return {"csv": csv, "table": table, "json": js}[format]


def rates(
    hts: str,
    origin: str,
    date: Optional[str] = None,
    claim: Optional[str] = None,
    metal_share: Optional[float] = None,
) -> pd.DataFrame:
    """The duty stack of a good from an origin on a date (built-in US schedule).

    Args:
        hts: the HTS code, dots optional (``"8471.30.01"``).
        origin: ISO 3166-1 alpha-2 country (``"CN"``).
        date: entry date ``YYYY-MM-DD`` (default: today, UTC).
        claim: an agreement claimed, e.g. ``"KORUS"``.
        metal_share: share of the value that is steel, aluminium or copper (0 to 1).

    Returns:
        ``tariffsim rates --format csv`` as a DataFrame: one row per measure, the total
        last.

    Raises:
        ValueError: a bad argument, an unknown code or origin.
    """
    return read_csv(rates_text(hts, origin, date, claim, metal_share, format="csv").encode())
