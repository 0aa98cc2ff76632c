"""Shared fixtures: the demo data, loaded definitions, and a workflow built once in a temp copy."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from realist_report.core.definitions import Definitions, load_definitions
from realist_report.core.vocabulary import use_design
from realist_report.ingest.registers import load_registers

#: Fail the run when a test skips without a permitted reason (tests/skip_policy.py).
pytest_plugins = ["skip_policy"]

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "data" / "demo"
#: Real exports made by QDA tools (public, licensed: tests/data/exports/SOURCES.md), one folder each.
REAL_EXPORTS = REPO / "tests" / "data" / "exports"
SNAKEMAKE = str(Path(sys.executable).with_name("snakemake"))
WORKFLOW_PARTS = ["Snakefile", "config", "report", "workflow", ".test"]
#: Scenario configs: each runs with one `--configfile .test/config_<case>/config.yaml`.
SCENARIOS = sorted(
    p.parent.name.removeprefix("config_") for p in REPO.glob(".test/config_*/config.yaml")
)
#: Functions called outside a rule read the demo's design, as the demo build does.
DEMO_CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
use_design(DEMO_CONFIG)


@pytest.fixture(scope="session")
def definitions() -> Definitions:
    return load_definitions(REPO / "config" / "codebook.yaml", REPO / "config" / "cmocs.yaml")


@pytest.fixture(scope="session")
def registers() -> tuple[pd.DataFrame, pd.DataFrame]:
    return load_registers(DEMO)


def copy_workflow(target: Path, dataset: Path = DEMO) -> Path:
    """A runnable copy of the workflow with the given data set as data/demo.

    The quotes pinned in config/cmocs.yaml are excerpt ids of the committed demo data; a copy
    built on any other data set (generated at another scale, edited, or a real export) drops
    them, as a team does for its own data, since an unknown pinned id stops the build.
    """
    target.mkdir(parents=True, exist_ok=True)
    for part in WORKFLOW_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / part)
    shutil.copytree(dataset, target / "data" / "demo")
    if Path(dataset).resolve() != DEMO.resolve():
        drop_pinned_quotes(target / "config" / "cmocs.yaml")
    return target


def drop_pinned_quotes(cmocs_path: Path) -> None:
    """Remove every CMOC's `quotes:` pins from a CMOC definitions file."""
    definitions = yaml.safe_load(cmocs_path.read_text(encoding="utf-8"))
    for cmoc in definitions["cmocs"]:
        cmoc.pop("quotes", None)
    cmocs_path.write_text(yaml.safe_dump(definitions, sort_keys=False), encoding="utf-8")


_running: list[pytest.Item] = []


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Remember which test is being set up, so run_snakemake can check its marks."""
    _running[:] = [item]


def require_e2e_mark() -> None:
    """A test that starts Snakemake must be marked e2e, so `make test-fast` (-m "not e2e")
    really leaves every Snakemake run out."""
    if _running and _running[0].get_closest_marker("e2e") is None:
        raise AssertionError(f"{_running[0].nodeid} starts Snakemake: mark it @pytest.mark.e2e")


def run_snakemake(
    workdir: Path, *args: str, check: bool = True, snakefile: str = "Snakefile"
) -> subprocess.CompletedProcess:
    """Run Snakemake in a workflow copy; on failure show its output in the test report."""
    require_e2e_mark()
    result = subprocess.run(
        [
            SNAKEMAKE,
            "--cores",
            "2",
            "--directory",
            str(workdir),
            "--snakefile",
            str(workdir / snakefile),
            *args,
        ],
        capture_output=True,
        text=True,
        cwd=workdir,
    )
    if check and result.returncode != 0:
        raise AssertionError(
            f"snakemake {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
        )
    return result


@pytest.fixture(scope="session")
def built_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo report built once per test session in a temporary copy of the workflow."""
    workdir = copy_workflow(tmp_path_factory.mktemp("built") / "workflow")
    run_snakemake(workdir)
    return workdir


def pdf_text(pdf: Path) -> str:
    """Text of a PDF as pdftotext extracts it (layout kept so table cells stay apart)."""
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
