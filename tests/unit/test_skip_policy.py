"""The skip policy (tests/skip_policy.py): a skip that names a missing system package or root
keeps a run green; any other skip fails it, with and without xdist."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parents[1]
SUITE = """
import pytest


def test_runs():
    assert True


def test_needs_a_program():
    pytest.skip("missing system package: chromium")


@pytest.mark.skipif(True, reason="needs root/SLURM: not root")
def test_needs_root():
    pass
"""
BAD_SKIP = """

def test_needs_a_folder():
    pytest.skip("shared samples absent")
"""


def run_suite(folder: Path, text: str, *options: str) -> subprocess.CompletedProcess:
    """Run a small test file with the skip policy loaded, as make test loads it."""
    (folder / "test_suite.py").write_text(text, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "skip_policy", "-p", "no:cacheprovider",
         "--rootdir", str(folder), *options, str(folder / "test_suite.py")],
        cwd=folder, capture_output=True, text=True, check=False,
        env={"PYTHONPATH": str(TESTS), "PATH": ""},
    )  # fmt: skip


@pytest.mark.parametrize("options", [("-p", "no:xdist"), ("-n", "2")])
def test_permitted_skips_pass_and_any_other_fails_the_run(tmp_path: Path, options) -> None:
    green = run_suite(tmp_path, SUITE, *options)
    assert green.returncode == 0, green.stdout
    assert "1 passed, 2 skipped" in green.stdout
    red = run_suite(tmp_path, SUITE + BAD_SKIP, *options)
    assert red.returncode == 1, red.stdout
    assert "skips that fail the run" in red.stdout
    assert "test_suite.py::test_needs_a_folder: shared samples absent" in red.stdout
    assert "test_needs_a_program" not in red.stdout.split("skips that fail the run")[1]
