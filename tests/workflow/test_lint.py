"""House style holds: ruff, snakefmt and `snakemake --lint` are clean on the committed code."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, SNAKEMAKE

BIN = Path(sys.executable).parent
#: The one lint we keep on purpose: our machines have no conda, every rule runs in the one
#: pinned virtual environment (requirements.txt, mirrored by environment.yml for conda users).
ACCEPTED_LINTS = {"Specify a conda environment or container for each rule."}


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


@pytest.mark.e2e
def test_snakemake_lint_has_only_the_accepted_lint() -> None:
    result = run(SNAKEMAKE, "--lint")
    output = result.stdout + result.stderr
    lints = set(re.findall(r"^\s*\* (.+?):\s*$", output, flags=re.MULTILINE))
    assert lints <= ACCEPTED_LINTS, output
    assert "No validator found" not in output, "schemas must declare JSON Schema 2020-12"
