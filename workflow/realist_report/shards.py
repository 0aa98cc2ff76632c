"""Shard the CMOC linking step by batch and site group, so N cores (or a cluster) share the work.

An evidence unit never crosses a source and a source belongs to one batch, so the links of each
(batch, site group) shard are exactly the rows `cmo.link_evidence` gives for the whole data set,
and aggregation only concatenates them. Sites are put in groups by a stable hash of their id:
a laptop keeps a few groups (few processes to start), a cluster raises `sharding.site_groups`.
"""

from __future__ import annotations

import logging
import zlib

import pandas as pd

from realist_report.definitions import Definitions

log = logging.getLogger(__name__)

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


def link_shard(
    clean: pd.DataFrame, definitions: Definitions, group: int, groups: int, linking: dict
) -> pd.DataFrame:
    """CMOC links of one site group's rows: the same rows whole-data-set linking gives for them."""
    from realist_report.cmo import link_evidence

    return link_evidence(rows_in_group(clean, group, groups), definitions, **linking)


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
    from realist_report.cmo import link_evidence
    from realist_report.definitions import load_definitions
    from realist_report.tables import read_parquet, write_parquet

    rows = rows_in_group(read_parquet(clean_path), group, groups)
    links = link_evidence(rows, load_definitions(codebook_path, cmocs_path), **linking)
    log.info(
        "site group %d of %d: %d coded rows -> %d CMOC evidence links",
        group + 1, groups, len(rows), len(links),
    )  # fmt: skip
    write_parquet(links, out)
