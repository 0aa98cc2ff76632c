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

import hashlib
import hmac
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import pandas as pd

from realist_report.core.vocabulary import ROLE_LABELS, WAVE_LABELS, current_design, site_label

__all__ = [
    "FIELDNOTE",
    "NOT_ATTRIBUTED",
    "AttributionGroups",
    "Attributed",
    "Published",
    "attributed_parts",
    "attribution",
    "attribution_groups",
    "attribution_size",
    "published_place",
    "published_units",
    "with_published_places",
    "register_key",
    "source_labels",
]

#: How a fieldnote (an excerpt without a role) is attributed.
FIELDNOTE = "Observation fieldnote"
#: The place or wave a published table gives a unit whose group is too small for one.
NOT_ATTRIBUTED = "(not attributed)"
#: Columns a published evidence-unit table leaves out: who said it.
UNIT_PERSON_COLUMNS = ("participant_id",)


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


def _finest_place(
    role: str, site: str | None, wave: object, groups: AttributionGroups
) -> tuple[str | None, str | None, object]:
    """(level, place, shown wave): the finest place whose role-and-wave group is large enough."""
    shown_wave = wave if groups.counts[(role, wave, "role", None)] >= groups.min_size else None
    if site is not None:
        for level, of_site in groups.places.items():
            place = of_site.get(site)
            size = groups.counts[(role, shown_wave, level, place)]
            if place is not None and size >= groups.min_size:
                return level, place, shown_wave
    return None, None, shown_wave


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
    _, place, shown_wave = _finest_place(role, site, wave, groups)
    return Attributed(who, place, wave_label if shown_wave else None)


class Published(NamedTuple):
    """What a published table keys a unit by: a site id, a coarser place (region) or
    NOT_ATTRIBUTED; a wave id or NOT_ATTRIBUTED."""

    site: str
    wave: str


def published_place(
    role: object, site_id: object, wave: object, groups: AttributionGroups | None
) -> Published:
    """The attribution rule for tables and drill-downs (evidence units, the evidence matrix,
    the explorer): the same place and wave a quote's label prints, as ids, so a by-site count
    or the units it opens never single out a role with fewer than `min_size` people there."""
    site = str(site_id) if isinstance(site_id, str) and site_id else None
    given = wave if isinstance(wave, str) and wave else NOT_ATTRIBUTED
    if not isinstance(role, str) or not role:
        return Published(site or NOT_ATTRIBUTED, given)
    if groups is None:
        return Published(NOT_ATTRIBUTED, NOT_ATTRIBUTED)
    level, place, shown_wave = _finest_place(role, site, wave, groups)
    shown = site if level == "site" else place
    return Published(shown or NOT_ATTRIBUTED, given if shown_wave else NOT_ATTRIBUTED)


def with_published_places(table: pd.DataFrame, groups: AttributionGroups | None) -> pd.DataFrame:
    """A table of units (site_id, role, wave columns) with site and wave as `published_place`
    keys them: what every by-site or by-wave count that can be published is grouped by."""
    places = [
        published_place(role, site, wave, groups)
        for role, site, wave in zip(table["role"], table["site_id"], table["wave"], strict=True)
    ]
    return table.assign(site_id=[p.site for p in places], wave=[p.wave for p in places])


def published_units(
    units: pd.DataFrame, groups: AttributionGroups | None, labels: dict[str, str]
) -> pd.DataFrame:
    """A unit table (site_id, role, wave, source_id, participant_id columns) as it may be
    published: site and wave by `published_place`, a participant's source by its `labels`
    (source_labels), no participant id. Every count of the table still adds up, and a row
    holds nothing that joins it to one person."""
    shown = with_published_places(units, groups)
    shown = shown.drop(columns=[c for c in UNIT_PERSON_COLUMNS if c in shown.columns])
    if "source_id" in shown.columns:
        shown["source_id"] = [labels.get(str(s), s) for s in shown["source_id"]]
    return shown


def register_key(participants: pd.DataFrame) -> bytes:
    """The key of `source_labels`: a digest of the private participant register (not the
    published input digest, which hashes the file alone)."""
    text = participants.sort_index(axis=1).to_csv(index=False)
    return hashlib.sha256(b"realist-report source labels\0" + text.encode("utf-8")).digest()


#: The letters of a source label: consonants only, so a label never reads as a number (an
#: NHS number) or a word (a name) to the privacy screen.
LABEL_LETTERS = "bcdfghjklmnpqrstvwxz"


def source_labels(units: pd.DataFrame, key: bytes) -> dict[str, str]:
    """A label per source that has a participant ('source kbxtrmzdqf'): an interview's id names
    its participant ('INT-LW-05-BL' is LW-05's), so published tables carry a keyed hash of it
    instead. The key comes from the private register, so no one can recompute a label from
    a guessed id."""
    personal = units.loc[units["participant_id"].fillna("").astype(str) != "", "source_id"]
    labels = {}
    for source in personal.dropna().astype(str).unique():
        digest = hmac.new(key, source.encode("utf-8"), hashlib.sha256).digest()
        labels[source] = "source " + "".join(LABEL_LETTERS[b % 20] for b in digest[:10])
    return labels


def attribution(
    role: object, site_id: object, wave: object, groups: AttributionGroups | None
) -> str:
    """'Customer, site 3, round 2' where that group is large enough, else less."""
    return attributed_parts(role, site_id, wave, groups).label()
