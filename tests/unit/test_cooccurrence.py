"""Code co-occurrence and candidate CMOCs on small hand-made tables: pairs, every window, the
'covers' rule, recombinations of configured CMOCs, thresholds, ranking, and tracing."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml
from realist_report.analysis import cooccurrence as co
from realist_report.audit import trace
from realist_report.core.definitions import Definitions, load_definitions
from realist_report.core.tables import write_csv

CODES = {
    "c1": "context", "c2": "context", "c3": "context",
    "m1": "mechanism", "m2": "mechanism",
    "o1": "outcome", "o2": "outcome", "o3": "outcome",
}  # fmt: skip
#: K1: (c1 or c2) -> m1 -> o1; K2: c2 -> m2 -> o2.
CMOCS = {"K1": (["c1", "c2"], ["m1"], ["o1"]), "K2": (["c2"], ["m2"], ["o2"])}


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Definitions:
    """A codebook of three contexts, two mechanisms and three outcomes, with two CMOCs."""
    folder = tmp_path_factory.mktemp("definitions")
    codebook = {
        "areas": [{"id": "a", "title": "Area"}],
        "codes": [
            {"id": code, "path": f"{role.capitalize()}::{code}", "role": role, "area": "a"}
            for code, role in CODES.items()
        ],
    }
    cmocs = {
        "cmocs": [
            {
                "id": cmoc_id,
                "area": "a",
                "title": cmoc_id,
                "context": c,
                "mechanism": m,
                "outcome": o,
                "narrative": {"if": "x", "then": "y", "because": "z"},
            }
            for cmoc_id, (c, m, o) in CMOCS.items()
        ]
    }
    (folder / "codebook.yaml").write_text(yaml.safe_dump(codebook), encoding="utf-8")
    (folder / "cmocs.yaml").write_text(yaml.safe_dump(cmocs), encoding="utf-8")
    return load_definitions(folder / "codebook.yaml", folder / "cmocs.yaml")


def segment(
    source: str, start: int, end: int, codes: list[str], person: str | None, site: str, coder="x"
) -> list[dict]:
    """The codings of one coded span: one row per code (excerpt id names source, span, code)."""
    return [
        {
            "excerpt_id": f"{source}:{start}:{code}:{coder}",
            "segment_id": f"{source}:{start}-{end}",
            "batch": "b",
            "source_id": source,
            "start": start,
            "end": end,
            "code": code,
            "participant_id": person,
            "site_id": site,
            "coder": coder,
        }
        for code in codes
    ]


def table(*segments: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame([row for rows in segments for row in rows])
    return frame.astype({"start": "Int64", "end": "Int64"})


def candidates(clean: pd.DataFrame, small: Definitions, window="segment", minimums=(1, 1, 1)):
    units = co.unit_codes(clean, small, window)
    return co.candidate_cmocs(units, small, co.Thresholds(*minimums))


def pair(pairs: pd.DataFrame, a: str, b: str) -> dict:
    own = pairs[(pairs["code_a"] == a) & (pairs["code_b"] == b)]
    assert len(own) == 1, f"pair {a}+{b} not found once in {pairs[['code_a', 'code_b']]}"
    return own.iloc[0].to_dict()


def test_pairs_count_units_participants_sites_and_keep_every_coding_id(small) -> None:
    clean = table(
        segment("s1", 0, 10, ["c1", "m1", "o3"], "P1", "S1"),
        segment("s2", 0, 10, ["c1", "m1"], "P2", "S1"),
        segment("s3", 0, 10, ["m1", "c1"], None, "S2"),  # a fieldnote: no participant
    )
    pairs = co.code_pairs(co.unit_codes(clean, small, "segment"), small)
    # three pairs of s1, one each in s2 and s3; C before M before O whatever the row order
    assert len(pairs) == 3 and list(pairs.columns) == co.PAIR_COLUMNS
    cm = pair(pairs, "c1", "m1")
    assert (cm["units"], cm["participants"], cm["sites"]) == (3, 2, 2)
    assert (cm["role_a"], cm["role_b"], cm["cmocs"]) == ("context", "mechanism", "K1")
    assert cm["excerpt_ids"].split(";") == sorted(
        f"{s}:0:{code}:x" for s in ("s1", "s2", "s3") for code in ("c1", "m1")
    )
    mo = pair(pairs, "m1", "o3")
    assert (mo["units"], mo["participants"], mo["cmocs"]) == (1, 1, "")
    assert pairs.iloc[0][["code_a", "code_b"]].tolist() == ["c1", "m1"]  # most units first


def test_a_double_coded_source_counts_once_by_its_reference_coder(small) -> None:
    """As in CMOC linking (coders.evidence_codings): coder a coded both sources, coder b only
    s1 (a second coder's sample), so s1 counts by a's codes; b's o3 there adds no triad."""
    clean = table(
        segment("s1", 0, 10, ["c3", "m1"], "P1", "S1", coder="a"),
        segment("s2", 0, 10, ["c3", "m1", "o3"], "P2", "S2", coder="a"),
        segment("s1", 0, 10, ["m1", "o3"], "P1", "S1", coder="b"),
    )
    units = co.unit_codes(clean, small, "segment")
    assert units["unit_id"].nunique() == 2
    s1 = units[units["excerpt_ids"].str.startswith("s1:")]
    assert sorted(s1["code"]) == ["c3", "m1"]
    pairs = co.code_pairs(units, small)
    assert pair(pairs, "c3", "m1")["units"] == 2
    assert pair(pairs, "m1", "o3")["excerpt_ids"] == "s2:0:m1:a;s2:0:o3:a"
    found, _ = candidates(clean, small)
    assert found["candidate_id"].tolist() == ["c3+m1+o3"] and found["units"].tolist() == [1]
    # linking.coders 'every': each coding counts, the unit's codes are every coder's
    every = co.unit_codes(clean, small, "segment", coders="every")
    assert sorted(every[every["excerpt_ids"].str.startswith("s1:")]["code"]) == ["c3", "m1", "o3"]


@pytest.mark.parametrize(
    ("window", "units"),
    [
        ("segment", 0),  # c3, m1 and o3 are on three separate spans
        ("overlap", 1),  # 0-10 overlaps 5-20: c3 and m1 meet; o3 at 30-40 stays apart
        ("source", 2),  # both sources whole: each holds the triad
    ],
)
def test_the_unit_follows_linking_window(small, window: str, units: int) -> None:
    clean = table(
        segment("s1", 0, 10, ["c3"], "P1", "S1"),
        segment("s1", 5, 20, ["m1", "o3"], "P1", "S1"),
        segment("s2", 0, 10, ["c3"], "P2", "S2"),
        segment("s2", 30, 40, ["m1"], "P2", "S2"),
        segment("s2", 50, 60, ["o3"], "P2", "S2"),
    )
    found, _ = candidates(clean, small, window)
    assert found["units"].sum() == units
    expected_ids = {"overlap": ["s1:0:c3:x", "s1:5:m1:x", "s1:5:o3:x"]}
    if window in expected_ids:
        assert found.iloc[0]["excerpt_ids"].split(";") == expected_ids[window]


def test_a_triad_a_configured_cmoc_covers_is_never_a_candidate(small) -> None:
    clean = table(
        segment("s1", 0, 10, ["c1", "m1", "o1"], "P1", "S1"),  # K1
        segment("s2", 0, 10, ["c2", "m1", "o1"], "P2", "S2"),  # K1's second context
        segment("s3", 0, 10, ["c3", "m1", "o1"], "P3", "S3"),  # K1 with another context
    )
    found, stats = candidates(clean, small)
    assert found["candidate_id"].tolist() == ["c3+m1+o1"]
    assert found.iloc[0]["one_part_from"] == "K1 (context)"
    assert stats["uncovered_triads"] == 1
    assert ("c2", "m1", "o1") in co.covered_triads(small)
    assert ("c1", "m2", "o2") not in co.covered_triads(small)  # c1 is K1's, not K2's


def test_configured_cmocs_meeting_in_a_unit_are_recombinations_not_candidates(small) -> None:
    """Under window: source, K1's and K2's passages in one interview give the uncovered triads
    (c1, m1, o2), (c1, m2, o2), ...: every code is explained by a CMOC present, so none counts."""
    interviews = [
        table(
            segment(f"s{i}", 0, 10, ["c1", "m1", "o1"], f"P{i}", f"S{i}"),
            segment(f"s{i}", 20, 30, ["c2", "m2", "o2"], f"P{i}", f"S{i}"),
        )
        for i in range(4)
    ]
    clean = pd.concat(interviews, ignore_index=True)
    found, stats = candidates(clean, small, "source")
    assert found.empty
    # c x m x o = 2 x 2 x 2 = 8 triads per interview, 3 covered (K1 twice, K2 once)
    assert stats["uncovered_triads"] == 5
    assert stats["set_aside"] == 5 and stats["recombination_units"] == 5 * 4
    # one code no present CMOC explains (o3) makes the unit count again
    extra = table(segment("s0", 40, 50, ["o3"], "P0", "S0"))
    found, _ = candidates(pd.concat([clean, extra], ignore_index=True), small, "source")
    assert set(found["outcome"]) == {"o3"} and found["units"].max() == 1


def test_a_cmoc_coded_directly_explains_its_codes_in_the_unit(small) -> None:
    direct = table(segment("s1", 0, 10, ["cmoc_K2", "o2"], "P1", "S1"))
    clean = pd.concat(
        [direct, table(segment("s1", 20, 30, ["c1", "m1"], "P1", "S1"))], ignore_index=True
    )
    units = co.unit_codes(clean, small, "source")
    explained = set(co.explained_codes(units, small))
    assert {("b/s1", "o2"), ("b/s1", "c1"), ("b/s1", "m1")} <= explained
    found, stats = candidates(clean, small, "source")
    assert found.empty and stats["set_aside"] == 1  # (c1, m1, o2)


def test_a_cmoc_is_present_only_where_one_passage_carries_two_of_its_parts(small) -> None:
    """Under window: source, K2's mechanism on one passage and its context on another do not make
    K2 present: a new passage with one CMOC code would otherwise explain itself away."""
    clean = table(
        segment("s1", 0, 10, ["m2"], "P1", "S1"),
        segment("s1", 20, 30, ["c2", "o3"], "P1", "S1"),
    )
    assert co.explained_codes(co.unit_codes(clean, small, "source"), small).empty
    both = table(segment("s1", 40, 50, ["c2", "m2"], "P1", "S1"))
    units = co.unit_codes(pd.concat([clean, both], ignore_index=True), small, "source")
    assert set(co.explained_codes(units, small)) == {("b/s1", "c2"), ("b/s1", "m2")}


def test_crossings_of_a_lead_with_configured_codes_are_echoes_not_candidates(small) -> None:
    """Each interview holds K1's passage and a new one (c3, m2, o3). Under window: source the
    new codes cross K1's: (c3, m1, o3), (c1, m2, o3), ... are the lead seen again, left out."""
    clean = table(
        *[
            rows
            for i in range(3)
            for rows in (
                segment(f"s{i}", 0, 10, ["c1", "m1", "o1"], f"P{i}", f"S{i}"),
                segment(f"s{i}", 20, 30, ["c3", "m2", "o3"], f"P{i}", f"S{i}"),
            )
        ]
    )
    found, stats = candidates(clean, small, "source", minimums=(3, 3, 3))
    assert found["candidate_id"].tolist() == ["c3+m2+o3"]
    # 2 x 2 x 2 triads, one covered (K1), none a recombination: the lead and 6 echoes
    assert (stats["uncovered_triads"], stats["set_aside"], stats["echoes"]) == (7, 0, 6)
    # under window: segment the passages stay apart and the lead stands alone anyway
    found, stats = candidates(clean, small, "segment", minimums=(3, 3, 3))
    assert found["candidate_id"].tolist() == ["c3+m2+o3"] and stats["echoes"] == 0


def test_partial_presence_of_one_cmoc_explains_only_the_codes_it_holds(small) -> None:
    """c1 and m1 (two parts of K1) are explained; o3 belongs to no CMOC, so the unit counts."""
    clean = table(segment("s1", 0, 10, ["c1", "m1", "o3"], "P1", "S1"))
    units = co.unit_codes(clean, small, "segment")
    assert set(co.explained_codes(units, small)) == {("s1:0-10", "c1"), ("s1:0-10", "m1")}
    found, _ = candidates(clean, small)
    assert found["candidate_id"].tolist() == ["c1+m1+o3"]
    assert found.iloc[0]["one_part_from"] == "K1 (outcome)"


def test_thresholds_are_minimums_on_units_participants_and_sites(small) -> None:
    # triad c3+m1+o3 in 4 units from 3 participants (P1 twice) at 2 sites
    clean = table(
        *[
            segment(f"s{i}", 0, 10, ["c3", "m1", "o3"], person, site)
            for i, (person, site) in enumerate(
                [("P1", "S1"), ("P1", "S1"), ("P2", "S1"), ("P3", "S2")]
            )
        ]
    )
    assert len(candidates(clean, small, minimums=(4, 3, 2))[0]) == 1
    for too_many in [(5, 3, 2), (4, 4, 2), (4, 3, 3)]:
        found, stats = candidates(clean, small, minimums=too_many)
        assert found.empty and stats["candidates"] == 0 and stats["set_aside"] == 0, too_many
    row = candidates(clean, small, minimums=(4, 3, 2))[0].iloc[0]
    assert (row["units"], row["participants"], row["sites"]) == (4, 3, 2)


def test_ranking_is_units_then_participants_then_sites_then_codebook_order(small) -> None:
    rows = []
    # c3+m1+o3: 3 units, 1 participant; c3+m2+o3: 3 units, 3 participants; c3+m2+o1: 2 units
    for i in range(3):
        rows.append(segment(f"a{i}", 0, 10, ["c3", "m1", "o3"], "P1", "S1"))
        rows.append(segment(f"b{i}", 0, 10, ["c3", "m2", "o3"], f"P{i}", "S1"))
    rows += [segment(f"c{i}", 0, 10, ["c3", "m2", "o1"], f"Q{i}", f"S{i}") for i in range(2)]
    rows.append(segment("d0", 0, 10, ["c3", "m1", "o2"], "P1", "S1"))
    rows.append(segment("e0", 0, 10, ["c3", "m2", "o2"], "P1", "S1"))
    found, _ = candidates(table(*rows), small)
    assert found["candidate_id"].tolist() == [
        "c3+m2+o3", "c3+m1+o3", "c3+m2+o1", "c3+m1+o2", "c3+m2+o2",
    ]  # fmt: skip
    assert found["rank"].tolist() == [1, 2, 3, 4, 5]
    assert list(found.columns) == co.CANDIDATE_COLUMNS
    # two examples, the mechanism coding of units from different participants
    assert found.iloc[0]["example_excerpt_ids"] == "b0:0:m2:x;b1:0:m2:x"
    assert found.iloc[1]["example_excerpt_ids"] == "a0:0:m1:x;a1:0:m1:x"  # one participant


def test_no_codes_no_pairs_no_candidates(small) -> None:
    empty = table(segment("s1", 0, 10, ["c1"], "P1", "S1")).iloc[0:0]
    units = co.unit_codes(empty, small, "segment")
    assert co.code_pairs(units, small).empty
    found, stats = co.candidate_cmocs(units, small, co.Thresholds(1, 1, 1))
    assert found.empty and stats["candidates"] == 0


# ---------------------------------------------------------------- trace


@pytest.fixture
def traced(tmp_path: Path, small: Definitions) -> Path:
    clean = table(
        *[segment(f"s{i}", 0, 10, ["c3", "m1", "o3"], f"P{i}", f"S{i}") for i in range(3)]
    )
    units = co.unit_codes(clean, small, "segment")
    found, _ = co.candidate_cmocs(units, small, co.Thresholds(1, 1, 1))
    results = tmp_path / "results"
    results.mkdir()
    write_csv(found, results / "candidate_cmocs.csv")
    write_csv(co.code_pairs(units, small), results / "code_cooccurrence.csv")
    return results


def test_trace_finds_a_candidate_by_rank_or_id(traced: Path) -> None:
    by_rank = trace.candidate_excerpt_ids(traced, "1")
    assert by_rank == trace.candidate_excerpt_ids(traced, "c3+m1+o3")
    assert by_rank == sorted(f"s{i}:0:{c}:x" for i in range(3) for c in ("c3", "m1", "o3"))
    with pytest.raises(trace.TraceError, match="no candidate CMOC '2'"):
        trace.candidate_excerpt_ids(traced, "2")


def test_trace_finds_a_code_pair_in_either_order(traced: Path) -> None:
    ids = trace.pair_excerpt_ids(traced, "m1+o3")
    assert ids == trace.pair_excerpt_ids(traced, "o3+m1")
    assert ids == sorted(f"s{i}:0:{c}:x" for i in range(3) for c in ("m1", "o3"))
    with pytest.raises(trace.TraceError, match="share no evidence unit"):
        trace.pair_excerpt_ids(traced, "c1+o3")
    with pytest.raises(trace.TraceError, match="two code ids joined by"):
        trace.pair_excerpt_ids(traced, "m1")


def test_the_report_view_lists_the_first_candidates_with_code_labels(small) -> None:
    rows = []
    for i, outcome in enumerate(["o3", "o2", "o1"]):
        rows += [
            segment(f"{outcome}{j}", 0, 10, ["c3", "m1", outcome], f"P{j}", "S1")
            for j in range(3 - i)
        ]
    found, stats = candidates(table(*rows), small)
    summary = {
        "labels": {"c3": "Third context", "m1": "First mechanism", "o3": "Third outcome"},
        "settings": {"min_units": 1, "min_participants": 1, "min_sites": 1, "report_limit": 2},
        "stats": {**stats, "units": 6},
        "window": "segment",
        "pairs": 9,
    }
    view = co.candidates_view(found, summary)["candidates"]
    assert (view["total"], view["not_shown"], len(view["rows"])) == (3, 1, 2)
    first = view["rows"][0]
    assert (first["context_label"], first["mechanism_label"], first["outcome_label"]) == (
        "Third context", "First mechanism", "Third outcome",
    )  # fmt: skip
    assert first["examples"] == ["o30:0:m1:x", "o31:0:m1:x"]
    assert view["rows"][1]["outcome_label"] == "o2"  # a code without a label prints its id
