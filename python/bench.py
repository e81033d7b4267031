"""Benchmark (not a test): a 1e6-trial run through Python against the CLI.

Times, interleaved, REPEATS runs of
  * the CLI: `tariffsim run SCENARIO --trials N --out TMP --no-charts --quiet`
    (a process: load, validate, simulate, summarise, write the CSVs);
  * Python: `tariffsim.load(SCENARIO).run(trials=N)` in this process (load, validate,
    simulate, summarise into the same CSV text), and separately the parse of
    `.summary` into a DataFrame;
and prints the medians and the ratio. Results are checked equal.

    python python/bench.py [--trials 1e6] [--repeats 5] [--scenario scenarios/korea-jv.toml]
"""

import argparse
import os
import pathlib
import platform
import statistics
import subprocess
import tempfile
import time

import tariffsim

REPO = pathlib.Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=float, default=1e6)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--scenario", default="scenarios/korea-jv.toml")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--cli", default=os.environ.get("TARIFFSIM_BIN", str(REPO / "target/release/tariffsim")))
    a = ap.parse_args()
    os.chdir(REPO)
    n = int(a.trials)
    threads = [] if a.threads is None else ["--threads", str(a.threads)]
    cli_t, py_t, parse_t = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(a.repeats):
            out = pathlib.Path(tmp) / f"run{i}"
            t0 = time.perf_counter()
            subprocess.run(
                [a.cli, "run", a.scenario, "--trials", str(n), "--out", str(out), "--no-charts", "--quiet", *threads],
                check=True,
            )
            cli_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            res = tariffsim.load(a.scenario).run(trials=n, threads=a.threads)
            py_t.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            _ = res.summary
            parse_t.append(time.perf_counter() - t0)
            assert res.csv("summary.csv").encode() == (out / "summary.csv").read_bytes()
    cli_m, py_m, parse_m = (statistics.median(x) for x in (cli_t, py_t, parse_t))
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} logical cores, "
          f"Python {platform.python_version()}, tariffsim {tariffsim.__version__}")
    print(f"scenario {a.scenario}, {n} trials, threads {a.threads or 'all'}, {a.repeats} runs each (interleaved)")
    print(f"CLI     run:           median {cli_m:.3f} s  (all: {', '.join(f'{x:.3f}' for x in cli_t)})")
    print(f"Python  load+run:      median {py_m:.3f} s  (all: {', '.join(f'{x:.3f}' for x in py_t)})")
    print(f"Python  .summary parse: median {parse_m * 1000:.1f} ms")
    print(f"Python / CLI: {py_m / cli_m:.3f}  (with the DataFrame parse: {(py_m + parse_m) / cli_m:.3f})")


if __name__ == "__main__":
    main()
