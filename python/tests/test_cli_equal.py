"""The DataFrames (and the text behind them) equal the CLI's CSVs for every shipped
scenario, seed and trial count."""

import json

import pandas as pd
import pytest

import tariffsim
from conftest import SCENARIOS

TABLES = ["summary.csv", "compare.csv", "histogram.csv", "exceedance.csv", "timing.csv", "sensitivity.csv"]
# Facts of the process, not of the results.
MANIFEST_VOLATILE = {"wall_seconds", "trials_per_second", "threads"}


def assert_same(res, out, names):
    for name in names:
        cli_file = out / name
        if not cli_file.exists():
            assert name not in res.files, f"{name}: Python wrote it, the CLI did not"
            continue
        assert name in res.files, f"{name}: the CLI wrote it, Python did not"
        assert res.csv(name).encode() == cli_file.read_bytes(), f"{name}: text differs"
        attr = name[: -len(".csv")]
        frame = getattr(res, attr)
        pd.testing.assert_frame_equal(frame, tariffsim.read_csv(cli_file), check_exact=True)
    # Numbers are numbers.
    assert pd.api.types.is_float_dtype(res.summary["mean"])
    assert pd.api.types.is_integer_dtype(res.summary["trials"])
    assert json.loads((out / "assumptions.json").read_text()) == res.assumptions
    m_cli = json.loads((out / "manifest.json").read_text())
    m_py = res.manifest
    for k in MANIFEST_VOLATILE:
        m_cli.pop(k, None)
        m_py.pop(k, None)
    assert m_py == m_cli


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_equal_cli(cli, tmp_path, path):
    rel = path.relative_to(path.parents[1])
    trials, seed = 3000, 7
    cli("run", rel, "--trials", trials, "--seed", seed, "--out", tmp_path, "--no-charts", "--quiet")
    res = tariffsim.load(str(rel)).run(trials=trials, seed=seed, threads=2)
    assert_same(res, tmp_path, TABLES)


def test_scenario_default_trials_and_seed(cli, tmp_path):
    cli("run", "scenarios/solar-panels.toml", "--out", tmp_path, "--no-charts", "--quiet", "--threads", "1")
    res = tariffsim.load("scenarios/solar-panels.toml").run()
    assert_same(res, tmp_path, TABLES)


def test_set_sweep_sensitivity_margin_equal_cli(cli, tmp_path):
    p = "regimes.campaign-60-stacked.measures.china-60.ad_valorem"
    cli(
        "run", "scenarios/korea-jv.toml", "--trials", 2048, "--out", tmp_path, "--no-charts", "--quiet",
        "--set", "goods.unit_value=55", "--set", "scenario.seed=99",
        "--sweep", f"{p}=0:1:3", "--sensitivity", "--margin", 0.5,
    )
    sc = tariffsim.load("scenarios/korea-jv.toml", set={"goods.unit_value": 55, "scenario.seed": 99})
    res = sc.run(trials=2048, sweep={p: "0:1:3"}, sensitivity=True, margin=0.5)
    assert_same(res, tmp_path, TABLES)
    assert res.summary[p].tolist()[0] == 0.0
    # A list of values is the same sweep.
    res2 = sc.run(trials=2048, sweep={p: [0.0, 0.5, 1.0]}, sensitivity=True, margin=0.5)
    assert res2.csv("summary.csv") == res.csv("summary.csv")


def test_target_se_equal_cli(cli, tmp_path):
    cli("run", "scenarios/solar-panels.toml", "--trials", 200000, "--target-se", 5, "--out", tmp_path, "--no-charts", "--quiet")
    res = tariffsim.load("scenarios/solar-panels.toml").run(trials=200000, target_se=5)
    assert_same(res, tmp_path, TABLES)
    assert res.manifest["trials_used"][0] < 200000


def test_text_scenario_equals_file():
    path = "scenarios/solar-panels.toml"
    with open(path) as f:
        text = f.read()
    a = tariffsim.load(text).run(trials=2000)
    b = tariffsim.load(path).run(trials=2000)
    assert a.csv("summary.csv") == b.csv("summary.csv")
    assert tariffsim.load(text).file == "<string>"


def test_threads_do_not_change_results():
    sc = tariffsim.load("scenarios/korea-jv.toml")
    assert sc.run(trials=5000, threads=1).csv("summary.csv") == sc.run(trials=5000, threads=2).csv("summary.csv")


def test_check_text_equals_cli(cli):
    for path in ["scenarios/korea-jv.toml", "scenarios/sweep-china-tariff.toml", "scenarios/timing-60.toml"]:
        assert tariffsim.load(path).check() == cli("check", path).stdout


def test_scenario_attributes():
    sc = tariffsim.load("scenarios/korea-jv.toml")
    assert sc.name == "korea-jv"
    assert sc.routes == ["direct", "korea-assembly", "korea-relabel"]
    assert "status-quo-2024" in sc.regimes
    assert "[scenario]" in sc.toml
    # The resolved TOML loads back to the same scenario.
    again = tariffsim.load(sc.toml)
    assert again.run(trials=1000).csv("summary.csv") == sc.run(trials=1000).csv("summary.csv")
    sw = tariffsim.load("scenarios/sweep-china-tariff.toml")
    assert len(sw.sweeps) == 1 and len(sw.sweeps[0][1]) == 11


def test_breakeven_equals_cli(cli, tmp_path):
    p = "regimes.campaign-60-stacked.measures.china-60.ad_valorem"
    cli(
        "breakeven", "scenarios/korea-jv.toml", "--param", p, "--routes", "direct,korea-assembly",
        "--regime", "campaign-60-stacked", "--between", "0,1.5", "--trials", 20000, "--out", tmp_path, "--quiet",
    )
    b = tariffsim.load("scenarios/korea-jv.toml").breakeven(
        param=p, routes=("direct", "korea-assembly"), regime="campaign-60-stacked", between=(0, 1.5), trials=20000
    )
    assert b.csv() == (tmp_path / "breakeven.csv").read_text()
    assert b.found and b.ci_lo <= b.x <= b.ci_hi
    cli_csv = tariffsim.read_csv(tmp_path / "breakeven.csv")
    steps = cli_csv[~cli_csv["step"].isin(["result", "ci_lo", "ci_hi"])]
    assert b.steps["x"].tolist() == steps["x"].astype(float).tolist()
    assert b.steps["diff"].tolist() == steps["diff"].astype(float).tolist()
    m = json.loads((tmp_path / "breakeven-manifest.json").read_text())
    assert b.manifest == m


@pytest.mark.parametrize("args", [
    ("8471.30.01", "CN", "2025-06-01", None, None),
    ("8703.23.01", "KR", "2025-06-01", "KORUS", None),
    ("8471.30.01", "CN", "2025-06-01", None, 0.3),
])
def test_rates_equal_cli(cli, args):
    hts, origin, date, claim, metal = args
    cmd = ["rates", hts, "--origin", origin, "--date", date, "--format", "csv"]
    if claim:
        cmd += ["--claim", claim]
    if metal is not None:
        cmd += ["--metal-share", metal]
    r = cli(*cmd, check=False)
    if r.returncode != 0:
        with pytest.raises(ValueError):
            tariffsim.rates(hts, origin, date=date, claim=claim, metal_share=metal)
        return
    assert tariffsim.rates_text(hts, origin, date=date, claim=claim, metal_share=metal, format="csv") == r.stdout
    df = tariffsim.rates(hts, origin, date=date, claim=claim, metal_share=metal)
    pd.testing.assert_frame_equal(df, tariffsim.read_csv(r.stdout.encode()))
    table = cli(*["table" if c == "csv" else c for c in cmd]).stdout
    assert tariffsim.rates_text(hts, origin, date=date, claim=claim, metal_share=metal) == table


def test_trial_costs_equal_cli_trials_csv(cli, tmp_path):
    cli("run", "scenarios/korea-jv.toml", "--trials", 1500, "--out", tmp_path, "--no-charts", "--quiet", "--trials-csv")
    res = tariffsim.load("scenarios/korea-jv.toml").run(trials=1500, trials_out=True)
    t = tariffsim.read_csv(tmp_path / "trials.csv")
    costs = res.costs()
    assert costs.shape == (1500, len(res.regimes), len(res.routes))
    for (g, r), rows in t.groupby(["regime", "route"], sort=False):
        got = res.trial_costs(g, r)
        assert got.base is not None and not got.flags.owndata  # a view, not a copy
        assert got.tolist() == rows.sort_values("trial")["cost"].tolist()
    # Without trials_out nothing is kept.
    with pytest.raises(ValueError):
        res2 = tariffsim.load("scenarios/korea-jv.toml").run(trials=100)
        res2.costs()
