"""Realist aggregation: linking rules, counts, ratings, 'for whom', change over time, quotes.

Unit tests on small hand-made tables pin each rule; tests on the cleaned demo data check the
whole aggregation; hypothesis property tests check invariants on generated coded data.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pandas.testing import assert_frame_equal
from rapidfuzz import fuzz
from rapidfuzz import utils as rf_utils
from realist_report.analysis import evidence, linking
from realist_report.analysis import quotes as quoting
from realist_report.analysis.clean import clean_batch
from realist_report.analysis.coders import counted_codings
from realist_report.core import vocabulary
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_formats
from realist_report.privacy.attribution import attribution_groups
from realist_report.report import context as report

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
STRENGTH = [
    {"rating": "strong", "min_participants": 10, "min_sites": 4, "min_roles": 3},
    {"rating": "moderate", "min_participants": 5, "min_sites": 2, "min_roles": 2},
    {"rating": "tentative", "min_participants": 1, "min_sites": 1, "min_roles": 1},
]
RATING_RANK = {"strong": 0, "moderate": 1, "tentative": 2, "unsupported": 3}
THRESHOLDS = {"strengthened_ratio": 1.5, "weakened_ratio": 0.67}
SUBGROUPS = {
    "attributes": ["age_band", "gender", "ethnicity", "long_term_condition"],
    "roles": ["patient"],
}
CMOC01 = ("flexible_appointments", "micro_discretion", "connections_patients")


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def demo_batches(registers, definitions) -> list:
    """Every demo batch ingested and cleaned (clean rows and quarantine)."""
    sites, participants = registers
    formats = load_formats(REPO / "config" / "formats.yaml")
    return [
        clean_batch(ingest_batch(path, path.stem, formats), participants, sites, definitions)
        for path in sorted((DEMO / "coded").iterdir())
    ]


@pytest.fixture(scope="module")
def demo_clean(demo_batches) -> pd.DataFrame:
    """Every demo batch's clean rows, as the aggregation step receives them."""
    return pd.concat([batch.clean for batch in demo_batches], ignore_index=True)


@pytest.fixture(scope="module")
def demo_links(demo_clean, definitions) -> pd.DataFrame:
    """Linked as the pipeline links: a double-coded source by its reference coder."""
    return linking.link_evidence(counted_codings(demo_clean), definitions, window="segment")


@pytest.fixture(scope="module")
def demo_summary(demo_links, definitions) -> pd.DataFrame:
    return evidence.summarise_cmocs(demo_links, definitions, STRENGTH)


def coding(segment: str, code: str, *, source="SRC-1", start=0, end=100, person="PAT-001",
           role="patient", site="S01", wave="baseline", text=None, source_type="interview") -> dict:  # fmt: skip
    """One clean coding row; the excerpt id names the segment and code so tests can read it."""
    return {
        "excerpt_id": f"{segment}:{code}",
        "batch": "b1",
        "source_id": source,
        "source_type": source_type,
        "participant_id": person,
        "role": role,
        "site_id": site,
        "wave": wave,
        "collected_on": "2021-05-01",
        "code": code,
        "text": text
        or f"Text of segment {segment}, long enough to be read as a quote by a reviewer.",
        "start": start,
        "end": end,
        "segment_id": segment,
    }


def frame(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    table["start"] = table["start"].astype("Int64")
    table["end"] = table["end"].astype("Int64")
    return table


# ---------------------------------------------------------------- linking rules


def test_full_partial_and_direct_matches(definitions):
    rows = [coding("seg1", c) for c in CMOC01]
    rows += [coding("seg2", c, start=200, end=300) for c in CMOC01[:2]]
    rows += [coding("seg3", "cmoc_CMOC05", start=400, end=500)]
    links = linking.link_evidence(frame(rows), definitions).set_index("unit_id")
    cmoc01 = links[links["cmoc_id"] == "CMOC01"]
    assert cmoc01.at["seg1", "match"] == "full"
    assert cmoc01.at["seg1", "excerpt_ids"] == ";".join(sorted(f"seg1:{c}" for c in CMOC01))
    assert cmoc01.at["seg2", "match"] == "partial"
    assert cmoc01.at["seg2", "parts"] == "context;mechanism"
    assert links[links["cmoc_id"] == "CMOC05"].at["seg3", "match"] == "direct"
    without_partial = linking.link_evidence(frame(rows), definitions, count_partial=False)
    assert "partial" not in set(without_partial["match"])


def test_window_decides_whether_separate_segments_combine(definitions):
    rows = [
        coding("segA", CMOC01[0], start=0, end=100),
        coding("segB", CMOC01[1], start=50, end=150),
        coding("segC", CMOC01[2], start=150, end=250),  # touches segB: end offsets are exclusive
    ]
    matches = {
        window: linking.link_evidence(frame(rows), definitions, window=window)
        .query("cmoc_id == 'CMOC01'")["match"]
        .tolist()
        for window in linking.WINDOWS
    }
    assert matches == {"segment": [], "overlap": ["partial"], "source": ["full"]}


def test_overlap_groups_chain_and_stay_inside_their_source(definitions):
    rows = [
        coding("a", CMOC01[0], start=0, end=60),
        coding("b", CMOC01[1], start=50, end=120),
        coding("c", CMOC01[2], start=110, end=200),
        coding("d", CMOC01[2], source="SRC-2", start=0, end=60),
    ]
    units = linking.assign_units(frame(rows), "overlap")
    assert units[0] == units[1] == units[2] == "b1/SRC-1#a"
    assert units[3] == "b1/SRC-2#d"
    alone = linking.assign_units(frame(rows[3:]), "overlap")
    assert alone.tolist() == [units[3]]


def test_unknown_window_is_rejected(definitions):
    with pytest.raises(ValueError, match="linking window must be one of"):
        linking.assign_units(frame([coding("s", CMOC01[0])]), "paragraph")


def test_refutes_outranks_refines_and_markers_stay_on_their_segment(definitions):
    rows = [coding("s1", c) for c in CMOC01] + [coding("s1", "refines"), coding("s1", "refutes")]
    rows += [coding("s2", c, start=200, end=300) for c in CMOC01]
    rows += [coding("s3", "refines", start=400, end=500)]
    for window, expected in [("segment", ["refutes", "supports"]), ("source", ["refutes"])]:
        links = linking.link_evidence(frame(rows), definitions, window=window)
        assert links.query("cmoc_id == 'CMOC01'")["stance"].tolist() == expected, window
    segment_links = linking.link_evidence(frame(rows), definitions)
    assert "s1:refutes" in segment_links["excerpt_ids"].iloc[0]
    # with a whole source as the unit, the lone 'refines' on s3 marks no CMOC segment
    source_link = linking.link_evidence(frame(rows[5:]), definitions, window="source")
    assert source_link.query("cmoc_id == 'CMOC01'")["stance"].tolist() == ["supports"]


def test_source_window_quotes_the_segment_that_carries_the_cmoc(definitions):
    rows = [
        coding("other", "holding", start=0, end=50, text="Unrelated talk about something else.")
    ]
    rows += [
        coding("best", c, start=60, end=160, text="The passage that shows CMOC01.") for c in CMOC01
    ]
    links = linking.link_evidence(frame(rows), definitions, window="source")
    assert links.query("cmoc_id == 'CMOC01'")["text"].tolist() == ["The passage that shows CMOC01."]


# ---------------------------------------------------------------- ratings and summary


def test_rating_is_the_first_rule_met_and_says_why():
    assert evidence.rate_strength(12, 5, 3, STRENGTH) == (
        "strong",
        "strong: 12 participants \u2265 10, 5 sites \u2265 4, 3 role groups \u2265 3",
    )
    assert evidence.rate_strength(12, 5, 2, STRENGTH)[0] == "moderate"
    assert evidence.rate_strength(0, 1, 0, STRENGTH) == (
        "unsupported",
        "unsupported: below 'tentative' (0 participants < 1, 0 role groups < 1)",
    )
    # one of each is singular: never "1 roles" or "1 sites"
    assert evidence.rate_strength(1, 1, 1, STRENGTH)[1] == (
        "tentative: 1 participant \u2265 1, 1 site \u2265 1, 1 role group \u2265 1"
    )


def test_cmoc_without_evidence_is_listed_as_unsupported(definitions):
    rows = [coding("s1", c) for c in CMOC01]
    summary = evidence.summarise_cmocs(
        linking.link_evidence(frame(rows), definitions), definitions, STRENGTH
    )
    assert list(summary["cmoc_id"]) == list(definitions.cmocs["cmoc_id"])
    cmoc12 = summary.set_index("cmoc_id").loc["CMOC12"]
    assert (cmoc12["excerpts"], cmoc12["strength"], cmoc12["excerpt_ids"]) == (0, "unsupported", "")


def test_demo_summary_counts_and_rules(demo_summary):
    summary = demo_summary.set_index("cmoc_id")
    assert summary.loc["CMOC07", "role_groups"] == "patient"
    assert summary.loc["CMOC07", "strength"] == "tentative"  # many patients, one role group
    assert summary.loc["CMOC01", "strength_rule"].startswith("strong: ")
    assert (
        summary["baseline_excerpts"] + summary["followup_excerpts"] == summary["excerpts"]
    ).all()
    for column in ["excerpts", "partial", "refuting", "refining"]:
        ids = "excerpt_ids" if column == "excerpts" else f"{column}_excerpt_ids"
        assert (summary[ids].map(linking.count_ids) >= summary[column]).all(), column
        assert ((summary[column] == 0) == (summary[ids] == "")).all(), column


def test_every_id_behind_an_aggregate_is_a_clean_excerpt(
    demo_clean, demo_links, demo_summary, definitions, registers
):
    known = set(demo_clean["excerpt_id"])
    tables = [
        demo_summary,
        evidence.evidence_matrix(demo_links, definitions),
        evidence.subgroup_evidence(demo_links, registers[1], definitions, **SUBGROUPS),
        evidence.wave_change(demo_links, registers[1], definitions, THRESHOLDS),
        quoting.select_quotes(demo_links, definitions),
    ]
    for table in tables:
        for column in [c for c in table.columns if c.endswith("excerpt_ids")]:
            ids = set(";".join(table[column]).split(";")) - {""}
            assert ids and ids <= known, column


def test_matrix_cells_hold_exactly_the_summary_ids(demo_links, demo_summary, definitions):
    matrix = evidence.evidence_matrix(demo_links, definitions)
    for dimension in vocabulary.BREAKDOWNS:
        cells = (
            matrix[matrix["dimension"] == dimension]
            .groupby("cmoc_id")["excerpt_ids"]
            .agg(linking.join_ids)
        )
        expected = demo_summary.set_index("cmoc_id")["excerpt_ids"]
        assert cells.to_dict() == expected[expected != ""].to_dict(), dimension


def test_evidence_units_reproduce_every_summary_and_matrix_count(
    demo_links, demo_summary, definitions
):
    units = evidence.evidence_units(demo_links, definitions)
    assert list(units.columns) == evidence.EVIDENCE_UNIT_COLUMNS and "text" not in units.columns
    assert len(units) == len(demo_links)
    assert set(units["counts_as"]) <= {"support", "partial", "refutes", "other"}
    support = units[units["counts_as"] == "support"]
    summary = demo_summary.set_index("cmoc_id")
    for cmoc_id, own in units.groupby("cmoc_id"):
        counted = own["counts_as"].value_counts()
        assert counted.get("support", 0) == summary.at[cmoc_id, "excerpts"], cmoc_id
        assert counted.get("partial", 0) == summary.at[cmoc_id, "partial"], cmoc_id
        assert counted.get("refutes", 0) == summary.at[cmoc_id, "refuting"], cmoc_id
    matrix = evidence.evidence_matrix(demo_links, definitions)
    sites = matrix[matrix["dimension"] == "site"].set_index(["cmoc_id", "value"])["excerpts"]
    assert support.groupby(["cmoc_id", "site_id"]).size().to_dict() == sites.to_dict()


# ---------------------------------------------------------------- for whom


def test_subgroup_cells_add_up_to_patients_with_evidence(demo_links, definitions, registers):
    table = evidence.subgroup_evidence(demo_links, registers[1], definitions, **SUBGROUPS)
    patients = linking.confirming(demo_links).query("role == 'patient'")
    expected = patients.groupby("cmoc_id")["participant_id"].nunique()
    sums = table.groupby(["cmoc_id", "attribute"])["participants"].sum().unstack()
    for attribute in SUBGROUPS["attributes"]:
        assert (sums[attribute] == expected.reindex(sums.index, fill_value=0)).all(), attribute
    registered = (
        table.drop_duplicates(["attribute", "value"]).groupby("attribute")["registered"].sum()
    )
    assert set(registered) == {61}
    assert (sums.max(axis=1) == table.groupby("cmoc_id")["cmoc_participants"].first()).all()


def test_report_views_skip_cmocs_without_patients_and_spell_out_shares(
    demo_links, definitions, registers
):
    raw = evidence.subgroup_evidence(demo_links, registers[1], definitions, **SUBGROUPS)
    view = report.for_whom_view(evidence.suppress_small_cells(raw, 5), 5)
    patients = set(linking.confirming(demo_links).query("role == 'patient'")["cmoc_id"])
    assert set(view["without_evidence"]) == set(definitions.cmocs["cmoc_id"]) - patients
    ethnicity = next(t for t in view["tables"] if t["attribute"] == "ethnicity")
    assert [row["cmoc_id"] for row in ethnicity["rows"]] == sorted(patients)
    assert ethnicity["registered"].count("*") == 2
    changes = report.change_view(
        evidence.wave_change(demo_links, registers[1], definitions, THRESHOLDS), THRESHOLDS
    )
    assert changes["compared_label"] == "Link workers and patients"
    cmoc12 = next(row for row in changes["rows"] if row["cmoc_id"] == "CMOC12")
    assert (cmoc12["from_text"], cmoc12["to_text"], cmoc12["ratio_text"]) == (
        "0/68 (0%)",
        "5/48 (10%)",
        "\u2013",
    )
    assert sum(changes["counts"].values()) == len(definitions.cmocs)


def test_missing_attribute_is_skipped_with_a_warning(demo_links, definitions, registers, caplog):
    table = evidence.subgroup_evidence(
        demo_links, registers[1], definitions, attributes=["gender", "sexuality"], roles=["patient"]
    )
    assert set(table["attribute"]) == {"gender"}
    assert "'sexuality' is not a column of participants.csv" in caplog.text


def test_a_lone_small_cell_beside_zeros_gets_a_zero_cell_as_its_complement():
    """One patient in one age band, zeros elsewhere: hidden alone, the cell would equal the
    CMOC's total printed beside it, so a zero cell is hidden with it."""
    bands = ["18-34", "35-49", "65-79"]
    table = pd.DataFrame(
        {
            "cmoc_id": "CMOC03", "attribute": "age_band", "value": bands,
            "registered": [6, 12, 18], "participants": [0, 0, 1], "excerpts": [0, 0, 2],
            "cmoc_participants": 1, "excerpt_ids": ["", "", "e1;e2"],
        }
    )  # fmt: skip
    safe = evidence.suppress_small_cells(table, 5)
    assert safe["suppressed"].tolist() == [True, False, True]
    assert safe["suppression"].tolist()[0] == "complementary: protects a hidden cell"
    assert safe["excerpt_ids"].tolist() == ["", "", ""]


def test_small_cells_are_suppressed_with_a_complementary_cell(demo_links, definitions, registers):
    raw = evidence.subgroup_evidence(demo_links, registers[1], definitions, **SUBGROUPS)
    safe = evidence.suppress_small_cells(raw, 5)
    shown = safe[~safe["suppressed"]]
    assert not ((shown["participants"] > 0) & (shown["participants"] < 5)).any()
    assert not ((safe["registered"] > 0) & (safe["registered"] < 5)).any()
    assert (safe.loc[safe["suppressed"], "excerpt_ids"] == "").all()
    assert safe.loc[safe["suppressed"], ["participants", "excerpts", "share"]].isna().all().all()
    hidden_per_breakdown = safe.groupby(["cmoc_id", "attribute"])["suppressed"].sum()
    assert not (hidden_per_breakdown == 1).any()
    # the demo's ethnicity register has two groups of 3: hidden for every CMOC alike
    hidden_register = safe[safe["registered"].isna()].groupby("cmoc_id")["value"].agg(frozenset)
    assert hidden_register.nunique() == 1 and len(hidden_register) == len(definitions.cmocs)
    assert "complementary: protects a hidden cell" in set(safe["suppression"])


def test_suppression_hides_nothing_when_k_is_one(demo_links, definitions, registers):
    raw = evidence.subgroup_evidence(demo_links, registers[1], definitions, **SUBGROUPS)
    safe = evidence.suppress_small_cells(raw, 1)
    assert not safe["suppressed"].any()
    assert safe["participants"].astype(int).tolist() == raw["participants"].tolist()


# ---------------------------------------------------------------- change over time


@pytest.mark.parametrize(
    ("baseline", "followup", "change"),
    [
        (0, 0, "no evidence"),
        (10, 0, "not seen again"),
        (0, 3, "new"),
        (10, 10, "strengthened"),  # 10/100 -> 10/50: ratio 2.0
        (20, 15, "strengthened"),  # ratio exactly 1.5
        (20, 10, "sustained"),
        (30, 10, "weakened"),  # ratio 0.67
        (40, 10, "weakened"),
    ],
)
def test_change_classes(baseline, followup, change):
    found, rule = evidence.classify_change(baseline, 100, followup, 50, THRESHOLDS)
    assert found == change
    assert rule.startswith(f"{change}: baseline {baseline}/100")


def test_demo_wave_change(demo_links, definitions, registers):
    table = evidence.wave_change(demo_links, registers[1], definitions, THRESHOLDS).set_index(
        "cmoc_id"
    )
    assert table["compared_roles"].unique().tolist() == ["link_worker;patient"]
    # two waves: one comparison per CMOC, consecutive and first to last at once
    assert len(table) == len(definitions.cmocs)
    assert table["consecutive"].all() and table["first_to_last"].all()
    assert (table["from_wave"].unique().tolist(), table["to_wave"].unique().tolist()) == (
        ["baseline"],
        ["followup"],
    )
    assert (table["from_pool"].iloc[0], table["to_pool"].iloc[0]) == (68, 48)
    assert table.loc["CMOC12", "change"] == "new"
    assert table.loc["CMOC09", "change"] == "strengthened"
    assert table.loc["CMOC01", "change"] == "not seen again"
    assert {"sustained", "weakened"} & set(table["lw_change"])
    lw = table[["lw_continued", "lw_dropped", "lw_new"]]
    assert (lw["lw_continued"] + lw["lw_dropped"] == table["lw_from_participants"]).all()
    assert (lw["lw_continued"] + lw["lw_new"] == table["lw_to_participants"]).all()
    for wave in ["from", "to"]:
        counts = table[f"{wave}_excerpt_ids"].map(linking.count_ids)
        assert (counts >= table[f"{wave}_excerpts"]).all()
        assert ((counts == 0) == (table[f"{wave}_excerpts"] == 0)).all()


# ---------------------------------------------------------------- quotes


def test_quotes_are_deterministic_attributed_and_not_reused(demo_links, definitions, registers):
    groups = attribution_groups(registers[1], registers[0], 5)
    quotes = quoting.select_quotes(
        demo_links, definitions, per_cmoc=2, min_chars=60, max_chars=420, groups=groups
    )
    again = quoting.select_quotes(
        demo_links.sample(frac=1, random_state=3), definitions, groups=groups
    )
    assert_frame_equal(quotes, again)
    assert quotes["unit_id"].is_unique and quotes["text"].is_unique
    assert quotes["text"].str.len().between(60, 420).all()
    support = quotes[quotes["stance"] != "refutes"]
    assert support.groupby("cmoc_id").size().between(1, 2).all()
    assert set(support["cmoc_id"]) == set(definitions.cmocs["cmoc_id"])
    assert quotes["label"].tolist() == [f"E{n}" for n in range(1, len(quotes) + 1)]
    # the demo's sites have one link worker each: their quotes never name a site
    workers = quotes[quotes["role"] == "link_worker"]
    assert len(workers) and not workers["attribution"].str.contains("site").any()
    assert workers["site_id"].isna().all()
    assert (
        quotes["attribution"].str.match(r"^[A-Z][\w ]+(, [\w ]+)?(, (baseline|follow-up))?$").all()
    )
    first = quotes.iloc[0]
    link = demo_links[
        (demo_links["cmoc_id"] == first["cmoc_id"]) & (demo_links["unit_id"] == first["unit_id"])
    ]
    assert link["excerpt_ids"].tolist() == [first["excerpt_ids"]]


#: Four passages that are not near copies of each other (the rule skips near copies).
DISTINCT_TEXTS = [
    "She never once looked at the clock; we had as long as we needed, every single time.",
    "The walking group on Thursdays was her idea, and I have been going ever since then.",
    "I was sent from pillar to post for years before anybody sat down and asked me why.",
    "My daughter noticed the change first: I answer the phone again and go out on Sundays.",
]


def test_quotes_prefer_new_participants_then_allow_repeats(definitions):
    rows = [
        coding(f"s{i}", c, start=i * 100, end=i * 100 + 90, text=DISTINCT_TEXTS[i])
        for i in range(3)
        for c in CMOC01
    ]
    rows += [
        coding(
            "t",
            c,
            source="SRC-2",
            person="PAT-002",
            site="S02",
            start=0,
            end=90,
            text=DISTINCT_TEXTS[3],
        )
        for c in CMOC01
    ]
    links = linking.link_evidence(frame(rows), definitions)
    register = pd.DataFrame(
        {"site_id": ["S01", "S02"], "role": "patient", "waves": "baseline"}
    )  # one per site, so a rule of one lets the attribution show the spread
    groups = attribution_groups(register, None, 1)
    quotes = quoting.select_quotes(links, definitions, per_cmoc=3, groups=groups)
    assert sorted(quotes["attribution"].tolist()[:2]) == [
        "Patient, site 1, baseline",
        "Patient, site 2, baseline",
    ]
    assert len(quotes) == 3


def test_allow_reuse_lets_one_passage_serve_two_cmocs(definitions):
    codes = [*CMOC01, "job_satisfaction"]  # CMOC03 shares CMOC01's context and mechanism
    links = linking.link_evidence(frame([coding("s", c) for c in codes]), definitions)
    assert quoting.select_quotes(links, definitions)["cmoc_id"].tolist() == ["CMOC01"]
    reused = quoting.select_quotes(links, definitions, allow_reuse=True)
    assert reused["cmoc_id"].tolist() == ["CMOC01", "CMOC03"]


def test_demo_quotes_hold_no_near_copy_pair_and_spread_over_role_groups(demo_links, definitions):
    quotes = quoting.select_quotes(demo_links, definitions, per_cmoc=2, max_similarity=70)
    texts = quotes["text"].tolist()
    pairs = [
        (a, b, fuzz.ratio(texts[a], texts[b], processor=rf_utils.default_process))
        for a in range(len(texts))
        for b in range(a + 1, len(texts))
    ]
    assert max(score for _, _, score in pairs) < 70, "a near copy was printed"
    # nor two quotes anywhere in the report that retell one account: no sentence of six words
    # or more printed twice, even with another opening ("I think she never once ..."), across
    # CMOCs as within one
    sentences = [
        (i, rf_utils.default_process(s))
        for i, text in enumerate(texts)
        for s in re.split(r"(?<=[.!?])\s+", text)
        if len(s.split()) >= 6
    ]
    shared = [
        (a, b)
        for (i, a), (j, b) in itertools.combinations(sentences, 2)
        if i != j and fuzz.ratio(a, b) >= 70
    ]
    assert shared == [], "two quotes share a sentence"
    support = quotes[quotes["stance"] != "refutes"]
    assert set(support["cmoc_id"]) == set(definitions.cmocs["cmoc_id"]), "a CMOC lost its quote"
    assert support.groupby("cmoc_id").size().le(2).all()
    site_of = demo_links.drop_duplicates("unit_id").set_index("unit_id")["site_id"]
    two = support.groupby("cmoc_id").filter(lambda own: len(own) == 2)
    spread = two.assign(site=two["unit_id"].map(site_of)).groupby("cmoc_id")
    spread = spread.agg(sites=("site", "nunique"))  # the rule's spread, not the printed label
    assert len(spread) >= 6 and (spread["sites"] == 2).all(), "two quotes come from two sites"
    assert set(quotes["chosen_by"]) == {"rule"}


def test_a_refuting_quote_is_chosen_where_refuting_evidence_can_be_quoted(demo_links, definitions):
    quotes = quoting.select_quotes(demo_links, definitions, per_cmoc=2)
    refuting = quotes[quotes["stance"] == "refutes"]
    assert len(refuting) >= 1 and refuting["cmoc_id"].is_unique
    counted = linking.refuting_links(demo_links)
    # the demo's refuting passages are worded apart from its supporting ones, so nearly every
    # CMOC with refuting evidence prints a refuting quote (3 of 12 did while they shared words)
    assert refuting["cmoc_id"].nunique() >= counted["cmoc_id"].nunique() - 2
    for row in refuting.to_dict("records"):
        own = counted[
            (counted["cmoc_id"] == row["cmoc_id"]) & (counted["unit_id"] == row["unit_id"])
        ]
        assert len(own) == 1, "a refuting quote is refuting evidence the summary counts"
        # printed after the CMOC's supporting quotes
        assert row["quote_number"] == quotes["cmoc_id"].eq(row["cmoc_id"]).sum()
    none = quoting.select_quotes(demo_links, definitions, per_cmoc=2, refuting_per_cmoc=0)
    assert (none["stance"] != "refutes").all()
    # a CMOC whose only refuting passage retells a supporting quote gets no refuting quote
    rows = [coding("s1", c, text=DISTINCT_TEXTS[0]) for c in CMOC01]
    rows += [
        coding("s2", c, source="SRC-2", person="PAT-002", site="S02", start=200, end=290,
               text=DISTINCT_TEXTS[0].replace("every single time", "each and every time"))
        for c in [*CMOC01, "refutes"]
    ]  # fmt: skip
    links = linking.link_evidence(frame(rows), definitions)
    assert (links["stance"] == "refutes").any()
    chosen = quoting.select_quotes(links, definitions)
    assert chosen["stance"].tolist() == ["supports"]


def test_a_quote_sharing_a_sentence_with_a_chosen_one_is_a_near_copy(definitions):
    # the pair the demo report printed for CMOC01 once whole-text similarity alone was checked
    # (63.6 % similar as a whole; their first sentences differ only by "I think")
    texts = [
        "I think she never once looked at the clock; we had as long as we needed. She walked me "
        "to the group the first time, which I know isn't really part of her job.",
        "She never once looked at the clock; we had as long as we needed. She decided to do a "
        "home visit because she could tell he would never come in.",
        DISTINCT_TEXTS[2],
    ]
    rows = [
        coding(f"s{i}", c, source=f"SRC-{i}", person=f"PAT-00{i}", site=f"S0{i}", text=t)
        for i, t in enumerate(texts, start=1)
        for c in CMOC01
    ]
    links = linking.link_evidence(frame(rows), definitions)
    assert fuzz.ratio(texts[0], texts[1], processor=rf_utils.default_process) < 70
    chosen = quoting.select_quotes(links, definitions, max_similarity=70)["text"].tolist()
    assert len(chosen) == 2 and texts[2] in chosen, chosen
    identical_only = quoting.select_quotes(links, definitions, max_similarity=100)
    assert sorted(identical_only["text"]) == sorted(texts[:2])


def test_near_copy_threshold_is_what_the_config_says(definitions):
    # the pair the demo report printed for CMOC01 before near copies were skipped
    same = "she never once looked at the clock; we had as long as we needed. She walked me to the group the first time, which I know isn't really part of her job."
    # (the second also retells the walk, so no sentence is identical: at 100 neither is a copy)
    retold = same.replace("the first time", "that very first time")
    texts = [f"I think {same}", f"You know, {retold}", DISTINCT_TEXTS[2]]
    rows = [
        coding(f"s{i}", c, source=f"SRC-{i}", person=f"PAT-00{i}", site=f"S0{i}", text=t)
        for i, t in enumerate(texts, start=1)
        for c in CMOC01
    ]
    links = linking.link_evidence(frame(rows), definitions)
    assert fuzz.ratio(texts[0], texts[1], processor=rf_utils.default_process) > 90
    identical_only = quoting.select_quotes(links, definitions, max_similarity=100)
    assert sorted(identical_only["text"]) == sorted(texts[:2])
    skipping = quoting.select_quotes(links, definitions, max_similarity=70)["text"].tolist()
    assert len(skipping) == 2 and skipping[1] == texts[2] and skipping[0] in texts[:2]


def demo_unit(demo_links, cmoc_id: str, **where) -> pd.Series:
    rows = demo_links[(demo_links["cmoc_id"] == cmoc_id)]
    for column, value in where.items():
        rows = rows[rows[column] == value]
    return rows.sort_values("unit_id").iloc[0]


def test_pinned_quotes_are_printed_in_order_and_reserved(demo_links, demo_clean, definitions):
    first = demo_unit(demo_links, "CMOC04", match="full", stance="supports", role="vcse")
    second = demo_unit(
        demo_links, "CMOC04", match="full", stance="supports", role="primary_care_staff"
    )
    ids = [second["excerpt_ids"].split(";")[-1], first["excerpt_ids"].split(";")[0]]
    team = quoting.pinned_quotes(demo_links, {"CMOC04": ids}, set(demo_clean["excerpt_id"]), {})
    quotes = quoting.select_quotes(demo_links, definitions, pinned=team)
    own = quotes[(quotes["cmoc_id"] == "CMOC04") & (quotes["stance"] != "refutes")]
    assert own["unit_id"].tolist() == [second["unit_id"], first["unit_id"]]
    assert own["chosen_by"].tolist() == ["team", "team"]
    assert own["attribution"].tolist()[1] == "VCSE staff"  # no registers: the role alone
    others = quotes[quotes["cmoc_id"] != "CMOC04"]
    assert not set(others["unit_id"]) & set(own["unit_id"])
    assert set(others["cmoc_id"]) == set(definitions.cmocs["cmoc_id"]) - {"CMOC04"}


def test_a_pinned_quote_is_printed_redacted(definitions):
    from realist_report.privacy.redact import PLACEHOLDERS, redact_excerpts

    text = "Ms Okafor never once looked at the clock; we had as long as we needed, every time."
    clean = frame([coding("s1", c, text=text) for c in CMOC01])
    # what aggregation reads: redact_batch's output (a name from the private list)
    redacted, hits = redact_excerpts(clean, names=["Okafor"])
    assert len(hits)
    links = linking.link_evidence(redacted, definitions)
    pinned = "s1:micro_discretion"
    team = quoting.pinned_quotes(links, {"CMOC01": [pinned]}, set(clean["excerpt_id"]), {})
    quote = quoting.select_quotes(links, definitions, pinned=team).iloc[0]
    assert quote["excerpt_id"] == pinned and quote["chosen_by"] == "team"
    assert PLACEHOLDERS["NAME"] in quote["text"] and "Okafor" not in quote["text"]


def test_a_pinned_id_that_does_not_support_its_cmoc_stops_the_build(demo_links, demo_clean):
    other = demo_unit(demo_links, "CMOC10", match="full", stance="supports")
    assert other["unit_id"] not in set(demo_links[demo_links["cmoc_id"] == "CMOC01"]["unit_id"])
    excerpt = other["excerpt_ids"].split(";")[0]
    with pytest.raises(quoting.QuoteError) as error:
        quoting.pinned_quotes(
            demo_links, {"CMOC01": [excerpt]}, set(demo_clean["excerpt_id"]), {}, "cmocs.yaml"
        )
    assert str(error.value).startswith(
        f"cmocs.yaml: CMOC01 pins the quote {excerpt}, but that excerpt does not support CMOC01 "
        "(it is not linked to this CMOC at all)"
    )
    partial = demo_unit(demo_links, "CMOC01", match="partial")
    excerpt = partial["excerpt_ids"].split(";")[0]
    with pytest.raises(quoting.QuoteError, match="it is linked only as partial evidence"):
        quoting.pinned_quotes(demo_links, {"CMOC01": [excerpt]}, set(demo_clean["excerpt_id"]), {})


def test_a_pinned_id_unknown_or_quarantined_stops_the_build(demo_links, demo_clean, demo_batches):
    known = set(demo_clean["excerpt_id"])
    with pytest.raises(
        quoting.QuoteError, match="CMOC02 pins the quote nosuchid, but no coded excerpt"
    ):
        quoting.pinned_quotes(demo_links, {"CMOC02": ["nosuchid"]}, known, {})
    quarantine = pd.concat([b.quarantine for b in demo_batches], ignore_index=True)
    assert len(quarantine), "the demo data set quarantines some rows"
    row = quarantine.iloc[0]
    with pytest.raises(quoting.QuoteError) as error:
        quoting.pinned_quotes(
            demo_links, {"CMOC02": [row["excerpt_id"]]}, known, {row["excerpt_id"]: row["reason"]}
        )
    assert f"but that excerpt was quarantined ({row['reason']}" in str(error.value)


# ---------------------------------------------------------------- properties


SITES = ["S01", "S02", "S03"]
PEOPLE = [  # participant, role, site, waves
    ("PAT-1", "patient", "S01", ["baseline", "followup"]),
    ("PAT-2", "patient", "S02", ["baseline"]),
    ("PAT-3", "patient", "S03", ["baseline", "followup"]),
    ("LW-1", "link_worker", "S01", ["baseline", "followup"]),
    ("LW-2", "link_worker", "S02", ["baseline", "followup"]),
    ("GP-1", "primary_care_staff", "S03", ["baseline"]),
    (None, None, "S02", ["baseline"]),  # observation fieldnotes
]
REGISTER = pd.DataFrame(
    [
        {
            "participant_id": p,
            "site_id": s,
            "role": r,
            "waves": ";".join(w),
            "gender": g,
            "age_band": a,
        }
        for (p, r, s, w), g, a in zip(
            PEOPLE[:-1],
            ["Female", "Male", "", "Female", "Male", "Male"],
            ["18-34", "80+", "80+", "", "", ""],
            strict=True,
        )
    ]
)
CODE_POOL = [*CMOC01, "job_satisfaction", "vcse_networks", "connections_vcse", "holding", "complex_needs", "wellbeing", "cmoc_CMOC05", "cmoc_CMOC12", "refutes", "refines"]  # fmt: skip


@st.composite
def coded_tables(draw) -> pd.DataFrame:
    """Small clean tables: sources with overlapping segments, each carrying a few codes."""
    rows = []
    for n in range(draw(st.integers(1, 6))):
        person, role, site, waves = draw(st.sampled_from(PEOPLE))
        wave = draw(st.sampled_from(waves))
        source = f"SRC-{n}"
        for s in range(draw(st.integers(1, 4))):
            start = draw(st.integers(0, 300))
            end = start + draw(st.integers(1, 120))
            for code in draw(
                st.lists(st.sampled_from(CODE_POOL), min_size=1, max_size=4, unique=True)
            ):
                rows.append(
                    coding(
                        f"{source}-{s}",
                        code,
                        source=source,
                        start=start,
                        end=end,
                        person=person,
                        role=role,
                        site=site,
                        wave=wave,
                        source_type="interview" if person else "observation",
                    )  # fmt: skip
                )
    return frame(rows)


def aggregates(
    clean: pd.DataFrame, definitions, window: str = "segment"
) -> dict[str, pd.DataFrame]:
    links = linking.link_evidence(clean, definitions, window=window)
    return {
        "links": links,
        "summary": evidence.summarise_cmocs(links, definitions, STRENGTH),
        "matrix": evidence.evidence_matrix(links, definitions),
        "subgroups": evidence.suppress_small_cells(
            evidence.subgroup_evidence(
                links, REGISTER, definitions, attributes=["gender", "age_band"], roles=["patient"]
            ),
            2,
        ),
        "wave_change": evidence.wave_change(links, REGISTER, definitions, THRESHOLDS),
        "quotes": quoting.select_quotes(links, definitions, per_cmoc=2, min_chars=10),
    }


PROPERTY = settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(clean=coded_tables(), window=st.sampled_from(linking.WINDOWS))
def test_counts_add_up_across_every_breakdown(definitions, clean, window):
    result = aggregates(clean, definitions, window)
    summary = result["summary"].set_index("cmoc_id")
    matrix = result["matrix"]
    for dimension in vocabulary.BREAKDOWNS:
        own = matrix[matrix["dimension"] == dimension].groupby("cmoc_id")
        excerpts = own["excerpts"].sum().reindex(summary.index, fill_value=0)
        assert (excerpts == summary["excerpts"]).all(), dimension
    for dimension in ["site", "role"]:  # each participant has one site and one role
        participants = (
            matrix[matrix["dimension"] == dimension].groupby("cmoc_id")["participants"].sum()
        )
        assert (participants.reindex(summary.index, fill_value=0) == summary["participants"]).all()
    raw = evidence.subgroup_evidence(
        result["links"], REGISTER, definitions, attributes=["gender", "age_band"], roles=["patient"]
    )
    patients = linking.confirming(result["links"]).query("role == 'patient'").groupby("cmoc_id")
    for attribute, own in raw.groupby("attribute"):
        sums = own.groupby("cmoc_id")[["participants", "excerpts"]].sum()
        assert (
            sums["participants"]
            == patients["participant_id"].nunique().reindex(sums.index, fill_value=0)
        ).all()
        assert (sums["excerpts"] == patients.size().reindex(sums.index, fill_value=0)).all(), (
            attribute
        )
    change = result["wave_change"].set_index("cmoc_id")
    assert (change["lw_continued"] + change["lw_dropped"] == change["lw_from_participants"]).all()


@PROPERTY
@given(clean=coded_tables(), window=st.sampled_from(linking.WINDOWS), seed=st.integers(0, 2**16))
def test_shuffling_input_rows_changes_no_output(definitions, clean, window, seed):
    original = aggregates(clean, definitions, window)
    shuffled = aggregates(
        clean.sample(frac=1, random_state=seed).reset_index(drop=True), definitions, window
    )
    for name, table in original.items():
        assert_frame_equal(
            table.reset_index(drop=True), shuffled[name].reset_index(drop=True), obj=name
        )


@PROPERTY
@given(
    clean=coded_tables(),
    person=st.sampled_from(PEOPLE),
    cmoc=st.sampled_from(["CMOC01", "CMOC03", "CMOC08"]),
)
def test_adding_a_supporting_excerpt_never_lowers_a_rating(definitions, clean, person, cmoc):
    parts = definitions.cmoc_parts.query("cmoc_id == @cmoc").drop_duplicates("part")["code_id"]
    participant, role, site, waves = person
    extra = [
        coding(
            "added",
            code,
            source="SRC-new",
            person=participant,
            role=role,
            site=site,
            wave=waves[0],
            source_type="interview" if participant else "observation",
        )  # fmt: skip
        for code in parts
    ]
    before = aggregates(clean, definitions)["summary"].set_index("cmoc_id")
    after = aggregates(pd.concat([clean, frame(extra)], ignore_index=True), definitions)[
        "summary"
    ].set_index("cmoc_id")
    assert after.loc[cmoc, "excerpts"] == before.loc[cmoc, "excerpts"] + 1
    assert (after["strength"].map(RATING_RANK) <= before["strength"].map(RATING_RANK)).all()


@PROPERTY
@given(clean=coded_tables(), cmoc=st.sampled_from(["CMOC01", "CMOC05", "CMOC08", "CMOC12"]))
def test_removing_all_evidence_shows_a_cmoc_as_unsupported(definitions, clean, cmoc):
    codes = set(definitions.cmoc_parts.query("cmoc_id == @cmoc")["code_id"]) | {f"cmoc_{cmoc}"}
    result = aggregates(clean[~clean["code"].isin(codes)], definitions)
    row = result["summary"].set_index("cmoc_id").loc[cmoc]
    assert (row["excerpts"], row["strength"], row["excerpt_ids"]) == (0, "unsupported", "")
    assert result["wave_change"].set_index("cmoc_id").loc[cmoc, "change"] == "no evidence"
    assert cmoc in set(result["subgroups"]["cmoc_id"])
    assert cmoc not in set(result["quotes"]["cmoc_id"])


@PROPERTY
@given(clean=coded_tables(), window=st.sampled_from(linking.WINDOWS))
def test_linking_per_site_shard_equals_linking_everything(definitions, clean, window):
    whole = linking.link_evidence(clean, definitions, window=window)
    shards = [
        linking.link_evidence(own, definitions, window=window)
        for _, own in clean.groupby("site_id")
    ]
    joined = (
        pd.concat(shards, ignore_index=True)
        .sort_values(["cmoc_id", "unit_id"])
        .reset_index(drop=True)
    )
    assert_frame_equal(whole, joined, check_dtype=False)
    summary = evidence.summarise_cmocs(whole, definitions, STRENGTH)
    assert_frame_equal(
        summary, evidence.summarise_cmocs(joined, definitions, STRENGTH), check_dtype=False
    )
