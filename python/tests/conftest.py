"""Shared fixtures: the repository, the CLI binary, and running it."""

import os
import pathlib
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
SCENARIOS = sorted((REPO / "scenarios").glob("*.toml"))


def cli_path() -> pathlib.Path:
    p = pathlib.Path(os.environ.get("TARIFFSIM_BIN", REPO / "target" / "release" / "tariffsim"))
    if not p.exists():
        pytest.fail(f"the CLI is needed to compare with: build it (cargo build --release) or set TARIFFSIM_BIN; not found: {p}")
    return p


@pytest.fixture(scope="session")
def cli():
    """Runs the CLI from the repository root; returns the CompletedProcess."""
    exe = cli_path()

    def run(*args, check=True):
        r = subprocess.run([str(exe), *map(str, args)], cwd=REPO, capture_output=True, text=True)
        if check and r.returncode != 0:
            raise AssertionError(f"tariffsim {' '.join(map(str, args))} failed ({r.returncode}):\n{r.stderr}")
        return r

    return run


@pytest.fixture(autouse=True)
def in_repo(monkeypatch):
    """Every test runs in the repository root, as the CLI does (relative scenario paths)."""
    monkeypatch.chdir(REPO)
