"""The pip pins, the conda environment and every rule's conda environment list the same packages at
the same versions, so `snakemake --sdm conda` builds what `make report` builds."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
RULE = re.compile(r"^rule (\w+):\n((?:[ \t]+.*\n|\n)*)", flags=re.MULTILINE)
CONDA = re.compile(r'^    conda:\n        "([^"]+)"$', flags=re.MULTILINE)
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


def conda_pins(path: Path) -> dict[str, str]:
    """Package -> version for the pip section of a conda environment file (python=3.11 checked)."""
    environment = yaml.safe_load(path.read_text())
    assert "python=3.11" in environment["dependencies"], path
    pip_section = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    return pins_from_lines(pip_section)


def rule_environments() -> dict[str, Path | None]:
    """Every rule of workflow/rules/*.smk -> the conda environment file it names (None: none)."""
    found = {}
    for smk in sorted((REPO / "workflow" / "rules").glob("*.smk")):
        for name, body in RULE.findall(smk.read_text()):
            conda = CONDA.search(body)
            found[name] = (smk.parent / conda.group(1)).resolve() if conda else None
    return found


def test_environment_yml_matches_requirements():
    requirements = pins_from_lines((REPO / "requirements.txt").read_text().splitlines())
    assert conda_pins(REPO / "environment.yml") == requirements


def test_every_rule_names_a_conda_environment_with_the_pinned_versions():
    environments = rule_environments()
    assert len(environments) >= 20, "the rule files were not parsed"
    assert [rule for rule, path in environments.items() if path is None] == []
    requirements = pins_from_lines((REPO / "requirements.txt").read_text().splitlines())
    for path in set(environments.values()):
        assert path.is_file(), f"{path} is named by a rule's conda: directive but missing"
        assert path.is_relative_to(REPO / "workflow" / "envs"), path
        assert conda_pins(path) == requirements, f"{path.name} pins differ from requirements.txt"


def test_a_rule_without_conda_is_found(tmp_path: Path):
    """The parser sees a rule that lacks the directive (so the test above can fail)."""
    text = 'rule a:\n    input:\n        "x",\n    conda:\n        "../envs/e.yaml"\n    script:\n'
    text += '        "s.py"\n\n\nrule b:\n    output:\n        "y",\n    script:\n        "t.py"\n'
    assert [(name, bool(CONDA.search(body))) for name, body in RULE.findall(text)] == [
        ("a", True),
        ("b", False),
    ]


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
