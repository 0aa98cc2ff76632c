"""The attribution rule in every by-site table and drill-down, on the demo's coded data with a
register of ONE person per role per site: no cell, card, filter or published row of the
evidence explorer, the unit table or the evidence matrix keys a unit by a (site, role) group
of fewer than the attribution size, and no published row carries a participant id."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from realist_report.analysis import evidence, linking
from realist_report.analysis.clean import clean_batch
from realist_report.analysis.coders import counted_codings
from realist_report.core.vocabulary import site_columns
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_formats
from realist_report.privacy.attribution import (
    NOT_ATTRIBUTED,
    attribution_groups,
    published_units,
    register_key,
    source_labels,
    with_published_places,
)
from realist_report.report import context as report
from realist_report.report import explorer

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
SIZE = 5


@pytest.fixture(scope="module")
def demo_links(registers, definitions) -> pd.DataFrame:
    """The demo's batches ingested, cleaned and linked as the pipeline does."""
    sites, participants = registers
    formats = load_formats(REPO / "config" / "formats.yaml")
    batches = [
        clean_batch(ingest_batch(path, path.stem, formats), participants, sites, definitions)
        for path in sorted((DEMO / "coded").iterdir())
    ]
    clean = pd.concat([batch.clean for batch in batches], ignore_index=True)
    return linking.link_evidence(counted_codings(clean), definitions, window="segment")


@pytest.fixture(scope="module")
def lone(registers, demo_links):
    """The demo re-registered with one person per role per site: the k-th person of a role at
    site S moves to site 'S-k', which keeps S's region. Returns (sites, participants, links)."""
    sites, participants = registers
    people = participants.copy()
    people["site_id"] = (
        people["site_id"].astype(str)
        + "-"
        + (people.groupby(["site_id", "role"]).cumcount() + 1).astype(str)
    )
    region = dict(zip(sites["site_id"].astype(str), sites["region"], strict=True))
    new_sites = pd.DataFrame({"site_id": people["site_id"].unique()}).assign(
        region=lambda s: s["site_id"].str.rsplit("-", n=1).str[0].map(region)
    )
    fieldnote_sites = sites[["site_id", "region"]]  # fieldnotes (no person) keep their site
    moved = dict(zip(people["participant_id"], people["site_id"], strict=True))
    links = demo_links.copy()
    has_person = links["participant_id"].notna()
    links.loc[has_person, "site_id"] = links.loc[has_person, "participant_id"].map(moved)
    assert people.groupby(["site_id", "role"]).size().max() == 1
    return pd.concat([new_sites, fieldnote_sites], ignore_index=True), people, links


def registered(people: pd.DataFrame, sites: pd.DataFrame, role: str, place: str, wave) -> int:
    """People of `role` registered at `place` (a site or a region), in `wave` when given:
    counted from the register here, not by the code under test."""
    region = dict(zip(sites["site_id"], sites["region"], strict=True))
    at = (people["site_id"] == place) | (people["site_id"].map(region) == place)
    if wave not in (None, NOT_ATTRIBUTED):
        at &= people["waves"].fillna("").str.split(";").map(lambda w: wave in w)
    return int((at & (people["role"] == role)).sum())


def assert_no_small_group(rows, people, sites) -> int:
    """Every (place, role, wave) a row is keyed by holds at least SIZE registered people;
    returns how many rows were keyed by a place."""
    placed = 0
    for place, role, wave in rows:
        if role in ("", explorer.NO_ROLE) or place == NOT_ATTRIBUTED:
            continue
        placed += 1
        assert registered(people, sites, role, place, wave) >= SIZE, (place, role, wave)
        if wave != NOT_ATTRIBUTED:
            assert registered(people, sites, role, place, None) >= SIZE, (place, role)
    return placed


def explorer_tables(units: pd.DataFrame) -> dict[str, pd.DataFrame]:
    empty = pd.DataFrame({"excerpt_ids": pd.Series([], dtype=str)})
    return {
        "summary": pd.DataFrame({"cmoc_id": sorted(set(units["cmoc_id"]))}),
        "units": units.astype("string").fillna("").astype(object),
        "subgroups": empty, "candidates": empty, "pairs": empty,
        "agreement": pd.DataFrame(  # a disagreement names an interview, whose id names a person
            {
                "scope": ["source"],
                "source_id": [units.loc[units["participant_id"].notna(), "source_id"].iloc[0]],
                "disagreement_ids": [units["excerpt_ids"].iloc[0]],
            }
        ),
        "quarantine": pd.DataFrame({"batch": []}),
    }  # fmt: skip


def person_ids(people: pd.DataFrame) -> re.Pattern:
    return re.compile("|".join(re.escape(str(p)) for p in people["participant_id"]))


def test_explorer_matrix_cards_and_filters_never_key_a_lone_person_by_site(
    lone, definitions
) -> None:
    sites, people, links = lone
    groups = attribution_groups(people, sites, SIZE)
    units = evidence.evidence_units(links, definitions)
    excerpts = links.assign(excerpt_id=links["excerpt_ids"].str.split(";")).explode("excerpt_id")
    excerpts = excerpts.drop_duplicates("excerpt_id").assign(
        code="c", text="t", coder="A", origin="o"
    )
    labels = source_labels(units, register_key(people))
    data = explorer.explorer_data(explorer_tables(units), excerpts, {}, groups, labels)
    s, u, e = data["strings"], data["units"], data["excerpts"]
    unit_cells = [
        (s[a], s[b], s[c]) for a, b, c in zip(u["site"], u["role"], u["wave"], strict=True)
    ]
    card_cells = [
        (s[a], s[b], s[c]) for a, b, c in zip(e["site"], e["role"], e["wave"], strict=True)
    ]
    assert assert_no_small_group(unit_cells, people, sites) > 0, "regions still name patients"
    assert_no_small_group(card_cells, people, sites)
    moved = set(people["site_id"])
    assert not moved & {place for place, _, _ in unit_cells + card_cells}, "a lone person's site"
    assert not person_ids(people).search(json.dumps(data)), "a participant id on the page"
    support = units[units["counts_as"] == "support"]
    assert data["people"][units["cmoc_id"].iloc[0]]["participants"] == (
        support.loc[support["cmoc_id"] == units["cmoc_id"].iloc[0], "participant_id"].nunique()
    )


def test_published_units_and_matrix_keep_a_site_only_for_a_large_enough_group(
    lone, definitions
) -> None:
    sites, people, links = lone
    groups = attribution_groups(people, sites, SIZE)
    units = evidence.evidence_units(links, definitions)
    shown = published_units(units, groups, source_labels(units, register_key(people)))
    assert "participant_id" not in shown.columns and len(shown) == len(units)
    assert not person_ids(people).search(shown.to_csv(index=False)), "an id joins a person"
    cells = zip(shown["site_id"], shown["role"].fillna(""), shown["wave"], strict=True)
    assert assert_no_small_group(cells, people, sites) > 0
    matrix = evidence.evidence_matrix(with_published_places(links, groups), definitions)
    by_site = matrix[matrix["dimension"] == "site"]
    assert not set(people["site_id"]) & set(by_site["value"]), "a lone person's site counted"
    # each CMOC's by-site row still adds up, with the coarser columns beside the sites
    summary = evidence.summarise_cmocs(links, definitions, [
        {"rating": "any", "min_participants": 1, "min_sites": 1, "min_roles": 1}
    ])  # fmt: skip
    table = report.site_matrix(matrix, summary, site_columns(sites, 100))
    assert NOT_ATTRIBUTED in table["coarser"]
    totals = dict(zip(summary["cmoc_id"], summary["excerpts"], strict=True))
    assert all(row["total"] == totals[row["cmoc_id"]] for row in table["rows"])


def test_the_demo_register_keys_its_lone_role_at_a_site_by_no_site(
    registers, demo_links, definitions
) -> None:
    """The demo has one person of some roles per site (one at each of its sites): their units
    are not attributed to the site in the published units or in the explorer."""
    sites, people = registers
    groups = attribution_groups(people, sites, SIZE)
    units = evidence.evidence_units(demo_links, definitions)
    size = people.groupby(["site_id", "role"]).size()
    lone_roles = {key for key, n in size.items() if n < SIZE}
    assert lone_roles, "the demo has small (site, role) groups"
    shown = published_units(units, groups, {})
    keys = set(zip(units["site_id"], units["role"], strict=True))
    assert keys & lone_roles, "some demo evidence comes from a small group"
    for (site, role), place in zip(
        zip(units["site_id"], units["role"], strict=True), shown["site_id"], strict=True
    ):
        if (site, role) in lone_roles:
            assert place != site, (site, role)
