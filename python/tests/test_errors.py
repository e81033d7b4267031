"""Every exception type: ScenarioError (every diagnostic, located), ValueError for bad
arguments, KeyboardInterrupt for Ctrl-C; never a Rust panic."""

import os
import re
import signal
import threading
import time

import pytest

import tariffsim
from tariffsim import ScenarioError

BAD = """\
[scenario]
name = "bad"
trials = "many"

[goods]
unit_valu = 10
"""


def test_scenario_error_has_every_diagnostic_like_the_cli(cli, tmp_path):
    f = tmp_path / "bad.toml"
    f.write_text(BAD)
    r = cli("check", f, check=False)
    assert r.returncode == 2
    with pytest.raises(ScenarioError) as info:
        tariffsim.load(str(f))
    e = info.value
    assert str(e) == r.stderr.rstrip("\n")
    cli_errors = [l for l in r.stderr.splitlines() if l.startswith("error:")]
    assert len(e.errors) == len(cli_errors) >= 3
    assert [d.text.splitlines()[0] for d in e.errors] == cli_errors
    for d in e.errors:
        assert d.severity == "error" and d.file == str(f) and d.message
    typo = next(d for d in e.errors if d.key == "goods.unit_valu")
    assert (typo.line, typo.column) == (6, 1)
    assert "unit_value" in (typo.help or "")
    assert (e.file, e.line, e.column, e.key, e.message) == (
        e.errors[0].file, e.errors[0].line, e.errors[0].column, e.errors[0].key, e.errors[0].message)


def test_scenario_error_from_text_and_missing_file():
    with pytest.raises(ScenarioError) as info:
        tariffsim.load(BAD)
    assert info.value.file == "<string>" and info.value.line is not None
    with pytest.raises(ScenarioError) as info:
        tariffsim.load("scenarios/no-such-file.toml")
    assert "cannot read" in info.value.message and info.value.line is None


def test_scenario_error_for_a_scenario_that_cannot_run(cli):
    r = cli("check", "scenarios/solar-panels.toml", "--set", "goods.unit_value=1e308", check=False)
    assert r.returncode == 2
    with pytest.raises(ScenarioError) as info:
        tariffsim.load("scenarios/solar-panels.toml", set={"goods.unit_value": 1e308})
    assert str(info.value) == r.stderr.rstrip("\n")
    assert info.value.file == "scenarios/solar-panels.toml"


def test_scenario_error_for_a_bad_sweep_point():
    sc = tariffsim.load("scenarios/solar-panels.toml")
    with pytest.raises(ScenarioError) as info:
        sc.run(trials=100, sweep={"goods.unit_value": [10, -5]})
    assert any(d.key == "goods.unit_value" for d in info.value.errors)


@pytest.mark.parametrize("kwargs", [
    {"trials": 0}, {"trials": -1}, {"trials": "many"}, {"trials": 2**70}, {"threads": 0},
    {"seed": -1}, {"target_se": -1}, {"target_rse": float("nan")}, {"target_se": "x"},
    {"sweep": "goods.unit_value=1,2"}, {"sweep": {"goods.unit_value": []}},
    {"sweep": {"goods..x": [1]}}, {"sweep": {"goods.unit_value": "1:2:0"}},
    {"sensitivity": "yes"}, {"margin": -1},
])
def test_run_value_errors(kwargs):
    sc = tariffsim.load("scenarios/solar-panels.toml")
    with pytest.raises(ValueError):
        sc.run(**kwargs)


def test_load_value_errors():
    with pytest.raises(ValueError):
        tariffsim.load(42)
    with pytest.raises(ValueError):
        tariffsim.load("scenarios/solar-panels.toml", set=["goods.unit_value"])
    with pytest.raises(ValueError):
        tariffsim.load("scenarios/solar-panels.toml", set={"goods..x": 1})
    with pytest.raises(ValueError):
        tariffsim.load("scenarios/solar-panels.toml", set={"goods.unit_value": object()})


@pytest.mark.parametrize("kwargs", [
    {"routes": ("direct",)}, {"routes": ("direct", "nowhere")}, {"regime": "nope"},
    {"between": (1, 0)}, {"between": (0,)}, {"metric": "p99"}, {"trials": 0},
])
def test_breakeven_value_errors(kwargs):
    sc = tariffsim.load("scenarios/korea-jv.toml")
    args = {"param": "regimes.campaign-60-stacked.measures.china-60.ad_valorem",
            "routes": ("direct", "korea-assembly"), "trials": 2000, **kwargs}
    with pytest.raises(ValueError):
        sc.breakeven(**args)


@pytest.mark.parametrize("kwargs, says", [
    # The CLI's three refusals: the same route twice, a distribution searched as if it
    # were one number, and a parameter (here of another regime) that moves neither cost.
    ({"routes": ("direct", "direct")}, "twice"),
    ({"param": "goods.unit_value"}, "gives a distribution there"),
    ({"regime": "law-2026-12", "between": (0.1, 0.9)}, "it belongs to regime `campaign-60-stacked`"),
])
def test_breakeven_refuses_what_the_cli_refuses(kwargs, says):
    sc = tariffsim.load("scenarios/korea-jv.toml")
    args = {"param": "regimes.campaign-60-stacked.measures.china-60.ad_valorem",
            "routes": ("direct", "korea-assembly"), "trials": 2000, **kwargs}
    with pytest.raises(ValueError, match=re.escape(says)):
        sc.breakeven(**args)


@pytest.mark.parametrize("kwargs", [
    {"date": "2025-13-45"}, {"metal_share": 2}, {"hts": "zz"}, {"origin": 5}, {"format": "xml"},
])
def test_rates_value_errors(kwargs):
    args = {"hts": "8471.30.01", "origin": "CN", "date": "2025-06-01", **kwargs}
    fmt = args.pop("format", "csv")
    with pytest.raises(ValueError):
        tariffsim.rates_text(**args, format=fmt)


def test_result_value_errors():
    res = tariffsim.load("scenarios/solar-panels.toml").run(trials=100, trials_out=True)
    with pytest.raises(ValueError):
        res.csv("nope.csv")
    with pytest.raises(ValueError):
        res.trial_costs("nope", "direct")
    with pytest.raises(ValueError):
        res.costs(5)


def long_run_scenario():
    # A shell that starts a job in the background (a CI runner, `cmd &`) starts Python
    # with SIGINT ignored; restore Python's handler so Ctrl-C is KeyboardInterrupt.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    return tariffsim.load("scenarios/korea-jv.toml")


def test_gil_is_released_during_a_simulation():
    sc = long_run_scenario()
    ticks = []
    stop = threading.Event()

    def other():
        while not stop.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.005)

    t = threading.Thread(target=other)
    started = time.perf_counter()
    t.start()
    try:
        sc.run(trials=2_000_000, threads=2)
    finally:
        ended = time.perf_counter()
        stop.set()
        t.join()
    during = [x for x in ticks if started + 0.1 < x < ended - 0.05]
    # The other thread ran throughout (a held GIL would leave it a tick or two).
    assert ended - started > 0.3, "the run was too short to tell"
    assert len(during) >= 0.3 * (ended - started - 0.15) / 0.005


def test_ctrl_c_interrupts_a_run():
    sc = long_run_scenario()
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    started = time.perf_counter()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        sc.run(trials=10**9)  # hours, uninterrupted
    assert time.perf_counter() - started < 5
    # The next run is unaffected.
    assert sc.run(trials=1000).manifest["trials_used"] == [1000]


def test_ctrl_c_interrupts_trials_out_and_breakeven():
    sc = long_run_scenario()
    for call in [
        lambda: sc.run(trials=2 * 10**6, trials_out=True, sensitivity=True),
        lambda: sc.breakeven(param="goods.unit_value.max", routes="direct,korea-assembly", between=(40, 80),
                           trials=10**9),
    ]:
        timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
        started = time.perf_counter()
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            call()
        assert time.perf_counter() - started < 10
