"""Candidate CMOCs and code co-occurrence on the demo build: the planted triad is the top lead,
the CSVs have their columns, the appendix is in the report, and every id traces to an excerpt."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from realist_demo.generator import PLANTED_INTERVIEWS, PLANTED_TRIAD
from realist_report.analysis import cooccurrence as co
from realist_report.audit import trace
from realist_report.core.tables import read_csv, read_parquets

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PLANTED_ID = co.ID_SEPARATOR.join(PLANTED_TRIAD)


def redacted(workdir: Path) -> pd.DataFrame:
    return read_parquets(sorted((workdir / "data" / "interim" / "redacted").glob("*.parquet")))


def test_the_planted_triad_is_the_top_candidate(built_workflow: Path) -> None:
    table = read_csv(
        built_workflow / "results" / "candidate_cmocs.csv", dtype=str, keep_default_na=False
    )
    assert list(table.columns) == co.CANDIDATE_COLUMNS
    top = table.iloc[0]
    assert (top["rank"], top["candidate_id"]) == ("1", PLANTED_ID)
    assert (top["context"], top["mechanism"], top["outcome"]) == PLANTED_TRIAD
    # one passage in each of 14 interviews with 14 people, in more sites than the minimum
    assert int(top["units"]) == int(top["participants"]) == PLANTED_INTERVIEWS
    assert int(top["sites"]) >= 2 and top["recombination_units"] == "0"
    examples = top["example_excerpt_ids"].split(";")
    ids = top["excerpt_ids"].split(";")
    assert len(examples) == 2 and set(examples) <= set(ids)
    assert len(ids) == 3 * PLANTED_INTERVIEWS  # the three codings of each planted passage
    rows = redacted(built_workflow).set_index("excerpt_id").loc[ids]
    assert sorted(set(rows["code"])) == sorted(PLANTED_TRIAD)


def test_cooccurrence_csv_counts_units_and_traces_every_id(built_workflow: Path) -> None:
    pairs = read_csv(
        built_workflow / "results" / "code_cooccurrence.csv", dtype=str, keep_default_na=False
    )
    assert list(pairs.columns) == co.PAIR_COLUMNS
    clean = redacted(built_workflow)
    every_id = {i for ids in pairs["excerpt_ids"] for i in ids.split(";")}
    assert every_id <= set(clean["excerpt_id"])
    planted = pairs[(pairs["code_a"] == PLANTED_TRIAD[0]) & (pairs["code_b"] == PLANTED_TRIAD[1])]
    assert planted[["units", "participants", "cmocs"]].values.tolist() == [
        [str(PLANTED_INTERVIEWS), str(PLANTED_INTERVIEWS), ""]
    ]
    # a pair that CMOC08 and CMOC09 both state, listed with them
    holding = pairs[(pairs["code_a"] == "complex_needs") & (pairs["code_b"] == "holding")]
    assert holding["cmocs"].tolist() == ["CMOC08;CMOC09"]


def test_the_report_has_the_appendix_worded_as_leads(built_workflow: Path) -> None:
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    appendix = html[html.index('id="appendix-candidates"') :]
    assert "leads for the team to examine" in appendix and "reports no findings" in appendix
    assert "Candidate CMOCs not yet configured (leads, not findings)" in appendix
    assert "Travel and transport barriers" in appendix and 'id="fig-code_cooccurrence"' in appendix
    assert 'href="#appendix-candidates"' in html[: html.index('id="appendix-candidates"')]


def test_make_trace_prints_a_candidate_and_a_code_pair(built_workflow: Path, capsys) -> None:
    assert trace.main(["--candidate", "1", "--workdir", str(built_workflow)]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith(f"candidate CMOC 1: {3 * PLANTED_INTERVIEWS} excerpts")
    assert trace.main(["--candidate", PLANTED_ID, "--workdir", str(built_workflow)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == printed.splitlines()[1:]
    pair = f"{PLANTED_TRIAD[2]}+{PLANTED_TRIAD[1]}"
    assert trace.main(["--pair", pair, "--workdir", str(built_workflow)]) == 0
    assert capsys.readouterr().out.startswith(f"code pair {pair}: {2 * PLANTED_INTERVIEWS}")
    assert trace.main(["--candidate", "99", "--workdir", str(built_workflow)]) == 1


@pytest.mark.parametrize("window", ["overlap", "source"])
def test_wider_windows_keep_the_planted_lead_first_and_set_recombinations_aside(
    built_workflow: Path, definitions, window: str
) -> None:
    """Whole interviews hold many configured CMOCs at once: their crossings must not outrank
    the planted lead (they are recombinations of configured CMOCs, set aside)."""
    units = co.unit_codes(redacted(built_workflow), definitions, window)
    found, stats = co.candidate_cmocs(units, definitions, co.Thresholds(5, 3, 2))
    assert found.iloc[0]["candidate_id"] == PLANTED_ID
    if window == "source":  # measured: 201 recombinations set aside, 23 echoes, 1 candidate
        assert stats["set_aside"] > 100 and stats["recombination_units"] > 1000
        assert stats["echoes"] > 10 and len(found) < 5
