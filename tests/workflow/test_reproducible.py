"""Byte-identical rebuilds: two clean builds from the same inputs give the same SVG, PDF, DOCX and
XLSX bytes."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from conftest import WORKFLOW_PARTS, run_snakemake

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("built_workflow")]


def digests(workdir: Path) -> dict[str, str]:
    """SHA-256 of every figure, the report (PDF, HTML, Word) and the evidence workbook."""
    files = [*sorted((workdir / "results" / "figures").glob("*.svg"))]
    files += [
        workdir / "reports" / "evaluation_report.pdf",
        workdir / "reports" / "evaluation_report.html",
        workdir / "reports" / "evaluation_report.docx",
        workdir / "results" / "evidence.xlsx",
    ]
    return {str(p.relative_to(workdir)): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def clean_copy(built: Path, target: Path) -> Path:
    """The sources and data of an already built copy, without anything it built."""
    target.mkdir(parents=True)
    for part in [*WORKFLOW_PARTS, "data/demo"]:
        source = built / part
        if source.is_dir():
            shutil.copytree(source, target / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target / part)
    return target


def test_two_clean_builds_are_byte_identical(built_workflow: Path, tmp_path: Path) -> None:
    # copy the first build's own sources: the live tree may have moved on since it was built
    second = clean_copy(built_workflow, tmp_path / "second")
    run_snakemake(second)
    first_digests, second_digests = digests(built_workflow), digests(second)
    assert len(first_digests) >= 10, "expected the report, its HTML edition and every figure"
    differing = sorted(k for k in first_digests if first_digests[k] != second_digests.get(k))
    assert not differing, f"rebuild changed bytes of: {differing}"
