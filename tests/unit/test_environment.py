"""The pip pins and the conda environment must list the same packages at the same versions."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)$")


def pins_from_lines(lines: list[str]) -> dict[str, str]:
    """Package -> version for every exact pin; anything else (comments, -e .) is skipped."""
    pins = {}
    for line in lines:
        match = PIN.match(line.strip())
        if match:
            pins[match.group(1).lower().replace("_", "-")] = match.group(2)
    return pins


def test_requirements_pin_every_package_exactly():
    lines = [
        line.strip()
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    loose = [line for line in lines if not PIN.match(line)]
    assert loose == [], f"requirements.txt has unpinned entries: {loose}"
    assert len(lines) >= 10


def test_environment_yml_matches_requirements():
    requirements = pins_from_lines((REPO / "requirements.txt").read_text().splitlines())
    environment = yaml.safe_load((REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    conda_pins = pins_from_lines(pip_section)
    assert conda_pins == requirements
    assert "python=3.11" in environment["dependencies"]


def test_core_packages_are_pinned():
    requirements = pins_from_lines((REPO / "requirements.txt").read_text().splitlines())
    for package in [
        "snakemake",
        "pandas",
        "jinja2",
        "weasyprint",
        "plotnine",
        "pandera",
        "pyarrow",
        "defusedxml",
    ]:
        assert package in requirements, f"{package} is not pinned"
