"""House style holds: ruff, snakefmt and `snakemake --lint` are clean on the committed code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SCENARIOS, SNAKEMAKE, copy_workflow, run_snakemake

BIN = Path(sys.executable).parent
LINT = re.compile(r"^\s*\* (.+?):\s*$", flags=re.MULTILINE)


def run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)


def test_python_code_passes_ruff_check_and_format() -> None:
    checked = run(str(BIN / "ruff"), "check", "workflow", "tests")
    assert checked.returncode == 0, checked.stdout
    formatted = run(str(BIN / "ruff"), "format", "--check", "workflow", "tests")
    assert formatted.returncode == 0, formatted.stdout


def test_snakefiles_are_snakefmt_formatted() -> None:
    result = run(str(BIN / "snakefmt"), "--check", "Snakefile", "workflow/rules")
    assert result.returncode == 0, result.stderr


def assert_lint_clean(result: subprocess.CompletedProcess) -> None:
    """No lint at all (every rule names its conda environment, logs, ...), no schema warning."""
    output = result.stdout + result.stderr
    assert LINT.findall(output) == [], output
    assert "No validator found" not in output, "schemas must declare JSON Schema 2020-12"
    assert result.returncode == 0, output


@pytest.mark.e2e
def test_snakemake_lint_is_clean() -> None:
    assert_lint_clean(run(SNAKEMAKE, "--lint"))


@pytest.mark.e2e
@pytest.mark.parametrize("case", SCENARIOS)
def test_each_scenario_lints_clean_and_plans(case: str, tmp_path: Path) -> None:
    """.test/config_<case>/config.yaml on top of the demo config: lint clean, and a dry run plans
    the whole build (a scenario that breaks the DAG fails here, not on a cluster)."""
    scenario = f".test/config_{case}/config.yaml"
    assert_lint_clean(run(SNAKEMAKE, "--lint", "--configfile", scenario))
    workdir = copy_workflow(tmp_path / "workflow")
    planned = run_snakemake(workdir, "-n", "--configfile", scenario)
    assert "publish_report" in planned.stdout, planned.stdout
