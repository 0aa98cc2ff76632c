"""Evidence: count and rate each CMOC's links, break them down (matrix, for whom, change over
time) and choose quotes; the aggregate_cmoc_evidence rule adapter.

Every aggregate row keeps `excerpt_ids` so a reviewer can trace any number back to its codings.
"""

from __future__ import annotations

import logging
import re
from fractions import Fraction

import numpy as np
import pandas as pd

from realist_report.analysis.linking import (
    combine_links,
    confirming,
    join_ids,
    refuting_links,
)
from realist_report.analysis.quotes import pinned_quotes, select_quotes
from realist_report.core.definitions import Definitions
from realist_report.core.errors import InputFileError
from realist_report.core.vocabulary import (
    BREAKDOWNS,
    CONFIDENCE_LEVELS,
    CONFIRMING_STANCES,
    NOT_RECORDED,
    SUPPORTING_MATCHES,
    SUPPRESSED,
    UNSUPPORTED,
    WAVE_LABELS,
    current_design,
    rating_as_confidence,
    strength_order,
)
from realist_report.privacy.attribution import (
    AttributionGroups,
    attribution_groups,
    attribution_size,
    published_units,
    register_key,
    source_labels,
    with_published_places,
)
from realist_report.privacy.disclosure import Breakdown, protect
from realist_report.report.design_text import counted

log = logging.getLogger(__name__)


# ---------------------------------------------------------------- counting and rating


def rate_strength(participants: int, sites: int, roles: int, rules: list[dict]) -> tuple[str, str]:
    """The first rating whose minimums are all met, and the rule written out in words.

    Counts only grow when evidence is added, so adding evidence never moves a CMOC to a later
    (weaker) rating in the list.
    """
    observed = {"participants": participants, "sites": sites, "roles": roles}
    nouns = {"participants": "participant", "sites": "site", "roles": "role group"}

    def minimums(rule: dict) -> dict[str, int]:
        return {k.removeprefix("min_"): v for k, v in rule.items() if k.startswith("min_")}

    for rule in rules:
        needed = minimums(rule)
        if all(observed[key] >= value for key, value in needed.items()):
            met = ", ".join(
                f"{counted(observed[k], nouns[k])} \u2265 {v}" for k, v in needed.items()
            )
            return rule["rating"], f"{rule['rating']}: {met or 'no minimums'}"
    lowest = rules[-1] if rules else {"rating": "any rating"}
    short = ", ".join(
        f"{counted(observed[k], nouns[k])} < {v}"
        for k, v in minimums(lowest).items()
        if observed[k] < v
    )
    return UNSUPPORTED, f"{UNSUPPORTED}: below '{lowest['rating']}' ({short})"


def apply_refuting_rule(
    rating: str, supporting: int, refuting: int, strength: list[dict], rule: dict | None
) -> tuple[str, bool, str]:
    """The rating after the refuting rule, whether it was lowered, and the rule in words.

    Lowered by `lower_by` steps when refuting units are more than `max_share` of the supporting
    units (compared exactly, so a share at the boundary does not lower); never below the weakest
    configured rating, and an 'unsupported' CMOC stays as it is.
    """
    if not rule or int(rule.get("lower_by", 0)) == 0:
        return rating, False, "no refuting rule configured"
    share = Fraction(str(rule["max_share"]))
    order = strength_order(strength)
    compared = f"{refuting} refuting vs {supporting} supporting units (limit {float(share):.0%})"
    if rating == UNSUPPORTED or not refuting:
        return rating, False, f"not lowered: {compared}"
    if Fraction(refuting) <= share * supporting:
        return rating, False, f"not lowered: {compared}, refuting within the limit"
    weakest = max(len(order) - 2, 0)  # the last configured rating: never 'unsupported'
    lowered = order[min(order.index(rating) + int(rule["lower_by"]), weakest)]
    if lowered == rating:
        return rating, False, f"not lowered: {compared}, already the weakest rating"
    return lowered, True, f"lowered from {rating} to {lowered}: {compared}, refuting over the limit"


def judgement_gap(confidence: object, rating: str, strength: list[dict]) -> tuple[str, int | None]:
    """The count rating on the confidence scale and how many steps the team's confidence lies
    from it (positive: the team is more confident than the counts); None without a judgement."""
    as_confidence = rating_as_confidence(strength)[rating]
    if not isinstance(confidence, str):
        return as_confidence, None
    steps = CONFIDENCE_LEVELS.index(as_confidence) - CONFIDENCE_LEVELS.index(confidence)
    return as_confidence, steps


def _ids_where(frame: pd.DataFrame, mask: pd.Series) -> str:
    return join_ids(frame.loc[mask, "excerpt_ids"])


def _rated(
    own: pd.DataFrame, refuting: int, cmoc: dict, rules: list[dict], refuting_rule: dict | None
) -> dict:
    """One CMOC's rating columns: the count rating, after the refuting rule, and the team's gap."""
    participants = own["participant_id"].dropna().nunique()
    roles = own["role"].dropna().nunique()
    rating, rule = (
        rate_strength(participants, own["site_id"].nunique(), roles, rules)
        if len(own)
        else (UNSUPPORTED, f"{UNSUPPORTED}: no supporting evidence")
    )
    final, lowered, refuting_text = apply_refuting_rule(
        rating, len(own), refuting, rules, refuting_rule
    )
    as_confidence, gap = judgement_gap(cmoc.get("confidence"), final, rules)
    return {
        "strength": final,
        "strength_rule": rule,
        "count_strength": rating,
        "lowered_by_refuting": lowered,
        "refuting_rule": refuting_text,
        "rating_as_confidence": as_confidence,
        "confidence_gap": gap,
        "judgement_disagrees": gap is not None and abs(gap) > 1,
    }


def _cmoc_row(
    cmoc: dict,
    own: pd.DataFrame,
    every: pd.DataFrame,
    rules: list[dict],
    refuting_rule: dict | None,
) -> dict:
    """One CMOC's summary row from its confirming units (`own`) and all its links (`every`)."""
    roles = sorted(own["role"].dropna().unique())
    data_types = sorted(own["source_type"].unique())
    refuting = every["match"].isin(SUPPORTING_MATCHES) & (every["stance"] == "refutes")
    return {
        **cmoc,
        "excerpts": len(own),
        "participants": own["participant_id"].dropna().nunique(),
        "sites": own["site_id"].nunique(),
        "roles": len(roles),
        "data_types": len(data_types),
        "role_groups": ";".join(roles),
        "data_type_names": ";".join(data_types),
        **{f"{wave}_excerpts": int((own["wave"] == wave).sum()) for wave in WAVE_LABELS},
        "direct": int((own["match"] == "direct").sum()),
        "partial": int((every["match"] == "partial").sum()),
        "refuting": int(refuting.sum()),
        "refining": int((own["stance"] == "refines").sum()),
        **_rated(own, int(refuting.sum()), cmoc, rules, refuting_rule),
        "excerpt_ids": join_ids(own["excerpt_ids"]),
        "partial_excerpt_ids": _ids_where(every, every["match"] == "partial"),
        "refuting_excerpt_ids": _ids_where(every, refuting),
        "refining_excerpt_ids": _ids_where(own, own["stance"] == "refines"),
    }


def summarise_cmocs(
    links: pd.DataFrame,
    definitions: Definitions,
    rules: list[dict],
    refuting_rule: dict | None = None,
) -> pd.DataFrame:
    """Per CMOC: evidence counts, triangulation, stance, strength (with its rule) and excerpt ids.

    `excerpts` counts confirming units (full or direct matches that support or refine); refining
    is the part of them marked as refining; refuting and partial units are counted apart and
    never raise a rating, but the refuting rule may lower it (`count_strength` is the rating
    before it, `refuting_rule` says why). The team's confidence sits beside the rating:
    `confidence_gap` is its distance in steps, `judgement_disagrees` when more than one step.
    CMOCs without evidence stay in the table, rated 'unsupported'.
    """
    confirmed = confirming(links)
    rows = [
        _cmoc_row(
            cmoc,
            confirmed[confirmed["cmoc_id"] == cmoc["cmoc_id"]],
            links[links["cmoc_id"] == cmoc["cmoc_id"]],
            rules,
            refuting_rule,
        )
        for cmoc in definitions.cmocs.to_dict("records")
    ]
    summary = pd.DataFrame(rows)
    summary["confidence_gap"] = summary["confidence_gap"].astype("Int64")
    titles = dict(zip(definitions.areas["area_id"], definitions.areas["area_title"], strict=True))
    summary.insert(2, "area_title", summary["area"].map(titles))
    return summary


def _cmoc_order(definitions: Definitions) -> dict[str, int]:
    return {cmoc: i for i, cmoc in enumerate(definitions.cmocs["cmoc_id"])}


def evidence_matrix(links: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Long table: confirming units and participants per CMOC by site, role, wave and data type.

    Within each CMOC and dimension the excerpt counts add up to the summary's `excerpts`.
    """
    confirmed = confirming(links)
    columns = ["cmoc_id", "dimension", "value", "excerpts", "participants", "excerpt_ids"]
    frames = []
    for dimension, column in BREAKDOWNS.items():
        grouped = confirmed.groupby(["cmoc_id", column], dropna=False).agg(
            excerpts=("unit_id", "nunique"),
            participants=("participant_id", "nunique"),
            excerpt_ids=("excerpt_ids", join_ids),
        )
        grouped = grouped.reset_index().rename(columns={column: "value"})
        grouped["value"] = grouped["value"].astype("string").fillna("(fieldnotes)")
        frames.append(grouped.assign(dimension=dimension))
    if confirmed.empty:
        return pd.DataFrame(columns=columns)
    matrix = pd.concat(frames, ignore_index=True)[columns]
    matrix["rank"] = matrix["cmoc_id"].map(_cmoc_order(definitions))
    matrix = matrix.sort_values(["rank", "dimension", "value"]).drop(columns="rank")
    return matrix.reset_index(drop=True)


#: Columns of the reviewer's evidence-unit table: everything but the excerpt text.
EVIDENCE_UNIT_COLUMNS = [
    "cmoc_id", "unit_id", "counts_as", "match", "stance", "parts", "site_id", "role", "wave",
    "source_type", "batch", "source_id", "participant_id", "excerpt_ids",
]  # fmt: skip


def evidence_units(links: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """One row per CMOC and evidence unit, saying how it counts (support, partial, refutes).

    Every count in the summary and the evidence matrix is a filter of this table, so a reviewer
    can check any number in a spreadsheet, where the summary's id lists outgrow one cell.
    """
    supporting_match = links["match"].isin(SUPPORTING_MATCHES)
    counts_as = np.select(
        [
            supporting_match & links["stance"].isin(CONFIRMING_STANCES),
            supporting_match & (links["stance"] == "refutes"),
            links["match"] == "partial",
        ],
        ["support", "refutes", "partial"],
        default="other",
    )
    units = links.assign(counts_as=counts_as).reindex(columns=EVIDENCE_UNIT_COLUMNS)
    units["rank"] = units["cmoc_id"].map(_cmoc_order(definitions))
    units = units.sort_values(["rank", "counts_as", "unit_id"]).drop(columns="rank")
    return units.reset_index(drop=True)


# ---------------------------------------------------------------- for whom


def subgroup_evidence(
    links: pd.DataFrame,
    participants: pd.DataFrame,
    definitions: Definitions,
    *,
    attributes: list[str],
    roles: list[str],
) -> pd.DataFrame:
    """'For whom': per CMOC and subgroup, participants registered and participants with evidence.

    Unsuppressed counts, for checking. Every register value of each attribute (blank = 'not
    recorded') gets a row for every CMOC, zeros included, so the cells of one attribute add up
    to the CMOC's participants in the chosen roles. Attributes missing from the register are
    skipped with a warning.
    """
    columns = ["cmoc_id", "attribute", "value", "registered", "participants", "excerpts"]
    columns += ["cmoc_participants"]  # everyone in these roles with evidence for the CMOC
    people = participants[participants["role"].isin(roles)]
    present = [a for a in attributes if a in people.columns]
    for missing in sorted(set(attributes) - set(present)):
        log.warning("subgroup attribute '%s' is not a column of participants.csv: skipped", missing)
    evidence = confirming(links)
    evidence = evidence[evidence["participant_id"].isin(people["participant_id"])]
    rows = []
    for attribute in present:
        values = people[attribute].astype("string").str.strip().replace("", pd.NA)
        values = values.fillna(NOT_RECORDED)
        value_of = dict(zip(people["participant_id"], values, strict=True))
        registered = values.value_counts()
        tagged = evidence.assign(value=evidence["participant_id"].map(value_of))
        for cmoc_id in definitions.cmocs["cmoc_id"]:
            own = tagged[tagged["cmoc_id"] == cmoc_id]
            total = own["participant_id"].nunique()
            for value in sorted(registered.index):
                cell = own[own["value"] == value]
                rows.append(
                    {
                        "cmoc_id": cmoc_id,
                        "attribute": attribute,
                        "value": value,
                        "registered": int(registered[value]),
                        "participants": cell["participant_id"].nunique(),
                        "excerpts": len(cell),
                        "cmoc_participants": total,
                        "excerpt_ids": join_ids(cell["excerpt_ids"]),
                    }
                )
    return pd.DataFrame(rows, columns=[*columns, "excerpt_ids"])


def _small(counts: pd.Series, k: int) -> pd.Series:
    return (counts > 0) & (counts < k)


def _protect_attribute(own: pd.DataFrame, k: int) -> tuple[pd.Series, pd.Series]:
    """Hidden cells and hidden register counts of one attribute's table, protected against
    arithmetic by realist_report.privacy.disclosure. Rows of CMOCs without evidence are printed as a
    list of names, their cells all zero, so they hide nothing and take no part."""
    values = list(dict.fromkeys(own["value"]))
    shown_rows = [c for c, g in own.groupby("cmoc_id", sort=False) if g["participants"].sum()]
    row_of = {c: i for i, c in enumerate(shown_rows)}
    column_of = {v: j for j, v in enumerate(values)}
    cells = np.zeros((len(shown_rows), len(values)))
    excerpts = np.zeros_like(cells)
    for cell in own[own["cmoc_id"].isin(row_of)].itertuples(index=False):
        at = row_of[cell.cmoc_id], column_of[cell.value]
        cells[at], excerpts[at] = cell.participants, cell.excerpts
    registered = own.drop_duplicates("value").set_index("value")["registered"].reindex(values)
    register_hidden = _small(registered, k).to_numpy()
    hidden = ((cells > 0) & (cells < k)) | register_hidden[None, :]
    table = protect(
        Breakdown(
            cells=cells,
            excerpts=excerpts,
            registered=registered.to_numpy(dtype=float),
            hidden=hidden,
            register_hidden=register_hidden,
        )
    )
    flags = {
        (c, v): bool(table.hidden[i, j])
        for i, c in enumerate(shown_rows)
        for j, v in enumerate(values)
    }
    keys = zip(own["cmoc_id"], own["value"], strict=True)
    cell_hidden = pd.Series([flags.get(key, False) for key in keys], index=own.index)
    of_value = dict(zip(values, table.register_hidden, strict=True))
    return cell_hidden, own["value"].map(of_value).astype(bool)


def marked_suppressed(table: pd.DataFrame, marker: str = SUPPRESSED) -> pd.DataFrame:
    """The suppressed table as the CSV and workbook print it: every hidden count shows the
    build's one suppression marker (as the report's tables and figures do), not a blank a
    reader could take for missing or zero."""
    out = table.astype({c: object for c in ("registered", "participants", "excerpts", "share")})
    for column in ("participants", "excerpts", "share"):
        out.loc[table["suppressed"], column] = marker
    out.loc[table["registered"].isna(), "registered"] = marker
    return out


def suppress_small_cells(table: pd.DataFrame, min_cell_size: int) -> pd.DataFrame:
    """Hide counts that could identify people: fewer than k, plus complementary cells until no
    hidden count can be worked out from what is published (realist_report.privacy.disclosure).

    Register counts of fewer than k are hidden, with every cell of their column in the tables
    (a cell is a floor under its register count); participant counts of fewer than k per CMOC
    and attribute. Zero counts are shown. Hidden cells show no counts and no excerpt ids
    (those stay traceable through cmoc_links by the team holding the data).
    """
    k = int(min_cell_size)
    out = table.copy()
    out["suppressed"] = False
    out["register_hidden"] = False
    for _, own in out.groupby("attribute", sort=False):
        cell_hidden, register_hidden = _protect_attribute(own, k)
        out.loc[own.index, "suppressed"] = cell_hidden
        out.loc[own.index, "register_hidden"] = register_hidden
    out["suppressed"] = out["suppressed"].astype(bool)
    out["register_hidden"] = out["register_hidden"].astype(bool)
    primary = out["suppressed"] & _small(out["participants"], k)
    out["suppression"] = ""
    out.loc[out["suppressed"], "suppression"] = "complementary: protects a hidden cell"
    out.loc[out["suppressed"] & out["register_hidden"], "suppression"] = (
        f"subgroup has fewer than {k} registered, or hides one that has"
    )
    out.loc[primary, "suppression"] = f"fewer than {k} participants"
    out["share"] = (out["participants"] / out["registered"].where(out["registered"] > 0)).round(3)
    for column in ["participants", "excerpts"]:
        out[column] = out[column].astype("Int64").mask(out["suppressed"])
    out["share"] = out["share"].astype("Float64").mask(out["suppressed"])
    out["registered"] = out["registered"].astype("Int64").mask(out["register_hidden"])
    out["excerpt_ids"] = out["excerpt_ids"].where(~out["suppressed"], "")
    out["suppressed"] = out["suppressed"].astype(bool)
    columns = [
        "cmoc_id", "attribute", "value", "registered", "participants", "excerpts", "share",
        "suppressed", "suppression", "cmoc_participants", "excerpt_ids",
    ]  # fmt: skip
    return out[columns]


# ---------------------------------------------------------------- change over time


def wave_pools(participants: pd.DataFrame, roles: list[str]) -> dict[str, int]:
    """Registered participants of the given roles per wave: the denominators of wave shares."""
    waves = participants.assign(wave=participants["waves"].str.split(";")).explode("wave")
    waves = waves[waves["role"].isin(roles)]
    return {wave: int((waves["wave"] == wave).sum()) for wave in WAVE_LABELS}


def compared_waves() -> tuple[str, str] | None:
    """The first and the last wave of the design (None with one wave: nothing to compare)."""
    ids = current_design().wave_ids
    return (ids[0], ids[-1]) if len(ids) > 1 else None


def roles_in_both_waves(
    participants: pd.DataFrame, pair: tuple[str, str] | None = None
) -> list[str]:
    """Roles interviewed at both waves of the pair (default: the first and the last): the only
    like-for-like comparison."""
    waves = participants.assign(wave=participants["waves"].str.split(";")).explode("wave")
    seen = waves.groupby("role")["wave"].agg(set)
    both = set(pair or compared_waves() or ())
    return sorted(role for role, found in seen.items() if both and both <= found)


def classify_change(
    baseline: int,
    baseline_pool: int,
    followup: int,
    followup_pool: int,
    thresholds: dict,
    pair: tuple[str, str] | None = None,
) -> tuple[str, str]:
    """New, strengthened, sustained, weakened, not seen again or no evidence, with the rule used.

    Compares the share of each wave's registered participants who gave confirming evidence, so a
    smaller later sample does not read as weakening. `pair` names the two waves (default: the
    first and the last); 'baseline' and 'followup' are the earlier and the later of them.
    """
    up, down = float(thresholds["strengthened_ratio"]), float(thresholds["weakened_ratio"])
    b_share = baseline / baseline_pool if baseline_pool else 0.0
    f_share = followup / followup_pool if followup_pool else 0.0
    first, last = (WAVE_LABELS.get(w, w) for w in pair or compared_waves() or ("first", "last"))
    shares = (
        f"{first} {baseline}/{baseline_pool} ({b_share:.1%}), "
        f"{last} {followup}/{followup_pool} ({f_share:.1%})"
    )
    if baseline == 0 and followup == 0:
        return "no evidence", f"no evidence: {shares}"
    if followup == 0:
        return "not seen again", f"not seen again: {shares}"
    if baseline == 0:
        return "new", f"new: {shares}"
    exact = Fraction(followup * baseline_pool, followup_pool * baseline)  # no rounding at ties
    ratio = float(exact)
    if exact >= Fraction(str(up)):
        return "strengthened", f"strengthened: {shares}; share ratio {ratio:.2f} \u2265 {up:g}"
    if exact <= Fraction(str(down)):
        return "weakened", f"weakened: {shares}; share ratio {ratio:.2f} \u2264 {down:g}"
    return "sustained", f"sustained: {shares}; share ratio {ratio:.2f} between {down:g} and {up:g}"


def _by_wave(evidence: pd.DataFrame, wave: str) -> tuple[set[str], pd.DataFrame]:
    own = evidence[evidence["wave"] == wave]
    return set(own["participant_id"].dropna()), own


#: wave_change.parquet's columns, one row per CMOC and compared pair of waves (every consecutive
#: pair, then the first against the last when there are more than two): 'from' is the pair's
#: earlier wave, 'to' its later one; 'lw' the followed roles (design.followed_roles) person by
#: person. `consecutive` and `first_to_last` say which comparison a row is (two waves: both).
WAVE_CHANGE_COLUMNS = [
    "cmoc_id", "from_wave", "to_wave", "consecutive", "first_to_last", "compared_roles",
    "from_pool", "to_pool", "from_participants", "to_participants", "from_excerpts",
    "to_excerpts", "change", "change_rule", "lw_from_participants", "lw_to_participants",
    "lw_from_excerpts", "lw_to_excerpts", "lw_continued", "lw_dropped", "lw_new",
    "lw_from_refuting", "lw_to_refuting", "lw_change", "lw_change_rule", "from_excerpt_ids",
    "to_excerpt_ids", "lw_excerpt_ids", "excerpt_ids",
]  # fmt: skip


def _compared_pair(
    own: pd.DataFrame, pools: dict[str, int], pair: tuple[str, str], thresholds: dict
) -> dict:
    """One group's evidence at the pair's two waves: participants, excerpts and the change."""
    first, last = pair
    from_people, from_rows = _by_wave(own, first)
    to_people, to_rows = _by_wave(own, last)
    change, rule = classify_change(
        len(from_people), pools[first], len(to_people), pools[last], thresholds, pair
    )
    return {
        "from_participants": len(from_people),
        "to_participants": len(to_people),
        "from_excerpts": len(from_rows),
        "to_excerpts": len(to_rows),
        "change": change,
        "change_rule": rule,
        "people": (from_people, to_people),
        "ids": (join_ids(from_rows["excerpt_ids"]), join_ids(to_rows["excerpt_ids"])),
    }


def _pair_rows(
    links: pd.DataFrame,
    participants: pd.DataFrame,
    definitions: Definitions,
    *,
    pair: tuple[str, str],
    thresholds: dict,
) -> list[dict]:
    """Every CMOC's row for one pair of waves: the roles seen at both, and the followed roles."""
    first, last = pair
    ids = current_design().wave_ids
    followed = list(current_design().followed_roles)
    compared = roles_in_both_waves(participants, pair)
    pools, lw_pools = wave_pools(participants, compared), wave_pools(participants, followed)
    confirmed = confirming(links)
    refuting = refuting_links(links)
    rows = []
    for cmoc_id in definitions.cmocs["cmoc_id"]:
        own = confirmed[(confirmed["cmoc_id"] == cmoc_id) & confirmed["role"].isin(compared)]
        lw = confirmed[(confirmed["cmoc_id"] == cmoc_id) & confirmed["role"].isin(followed)]
        lw_refuting = refuting[(refuting["cmoc_id"] == cmoc_id) & refuting["role"].isin(followed)]
        group = _compared_pair(own, pools, pair, thresholds)
        mine = _compared_pair(lw, lw_pools, pair, thresholds)
        (lw_from, lw_to), (from_ids, to_ids) = mine["people"], group["ids"]
        rows.append(
            {
                "cmoc_id": cmoc_id,
                "from_wave": first,
                "to_wave": last,
                "consecutive": ids.index(last) == ids.index(first) + 1,
                "first_to_last": (first, last) == (ids[0], ids[-1]),
                "compared_roles": ";".join(compared),
                "from_pool": pools[first],
                "to_pool": pools[last],
                **{k: v for k, v in group.items() if k not in ("people", "ids")},
                **{f"lw_{k}": mine[k] for k in ("from_participants", "to_participants")},
                **{f"lw_{k}": mine[k] for k in ("from_excerpts", "to_excerpts")},
                "lw_continued": len(lw_from & lw_to),
                "lw_dropped": len(lw_from - lw_to),
                "lw_new": len(lw_to - lw_from),
                "lw_from_refuting": int((lw_refuting["wave"] == first).sum()),
                "lw_to_refuting": int((lw_refuting["wave"] == last).sum()),
                "lw_change": mine["change"],
                "lw_change_rule": mine["change_rule"],
                "from_excerpt_ids": from_ids,
                "to_excerpt_ids": to_ids,
                "lw_excerpt_ids": join_ids([*lw["excerpt_ids"], *lw_refuting["excerpt_ids"]]),
                "excerpt_ids": join_ids(own["excerpt_ids"]),
            }
        )
    return rows


def wave_change(
    links: pd.DataFrame, participants: pd.DataFrame, definitions: Definitions, thresholds: dict
) -> pd.DataFrame:
    """Per CMOC and pair of waves (each consecutive pair, then first to last with more than two
    waves): support among the roles seen at both waves, and the followed roles person by person:
    continued (evidence at both), dropped (the earlier only) and new (the later only), plus their
    refuting units. One wave: no rows (nothing to compare)."""
    rows = [
        row
        for pair in current_design().wave_pairs
        for row in _pair_rows(links, participants, definitions, pair=pair, thresholds=thresholds)
    ]
    table = pd.DataFrame(rows, columns=WAVE_CHANGE_COLUMNS)
    if table.empty:
        return table
    table["rank"] = table["cmoc_id"].map(_cmoc_order(definitions))
    table = table.sort_values("rank", kind="stable").drop(columns="rank")
    return table.reset_index(drop=True)


def first_to_last(changes: pd.DataFrame) -> pd.DataFrame:
    """The rows comparing the first wave with the last: one per CMOC (none with one wave)."""
    return changes[changes["first_to_last"].astype(bool)].reset_index(drop=True)


# ---------------------------------------------------------------- one coding, one count

#: A REFI-QDA GUID opening an excerpt id: unique across projects, unlike a table's row ids.
GUID = re.compile(r"^[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}")


def check_batches_distinct(clean: pd.DataFrame) -> None:
    """Two batches holding the same REFI-QDA selections (one project exported twice, under two
    names) would count every shared coding twice: stop, naming both batches."""
    guids = clean["excerpt_id"].astype("string").str.extract(f"({GUID.pattern})", expand=False)
    pairs = pd.DataFrame({"guid": guids, "batch": clean["batch"]}).dropna().drop_duplicates()
    shared = pairs[pairs["guid"].duplicated(keep=False)]
    if shared.empty:
        return
    batches = sorted(shared["batch"].unique())
    raise InputFileError(
        "coded/",
        f"batches {', '.join(repr(b) for b in batches)} hold the same "
        f"{shared['guid'].nunique():,} REFI-QDA selections (same GUIDs, e.g. "
        f"{sorted(shared['guid'])[0]}): one project exported twice would count its codings "
        "twice; keep one of them in coded/",
    )


def counted_across_batches(links: pd.DataFrame, clean: pd.DataFrame, coders: str) -> pd.DataFrame:
    """The links of the codings that count when batches double-code the same sources in their
    own exports (coders.counted_codings across batches): each shard chose its batch's
    reference coder; a paired batch whose coder is not the group's reference is dropped here,
    so a source double-coded across exports counts once. Refuses a project exported twice."""
    from realist_report.analysis.coders import counted_codings
    from realist_report.ingest.batch_pairs import find_batch_pairs

    if clean["batch"].nunique() < 2 or links.empty:
        return links
    if coders != "reference":
        find_batch_pairs(clean)  # a re-export counts twice under any setting: refused
        return links
    kept = set(counted_codings(clean, coders)["excerpt_id"])
    counted = [any(i in kept for i in ids.split(";")) for ids in links["excerpt_ids"]]
    dropped = len(links) - sum(counted)
    if dropped:
        log.info("%d CMOC link(s) of second coders' own exports not counted as evidence", dropped)
    return links[pd.Series(counted, index=links.index, dtype=bool)].reset_index(drop=True)


# ---------------------------------------------------------------- rule adapter


def _read_evidence(
    clean_paths: list[str], link_paths: list[str], coders: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The clean tables' few columns the aggregation reads, and the links that count."""
    from realist_report.core.tables import read_parquet

    columns = ["collected_on", "excerpt_id", "batch", "source_id", "coder", "text", "start", "end"]
    clean = pd.concat(
        [pd.read_parquet(path, columns=columns) for path in clean_paths], ignore_index=True
    )
    links = combine_links([read_parquet(path) for path in link_paths])
    check_batches_distinct(clean)
    return clean, counted_across_batches(links, clean, coders)


def _quotes(
    links: pd.DataFrame,
    definitions: Definitions,
    clean: pd.DataFrame,
    *,
    quotes: dict,
    cmocs_path: str,
    quarantine_paths: list[str],
    groups: AttributionGroups,
) -> pd.DataFrame:
    """The team's pinned quotes (checked against the clean ids and the quarantine), then the
    rule's choice for the rest."""
    from realist_report.core.tables import read_parquet

    pins = {
        row.cmoc_id: row.quotes.split(";") for row in definitions.cmocs.itertuples() if row.quotes
    }
    quarantined = {}
    for path in quarantine_paths:
        for row in read_parquet(path).itertuples(index=False):
            if isinstance(row.excerpt_id, str):
                quarantined.setdefault(row.excerpt_id, row.reason)
    known = set(clean["excerpt_id"])
    team = pinned_quotes(links, pins, known, quarantined, str(cmocs_path), groups)
    chosen = select_quotes(links, definitions, **quotes, pinned=team, groups=groups)
    log.info(
        "quotes: %d pinned by the team for %d CMOCs, %d chosen by the rule",
        sum(len(v) for v in team.values()),
        len(team),
        int((chosen["chosen_by"] == "rule").sum()),
    )
    return chosen


def _log_results(
    summary: pd.DataFrame, changes: pd.DataFrame, subgroups: pd.DataFrame, min_cell_size: int
) -> None:
    """Each CMOC's counts, rating and change from the first wave to the last, in the rule log."""
    for row in summary.merge(first_to_last(changes)[["cmoc_id", "change"]]).itertuples(index=False):
        log.info(
            "%s: %d excerpts, %d participants, %d sites, %d roles -> %s (%s); over time: %s",
            row.cmoc_id, row.excerpts, row.participants, row.sites, row.roles, row.strength,
            row.refuting_rule, row.change,
        )  # fmt: skip
    log.info(
        "for whom: %d of %d subgroup cells suppressed (k = %d)",
        int(subgroups["suppressed"].sum()), len(subgroups), min_cell_size,
    )  # fmt: skip


def run_aggregate(
    clean_paths: list[str],
    participants_path: str,
    codebook_path: str,
    cmocs_path: str,
    *,
    linking: dict,
    strength: list[dict],
    refuting: dict | None = None,
    quotes: dict,
    for_whom: dict,
    min_cell_size: int,
    change_thresholds: dict,
    outputs: dict[str, str],
    link_paths: list[str],
    quarantine_paths: list[str] | None = None,
    sites_path: str | None = None,
    min_attribution: int | None = None,
    suppressed_marker: str = SUPPRESSED,
) -> None:
    """Rule adapter: link, count, rate and quote; write parquet for the pipeline, CSV for reviewers
    (suppressed "for whom" counts print `suppressed_marker` there).

    The links come from the link_site_evidence shards (`link_paths`, see realist_report.analysis.linking)
    and only the clean tables' `excerpt_id` and `collected_on` columns are read (pinned quotes are
    checked against the ids, the snapshot date is the latest collection date).
    """
    from realist_report.core.definitions import load_definitions
    from realist_report.core.tables import read_parquet

    definitions = load_definitions(codebook_path, cmocs_path)
    participants = read_parquet(participants_path)
    clean, links = _read_evidence(clean_paths, link_paths, linking.get("coders", "reference"))
    summary = summarise_cmocs(links, definitions, strength, refuting)
    groups = attribution_groups(
        participants,
        read_parquet(sites_path) if sites_path else None,
        attribution_size({"min_cell_size": min_cell_size, "min_attribution": min_attribution}),
    )
    chosen = _quotes(
        links, definitions, clean, quotes=quotes, cmocs_path=cmocs_path,
        quarantine_paths=quarantine_paths or [], groups=groups,
    )  # fmt: skip
    subgroups = suppress_small_cells(
        subgroup_evidence(links, participants, definitions, **for_whom), min_cell_size
    )
    changes = wave_change(links, participants, definitions, change_thresholds)
    log.info(
        "%d coded rows -> %d CMOC evidence links (window: %s)",
        len(clean), len(links), linking["window"],
    )  # fmt: skip
    _log_results(summary, changes, subgroups, min_cell_size)
    # by-site counts as the attribution rule keys them (attribution.published_place)
    matrix = evidence_matrix(with_published_places(links, groups), definitions)
    tables = {"summary": summary, "matrix": matrix, "subgroups": subgroups,
              "wave_change": changes}  # fmt: skip
    units = evidence_units(links, definitions)
    published = published_units(units, groups, source_labels(units, register_key(participants)))
    _write_outputs(outputs, links, (units, published), tables, chosen, clean, suppressed_marker)


def _write_outputs(
    outputs: dict[str, str],
    links: pd.DataFrame,
    units: tuple[pd.DataFrame, pd.DataFrame],
    tables: dict[str, pd.DataFrame],
    chosen: pd.DataFrame,
    clean: pd.DataFrame,
    suppressed_marker: str,
) -> None:
    """Parquet for the pipeline, CSV for reviewers (suppressed counts print the marker), and
    the snapshot date; `units`: the evidence units as linked (for the explorer and trace) and
    as published (keyed source labels, places by the attribution rule)."""
    from realist_report.core.tables import write_csv, write_json, write_parquet

    write_parquet(links, outputs["links"])
    write_parquet(units[0], outputs["evidence_units_parquet"])  # the explorer's and trace's input
    write_csv(units[1], outputs["evidence_units"])
    for name, table in tables.items():
        write_parquet(table, outputs[f"{name}_parquet"])
        shown = marked_suppressed(table, suppressed_marker) if name == "subgroups" else table
        write_csv(shown, outputs[name])
    write_csv(chosen, outputs["quotes"])
    write_json(
        {"snapshot_date": str(clean["collected_on"].dropna().max()), "clean_rows": len(clean)},
        outputs["snapshot"],
    )
