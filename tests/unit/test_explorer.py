"""The evidence explorer's data: only redacted text, coders as numbers, suppressed cells closed,
and a page the publish screen reads in full (every string of its data)."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from realist_report.core.errors import PrivacyError
from realist_report.report import explorer as X
from realist_report.report.publish import screen_explorer

EXCERPTS = pd.DataFrame(
    {
        "excerpt_id": ["e1", "e2", "e3", "e4"],
        "batch": ["b1", "b1", "b1", "b2"],
        "source_id": ["INT-1", "INT-1", "INT-2", "OBS-1"],
        "source_type": ["interview", "interview", "interview", "observation"],
        "participant_id": ["P-01", "P-01", "P-02", None],
        "role": ["patient", "patient", "patient", None],
        "site_id": ["S01", "S01", "S02", "S01"],
        "wave": ["baseline"] * 4,
        "code": ["ctx", "mech", "ctx", "out"],
        "text": ["Same span </script><!-- text", "Same span </script><!-- text", "Other", "Note"],
        "coder": ["Zoe Example", "Zoe Example", "Adam Example", None],
        "origin": ["b1.csv:row 2", "b1.csv:row 3", "b1.csv:row 4", "b2.qdpx#GUID"],
    }
)


def tables() -> dict[str, pd.DataFrame]:
    units = pd.DataFrame(
        {
            "cmoc_id": ["C1", "C1"], "unit_id": ["u1", "u2"], "counts_as": ["support", "refutes"],
            "match": ["full", "full"], "stance": ["supports", "refutes"], "parts": ["", ""],
            "site_id": ["S01", "S02"], "role": ["patient", ""], "wave": ["baseline"] * 2,
            "source_type": ["interview"] * 2, "batch": ["b1"] * 2, "source_id": ["INT-1", "INT-2"],
            "participant_id": ["P-01", "P-02"], "excerpt_ids": ["e1;e2", "e3"],
        }
    )  # fmt: skip
    subgroups = pd.DataFrame(
        {
            "cmoc_id": ["C1", "C1"], "attribute": ["age_band"] * 2, "value": ["18-34", "35-49"],
            "registered": ["2", "9"], "participants": ["1", "5"], "excerpts": ["1", "7"],
            "share": ["", ""], "suppressed": ["True", "False"], "suppression": ["small", ""],
            "cmoc_participants": ["6", "6"], "excerpt_ids": ["e4", "e1"],
        }
    )  # fmt: skip
    empty = pd.DataFrame({"excerpt_ids": pd.Series([], dtype=str)})
    agreement = pd.DataFrame(
        {"scope": ["overall", "code"], "code": ["", "ctx"], "disagreement_ids": ["e1;e3", "e3"]}
    )
    return {
        "summary": pd.DataFrame({"cmoc_id": ["C1"], "title": ["T"], "excerpts": [1]}),
        "units": units,
        "subgroups": subgroups,
        "candidates": empty,
        "pairs": empty,
        "agreement": agreement,
        "quarantine": pd.DataFrame({"batch": ["b1"], "reason": ["unknown_code"]}),
    }


def test_coders_are_numbers_and_no_name_reaches_the_page() -> None:
    data = X.explorer_data(tables(), EXCERPTS, {"build_id": "abc"})
    page = X.render_explorer(data, {"title": "A study"})
    assert "Example" not in page
    coders = dict(zip(data["excerpts"]["id"], data["excerpts"]["coder"], strict=True))
    assert coders == {"e1": 2, "e2": 2, "e3": 1}  # by name order, e4 is behind no open view


def test_a_suppressed_for_whom_cell_carries_no_excerpt() -> None:
    data = X.explorer_data(tables(), EXCERPTS, {})
    closed, opened = data["subgroups"]
    assert closed["ex"] == [] and opened["ex"]
    assert "e4" not in data["excerpts"]["id"]  # only the suppressed cell pointed at it


def test_units_keep_their_stance_role_and_the_texts_are_stored_once() -> None:
    data = X.explorer_data(tables(), EXCERPTS, {})
    units, strings = data["units"], data["strings"]
    assert units["as"] == ["support", "refutes"]
    assert [strings[r] for r in units["role"]] == ["patient", X.NO_ROLE]
    assert strings.count("Same span </script><!-- text") == 1
    assert [len(ids) for ids in units["ex"]] == [2, 1]
    assert [row["scope"] for row in data["disagreements"]] == ["code"]


def test_page_data_cannot_close_its_script_element_and_reads_back() -> None:
    data = X.explorer_data(tables(), EXCERPTS, {"build_id": "abc"})
    page = X.render_explorer(data, {"title": "A study"})
    block = page.split('id="explorer-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in block
    assert X.payload(page) == json.loads(json.dumps(data))


def test_units_and_cards_are_keyed_by_a_site_only_where_the_attribution_rule_allows_it() -> None:
    """Two patients at S01, one at S02, at a minimum of two: S01's units and cards name the
    site, S02's lone patient the region; a fieldnote keeps its site; no participant id is on
    the page; without registers no unit of a role names a place."""
    from realist_report.privacy.attribution import NOT_ATTRIBUTED, attribution_groups

    participants = pd.DataFrame(
        {
            "participant_id": ["P-01", "P-03", "P-02"],
            "site_id": ["S01", "S01", "S02"],
            "role": ["patient"] * 3,
            "waves": ["baseline"] * 3,
        }
    )
    sites = pd.DataFrame({"site_id": ["S01", "S02"], "region": ["North", "North"]})
    groups = attribution_groups(participants, sites, 2)
    data = X.explorer_data(tables(), EXCERPTS, {}, groups, {"INT-2": "source 0f"})
    strings = data["strings"]
    assert [strings[i] for i in data["units"]["site"]] == ["S01", "S02"], "u2: no role"
    assert data["labels"]["site"] == {"S01": "site 1", "S02": "site 2"}
    cards = dict(zip(data["excerpts"]["id"], data["excerpts"]["site"], strict=True))
    assert strings[cards["e3"]] == "North", "P-02 is alone at S02"
    assert strings[cards["e1"]] == "S01"
    assert "source 0f" in strings and "INT-2" not in strings
    assert "P-0" not in json.dumps(data) and "participant" not in data["units"]
    assert data["people"] == {"C1": {"participants": 1, "sites": 1}}
    bare = X.explorer_data(tables(), EXCERPTS, {})
    assert {bare["strings"][i] for i in bare["excerpts"]["site"]} == {NOT_ATTRIBUTED}


def test_report_counts_are_spans_in_print_and_links_in_the_html_edition() -> None:
    span = X.explorer_link(12, cmoc="CMOC04", site="S03", wave=None, unknown="x")
    assert str(span) == '<span class="explore" data-explore="cmoc=CMOC04&amp;site=S03">12</span>'
    html = f"<td>{span}</td><td>{X.explorer_link(0, cmoc='C1')}</td>"
    assert X.link_report_counts(html) == (
        '<td><a class="explore" href="evidence_explorer.html#cmoc=CMOC04&amp;site=S03">12</a></td>'
        '<td><a class="explore" href="evidence_explorer.html#cmoc=C1">0</a></td>'
    )


def test_publish_screen_reads_every_string_of_the_explorer_data(tmp_path) -> None:
    clean = tmp_path / "clean.html"
    data = X.explorer_data(tables(), EXCERPTS, {})
    clean.write_text(X.render_explorer(data, {"title": "A study"}), encoding="utf-8")
    screen_explorer(clean, names=[], allowed=[])
    phone = "".join(["077", "00 9", "00123"])  # built here: no tracked file holds a number
    leaking = EXCERPTS.assign(text=EXCERPTS["text"].str.replace("Other", f"call {phone}"))
    leaked = tmp_path / "leaked.html"
    data = X.explorer_data(tables(), leaking, {})
    leaked.write_text(X.render_explorer(data, {"title": "A study"}), encoding="utf-8")
    with pytest.raises(PrivacyError, match="evidence explorer"):
        screen_explorer(leaked, names=[], allowed=[])


def test_the_appendix_matrix_knows_which_site_each_column_opens() -> None:
    from realist_report.core.vocabulary import site_columns
    from realist_report.report.context import site_matrix

    sites = pd.DataFrame({"site_id": ["S01", "S02"], "region": ["North", "North"]})
    matrix = pd.DataFrame(
        {"cmoc_id": "C1", "dimension": "site", "value": ["S01", "S02"], "excerpts": [3, 4]}
    )
    summary = pd.DataFrame({"cmoc_id": ["C1"]})
    assert site_matrix(matrix, summary, site_columns(sites, 14))["sites"] == ["S01", "S02"]
    assert site_matrix(matrix, summary, site_columns(sites, 1))["sites"] == [None]


def test_a_study_without_subgroups_builds_its_explorer() -> None:
    """No 'for whom' attributes: an empty subgroups table (header only, as the CSV is written)
    opens nothing and breaks nothing (an empty boolean mask once selected no columns)."""
    empty_subgroups = tables()
    empty_subgroups["subgroups"] = tables()["subgroups"].iloc[0:0].astype(str)
    data = X.explorer_data(empty_subgroups, EXCERPTS, {})
    assert data["units"]["id"] == ["u1", "u2"]
    assert data["units"]["ex"] == [[0, 1], [2]]
