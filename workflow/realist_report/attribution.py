"""Attribution by group size: the one rule for how much a quote's label says about its speaker.

"Pharmacist, site 3" names one person when site 3 has one pharmacist, although every
identifier in the quote is redacted. So a label carries a place only when the people who
share everything it prints (role, place and wave) number at least `min_size` in the
participant register: the site where that group is large enough, else a coarser site grouping
(the sites register's `region` by default) where that one is, else the role alone. The wave is
printed only where the role has that many participants in the wave. Quotes, the exemplar-quote
CSV, trace output and the evidence explorer all call `attributed_parts` (or `attribution`), so
one configured number, `privacy.min_attribution`, governs every label.

Observation fieldnotes (no role) speak for no participant, so they keep their site and wave.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from realist_report.vocabulary import ROLE_LABELS, WAVE_LABELS, current_design, site_label

__all__ = [
    "FIELDNOTE",
    "AttributionGroups",
    "Attributed",
    "attributed_parts",
    "attribution",
    "attribution_groups",
    "attribution_size",
]

#: How a fieldnote (an excerpt without a role) is attributed.
FIELDNOTE = "Observation fieldnote"


@dataclass(frozen=True)
class AttributionGroups:
    """Registered participants per role, wave and place (site or a coarser grouping)."""

    min_size: int
    counts: Counter = field(default_factory=Counter)  # (role, wave, level, place) -> people
    places: dict[str, dict[str, str]] = field(default_factory=dict)  # level -> site -> place


class Attributed(NamedTuple):
    """What a label prints: who, where (None: no place) and when (None: no wave)."""

    who: str
    place: str | None
    wave: str | None

    def label(self) -> str:
        return ", ".join(part for part in self if part)


def attribution_size(privacy: dict) -> int:
    """The configured group size (privacy.min_attribution; unset: privacy.min_cell_size)."""
    size = privacy.get("min_attribution")
    return int(privacy["min_cell_size"] if size is None else size)


def attribution_groups(
    participants: pd.DataFrame,
    sites: pd.DataFrame | None,
    min_size: int,
    coarser: Sequence[str] = ("region",),
) -> AttributionGroups:
    """Count the register's people per role, wave and place, at the site and coarser levels."""
    places: dict[str, dict[str, str]] = {}
    site_ids = participants["site_id"].astype(str)
    places["site"] = {s: site_label(s) for s in site_ids.unique()}
    if sites is not None:
        for column in coarser:
            if column in sites.columns:
                own = sites.dropna(subset=[column])
                places[column] = dict(
                    zip(own["site_id"].astype(str), own[column].astype(str), strict=True)
                )
    counts: Counter = Counter()
    waves = participants.get("waves", pd.Series([""] * len(participants)))
    for role, site, joined in zip(participants["role"], site_ids, waves, strict=True):
        interviewed = joined.split(";") if isinstance(joined, str) else []
        for wave in {None, *(w for w in interviewed if w)}:
            counts[(role, wave, "role", None)] += 1
            for level, of_site in places.items():
                if site in of_site:
                    counts[(role, wave, level, of_site[site])] += 1
    return AttributionGroups(int(min_size), counts, places)


def attributed_parts(
    role: object, site_id: object, wave: object, groups: AttributionGroups | None
) -> Attributed:
    """The rule: the finest place whose role-and-wave group has at least `min_size` people.

    Without registers (`groups` None) a label says the role alone: never more than is safe."""
    wave_label = WAVE_LABELS.get(wave, wave) if isinstance(wave, str) else None
    site = str(site_id) if isinstance(site_id, str) and site_id else None
    if not isinstance(role, str):
        who = current_design().no_participant_label  # the design's, e.g. 'Observation fieldnote'
        return Attributed(who, site_label(site) if site else None, wave_label)
    who = ROLE_LABELS.get(role, role.replace("_", " ").capitalize())
    if groups is None:
        return Attributed(who, None, None)
    shown_wave = wave if groups.counts[(role, wave, "role", None)] >= groups.min_size else None
    if site is not None:
        for level, of_site in groups.places.items():
            place = of_site.get(site)
            size = groups.counts[(role, shown_wave, level, place)]
            if place is not None and size >= groups.min_size:
                return Attributed(who, place, wave_label if shown_wave else None)
    return Attributed(who, None, wave_label if shown_wave else None)


def attribution(
    role: object, site_id: object, wave: object, groups: AttributionGroups | None
) -> str:
    """'Customer, site 3, round 2' where that group is large enough, else less."""
    return attributed_parts(role, site_id, wave, groups).label()
