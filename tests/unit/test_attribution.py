"""Attribution by group size: a label names a site (or region, or wave) only where the people
sharing everything it prints number at least the configured size."""

from __future__ import annotations

import itertools

import pandas as pd
from realist_report.core.vocabulary import site_label
from realist_report.privacy.attribution import attributed_parts, attribution, attribution_groups

ROLES = ["patient", "link_worker", "vcse"]
SITES = pd.DataFrame(
    {"site_id": ["S01", "S02", "S03", "S04"], "region": ["North", "North", "South", "South"]}
)


def one_per_role_per_site() -> pd.DataFrame:
    """The hostile register: every role has exactly one person at every site."""
    rows = [
        {"participant_id": f"{role}-{site}", "site_id": site, "role": role, "waves": "baseline"}
        for role, site in itertools.product(ROLES, SITES["site_id"])
    ]
    return pd.DataFrame(rows)


def people_behind(label_parts, register: pd.DataFrame, role: str) -> int:
    """How many registered people a label could be about, as a reader with the registers sees."""
    own = register.merge(SITES)[lambda r: r["role"] == role]
    if label_parts.place is not None:
        own = own[
            (own["site_id"].map(site_label) == label_parts.place)
            | (own["region"] == label_parts.place)
        ]
    return len(own)


def test_one_person_per_role_per_site_is_never_named_by_site() -> None:
    register = one_per_role_per_site()
    for size in (2, 3, 5):
        groups = attribution_groups(register, SITES, size)
        for role, site in itertools.product(ROLES, SITES["site_id"]):
            parts = attributed_parts(role, site, "baseline", groups)
            assert "site" not in (parts.place or ""), (size, role, site)
            if parts.place or parts.wave:  # the role alone is the floor, whatever its size
                assert people_behind(parts, register, role) >= size, (size, role, site)


def test_a_region_is_named_when_it_holds_enough_people_and_the_role_alone_otherwise() -> None:
    register = one_per_role_per_site()
    assert attribution(
        "link_worker", "S03", "baseline", attribution_groups(register, SITES, 2)
    ) == ("Link worker, South, baseline")
    # three needed, two per region: the role and wave alone (four link workers at baseline)
    assert attribution(
        "link_worker", "S03", "baseline", attribution_groups(register, SITES, 3)
    ) == ("Link worker, baseline")
    # five needed, four in the study: not even the wave
    assert attribution(
        "link_worker", "S03", "baseline", attribution_groups(register, SITES, 5)
    ) == ("Link worker")


def test_a_site_is_named_where_the_role_is_large_enough_there() -> None:
    register = pd.concat(
        [
            one_per_role_per_site(),
            pd.DataFrame(
                {"participant_id": [f"p{i}" for i in range(4)], "site_id": "S01",
                 "role": "patient", "waves": "baseline;followup"}
            ),
        ]
    )  # fmt: skip
    groups = attribution_groups(register, SITES, 5)
    assert attribution("patient", "S01", "baseline", groups) == "Patient, site 1, baseline"
    # four at follow-up in the whole study: no wave, and site 1 has five patients in all
    assert attribution("patient", "S01", "followup", groups) == "Patient, site 1"
    assert attribution("patient", "S02", "baseline", groups) == "Patient, North, baseline"


def test_fieldnotes_keep_their_site_and_no_registers_mean_the_role_alone() -> None:
    assert attribution(None, "S03", "baseline", None) == "Observation fieldnote, site 3, baseline"
    assert attribution("patient", "S03", "baseline", None) == "Patient"


def test_the_demo_lone_link_workers_are_attributed_without_site(registers) -> None:
    sites, participants = registers
    groups = attribution_groups(participants, sites, 5)
    for site in sites["site_id"]:
        label = attribution("link_worker", site, "baseline", groups)
        assert label in {"Link worker, baseline", "Link worker"}, label
        assert attribution("patient", site, "baseline", groups).startswith("Patient, site ")


def test_trace_prints_the_attribution_rule_not_the_site(tmp_path) -> None:
    from realist_report.audit import trace

    clean = tmp_path / "redacted"
    clean.mkdir()
    pd.DataFrame(
        {
            "excerpt_id": ["e1"], "batch": ["b"], "origin": ["b.csv:row 2"],
            "participant_id": ["link_worker-S03"], "role": ["link_worker"], "site_id": ["S03"],
            "wave": ["baseline"], "code": ["c"], "text": ["we only had the one room"],
        }
    ).to_parquet(clean / "b.parquet")  # fmt: skip
    groups = attribution_groups(one_per_role_per_site(), SITES, 3)
    table = trace.trace_excerpts(["e1"], clean, [], [], groups)
    assert table["attribution"].tolist() == ["Link worker, baseline"]
    printed = trace.format_trace(table)
    assert "S03" not in printed and "site 3" not in printed and "link_worker-S03" not in printed
