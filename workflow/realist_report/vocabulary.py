"""One source for the names the pipeline shows and compares: roles, waves, match and stance
classes, change classes, evidence breakdowns, and how a site is named.

Rating names and their order are not here: they are configured (`config["strength"]`, first is
strongest) and read with `strength_order`, so renaming a rating in config.yaml renames it
everywhere.
"""

from __future__ import annotations

import re
from typing import NamedTuple

import pandas as pd

BREAKDOWNS = {"site": "site_id", "role": "role", "wave": "wave", "data type": "source_type"}
ROLE_LABELS = {
    "patient": "Patient",
    "link_worker": "Link worker",
    "primary_care_staff": "Primary care staff",
    "vcse": "VCSE staff",
    "other_link_worker": "Other link worker",
}
WAVE_LABELS = {"baseline": "baseline", "followup": "follow-up"}
SUPPORTING_MATCHES = ("full", "direct")
CONFIRMING_STANCES = ("supports", "refines")
NOT_RECORDED = "not recorded"
CHANGES = ("new", "strengthened", "sustained", "weakened", "not seen again", "no evidence")

#: The rating a CMOC gets when no configured rating's minimums are met (always the last).
UNSUPPORTED = "unsupported"


def strength_order(strength: list[dict]) -> list[str]:
    """Rating names from strongest to weakest, as configured, then 'unsupported'."""
    names = [str(rule["rating"]) for rule in strength]
    return [*dict.fromkeys(name for name in names if name != UNSUPPORTED), UNSUPPORTED]


#: Site ids that are a number, optionally after 'S' or 'site' ('S03', 'site-3', '3'), print as
#: 'site 3'; any other id (NE1, NW1, Leeds) prints as it is, so two sites never share a label.
NUMBERED_SITE = re.compile(r"(?:s|site)?[ _-]?0*(\d+)", re.IGNORECASE)


def site_label(site_id: str) -> str:
    """'S03' -> 'site 3': how a site is named in attributions and tables."""
    numbered = NUMBERED_SITE.fullmatch(str(site_id).strip())
    return f"site {int(numbered.group(1))}" if numbered else str(site_id)


class SiteColumns(NamedTuple):
    """How a by-site breakdown is printed: its heading, column labels, and each site's column."""

    heading: str
    labels: list[str]
    of_site: dict[str, str]


def site_columns(sites: pd.DataFrame, max_columns: int) -> SiteColumns:
    """One column per site while they fit on a page, else one per region (a national study's
    hundreds of sites would run off the page); results/ keeps the per-site detail."""
    ids = [str(s) for s in sites["site_id"]]
    if len(ids) <= max_columns:
        labels = [site_label(s) for s in ids]
        if len(set(labels)) < len(labels):  # 'S3' and 'S03' in one register: print the ids
            labels = ids
        return SiteColumns("site", labels, dict(zip(ids, labels, strict=True)))
    regions = [str(r) for r in sites["region"]]
    return SiteColumns("region", sorted(set(regions)), dict(zip(ids, regions, strict=True)))


# ---------------------------------------------------------------- the team's judgement (issue 16)

#: Where a CMOC stands in the programme theory (cmocs.yaml `status`).
CMOC_STATUSES = ("initial", "refined", "refuted", "new")
#: GRADE-CERQual confidence levels, highest first (cmocs.yaml `confidence`).
CONFIDENCE_LEVELS = ("high", "moderate", "low", "very low")
#: CERQual components a confidence `rationale` may give, in the order they print.
RATIONALE_COMPONENTS = (
    "coherence",
    "adequacy",
    "relevance",
    "methodological_limitations",
)
#: What a REFI-QDA memo (Note) can be attached to, in the order memos.csv lists them.
MEMO_TARGETS = ("code", "selection", "source", "project", "unattached")


def rating_as_confidence(strength: list[dict]) -> dict[str, str]:
    """The count rating expressed on the confidence scale, by rank: the strongest configured
    rating is 'high', 'unsupported' is 'very low', ratings between are spread evenly (rounded
    to the nearer level, a tie to the lower one); with the default three ratings, strong/moderate/tentative/unsupported
    read as high/moderate/low/very low. By rank, so renaming a rating changes nothing."""
    order = strength_order(strength)
    last = len(CONFIDENCE_LEVELS) - 1
    if len(order) == 1:
        return {order[0]: CONFIDENCE_LEVELS[last]}
    return {
        name: CONFIDENCE_LEVELS[int(rank * last / (len(order) - 1) + 0.5)]
        for rank, name in enumerate(order)
    }
