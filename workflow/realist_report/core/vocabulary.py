"""One source for the names the pipeline shows and compares: roles, waves, match and stance
classes, change classes, evidence breakdowns, and how a site is named.

Rating names and their order are not here: they are configured (`config["strength"]`, first is
strongest) and read with `strength_order`, so renaming a rating in config.yaml renames it
everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

BREAKDOWNS = {"site": "site_id", "role": "role", "wave": "wave", "data type": "source_type"}
SUPPORTING_MATCHES = ("full", "direct")
CONFIRMING_STANCES = ("supports", "refines")
#: The stance of a link a refuting marker code flags.
REFUTES = "refutes"
NOT_RECORDED = "not recorded"
CHANGES = ("new", "strengthened", "sustained", "weakened", "not seen again", "no evidence")

#: Register columns (participant subgroups, site characteristics) whose label is not the
#: column name read as words.
ATTRIBUTE_LABELS = {
    "age_band": "Age band",
    "gender": "Gender",
    "ethnicity": "Ethnicity",
    "long_term_condition": "Long-term condition",
}


def attribute_label(attribute: str) -> str:
    """'age_band' -> 'Age band', 'team_model' -> 'Team model': a register column (a 'for whom'
    attribute or a site characteristic) as tables and figures head it, never the key."""
    return ATTRIBUTE_LABELS.get(attribute, attribute.replace("_", " ").capitalize())


#: What every table, figure, workbook and CSV prints for a suppressed small cell, unless
#: config privacy.suppressed_marker says otherwise (read it with suppression_marker).
SUPPRESSED = "*"


def suppression_marker(privacy: Mapping) -> str:
    """The one suppression marker of a build: privacy.suppressed_marker, else SUPPRESSED."""
    return str(privacy.get("suppressed_marker") or SUPPRESSED)


#: The rating a CMOC gets when no configured rating's minimums are met (always the last).
UNSUPPORTED = "unsupported"


def strength_order(strength: list[dict]) -> list[str]:
    """Rating names from strongest to weakest, as configured, then 'unsupported'."""
    names = [str(rule["rating"]) for rule in strength]
    return [*dict.fromkeys(name for name in names if name != UNSUPPORTED), UNSUPPORTED]


# ---------------------------------------------------------------- the study's design (issue 24)


class Role(NamedTuple):
    """One participant role: the register's value, and how the report names one and many."""

    id: str
    label: str
    plural: str
    staff: bool


class Wave(NamedTuple):
    """One data collection wave: the id the tables keep, its label, and the spellings accepted."""

    id: str
    label: str
    aliases: tuple[str, ...]


class SourceType(NamedTuple):
    """What a coded document is; `needs_participant` sources must name who spoke."""

    id: str
    label: str
    aliases: tuple[str, ...]
    needs_participant: bool


def spelling_key(value: object) -> str:
    """'Follow-up', 'follow_up', 'FOLLOW UP' and 'followup' are one spelling: case folded and
    separators (space, hyphen, underscore) dropped."""
    return re.sub(r"[\s_\-]+", "", str(value).casefold())


def placeholder_key(value: str) -> str:
    """'community pharmacists' -> 'community_pharmacists': a plural as a narrative placeholder name."""
    return re.sub(r"[^0-9a-z]+", "_", value.casefold()).strip("_")


@dataclass(frozen=True)
class Design:
    """A study's design as config.yaml `design:` states it: every module asks this object for
    roles, waves, source types and site names, so no study's vocabulary lives in code."""

    site_singular: str
    site_plural: str
    roles: tuple[Role, ...]
    waves: tuple[Wave, ...]
    source_types: tuple[SourceType, ...]
    followed_roles: tuple[str, ...]

    @classmethod
    def from_config(cls, design: dict) -> Design:
        """Build from the (schema-validated) `design:` mapping."""
        site = design.get("site_label", {})
        return cls(
            site_singular=str(site.get("singular", "site")),
            site_plural=str(site.get("plural", "sites")),
            roles=tuple(
                Role(str(r["id"]), str(r["label"]), str(r["plural"]), bool(r.get("staff")))
                for r in design["roles"]
            ),
            waves=tuple(
                Wave(
                    str(w["id"]),
                    str(w.get("label", w["id"])),
                    tuple(map(str, w.get("aliases", []))),
                )
                for w in design["waves"]
            ),
            source_types=tuple(
                SourceType(
                    str(t["id"]),
                    str(t.get("label", t["id"])),
                    tuple(map(str, t.get("aliases", []))),
                    bool(t.get("needs_participant", False)),
                )
                for t in design["source_types"]
            ),
            followed_roles=tuple(map(str, design.get("followed_roles", []))),
        )

    @property
    def role_labels(self) -> dict[str, str]:
        return {r.id: r.label for r in self.roles}

    @property
    def role_plurals(self) -> dict[str, str]:
        return {r.id: r.plural for r in self.roles}

    @property
    def staff_roles(self) -> list[str]:
        return [r.id for r in self.roles if r.staff]

    @property
    def wave_labels(self) -> dict[str, str]:
        return {w.id: w.label for w in self.waves}

    @property
    def wave_ids(self) -> list[str]:
        return [w.id for w in self.waves]

    @property
    def source_type_labels(self) -> dict[str, str]:
        return {t.id: t.label for t in self.source_types}

    @property
    def wave_pairs(self) -> list[tuple[str, str]]:
        """Consecutive waves, then first to last when there are more than two."""
        ids = self.wave_ids
        pairs = list(zip(ids, ids[1:], strict=False))
        return pairs + [(ids[0], ids[-1])] if len(ids) > 2 else pairs

    def wave_of(self, value: object) -> str | None:
        """The wave id a spelling names (its id, label or an alias), or None."""
        return _spellings(self.waves).get(spelling_key(value))

    def source_type_of(self, value: object) -> str | None:
        """The source type id a spelling names (id, label, plural 's' or an alias), or None."""
        return _spellings(self.source_types).get(spelling_key(value))

    @property
    def no_participant_label(self) -> str:
        """Evidence without a participant, named after the first source type that needs none."""
        kinds = [t.id for t in self.source_types if not t.needs_participant]
        return self.unattributed_label(kinds[0] if kinds else "unattributed")

    def unattributed_label(self, source_type: object) -> str:
        """Who an excerpt with no participant is, e.g. 'Observation fieldnote'."""
        label = self.source_type_labels.get(str(source_type), str(source_type))
        return label[:1].upper() + label[1:]


def _spellings(entries: tuple[Wave, ...] | tuple[SourceType, ...]) -> dict[str, str]:
    """Every accepted spelling of each entry, keyed by `spelling_key`."""
    found: dict[str, str] = {}
    for entry in entries:
        for spelling in (entry.id, entry.label, entry.label + "s", *entry.aliases):
            found.setdefault(spelling_key(spelling), entry.id)
    return found


_ACTIVE: list[Design] = []


def use_design(config: dict) -> Design:
    """Make the config's `design:` the one every module reads (rule scripts call it through
    rule_logging, the Snakefile at start); returns it."""
    design = Design.from_config(config["design"])
    _ACTIVE[:] = [design]
    return design


def current_design() -> Design:
    """The study design in use; refuses rather than guess one."""
    if not _ACTIVE:
        raise RuntimeError("no study design loaded: call vocabulary.use_design(config) first")
    return _ACTIVE[0]


class _DesignMapping(Mapping[str, str]):
    """A read-only id -> label mapping that follows the design in use (ROLE_LABELS and
    WAVE_LABELS keep working for every module that imported them)."""

    def __init__(self, attribute: str) -> None:
        self._attribute = attribute

    def _current(self) -> dict[str, str]:
        return getattr(current_design(), self._attribute)

    def __getitem__(self, key: str) -> str:
        return self._current()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._current())

    def __len__(self) -> int:
        return len(self._current())


def design_problems(config: dict) -> list[str]:
    """What the schema cannot check: ids unique, and every role a config key names declared."""
    design = Design.from_config(config["design"])
    problems = []
    for kind, ids in (
        ("role", [r.id for r in design.roles]),
        ("wave", design.wave_ids),
        ("source type", [t.id for t in design.source_types]),
    ):
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            problems.append(f"design: {kind} id(s) {', '.join(repeated)} declared twice")
    roles = list(design.role_labels)
    named = (
        ("design.followed_roles", design.followed_roles),
        ("for_whom.roles", config.get("for_whom", {}).get("roles", [])),
    )
    for key, values in named:
        unknown = [str(v) for v in values if v not in roles]
        if unknown:
            problems.append(
                f"{key}: {', '.join(unknown)} not among design.roles ({', '.join(roles)})"
            )
    return problems


def unreachable_ratings(
    strength: list[dict], design: Design, sites: int | None = None, participants: int | None = None
) -> list[str]:
    """Ratings asking for more role groups than the design declares (or, once the registers are
    read, more sites or participants than they hold): no CMOC can reach them, said when the
    build starts and in Methods (a one-role study is never rated on triangulation across roles)."""

    def plural(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    have = {
        "min_roles": (len(design.roles), "role groups", "the design has {}", ("role", "roles")),
        "min_sites": (sites, design.site_plural, "the study has {}", None),
        "min_participants": (participants, "participants", "the study has {}", None),
    }
    found = []
    for rule in strength:
        for key, (count, what, source, nouns) in have.items():
            wanted = int(rule.get(key, 0))
            if count is not None and wanted > count:
                held = plural(count, *nouns) if nouns else str(count)
                found.append(
                    f"rating '{rule['rating']}' needs {wanted} {what}; {source.format(held)}, "
                    f"so no CMOC can be rated '{rule['rating']}'"
                )
    return found


#: Role id -> label of the design in use, in print order (read from config `design.roles`).
ROLE_LABELS: Mapping[str, str] = _DesignMapping("role_labels")
#: Wave id -> label of the design in use, in time order (config `design.waves`).
WAVE_LABELS: Mapping[str, str] = _DesignMapping("wave_labels")


#: Site ids that are a number, optionally after 'S' or 'site' ('S03', 'site-3', '3'), print as
#: 'site 3'; any other id (NE1, NW1, Leeds) prints as it is, so two sites never share a label.
NUMBERED_SITE = re.compile(r"(?:s|site)?[ _-]?0*(\d+)", re.IGNORECASE)


def site_label(site_id: str) -> str:
    """'S03' -> 'site 3': how a site is named in attributions and tables."""
    numbered = NUMBERED_SITE.fullmatch(str(site_id).strip())
    if not numbered:
        return str(site_id)
    return f"{current_design().site_singular} {int(numbered.group(1))}"


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


def with_coarser_places(columns: SiteColumns, values: Iterable[object]) -> SiteColumns:
    """The columns plus one per place a by-site count keys units by that is not a column (a
    region, '(not attributed)': attribution.published_place moves a role with too few people
    at its site there), so each row still adds up to its total and no column is a person."""
    known = {**{label: label for label in columns.labels}, **columns.of_site}
    extra = sorted({str(v) for v in values} - set(known))
    return SiteColumns(
        columns.heading, [*columns.labels, *extra], {**known, **{v: v for v in extra}}
    )


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
