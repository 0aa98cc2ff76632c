"""The RAMESES II checklist is honest: an empty, stub or placeholder section is not reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from realist_report.report import narrative as N
from realist_report.report import rameses
from realist_report.report.citations import Citations

REPO = Path(__file__).resolve().parents[2]
NARRATIVE = REPO / "report" / "narrative"
AREAS = ["micro_discretions", "integration", "person_centred", "boundaries"]
WRITTEN = (
    "Approval was given by the regional research ethics committee before any data were "
    "collected, and every participant gave written informed consent to take part."
)


def demo_narrative(tmp_path: Path, **replace: str) -> N.Narrative:
    """The demo narrative with some section files replaced, rendered as the report renders it."""
    folder = tmp_path / "narrative"
    shutil.copytree(NARRATIVE, folder)
    for name, text in replace.items():
        (folder / "sections" / f"{name}.md").write_text(text, encoding="utf-8")
    return N.load_narrative(
        folder,
        demo_values(),
        area_ids=AREAS,
        citations=Citations.load(REPO / "report/references.bib"),
    )


def demo_values() -> dict:
    """Placeholder values shaped as the report computes them (the numbers do not matter here)."""
    group = {
        "total": 10,
        "patient": 6,
        "professionals": 4,
        "link_worker": 1,
        "primary_care_staff": 1,
        "vcse": 1,
        "other_link_worker": 1,
    }
    counts = {wave: group for wave in ("baseline", "followup")}
    totals = {
        name: 3 for name in [*N.COUNT_VALUES, "strong", "moderate", "tentative", "unsupported"]
    }
    rows = [
        {
            "cmoc_id": f"CMOC{i:02d}",
            "area_title": "Area",
            "title": "t",
            "strength": "strong",
            **{
                name: 2
                for name in N.CMOC_VALUES
                if name not in ("title", "area", "strength", "change")
            },
        }
        for i in range(1, 13)
    ]
    return {"counts": N.count_values(counts, totals), **N.cmoc_values(rows, {})}  # fmt: skip


def gaps_for(sections: dict[str, str], cmocs: dict[str, str] | None = None) -> dict[int, str]:
    return rameses.item_gaps(sections, cmocs or {}, [])


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("", "empty"),
        ("   \n\n", "empty"),
        ("Ethics: approved.", "a stub (2 words)"),
        ("TODO: write the ethics statement once approval comes back from the committee "
         "and the sponsor, with the reference.", "placeholder text ('TODO')"),
        ("This demonstration build runs on synthetic data and needs no ethical approval at all, "
         "as nobody took part.", "placeholder text ('demonstration build')"),
        ("The study was reviewed by a committee. For a real report, name the committee and the "
         "reference number here.", "placeholder text"),
    ],
)  # fmt: skip
def test_an_empty_stub_or_placeholder_section_is_not_reported(text: str, why: str) -> None:
    gaps = gaps_for({"ethics": f"<p>{text}</p>" if text.strip() else ""})
    assert gaps[6].startswith(f"sections/ethics.md: {why}")


def test_team_text_reports_the_item_and_literature_needs_a_citation() -> None:
    assert 6 not in gaps_for({"ethics": f"<p>{WRITTEN}</p>"})
    assert (
        gaps_for({"literature": f"<p>{WRITTEN}</p>"})[18] == "sections/literature.md: no citation"
    )
    cited = f"<p>{WRITTEN} @@cite:wong2016rameses@@</p>"
    assert 18 not in gaps_for({"literature": cited})


def test_main_findings_need_a_team_interpretation_of_every_cmoc() -> None:
    cmocs = {"CMOC01": f"<p>{WRITTEN}</p>", "CMOC02": "<p>To do.</p>"}
    gaps = rameses.item_gaps({}, cmocs, ["CMOC01", "CMOC02", "CMOC03"])
    assert gaps[15] == "no team interpretation of 2 of 3 CMOCs"
    assert 15 not in rameses.item_gaps({}, cmocs, ["CMOC01"])


def test_the_demo_ethics_and_conflicts_placeholders_are_not_reported(tmp_path: Path) -> None:
    rendered = demo_narrative(tmp_path, ethics="", rationale="To be written.\n")
    gaps = rameses.item_gaps(rendered.sections, rendered.cmocs, [])
    assert gaps[6] == "sections/ethics.md: empty"
    assert gaps[3] == "sections/rationale.md: a stub (3 words)"
    assert gaps[20].startswith("sections/conflicts.md: placeholder text")
    assert 18 not in gaps and 7 not in gaps  # the demo's literature and rationale cite
