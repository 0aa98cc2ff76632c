"""A study with more sites than fit across a page: by-site tables and figures summarise by region."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from conftest import copy_workflow, pdf_text, run_snakemake
from realist_demo.generator import generate_demo, write_demo

pytestmark = [pytest.mark.e2e]
SCALE = 3  # 21 sites in 7 regions: above the default max_site_columns of 14


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo generator's x3 data set, built with the shipped configuration."""
    root = tmp_path_factory.mktemp("many_sites")
    write_demo(generate_demo(scale=SCALE), root / "dataset")
    workdir = copy_workflow(root / "workflow", root / "dataset")
    run_snakemake(workdir)
    return workdir


def test_tables_are_by_region_and_keep_every_count(built: Path) -> None:
    text = " ".join(pdf_text(built / "reports" / "evaluation_report.pdf").split())
    assert "Site characteristics by region" in text
    assert "Participants by role, wave and region" in text
    assert "Supporting excerpts by CMOC and region" in text
    assert "Supporting excerpts for each CMOC by region" in text
    sites = pd.read_csv(built / "data" / "demo" / "sites.csv")
    assert len(sites) == 7 * SCALE and f"site {len(sites)} " not in text
    # the reviewer tables keep the per-site detail behind the regional summary
    matrix = pd.read_csv(built / "results" / "cmoc_evidence.csv")
    # every site, and beside them the coarser places the attribution rule moves a role with
    # too few people at its site to (its region, or not attributed)
    values = set(matrix.loc[matrix["dimension"] == "site", "value"])
    assert set(sites["site_id"]) <= values
    assert values - set(sites["site_id"]) <= {*sites["region"], "(not attributed)"}


def test_every_word_lies_inside_the_page_box(built: Path) -> None:
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(built / "reports" / "evaluation_report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    boxes = re.findall(r'<word xMin="([\d.-]+)" yMin="[\d.-]+" xMax="([\d.-]+)"', bbox)
    assert boxes and all(float(x0) >= 0 and float(x1) <= 595.3 for x0, x1 in boxes)
