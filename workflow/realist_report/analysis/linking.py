"""Linking: coded excerpts to evidence units, units to CMOCs, and the site-group shards.

Every link keeps `excerpt_ids` (';'-joined, sorted) so a reviewer can trace any number back to
the codings behind it. The unit of evidence ("excerpt" in counts) is one linked passage: a
coded segment, a group of overlapping segments, or a whole source, as `linking.window` says.

Linking is sharded by batch and site group, so N cores (or a cluster) share the work. An
evidence unit never crosses a source and a source belongs to one batch, so the links of each
(batch, site group) shard are exactly the rows `link_evidence` gives for the whole data set, and
aggregation only concatenates them. Sites are put in groups by a stable hash of their id: a
laptop keeps a few groups (few processes to start), a cluster raises `sharding.site_groups`.
"""

from __future__ import annotations

import itertools
import logging
import zlib
from collections.abc import Iterable

import pandas as pd

from realist_report.core.definitions import PARTS, Definitions
from realist_report.core.vocabulary import CONFIRMING_STANCES, REFUTES, SUPPORTING_MATCHES

log = logging.getLogger(__name__)

WINDOWS = ("segment", "overlap", "source")
UNIT_COLUMNS = [
    "unit_id", "batch", "source_id", "source_type", "participant_id", "role", "site_id", "wave",
]  # fmt: skip
LINK_COLUMNS = [
    "cmoc_id", "unit_id", "match", "stance", "parts", "excerpt_ids", "segment_ids",
    *UNIT_COLUMNS[1:], "text", "collected_on",
]  # fmt: skip


def join_ids(values: Iterable) -> str:
    """Sorted, de-duplicated ';'-joined ids (missing values skipped), so order never matters."""
    ids: set[str] = set()
    for value in values:
        if isinstance(value, str) and value:
            ids.update(value.split(";"))
    return ";".join(sorted(ids))


def joined_ids_by(frame: pd.DataFrame, keys: list[str], column: str) -> pd.Series:
    """`frame.groupby(keys)[column].agg(join_ids)` without a pandas Series per group.

    At national scale there are hundreds of thousands of groups; one Python call per group on an
    Arrow-backed Series costs minutes, this costs a sort. Groups with no id get ''.
    """
    ids = frame[[*keys, column]].dropna(subset=[column])
    usable = [isinstance(value, str) and value != "" for value in ids[column]]
    ids = ids.loc[pd.Series(usable, index=ids.index, dtype=bool)]
    if ids[column].str.contains(";", regex=False).any():
        ids = ids.assign(**{column: ids[column].str.split(";")}).explode(column)
        ids = ids[ids[column] != ""]
    ids = ids.drop_duplicates().sort_values([*keys, column])
    key_rows = list(zip(*(ids[key].tolist() for key in keys), strict=True))
    joined: dict[tuple, str] = {}
    for key, group in itertools.groupby(
        zip(key_rows, ids[column].tolist(), strict=True), key=_first
    ):
        joined[key] = ";".join(value for _, value in group)
    index = frame[keys].drop_duplicates().set_index(keys).index
    return pd.Series(
        [joined.get(key if len(keys) > 1 else (key,), "") for key in index],
        index=index,
        dtype="str",
    )


def _first(pair: tuple) -> object:
    """The key of a (key, value) pair, for itertools.groupby."""
    return pair[0]


def _part_flags(hits: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per group of `keys`: whether any hit is direct, and which of C, M and O it carries."""
    flags = hits[keys].assign(
        **{name: hits["part"].eq(name).fillna(False).astype(bool) for name in ("direct", *PARTS)}
    )
    return flags.groupby(keys).max()


def count_ids(joined: str) -> int:
    """How many ids a ';'-joined id list holds."""
    return len(joined.split(";")) if joined else 0


# ---------------------------------------------------------------- linking


def assign_units(clean: pd.DataFrame, window: str) -> pd.Series:
    """The evidence unit of each coding: its segment, its overlap group, or its source.

    Units never cross sources, and a unit's id depends only on its own source's rows, so linking
    can be sharded by batch or site. Overlap groups chain (A overlaps B, B overlaps C: one unit);
    segments without offsets stay units of their own; end offsets are exclusive.
    """
    if window not in WINDOWS:
        raise ValueError(f"linking window must be one of {WINDOWS}, not {window!r}")
    if window == "segment":
        return clean["segment_id"].copy()
    source_key = clean["batch"] + "/" + clean["source_id"]
    if window == "source":
        return source_key
    spans = clean[["segment_id", "start", "end"]].assign(source=source_key)
    spans = spans.drop_duplicates("segment_id").sort_values(
        ["source", "start", "end", "segment_id"], na_position="last"
    )
    end = spans["end"].fillna(-1).astype("int64")
    reach = end.groupby(spans["source"]).cummax().groupby(spans["source"]).shift()
    new_group = reach.isna() | (spans["start"].fillna(-1) >= reach) | spans["start"].isna()
    number = new_group.astype("int64").groupby(spans["source"]).cumsum()
    first_segment = spans["segment_id"].groupby([spans["source"], number]).transform("first")
    group = spans["source"] + "#" + first_segment
    return clean["segment_id"].map(dict(zip(spans["segment_id"], group, strict=True)))


def _cmoc_hits(codings: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """Every coding that carries a CMOC's C, M or O code, or codes the CMOC directly."""
    parts = codings.merge(definitions.cmoc_parts, left_on="code", right_on="code_id")
    direct_codes = definitions.codes.dropna(subset=["direct_cmoc"])
    direct = codings.merge(
        direct_codes[["code_id", "direct_cmoc"]], left_on="code", right_on="code_id"
    ).rename(columns={"direct_cmoc": "cmoc_id"})
    columns = ["cmoc_id", "unit_id", "segment_id", "excerpt_id", "part"]
    return pd.concat(
        [parts[columns[:-1] + ["part"]], direct.assign(part="direct")[columns]],
        ignore_index=True,
    )


def _lead_segments(hits: pd.DataFrame, segments: pd.DataFrame) -> pd.DataFrame:
    """Per (CMOC, unit) the segment that best shows the link: direct, then most parts, then first."""
    flags = _part_flags(hits, ["cmoc_id", "unit_id", "segment_id"])
    per_segment = flags[["direct"]].assign(n_parts=flags[list(PARTS)].sum(axis=1)).reset_index()
    per_segment = per_segment.merge(segments[["segment_id", "start"]], on="segment_id")
    per_segment = per_segment.sort_values(
        ["cmoc_id", "unit_id", "direct", "n_parts", "start", "segment_id"],
        ascending=[True, True, False, False, True, True],
        na_position="last",
    )
    return per_segment.drop_duplicates(["cmoc_id", "unit_id"])[["cmoc_id", "unit_id", "segment_id"]]


def _stances(
    hits: pd.DataFrame, codings: pd.DataFrame, definitions: Definitions, window: str
) -> pd.DataFrame:
    """Per (CMOC, unit): refutes > refines > supports, from marker codes, and the markers' ids.

    A marker counts where it is coded: on the same unit (segment or overlap group) or, when the
    window is a whole source, on one of the segments that carry the CMOC's codes.
    """
    key = "segment_id" if window == "source" else "unit_id"
    markers = codings[codings["code"].isin(list(definitions.markers))]
    markers = markers.assign(stance=markers["code"].map(definitions.markers))
    marked = (
        hits[list(dict.fromkeys(["cmoc_id", "unit_id", key]))]
        .drop_duplicates()
        .merge(markers[[key, "stance", "excerpt_id"]], on=key)
    )
    keys = ["cmoc_id", "unit_id"]
    refutes = marked["stance"].eq("refutes").groupby([marked[k] for k in keys]).max()
    by_link = pd.DataFrame({"stance": refutes.map({True: "refutes", False: "refines"})})
    by_link["marker_ids"] = joined_ids_by(marked, keys, "excerpt_id")
    return by_link.reset_index()


def link_evidence(
    clean: pd.DataFrame,
    definitions: Definitions,
    *,
    window: str = "segment",
    count_partial: bool = True,
) -> pd.DataFrame:
    """One row per (CMOC, evidence unit): how it matched (direct, full, partial) and its stance.

    A pure function of the rows it is given: the links of one source never depend on another
    source's rows, and the result does not depend on row order.
    """
    if clean.empty:
        return pd.DataFrame(columns=LINK_COLUMNS)
    codings = clean.assign(unit_id=assign_units(clean, window)).sort_values("excerpt_id")
    segments = codings.drop_duplicates("segment_id")
    hits = _cmoc_hits(codings, definitions)
    keys = ["cmoc_id", "unit_id"]
    flags = _part_flags(hits, keys)
    links = pd.DataFrame(
        {
            "direct": flags["direct"],
            "parts": [
                ";".join(part for part, present in zip(PARTS, row, strict=True) if present)
                for row in zip(*(flags[part] for part in PARTS), strict=True)
            ],
        },
        index=flags.index,
    )
    links["excerpt_ids"] = joined_ids_by(hits, keys, "excerpt_id")
    links["segment_ids"] = joined_ids_by(hits, keys, "segment_id")
    links = links.reset_index()
    n_parts = links["parts"].map(count_ids)
    links["match"] = "none"
    links.loc[n_parts == 2, "match"] = "partial"
    links.loc[n_parts == 3, "match"] = "full"
    links.loc[links["direct"], "match"] = "direct"
    keep = links["match"].isin(["full", "direct", *(["partial"] if count_partial else [])])
    links = links[keep].drop(columns="direct")
    links = links.merge(_stances(hits, codings, definitions, window), how="left")
    links["stance"] = links["stance"].fillna("supports")
    links["excerpt_ids"] = [
        join_ids([ids, extra])
        for ids, extra in zip(links["excerpt_ids"], links["marker_ids"], strict=True)
    ]
    lead = _lead_segments(hits, segments)
    attributes = segments[["segment_id", *UNIT_COLUMNS[1:], "text", "collected_on"]]
    links = links.merge(lead, on=["cmoc_id", "unit_id"]).merge(attributes, on="segment_id")
    return links[LINK_COLUMNS].sort_values(["cmoc_id", "unit_id"]).reset_index(drop=True)


def confirming(links: pd.DataFrame) -> pd.DataFrame:
    """Links that count for a CMOC: full or direct matches that support or refine it."""
    return links[links["match"].isin(SUPPORTING_MATCHES) & links["stance"].isin(CONFIRMING_STANCES)]


def refuting_links(links: pd.DataFrame) -> pd.DataFrame:
    """Links that refute a CMOC as the summary counts them: full or direct matches."""
    return links[links["match"].isin(SUPPORTING_MATCHES) & (links["stance"] == REFUTES)]


# ---------------------------------------------------------------- shards by site group

#: A source is kept whole: its shard follows the first site id (in sort order) its rows give.
SOURCE_KEY = ["batch", "source_id"]


def site_group(site_id: str, groups: int) -> int:
    """The group a site belongs to: CRC-32 of its id modulo the group count (stable everywhere)."""
    if groups < 1:
        raise ValueError(f"sharding.site_groups must be at least 1, not {groups}")
    return zlib.crc32(str(site_id).encode("utf-8")) % groups


def shard_names(groups: int) -> list[str]:
    """Wildcard values of the site groups: '0', '1', ... (one shard per group)."""
    return [str(group) for group in range(groups)]


def rows_in_group(clean: pd.DataFrame, group: int, groups: int) -> pd.DataFrame:
    """The coded rows of every source whose site falls in the given group."""
    if clean.empty:
        return clean
    source_site = clean.groupby(SOURCE_KEY, sort=False)["site_id"].transform("min")
    lookup = {site: site_group(site, groups) for site in source_site.unique()}
    return clean[source_site.map(lookup) == group]


def window_warning(clean: pd.DataFrame, window: str) -> str | None:
    """Why a batch can give no co-coded evidence under the window, and which window would: a
    tool that exports one code per highlight (Taguette) has one code per segment, and without
    positions no two segments overlap."""
    if window == "source" or clean.empty:
        return None
    codes_per_unit = clean.groupby(assign_units(clean, window))["code"].nunique()
    if codes_per_unit.max() > 1:
        return None
    positioned = clean["start"].notna().any()
    better = "overlap" if window == "segment" and positioned else "source"
    found = "one code per segment" + ("" if positioned else " and no positions")
    return (
        f"every {window} unit of this batch carries a single code ({found}), so no context, "
        f"mechanism and outcome codes can meet under linking.window '{window}' and only codings "
        f"made to a CMOC directly count; linking.window '{better}' would link them"
    )


def link_shard(
    clean: pd.DataFrame, definitions: Definitions, group: int, groups: int, linking: dict
) -> pd.DataFrame:
    """CMOC links of one site group's rows: the same rows whole-data-set linking gives for them.

    `clean` is a whole batch: with `linking.coders` 'reference' (the default) a double-coded
    source counts once, by its reference coder (`coders.evidence_codings`, chosen over the batch
    before the rows are split by site); with 'every' every coding counts.
    """
    from realist_report.analysis.coders import counted_codings

    options = dict(linking)
    clean = counted_codings(clean, options.pop("coders", "reference"))
    return link_evidence(rows_in_group(clean, group, groups), definitions, **options)


def combine_links(shards: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate link shards in the order whole-data-set linking returns them."""
    frames = [frame for frame in shards if len(frame)] or shards[:1]
    links = pd.concat(frames, ignore_index=True)
    return links.sort_values(["cmoc_id", "unit_id"]).reset_index(drop=True)


def run_link_shard(
    clean_path: str,
    codebook_path: str,
    cmocs_path: str,
    *,
    group: int,
    groups: int,
    linking: dict,
    out: str,
) -> None:
    """Rule adapter: link one batch's rows of one site group to CMOCs and write the shard."""
    from realist_report.core.definitions import load_definitions
    from realist_report.core.tables import read_parquet, write_parquet

    clean = read_parquet(clean_path)
    warning = window_warning(clean, linking.get("window", "segment")) if group == 0 else None
    if warning:
        log.warning("%s", warning)
    links = link_shard(clean, load_definitions(codebook_path, cmocs_path), group, groups, linking)
    log.info(
        "site group %d of %d: %d coded rows in the batch -> %d CMOC evidence links",
        group + 1, groups, len(clean), len(links),
    )  # fmt: skip
    write_parquet(links, out)
