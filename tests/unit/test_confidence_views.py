"""The team's confidence is printed beside every count rating; unjudged CMOCs read 'not assessed'."""

from __future__ import annotations

import pandas as pd
from realist_report.analysis.judgement import cerqual_rows, confidence_counts
from realist_report.report import context as R


def summary() -> pd.DataFrame:
    base = {
        "area": "a1",
        "area_title": "Area one",
        "if": "c",
        "then": "o",
        "because": "m",
        "participants": 1,
        "sites": 3,
        "roles": 1,
        "refuting": 2,
        "rationale_coherence": None,
        "rationale_adequacy": None,
        "rationale_relevance": None,
        "rationale_methodological_limitations": None,
    }
    return pd.DataFrame([
        {**base, "cmoc_id": "CMOC01", "title": "Time", "strength": "strong", "confidence": "high",
         "rationale_adequacy": "Rich accounts at every site."},
        {**base, "cmoc_id": "CMOC02", "title": "Trust", "strength": "tentative",
         "confidence": None},
        {**base, "cmoc_id": "CMOC03", "title": "Space", "strength": "strong",
         "confidence": "low"},
    ])  # fmt: skip


def test_the_findings_table_has_every_cmoc_with_its_confidence_or_not_assessed() -> None:
    rows = cerqual_rows(summary())
    assert [(r["cmoc_id"], r["strength"], r["confidence"]) for r in rows] == [
        ("CMOC01", "strong", "high"),
        ("CMOC02", "tentative", "not assessed"),
        ("CMOC03", "strong", "low"),
    ]
    assert rows[0]["explanation"] == [
        {"component": "Adequacy", "text": "Rich accounts at every site."}
    ]
    assert rows[1]["explanation"] == []
    assert rows[0]["evidence"] == "1 participant at 3 sites, 1 role group; 2 refuting"


def test_counts_by_confidence_level_and_not_assessed() -> None:
    counts = confidence_counts(summary())
    assert counts["judged"] == 2 and counts["total"] == 3 and counts["not_assessed"] == 1
    assert counts["levels"] == [{"level": "high", "count": 1}, {"level": "low", "count": 1}]


def test_the_discussion_lists_each_cmoc_with_the_team_confidence() -> None:
    groups = R.areas_by_strength(summary(), ["strong", "moderate", "tentative", "unsupported"])
    assert groups[0]["groups"][0] == {
        "strength": "strong",
        "cmocs": [
            "CMOC01 (Time; team's confidence: high)",
            "CMOC03 (Space; team's confidence: low)",
        ],
    }
    assert groups[0]["groups"][1]["cmocs"] == ["CMOC02 (Trust; team's confidence: not assessed)"]
