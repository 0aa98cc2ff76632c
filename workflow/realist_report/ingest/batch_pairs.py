"""Double coding across exports: batches that code the same sources with different coders.

Teams often double-code by each coder exporting their own copy of the project: two batches,
the same source names, overlapping coded text, different coders. Read as independent batches,
both coders' codings would count as evidence. Such batches are paired into one group (named
'A + B'): the reference-coder rule (coders.py) and coder agreement (agreement.py) then treat
the group as one batch, so a double-coded source counts once. Two batches that share sources
and a coder (one project exported twice, or edited and exported again) would count that
coder's codings twice and are refused; so are shared sources whose exports name no coder.
Coders are compared here, never named.
"""

from __future__ import annotations

import itertools
import logging

import pandas as pd

from realist_report.core.errors import InputFileError
from realist_report.core.ids import stable_id

log = logging.getLogger(__name__)

PAIR_COLUMNS = ["group", "batch", "paired_with", "shared_sources"]
#: How far apart two batch names are joined in a group's name.
GROUP_JOIN = " + "


def _spans_overlap(mine: pd.DataFrame, theirs: pd.DataFrame) -> bool:
    """Whether any coded span of one overlaps one of the other: character ranges where both
    have them, else one passage inside the other (exports with paragraphs or no positions)."""
    a = mine.dropna(subset=["start", "end"])
    b = theirs.dropna(subset=["start", "end"])
    for x, y in itertools.product(
        zip(a["start"], a["end"], strict=True), zip(b["start"], b["end"], strict=True)
    ):
        if int(x[0]) < int(y[1]) and int(y[0]) < int(x[1]):
            return True
    texts_a = {" ".join(str(t).split()).casefold() for t in mine["text"].dropna()}
    texts_b = {" ".join(str(t).split()).casefold() for t in theirs["text"].dropna()}
    if texts_a & texts_b:
        return True
    return any(s in t or t in s for s in texts_a for t in texts_b if s and t)


def shared_sources(clean: pd.DataFrame, first: str, second: str) -> list[str]:
    """Sources both batches code, with overlapping coded text (same name alone is not enough:
    two studies may both have an 'Interview 1')."""
    mine, theirs = clean[clean["batch"] == first], clean[clean["batch"] == second]
    names = sorted(set(mine["source_id"]) & set(theirs["source_id"]))
    return [
        name
        for name in names
        if _spans_overlap(mine[mine["source_id"] == name], theirs[theirs["source_id"] == name])
    ]


def _coders(rows: pd.DataFrame) -> set[str]:
    return set(rows["coder"].astype("string").fillna("").str.strip()) - {""}


def _check_pair(clean: pd.DataFrame, first: str, second: str, sources: list[str]) -> None:
    """Refuse a pair that shares a coder (a re-export) or whose shared sources name none."""
    rows = clean[clean["source_id"].isin(sources)]
    mine, theirs = _coders(rows[rows["batch"] == first]), _coders(rows[rows["batch"] == second])
    if mine & theirs or not mine or not theirs:
        why = "and the same coder" if mine & theirs else "and their codings name no coder"
        raise InputFileError(
            "coded/",
            f"batches '{first}' and '{second}' code the same {len(sources)} source(s) with "
            f"overlapping text {why}: one project exported twice would count its codings "
            "twice; keep one of them in coded/ (two coders' own exports of one project are "
            "read as double coding when each names its coder)",
        )


def find_batch_pairs(clean: pd.DataFrame) -> pd.DataFrame:
    """Groups of batches that double-code the same sources (PAIR_COLUMNS, one row per batch
    in a group); refuses re-exports (see the module notes). Empty when no batches pair."""
    batches = sorted(clean["batch"].unique()) if len(clean) else []
    links: dict[str, set[str]] = {batch: {batch} for batch in batches}
    shared: dict[str, int] = {}
    for first, second in itertools.combinations(batches, 2):
        sources = shared_sources(clean, first, second)
        if not sources:
            continue
        _check_pair(clean, first, second, sources)
        merged = links[first] | links[second]
        for batch in merged:
            links[batch] = merged
        for batch in (first, second):
            shared[batch] = shared.get(batch, 0) + len(sources)
    rows = []
    for batch in batches:
        if len(links[batch]) > 1:
            group = GROUP_JOIN.join(sorted(links[batch]))
            others = "; ".join(sorted(links[batch] - {batch}))
            rows.append([group, batch, others, shared[batch]])
    pairs = pd.DataFrame(rows, columns=PAIR_COLUMNS)
    for group, own in pairs.groupby("group"):
        log.info(
            "batches %s code the same sources with different coders: read as double coding "
            "across exports (%d shared source(s) per batch: %s)",
            group, own["shared_sources"].iloc[0], ", ".join(map(str, own["shared_sources"])),
        )  # fmt: skip
    return pairs


def batch_groups(clean: pd.DataFrame) -> dict[str, str]:
    """batch -> its group's name, for batches paired with another (find_batch_pairs)."""
    pairs = find_batch_pairs(clean)
    return dict(zip(pairs["batch"], pairs["group"], strict=True))


def group_batches(clean: pd.DataFrame, groups: dict[str, str]) -> pd.DataFrame:
    """Codings with each paired batch relabelled as its group, and segment ids recomputed, so
    two coders' codings of one span in their own exports share a unit as in one export."""
    if not groups:
        return clean
    grouped = clean.assign(batch=clean["batch"].map(groups).fillna(clean["batch"]))
    if "segment_id" in grouped.columns:
        parts = ["batch", "source_id", "start", "end", "text"]
        moved = grouped["batch"].ne(clean["batch"])
        grouped.loc[moved, "segment_id"] = [
            stable_id(*values)
            for values in zip(*(grouped.loc[moved, c].tolist() for c in parts), strict=True)
        ]
    return grouped
