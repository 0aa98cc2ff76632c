"""No study's vocabulary in the workflow: the demo's roles, setting and programme are its
config's and narrative's, never code's or templates' (issue 24)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from realist_report.core.vocabulary import Design, current_design, design_problems, use_design
from realist_report.report.narrative import placeholder_list, wave_groups

REPO = Path(__file__).resolve().parents[2]
#: The demo generator may speak of its own study; everything else must not.
DEMO_PACKAGE = "realist_demo"
DEMO_WORDS = re.compile(
    r"link[ _-]?workers?|\bvcse\b|social prescrib|primary[ _-]care|\bpatients?\b", re.IGNORECASE
)
SCANNED = ("*.py", "*.smk", "*.j2", "*.yaml", "*.rst", "*.css", "Snakefile")

OTHER_STUDY = {
    "design": {
        "site_label": {"singular": "pharmacy", "plural": "pharmacies"},
        "roles": [
            {"id": "customer", "label": "Customer", "plural": "customers"},
            {"id": "pharmacist", "label": "Pharmacist", "plural": "pharmacists", "staff": True},
        ],
        "waves": [
            {"id": "t1", "label": "first round", "aliases": ["round 1"]},
            {"id": "t2", "label": "second round"},
            {"id": "t3", "label": "third round", "aliases": ["R3"]},
        ],
        "source_types": [{"id": "focus_group", "label": "focus group", "needs_participant": True}],
        "followed_roles": [],
    },
    "for_whom": {"roles": ["customer"]},
}


def workflow_files() -> list[Path]:
    found = {p for pattern in SCANNED for p in (REPO / "workflow").rglob(pattern)}
    found.add(REPO / "Snakefile")
    return sorted(p for p in found if DEMO_PACKAGE not in p.parts and "__pycache__" not in p.parts)


def test_no_demo_study_words_in_the_workflow() -> None:
    hits = [
        f"{path.relative_to(REPO)}:{number}: {match.group(0)}"
        for path in workflow_files()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        for match in DEMO_WORDS.finditer(line)
    ]
    assert len(workflow_files()) > 50
    assert hits == []


def test_the_scan_finds_a_demo_word_when_one_is_written(tmp_path: Path) -> None:
    """The scan's pattern catches the demo's words as a template would write them."""
    line = "Each of the {{ n }} primary care sites has one Link Worker seeing patients."
    assert [m.group(0) for m in DEMO_WORDS.finditer(line)] == [
        "primary care",
        "Link Worker",
        "patients",
    ]


@pytest.fixture
def other_study():
    """Another study's design in use for one test, the demo's restored after it."""
    demo = current_design()
    yield use_design(OTHER_STUDY)
    use_design({"design": demo_design_mapping(demo)})


def demo_design_mapping(design: Design) -> dict:
    return {
        "site_label": {"singular": design.site_singular, "plural": design.site_plural},
        "roles": [r._asdict() for r in design.roles],
        "waves": [{**w._asdict(), "aliases": list(w.aliases)} for w in design.waves],
        "source_types": [{**t._asdict(), "aliases": list(t.aliases)} for t in design.source_types],
        "followed_roles": list(design.followed_roles),
    }


def test_waves_match_any_spelling_of_id_label_or_alias(other_study: Design) -> None:
    assert other_study.wave_of("Round_1") == "t1"
    assert other_study.wave_of("SECOND-ROUND") == "t2"
    assert other_study.wave_of("r3") == "t3"
    assert other_study.wave_of("baseline") is None
    assert other_study.source_type_of("Focus groups") == "focus_group"
    assert other_study.wave_pairs == [("t1", "t2"), ("t2", "t3"), ("t1", "t3")]
    assert other_study.staff_roles == ["pharmacist"]


def test_placeholders_come_from_the_design(other_study: Design) -> None:
    names = [name for name, _ in placeholder_list(["CMOC01"], ["strong", "unsupported"])]
    assert "counts.customers_t3" in names and "counts.pharmacists_t1" in names
    assert "counts.professionals_t2" in names and "CMOC01.t3_excerpts" in names
    assert not [n for n in names if "baseline" in n or "patient" in n]
    assert wave_groups() == {
        "participants": "total",
        "professionals": "professionals",
        "customers": "customer",
        "pharmacists": "pharmacist",
    }


def test_a_role_the_design_does_not_declare_is_named_at_config_time() -> None:
    config = {**OTHER_STUDY, "for_whom": {"roles": ["patient"]}}
    config["design"] = {**OTHER_STUDY["design"], "followed_roles": ["manager"]}
    assert design_problems(config) == [
        "design.followed_roles: manager not among design.roles (customer, pharmacist)",
        "for_whom.roles: patient not among design.roles (customer, pharmacist)",
    ]


def test_make_placeholders_lists_every_count_the_demo_narrative_uses() -> None:
    """The demo narrative's {{ counts.* }} placeholders are all in the printed list."""
    from realist_report.report.placeholders import placeholder_lines, read_config

    listed = {line.split("}}")[0] + "}}" for line in placeholder_lines(read_config(None))}
    used = {
        "{{ " + m.group(1) + " }}"
        for path in (REPO / "report" / "narrative").rglob("*.md")
        for m in re.finditer(r"\{\{\s*(counts\.\w+)\s*\}\}", path.read_text(encoding="utf-8"))
    }
    assert used and used <= listed
    assert "{{ counts.link_workers_followup }}" in listed


def test_a_rating_the_design_cannot_reach_is_named() -> None:
    from realist_report.core.vocabulary import unreachable_ratings

    rules = [{"rating": "strong", "min_roles": 3}, {"rating": "tentative", "min_roles": 1}]
    assert unreachable_ratings(rules, Design.from_config(OTHER_STUDY["design"])) == [
        "rating 'strong' needs 3 role groups; the design has 2 roles, so no CMOC can be rated "
        "'strong'"
    ]


def test_ratings_asking_for_more_than_the_registers_hold_are_named(tmp_path: Path) -> None:
    """One role, two sites, three participants: 'moderate' needs more of each; the registers'
    sizes come from the files as the workflow reads them when it starts."""
    from realist_report.core.vocabulary import unreachable_ratings
    from realist_report.ingest.registers import register_sizes

    (tmp_path / "sites.csv").write_text("site_id,kind\nA,x\nB,y\n", encoding="utf-8")
    (tmp_path / "participants.csv").write_text(
        "participant_id,site_id,role,waves\nP1,A,resident,t1\nP2,B,resident,t1\nP3,B,resident,t1\n",
        encoding="utf-8",
    )
    sizes = register_sizes(tmp_path)
    assert sizes == (2, 3)
    one_role = Design.from_config(
        {**OTHER_STUDY["design"], "roles": OTHER_STUDY["design"]["roles"][:1]}
    )
    rules = [
        {"rating": "moderate", "min_participants": 5, "min_sites": 2, "min_roles": 2},
        {"rating": "tentative", "min_participants": 1, "min_sites": 1, "min_roles": 1},
    ]
    assert unreachable_ratings(rules, one_role, *sizes) == [
        "rating 'moderate' needs 2 role groups; the design has 1 role, so no CMOC can be rated "
        "'moderate'",
        "rating 'moderate' needs 5 participants; the study has 3, so no CMOC can be rated "
        "'moderate'",
    ]
    assert register_sizes(tmp_path / "missing") == (None, None)  # its own check says why
