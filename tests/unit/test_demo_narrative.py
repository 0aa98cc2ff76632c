"""The demo's narrative is finished: every configured CMOC, area and report section has team text
(not empty, not a stub, not a placeholder), so the demo's RAMESES II checklist is honestly full."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from realist_report.report import narrative as N
from realist_report.report import rameses

REPO = Path(__file__).resolve().parents[2]
NARRATIVE = REPO / "report" / "narrative"
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
CMOCS = yaml.safe_load((REPO / "config" / "cmocs.yaml").read_text(encoding="utf-8"))["cmocs"]
#: What a filled placeholder prints, so a file of placeholders alone still reads as a stub.
FILLED = "N"


def sections_needed() -> list[str]:
    """Every section file the demo's report prints: RAMESES II items, front matter, the
    configured NIHR parts and the optional parts (the demo's notice and its readings of the
    'for whom', site contrast and change tables)."""
    options = CONFIG["report_options"]
    return sorted(
        {
            *N.SECTIONS,
            *(name for name in N.FRONT_MATTER if options.get(name)),
            *options.get("front_parts", {}),
            *options.get("back_parts", {}),
            *N.OPTIONAL_SECTIONS,
        }
    )


def team_text_gap(path: Path) -> str | None:
    """Why a narrative file is not team text (rameses.text_gap), or None when it is."""
    if not path.is_file():
        return "missing"
    text = re.sub(r"\{\{.*?\}\}", FILLED, path.read_text(encoding="utf-8"))
    return rameses.text_gap(text)


@pytest.mark.parametrize("cmoc", [c["id"] for c in CMOCS])
def test_every_configured_cmoc_has_a_team_interpretation(cmoc: str) -> None:
    assert team_text_gap(NARRATIVE / "cmocs" / f"{cmoc}.md") is None


@pytest.mark.parametrize("area", sorted({c["area"] for c in CMOCS}))
def test_every_area_has_team_text(area: str) -> None:
    assert team_text_gap(NARRATIVE / "areas" / f"{area}.md") is None


@pytest.mark.parametrize("name", sections_needed())
def test_every_section_the_report_prints_has_team_text(name: str) -> None:
    assert team_text_gap(NARRATIVE / "sections" / f"{name}.md") is None


def test_the_check_refuses_an_empty_a_stub_and_a_placeholder_file(tmp_path: Path) -> None:
    """The checks above can fail: each kind of unfinished file is caught."""
    cases = {
        "missing": None,
        "empty": "",
        "a stub": "Link workers {{ CMOC01.strength }} here.",
        "placeholder": "The authors declare no conflicts of interest (demonstration text; state "
        "any competing interests here) and the rest of this sentence is long enough.",
    }
    for name, text in cases.items():
        path = tmp_path / f"{name}.md"
        if text is not None:
            path.write_text(text, encoding="utf-8")
        gap = team_text_gap(path)
        assert gap is not None and gap.startswith(name), (name, gap)


def test_the_study_block_holds_no_administrative_placeholder() -> None:
    """Funder, award and ethics print in the body: no 'n/a', no instruction to the writer."""
    study = CONFIG["study"]
    for key in ("funder", "award", "ethics"):
        value = str(study.get(key) or "")
        assert not re.search(r"\bn/a\b", value, re.IGNORECASE), key
        assert not rameses.PLACEHOLDERS.search(value), key
