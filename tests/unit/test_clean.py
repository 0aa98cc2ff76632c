"""Cleaning: quarantine with reasons, exact duplicates removed, nothing lost, fail mode."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from realist_report.analysis.clean import (
    CleanResult,
    check_row_accounting,
    clean_batch,
    summarise_quality,
)
from realist_report.core.errors import InputFileError, PipelineError
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_formats

REPO = Path(__file__).resolve().parents[2]
DEMO_CODED = REPO / "data" / "demo" / "coded"


@pytest.fixture(scope="module")
def raw_baseline() -> pd.DataFrame:
    formats = load_formats(REPO / "config" / "formats.yaml")
    return ingest_batch(DEMO_CODED / "baseline_interviews.csv", "baseline_interviews", formats)


def run_clean(raw, registers, definitions, **options) -> CleanResult:
    sites, participants = registers
    return clean_batch(raw, participants, sites, definitions, **options)


def test_demo_batch_quarantines_planted_faults_with_reasons(raw_baseline, registers, definitions):
    result = run_clean(raw_baseline, registers, definitions)
    reasons = result.quarantine["reason"].value_counts().to_dict()
    assert reasons == {
        "unknown_participant": 2,
        "unknown_code": 1,
        "empty_text": 1,
        "wave_not_recognised": 1,
    }
    assert result.counts["duplicates_removed"] == 3
    assert result.counts["rows_in"] == len(raw_baseline)
    assert all(result.quarantine["origin"].str.match(r"baseline_interviews\.csv:row \d+"))


def test_clean_rows_take_role_and_site_from_the_register(raw_baseline, registers, definitions):
    clean = run_clean(raw_baseline, registers, definitions).clean
    _, participants = registers
    merged = clean.merge(participants, on="participant_id", suffixes=("", "_register"))
    assert (merged["role"] == merged["role_register"]).all()
    assert (merged["site_id"] == merged["site_id_register"]).all()
    assert set(clean["code"]) <= set(definitions.codes["code_id"])
    assert clean["segment_id"].notna().all() and clean["excerpt_id"].is_unique


def test_aliases_and_separator_variants_map_to_one_code(raw_baseline, registers, definitions):
    raw = raw_baseline.head(3).copy()
    raw["code"] = [
        "context > flexible appointments",
        "MECHANISM\\Micro-discretion",
        "Outcome/Wellbeing",
    ]
    raw["excerpt_id"] = ["a", "b", "c"]
    clean = run_clean(raw, registers, definitions).clean
    assert list(clean["code"]) == ["flexible_appointments", "micro_discretion", "wellbeing"]


def test_reference_problems_are_quarantined(raw_baseline, registers, definitions):
    raw = raw_baseline.head(6).copy()
    raw["excerpt_id"] = [f"id{i}" for i in range(6)]
    raw.loc[raw.index[0], "site_id"] = "S05" if raw["site_id"].iloc[0] != "S05" else "S01"
    raw.loc[raw.index[1], "wave"] = "followup"  # register: this participant has no follow-up
    raw.loc[raw.index[2], "source_type"] = "podcast"
    raw.loc[raw.index[3], "start"] = "twelve"
    raw.loc[raw.index[4], ["start", "end"]] = ["50", "10"]
    raw.loc[raw.index[5], "participant_id"] = ""
    _, participants = registers
    baseline_only = participants.loc[participants["waves"] == "baseline", "participant_id"].iloc[0]
    raw.loc[raw.index[1], "participant_id"] = baseline_only
    raw.loc[raw.index[1], "site_id"] = participants.set_index("participant_id").at[
        baseline_only, "site_id"
    ]
    result = run_clean(raw, registers, definitions)
    assert list(result.quarantine["reason"]) == [
        "site_mismatch",
        "wave_not_in_register",
        "source_type_not_recognised",
        "offsets_not_whole_numbers",
        "offsets_reversed",
        "interview_without_participant",
    ]
    assert result.clean.empty


def test_same_id_with_different_content_is_quarantined(raw_baseline, registers, definitions):
    raw = raw_baseline.head(2).copy()
    raw["excerpt_id"] = ["same", "same"]
    result = run_clean(raw, registers, definitions)
    assert len(result.clean) == 1
    assert list(result.quarantine["reason"]) == ["duplicate_id_different_content"]


def test_fail_mode_stops_with_file_row_and_reason(raw_baseline, registers, definitions):
    with pytest.raises(
        InputFileError, match=r"baseline_interviews\.csv:row \d+.*unknown_participant"
    ):
        run_clean(raw_baseline, registers, definitions, on_invalid="fail")


def test_row_accounting_catches_a_lost_row():
    check_row_accounting(
        {"batch": "b", "rows_in": 10, "clean": 7, "quarantined": 2, "duplicates_removed": 1}
    )
    with pytest.raises(PipelineError, match="10 rows in but 9 accounted"):
        check_row_accounting(
            {"batch": "b", "rows_in": 10, "clean": 7, "quarantined": 1, "duplicates_removed": 1}
        )


def test_quality_summary_totals_batches():
    counts = [
        {"batch": "a", "rows_in": 10, "clean": 8, "quarantined": 1, "duplicates_removed": 1},
        {"batch": "b", "rows_in": 5, "clean": 5, "quarantined": 0, "duplicates_removed": 0},
    ]
    table = summarise_quality(counts, pd.DataFrame())
    total = table[table["batch"] == "all batches"].iloc[0]
    assert (total["rows_in"], total["clean"], total["quarantined"]) == (15, 13, 1)
    assert table["invariant_holds"].all()


def test_an_unknown_case_name_is_never_quoted_in_the_quarantine(
    raw_baseline, registers, definitions
):
    """A REFI-QDA case named after a person (no title, not on the private list) becomes the
    participant id of its codings: the quarantine names it by a short hash only."""
    raw = raw_baseline.head(3).copy()
    raw["participant_id"] = ["Jane Doe", "jane doe", "S99 Okafor"]
    raw["site_id"] = ["Leeds Road Surgery", "", ""]
    result = run_clean(raw, registers, definitions)
    written = result.quarantine.to_csv(index=False).casefold()
    for fragment in ("jane", "doe", "okafor", "leeds"):
        assert fragment not in written, fragment
    details = result.quarantine["detail"].tolist()
    assert all(re.search(r"#[0-9a-f]{8} \(a hash\)", d) for d in details), details
