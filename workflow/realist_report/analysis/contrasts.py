"""'In what circumstances': each CMOC's supporting evidence by site attribute (context contrasts).

For every site attribute (every sites.csv column but the id, region and observation hours) and
each of its values: how many of the sites with that value, and how many of the participants
registered there, gave supporting evidence for the CMOC. Participant counts pass the same
small-cell rules as the 'for whom' tables (realist_report.analysis.evidence.suppress_small_cells), so a
value held by few sites cannot reveal a handful of people.
"""

from __future__ import annotations

import pandas as pd

from realist_report.analysis.evidence import suppress_small_cells
from realist_report.core.vocabulary import SUPPRESSED, attribute_label

#: sites.csv columns that describe the register, not a site's circumstances.
NOT_ATTRIBUTES = ("site_id", "region", "observation_hours")


def site_attributes(sites: pd.DataFrame) -> list[str]:
    """The site attributes to contrast: every other column of the site register."""
    return [column for column in sites.columns if column not in NOT_ATTRIBUTES]


def contrast_cells(
    matrix: pd.DataFrame, sites: pd.DataFrame, participants: pd.DataFrame, cmoc_ids: list[str]
) -> pd.DataFrame:
    """Unsuppressed cells: per CMOC, attribute and value, sites and participants with evidence."""
    by_site = matrix[matrix["dimension"] == "site"].set_index(["cmoc_id", "value"])
    registered = participants["site_id"].astype(str).value_counts()
    rows = []
    for attribute in site_attributes(sites):
        values = sites[attribute].astype("string").fillna("not recorded")
        groups = {
            v: sites.loc[values == v, "site_id"].astype(str).tolist() for v in sorted(set(values))
        }
        for cmoc_id in cmoc_ids:
            for value, site_ids in groups.items():
                cells = [
                    by_site.loc[(cmoc_id, s)] for s in site_ids if (cmoc_id, s) in by_site.index
                ]
                rows.append(
                    {
                        "cmoc_id": cmoc_id, "attribute": attribute, "value": value,
                        "sites": len(site_ids),
                        "sites_with_evidence": sum(int(c["excerpts"]) > 0 for c in cells),
                        "registered": int(sum(registered.get(s, 0) for s in site_ids)),
                        "participants": int(sum(int(c["participants"]) for c in cells)),
                        "excerpts": int(sum(int(c["excerpts"]) for c in cells)),
                        "cmoc_participants": 0, "excerpt_ids": "",
                    }
                )  # fmt: skip
    return pd.DataFrame(rows)


def contrasts_view(
    matrix: pd.DataFrame,
    sites: pd.DataFrame,
    participants: pd.DataFrame,
    cmoc_ids: list[str],
    min_cell_size: int,
    marker: str = SUPPRESSED,
) -> list[dict]:
    """One table per site attribute: CMOCs as rows, each value's sites and participants with
    evidence as 'n/N' (a suppressed cell prints the suppression `marker` and no site count: a
    complementary suppressed cell may hold more than the threshold, so never '<k')."""
    cells = contrast_cells(matrix, sites, participants, cmoc_ids)
    if cells.empty:
        return []
    hidden = suppress_small_cells(cells, min_cell_size)
    cells = cells.assign(suppressed=hidden["suppressed"].to_numpy())
    tables = []
    for attribute, own in cells.groupby("attribute", sort=False):
        values = list(dict.fromkeys(own["value"]))
        first = own.drop_duplicates("value").set_index("value")
        rows = []
        for cmoc_id, row_cells in own.groupby("cmoc_id", sort=False):
            rows.append(
                {
                    "cmoc_id": cmoc_id,
                    "cells": [_cell(c, marker) for c in row_cells.to_dict("records")],
                }
            )
        tables.append(
            {
                "attribute": attribute,
                "label": attribute_label(attribute).casefold(),
                "values": [{"value": v, "sites": int(first.at[v, "sites"])} for v in values],
                "rows": rows,
            }
        )
    return tables


def _cell(cell: dict, marker: str) -> dict:
    sites = f"{cell['sites_with_evidence']}/{cell['sites']}"
    if cell["suppressed"]:  # the site count would reveal a hidden zero: hidden as well
        return {"sites": "\u2013", "participants": marker, "share": ""}
    share = f" ({cell['participants'] / cell['registered']:.0%})" if cell["registered"] else ""
    return {
        "sites": sites,
        "participants": f"{cell['participants']}/{cell['registered']}",
        "share": share,
    }
