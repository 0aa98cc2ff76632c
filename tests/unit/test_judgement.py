"""The team's judgement beside the count rule: the refuting rule that can lower a rating, the
rating read on the confidence scale, the disagreement flag, and the CMOC fields that carry them
(status, history, confidence, rationale)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from realist_report.analysis import evidence, linking
from realist_report.core.definitions import SCHEMA_DIR, load_definitions
from realist_report.core.errors import ConfigError
from realist_report.core.vocabulary import (
    CMOC_STATUSES,
    CONFIDENCE_LEVELS,
    RATIONALE_COMPONENTS,
    rating_as_confidence,
)
from realist_report.report import context as report
from test_evidence import CMOC01, STRENGTH, coding, frame

REPO = Path(__file__).resolve().parents[2]
RULE = {"max_share": 0.25, "lower_by": 1}


# ---------------------------------------------------------------- the refuting rule


@pytest.mark.parametrize(
    ("rating", "supporting", "refuting", "rule", "expected", "lowered"),
    [
        ("strong", 8, 3, RULE, "moderate", True),  # 3 > 25% of 8 = 2
        ("strong", 8, 2, RULE, "strong", False),  # exactly at the limit: not lowered
        ("strong", 8, 0, RULE, "strong", False),
        ("moderate", 10, 5, RULE, "tentative", True),
        ("tentative", 4, 4, RULE, "tentative", False),  # already the weakest rating
        ("unsupported", 0, 3, RULE, "unsupported", False),
        ("strong", 4, 4, {"max_share": 0.25, "lower_by": 2}, "tentative", True),
        ("strong", 4, 4, {"max_share": 0.25, "lower_by": 5}, "tentative", True),  # floor
        ("strong", 4, 4, {"max_share": 0.25, "lower_by": 0}, "strong", False),  # rule off
        ("strong", 4, 1, {"max_share": 0, "lower_by": 1}, "moderate", True),  # any refuting
        ("strong", 4, 2, {"max_share": 0.5, "lower_by": 1}, "strong", False),  # exactly half
    ],
)
def test_refuting_rule_lowers_only_over_the_share(
    rating, supporting, refuting, rule, expected, lowered
) -> None:
    final, was_lowered, why = evidence.apply_refuting_rule(
        rating, supporting, refuting, STRENGTH, rule
    )
    assert (final, was_lowered) == (expected, lowered)
    assert why.startswith("lowered from" if lowered else ("not lowered", "no refuting rule"))
    if refuting and rating != "unsupported" and rule["lower_by"]:
        assert f"{refuting} refuting vs {supporting} supporting" in why


def cmoc01_units(supporting: int, refuting: int) -> list[dict]:
    """CMOC01 full matches from `supporting` people in 4 sites and 3 role groups (strong by
    count), plus `refuting` full matches marked as refuting by other people."""
    roles = ["patient", "link_worker", "primary_care_staff"]
    rows = []
    for i in range(supporting + refuting):
        codes = [*CMOC01, "refutes"] if i >= supporting else list(CMOC01)
        rows += [
            coding(
                f"seg{i}",
                c,
                source=f"SRC-{i}",
                person=f"P{i:02d}",
                role=roles[i % 3],
                site=f"S0{i % 4 + 1}",
            )  # fmt: skip
            for c in codes
        ]
    return rows


@pytest.mark.parametrize(("refuting", "strength"), [(3, "moderate"), (2, "strong"), (0, "strong")])
def test_summary_shows_the_count_rating_and_what_the_refuting_rule_did(
    definitions, refuting, strength
) -> None:
    links = linking.link_evidence(frame(cmoc01_units(10, refuting)), definitions)
    row = evidence.summarise_cmocs(links, definitions, STRENGTH, {"max_share": 0.2, "lower_by": 1})
    row = row.set_index("cmoc_id").loc["CMOC01"]
    assert (row["excerpts"], row["refuting"], row["count_strength"]) == (10, refuting, "strong")
    assert row["strength"] == strength
    assert row["lowered_by_refuting"] == (strength != "strong")
    assert row["strength_rule"].startswith("strong: 10 participants")
    without_rule = evidence.summarise_cmocs(links, definitions, STRENGTH)
    assert without_rule.set_index("cmoc_id").at["CMOC01", "strength"] == "strong"


# ---------------------------------------------------------------- confidence beside the counts


def test_ratings_read_on_the_confidence_scale_by_rank() -> None:
    assert rating_as_confidence(STRENGTH) == {
        "strong": "high",
        "moderate": "moderate",
        "tentative": "low",
        "unsupported": "very low",
    }
    renamed = [{**rule, "rating": name} for rule, name in zip(STRENGTH, "abc", strict=True)]
    assert list(rating_as_confidence(renamed).values()) == list(CONFIDENCE_LEVELS)
    assert rating_as_confidence([{"rating": "any"}]) == {"any": "high", "unsupported": "very low"}
    five = rating_as_confidence([{"rating": n} for n in ["a", "b", "c", "d"]])
    # ranks 0-4 onto levels 0-3: 0, 0.75, 1.5, 2.25, 3; a tie (1.5) goes to the lower level
    assert list(five.values()) == ["high", "moderate", "low", "low", "very low"]


@pytest.mark.parametrize(
    ("confidence", "rating", "gap", "flagged"),
    [
        ("high", "tentative", 2, True),  # the team is surer than the counts
        ("very low", "strong", -3, True),
        ("low", "moderate", -1, False),
        ("moderate", "moderate", 0, False),
        (None, "strong", None, False),
    ],
)
def test_disagreement_of_more_than_one_step_is_flagged(confidence, rating, gap, flagged) -> None:
    as_confidence, steps = evidence.judgement_gap(confidence, rating, STRENGTH)
    assert steps == gap
    row = {
        "confidence": confidence,
        "strength": rating,
        "rating_as_confidence": as_confidence,
        "confidence_gap": steps,
        "judgement_disagrees": steps is not None and abs(steps) > 1,
        "rationale_coherence": "Accounts agree.",
    }
    view = report.judgement_view(row)
    if confidence is None:
        assert view is None
        return
    assert view["rationale"] == [{"component": "Coherence", "text": "Accounts agree."}]
    assert (view["flag"] is not None) == flagged
    if flagged:
        more = "more" if gap > 0 else "less"
        assert f"{abs(gap)} steps apart: the team is {more} confident" in view["flag"]


def test_demo_cmoc07_judgement_disagrees_with_its_count_rating(definitions) -> None:
    """The demo's CMOC07 is rated tentative by count (patients only) but the team holds high
    confidence: two steps, flagged; CMOC10 (moderate vs strong/high) is one step, not flagged."""
    cmocs = definitions.cmocs.set_index("cmoc_id")
    assert cmocs.at["CMOC07", "confidence"] == "high"
    assert evidence.judgement_gap("high", "tentative", STRENGTH) == ("low", 2)
    assert evidence.judgement_gap(cmocs.at["CMOC10", "confidence"], "strong", STRENGTH)[1] == -1


# ---------------------------------------------------------------- the CMOC fields


def write_cmocs(tmp_path: Path, **fields) -> Path:
    data = yaml.safe_load((REPO / "config" / "cmocs.yaml").read_text(encoding="utf-8"))
    data["cmocs"][0] = {
        k: v for k, v in data["cmocs"][0].items() if k not in ("status", "history", "rationale")
    }
    data["cmocs"][0].update(fields)
    path = tmp_path / "cmocs.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def load(path: Path):
    return load_definitions(REPO / "config" / "codebook.yaml", path)


def test_status_history_confidence_and_rationale_are_read(tmp_path: Path) -> None:
    history = [{"date": "2021-05-01", "text": "Later."}, {"date": "2021-02-01", "text": "First."}]
    rationale = {"coherence": "Fits.", "methodological_limitations": "One site."}
    path = write_cmocs(
        tmp_path, status="refuted", history=history, confidence="very low", rationale=rationale
    )
    defs = load(path)
    row = defs.cmocs.set_index("cmoc_id").loc["CMOC01"]
    assert (row["status"], row["confidence"]) == ("refuted", "very low")
    assert row["rationale_coherence"] == "Fits." and pd.isna(row["rationale_adequacy"])
    own = defs.history[defs.history["cmoc_id"] == "CMOC01"]
    assert list(own["date"]) == ["2021-02-01", "2021-05-01"], "oldest first"


@pytest.mark.parametrize(
    ("fields", "where", "says"),
    [
        ({"status": "maybe"}, "cmocs/0/status", "'maybe' is not one of ['initial', 'refined'"),
        ({"confidence": "medium"}, "cmocs/0/confidence", "'medium' is not one of ['high'"),
        ({"rationale": {"coherance": "x"}}, "cmocs/0/rationale", "'coherance' was unexpected"),
        (
            {"history": [{"date": "1 May 2021", "text": "x"}]},
            "cmocs/0/history/0/date",
            "does not match",
        ),  # fmt: skip
        ({"history": [{"text": "undated"}]}, "cmocs/0/history/0", "'date' is a required property"),
    ],
)
def test_bad_judgement_fields_are_refused_naming_file_and_key(
    tmp_path: Path, fields, where, says
) -> None:
    path = write_cmocs(tmp_path, **fields)
    with pytest.raises(ConfigError) as problem:
        load(path)
    assert str(path) in str(problem.value)
    assert f"at {where}: " in str(problem.value) and says in str(problem.value)


def test_an_unquoted_yaml_date_is_refused_with_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "cmocs.yaml"
    text = (REPO / "config" / "cmocs.yaml").read_text(encoding="utf-8")
    path.write_text(text.replace('date: "2021-02-01"', "date: 2021-02-01", 1), encoding="utf-8")
    with pytest.raises(ConfigError, match="at cmocs/0/history/0/date: .* is not of type 'string'"):
        load(path)


def test_the_schema_lists_exactly_the_vocabulary() -> None:
    schema = yaml.safe_load((SCHEMA_DIR / "cmocs.schema.yaml").read_text(encoding="utf-8"))
    fields = schema["properties"]["cmocs"]["items"]["properties"]
    assert tuple(fields["status"]["enum"]) == CMOC_STATUSES
    assert tuple(fields["confidence"]["enum"]) == CONFIDENCE_LEVELS
    assert tuple(fields["rationale"]["properties"]) == RATIONALE_COMPONENTS
