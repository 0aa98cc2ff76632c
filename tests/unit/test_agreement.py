"""Coder agreement: hand-computed alpha and percentage agreement, "not assessed", the units of
the linking window, and double coding that adds no evidence."""

from __future__ import annotations

from pathlib import Path

import krippendorff
import numpy as np
import pandas as pd
import pytest
from realist_report.analysis.agreement import (
    ASSESSED,
    NO_DOUBLE_CODING,
    NO_VARIATION,
    ONE_CODER,
    ONLY_SINGLE_CODED,
    assess_agreement,
    nominal_alpha,
    percent_agreement,
    reliability_data,
    report_context,
    run_assess_agreement,
)
from realist_report.analysis.clean import clean_batch
from realist_report.analysis.coders import evidence_codings, reference_coders
from realist_report.analysis.linking import link_evidence, link_shard
from realist_report.core.ids import stable_id
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_formats
from realist_report.ingest.mapping import assign_excerpt_ids

REPO = Path(__file__).resolve().parents[2]
DEMO_BATCH = REPO / "data" / "demo" / "coded" / "baseline_interviews.csv"
SECOND_CODER = "coder_d"  # the demo's second coder (demo.SECOND_CODER)


def coding(source: str, coder: str | None, start: int, end: int, code: str, **extra) -> dict:
    """One clean coding row as clean_batch gives it (segment id from batch, source, span, text)."""
    text = f"text of {source} {start}-{end}"
    row = {
        "batch": "b", "source_id": source, "source_type": "interview", "participant_id": "PAT-001",
        "role": "patient", "site_id": "S01", "wave": "baseline", "collected_on": "2021-03-01",
        "code": code, "text": text, "start": start, "end": end, "coder": coder,
        "origin": f"b.csv:row {start}",
        "segment_id": stable_id("b", source, start, end, text),
    }  # fmt: skip
    row["excerpt_id"] = stable_id(source, coder, start, end, code)
    return row | extra


def small_table() -> pd.DataFrame:
    """Source S1 coded by Ann and Bob over the same three spans; S2 by Ann alone.

    Unit (span)    u1 [0,10)   u2 [20,30)   u3 [40,50)
    Ann            c1          c1, c2       c2
    Bob            c1          c2           c1, c2
    S2: Ann codes c3 on [0,10) (one coder: not assessed).
    """
    rows = [
        coding("S1", "Ann", 0, 10, "c1"),
        coding("S1", "Ann", 20, 30, "c1"),
        coding("S1", "Ann", 20, 30, "c2"),
        coding("S1", "Ann", 40, 50, "c2"),
        coding("S1", "Bob", 0, 10, "c1"),
        coding("S1", "Bob", 20, 30, "c2"),
        coding("S1", "Bob", 40, 50, "c1"),
        coding("S1", "Bob", 40, 50, "c2"),
        coding("S2", "Ann", 0, 10, "c3"),
    ]
    return pd.DataFrame(rows)


def by_scope(table: pd.DataFrame, scope: str, key: str = "") -> dict:
    rows = table[table["scope"] == scope]
    if key:
        rows = rows[(rows["code"] == key) | (rows["source_id"] == key)]
    assert len(rows) == 1
    return rows.iloc[0].to_dict()


def test_hand_computed_alpha_and_agreement_per_code_and_overall():
    # Nominal alpha for 0/1 values, two coders, no missing values (Krippendorff 2011):
    #   alpha = 1 - (n - 1) * o01 / (n0 * n1)
    # n values in all, n0 and n1 the zeros and ones, o01 the units where the coders differ
    # (each such unit puts one 0-1 pair in the coincidence matrix).
    # c1: Ann 1,1,0  Bob 1,0,1 -> n=6, n1=4, n0=2, o01=2 -> 1 - 5*2/(2*4) = -0.25; agree 1 of 3
    # c2: Ann 0,1,1  Bob 0,1,1 -> o01=0 -> alpha 1.0; agree 3 of 3
    # overall, 6 unit-code pairs: n=12, n1=8, n0=4, o01=2 -> 1 - 11*2/(4*8) = 0.3125; 4 of 6
    # where coded (any coder applied the code): c1 u1,u2,u3 (1 of 3 agree), c2 u2,u3 (2 of 2)
    table = assess_agreement(small_table(), "segment", {"c1": "Context::One"})
    c1, c2 = by_scope(table, "code", "c1"), by_scope(table, "code", "c2")
    overall = by_scope(table, "overall")
    assert c1["alpha"] == pytest.approx(-0.25) and c1["percent_agreement"] == 33.3
    assert c2["alpha"] == pytest.approx(1.0) and c2["percent_agreement"] == 100.0
    assert overall["alpha"] == pytest.approx(0.3125, abs=1e-3)  # printed to 3 places
    assert overall["percent_agreement"] == 66.7
    assert c1["percent_agreement_where_coded"] == 33.3
    assert c2["percent_agreement_where_coded"] == 100.0
    assert overall["percent_agreement_where_coded"] == 60.0  # 3 of 5 coded pairs
    assert (c1["units"], c1["units_coded"], c2["units_coded"]) == (3, 3, 2)
    assert (overall["units"], overall["unit_codes"], overall["sources"]) == (3, 6, 1)
    assert c1["code_path"] == "Context::One" and c1["status"] == ASSESSED


def test_the_package_agrees_with_the_formula_on_the_small_table():
    ann_bob = np.array([[1, 1, 0, 0, 1, 1], [1, 0, 1, 0, 1, 1]], dtype=float)
    expected = 1 - 11 * 2 / (4 * 8)
    assert nominal_alpha(ann_bob) == pytest.approx(expected)
    assert krippendorff.alpha(reliability_data=ann_bob, level_of_measurement="nominal") == (
        pytest.approx(expected)
    )
    assert percent_agreement(ann_bob) == pytest.approx(4 / 6)


def test_three_coders_with_missing_values_count_pairs():
    # unit 1: three coders agree (3 pairs agree); unit 2: 1, 1, 0 (1 of 3 pairs); unit 3: two
    # coders, one missing, agree (1 pair) -> 5 of 7 pairs
    matrix = np.array([[1, 1, 0], [1, 1, np.nan], [1, 0, 0]], dtype=float)
    assert percent_agreement(matrix) == pytest.approx(5 / 7)
    assert nominal_alpha(matrix) == pytest.approx(
        krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal")
    )


def test_single_coded_sources_and_codes_are_not_assessed():
    table = assess_agreement(small_table(), "segment", {})
    assert by_scope(table, "source", "S2")["status"] == ONE_CODER
    assert by_scope(table, "source", "S1")["status"] == ASSESSED
    c3 = by_scope(table, "code", "c3")
    assert c3["status"] == ONLY_SINGLE_CODED and pd.isna(c3["alpha"])


def test_nothing_is_assessed_when_no_source_is_double_coded():
    clean = small_table()
    table = assess_agreement(clean[clean["coder"] == "Ann"], "segment", {})
    assert by_scope(table, "overall")["status"] == NO_DOUBLE_CODING
    assert set(table.loc[table["scope"] == "code", "status"]) == {NO_DOUBLE_CODING}
    assert set(table.loc[table["scope"] == "source", "status"]) == {ONE_CODER}
    assert table["alpha"].isna().all()


def test_alpha_is_undefined_without_variation():
    clean = pd.DataFrame([coding("S1", coder, 0, 10, "c1") for coder in ("Ann", "Bob")])
    overall = by_scope(assess_agreement(clean, "segment", {}), "overall")
    assert overall["status"] == NO_VARIATION and pd.isna(overall["alpha"])
    assert overall["percent_agreement"] == 100.0


def test_units_follow_the_linking_window():
    # Bob starts u3 one character later: a unit of its own per segment, the same unit when
    # overlapping spans form one unit, and one unit for the whole source
    clean = small_table()
    shifted = (clean["coder"] == "Bob") & (clean["start"] == 40)
    clean.loc[shifted, "start"] = 41
    clean.loc[shifted, "segment_id"] = "S1-bob-41"
    units = {
        window: reliability_data(clean, window)["unit_id"].nunique()
        for window in ("segment", "overlap", "source")
    }
    assert units == {"segment": 4, "overlap": 3, "source": 1}


def test_agreement_never_names_a_coder():
    table = assess_agreement(small_table(), "segment", {})
    text = table.to_csv(index=False)
    assert "Ann" not in text and "Bob" not in text
    assert set(reliability_data(small_table(), "segment")["coder"]) == {1, 2}


def test_reference_coder_is_the_batch_main_coder_even_with_fewer_codings():
    # Bob codes S1 with more codings than Ann, but Ann coded more of the batch's sources
    clean = pd.concat(
        [small_table(), pd.DataFrame([coding("S1", "Bob", 60, 70, "c3")])], ignore_index=True
    )
    reference = reference_coders(clean).set_index("source_id")["coder"].to_dict()
    assert reference == {"S1": "Ann", "S2": "Ann"}
    assert set(evidence_codings(clean)["coder"]) == {"Ann"}


def test_one_coder_per_source_comes_back_unchanged():
    clean = small_table()
    once = clean[clean["coder"] == "Ann"]
    assert evidence_codings(once) is once


def test_a_second_coder_adds_no_evidence(definitions):
    # Ann codes the CMOC's context alone; Bob codes the same passage with C, M and O: their
    # union would be a full match, the reference coder's codings are not
    parts = definitions.cmoc_parts
    cmoc = "CMOC01"
    c, m, o = (parts[(parts.cmoc_id == cmoc) & (parts.part == p)].code_id.iloc[0] for p in
               ("context", "mechanism", "outcome"))  # fmt: skip
    ann = [coding("S1", "Ann", 0, 50, c), coding("S2", "Ann", 0, 50, c)]
    bob = [coding("S1", "Bob", 0, 50, code) for code in (c, m, o)]
    alone = pd.DataFrame(ann)
    both = pd.DataFrame(ann + bob)
    union = link_evidence(both, definitions)
    assert (union["cmoc_id"] == cmoc).any()  # the test can fail: double coding would count
    assert link_evidence(evidence_codings(both), definitions).equals(
        link_evidence(alone, definitions)
    )


@pytest.fixture(scope="module")
def demo_clean(registers, definitions) -> pd.DataFrame:
    raw = ingest_batch(
        DEMO_BATCH, "baseline_interviews", load_formats(REPO / "config" / "formats.yaml")
    )
    sites, participants = registers
    return clean_batch(raw, participants, sites, definitions).clean


def test_demo_double_coding_leaves_cmoc_evidence_unchanged(demo_clean, definitions):
    second = demo_clean["coder"] == SECOND_CODER
    assert second.sum() >= 100 and demo_clean.loc[second, "source_id"].nunique() == 20
    without = link_evidence(demo_clean[~second].reset_index(drop=True), definitions)
    with_second = link_evidence(evidence_codings(demo_clean), definitions)
    pd.testing.assert_frame_equal(with_second, without)
    assert not link_evidence(demo_clean, definitions).equals(without)  # the rule matters


def test_demo_second_coder_disagrees_realistically(demo_clean):
    table = assess_agreement(demo_clean, "segment", {})
    overall = by_scope(table, "overall")
    assert overall["status"] == ASSESSED and overall["sources"] == 20
    assert 0.4 < overall["alpha"] < 0.9  # missed, swapped and shifted codings, not chance
    assert (table.loc[table["scope"] == "source", "status"] == ONE_CODER).sum() > 100


def test_two_coders_equal_codings_both_survive_cleaning(demo_clean, registers, definitions):
    # the same span and code from two coders: distinct ids, neither removed as a duplicate;
    # the same coding twice from one coder is still one exact duplicate
    sites, participants = registers
    first = demo_clean.iloc[0]
    row = {
        column: first[column]
        for column in ["batch", "source_id", "source_type", "participant_id", "site_id",
                       "wave", "collected_on", "code_label", "text", "start", "end"]
    }  # fmt: skip
    raw = pd.DataFrame(
        [row | {"coder": "Ann"}, row | {"coder": "Bob"}, row | {"coder": "Ann"}]
    ).rename(columns={"code_label": "code"})
    raw = raw.assign(excerpt_id=None, origin=[f"x.csv:row {i}" for i in range(3)])
    raw = assign_excerpt_ids(raw.astype({"start": "string", "end": "string"}))
    assert raw["excerpt_id"].nunique() == 2 and raw["excerpt_id"].iloc[1].endswith("~c2")
    result = clean_batch(raw, participants, sites, definitions)
    assert result.counts["duplicates_removed"] == 1
    assert sorted(result.clean["coder"]) == ["Ann", "Bob"]


def test_each_figure_traces_to_its_codings_and_its_disagreements():
    clean = small_table()
    c1 = by_scope(assess_agreement(clean, "segment", {}), "code", "c1")
    ids = clean.set_index(["coder", "start", "code"])["excerpt_id"]
    in_s1 = clean[(clean["source_id"] == "S1") & (clean["code"] == "c1")]["excerpt_id"]
    assert c1["excerpt_ids"].split(";") == sorted(in_s1)
    # c1 differs on u2 (Ann only) and u3 (Bob only); on u1 both applied it
    assert c1["disagreement_ids"].split(";") == sorted([ids["Ann", 20, "c1"], ids["Bob", 40, "c1"]])


def test_a_coding_without_a_coder_name_counts_as_evidence_and_not_as_a_coder():
    clean = pd.concat(
        [small_table(), pd.DataFrame([coding("S1", None, 60, 70, "c3")])], ignore_index=True
    )
    assert (evidence_codings(clean)["coder"].isna()).sum() == 1
    assert "c3" not in set(reliability_data(clean, "segment")["code"])
    alone = pd.DataFrame([coding("S3", None, 0, 10, "c1")])
    source = by_scope(assess_agreement(alone, "segment", {}), "source", "S3")
    assert source["status"] == ONE_CODER and source["coders"] == 0


def test_the_csv_round_trips_into_the_report_context(tmp_path):
    clean = small_table()
    parquet = tmp_path / "b.parquet"
    clean.astype({"start": "Int64", "end": "Int64"}).to_parquet(parquet)
    out = tmp_path / "coder_agreement.csv"
    run_assess_agreement(
        [str(parquet)],
        str(REPO / "config" / "codebook.yaml"),
        str(REPO / "config" / "cmocs.yaml"),
        "segment",
        str(out),
    )
    summary = report_context(str(out))["coder_agreement"]
    assert summary["assessed"] and summary["overall"]["units"] == 3
    assert (summary["sources_double_coded"], summary["sources_single_coded"]) == (1, 1)
    assert summary["codes_not_assessed"] == 1  # c3, applied only in S2
    assert [row["code"] for row in summary["codes"]] == ["c1", "c2"]
    assert summary["codes"][0]["alpha"] == pytest.approx(-0.25)
    assert "Ann" not in out.read_text(encoding="utf-8")


def test_set_aside_codings_are_counted_and_every_coder_mode_counts_them(definitions):
    table = assess_agreement(small_table(), "segment", {})
    assert by_scope(table, "overall")["codings_set_aside"] == 4  # Bob's four codings of S1
    assert by_scope(table, "source", "S1")["codings_set_aside"] == 4
    every = assess_agreement(small_table(), "segment", {}, coders="every")
    assert by_scope(every, "overall")["codings_set_aside"] == 0
    # linking.coders: 'every' (split or shared coding) links every coder's codings
    parts = definitions.cmoc_parts
    c, m, o = (parts[(parts.cmoc_id == "CMOC01") & (parts.part == p)].code_id.iloc[0] for p in
               ("context", "mechanism", "outcome"))  # fmt: skip
    both = pd.DataFrame(
        [coding("S1", "Ann", 0, 50, c), coding("S2", "Ann", 0, 50, c)]
        + [coding("S1", "Bob", 0, 50, code) for code in (m, o)]
    )
    linking = {"window": "segment", "count_partial": True}
    reference = link_shard(both, definitions, 0, 1, linking | {"coders": "reference"})
    every_link = link_shard(both, definitions, 0, 1, linking | {"coders": "every"})
    assert reference.equals(link_evidence(both[both["coder"] == "Ann"], definitions))
    assert "full" in set(every_link["match"]) and "full" not in set(reference["match"])
