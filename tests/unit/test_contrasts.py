"""Context contrasts: each CMOC's evidence by site attribute, small participant counts hidden."""

from __future__ import annotations

import pandas as pd
from realist_report.analysis.contrasts import contrasts_view, site_attributes

SITES = pd.DataFrame(
    {
        "site_id": ["S1", "S2", "S3"],
        "region": ["North", "North", "South"],
        "team_model": ["Lone", "Team", "Team"],
        "observation_hours": [10, 12, 9],
    }
)
PARTICIPANTS = pd.DataFrame({"site_id": ["S1"] * 10 + ["S2"] * 10 + ["S3"] * 10})
MATRIX = pd.DataFrame(
    [
        ("CMOC01", "site", "S1", 9, 6),
        ("CMOC01", "site", "S2", 4, 2),
        ("CMOC01", "site", "S3", 5, 5),
        ("CMOC02", "site", "S2", 3, 3),
        ("CMOC01", "role", "patient", 99, 99),
    ],
    columns=["cmoc_id", "dimension", "value", "excerpts", "participants"],
)


def test_every_site_column_but_id_region_and_hours_is_contrasted() -> None:
    assert site_attributes(SITES) == ["team_model"]


def test_sites_and_participants_with_evidence_per_value_with_small_cells_hidden() -> None:
    (table,) = contrasts_view(MATRIX, SITES, PARTICIPANTS, ["CMOC01", "CMOC02"], 5)
    assert table["label"] == "team model"
    assert table["values"] == [{"value": "Lone", "sites": 1}, {"value": "Team", "sites": 2}]
    cmoc01, cmoc02 = table["rows"]
    assert cmoc01["cells"] == [
        {"sites": "1/1", "participants": "6/10", "share": " (60%)"},
        {"sites": "2/2", "participants": "7/20", "share": " (35%)"},
    ]
    # 3 participants is under k = 5: hidden, and so is the zero beside it (else it is the total),
    # site counts too (a '0/1' would give the zero away); both print the one suppression marker,
    # never '<5' (a complementary cell may hold more than the threshold)
    hidden = {"sites": "\u2013", "participants": "*", "share": ""}
    assert cmoc02["cells"] == [hidden, hidden]
    (marked,) = contrasts_view(MATRIX, SITES, PARTICIPANTS, ["CMOC01", "CMOC02"], 5, marker="§")
    assert marked["rows"][1]["cells"][0]["participants"] == "§"
