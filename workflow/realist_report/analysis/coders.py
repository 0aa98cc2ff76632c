"""Whose codings count as evidence when two or more coders coded the same source, in one
export or each in their own (batches paired by batch_pairs.py count as one batch here).

A double-coded source counts once: only its reference coder's codings are linked to CMOCs
(`evidence_codings`, applied by linking before a batch is split into site-group shards). The
reference coder is, among the source's coders, the one who coded the most sources of its batch
(the team's main coder; a second coder usually codes a sample), then the one with the most
codings of the source, then the first name in sort order. A second coder's codings serve coder
agreement only (`agreement.py`), so CMOC counts and ratings are the same with and without them.
Names are compared here, never returned or logged.
"""

from __future__ import annotations

import logging

import pandas as pd

log = logging.getLogger(__name__)

#: A source: units, coders and evidence never cross it.
SOURCE = ["batch", "source_id"]


def coder_keys(clean: pd.DataFrame) -> pd.Series:
    """Each coding's coder as a key; '' where the export names none (such a coding is nobody's
    second coding: it always counts as evidence and stays out of agreement)."""
    return clean["coder"].astype("string").fillna("").str.strip()


def reference_coders(clean: pd.DataFrame) -> pd.DataFrame:
    """Per source (batch, source_id): the coder whose codings count as evidence.

    The coder, of the source's coders, who coded the most sources of the batch; then the one with
    the most codings of this source; then the first name in sort order (never printed).
    """
    rows = clean[SOURCE].assign(coder=coder_keys(clean))
    rows = rows[rows["coder"] != ""]
    per_source = rows.groupby([*SOURCE, "coder"]).size().rename("codings").reset_index()
    batch_sources = per_source.groupby(["batch", "coder"]).size().rename("batch_sources")
    per_source = per_source.join(batch_sources, on=["batch", "coder"])
    ranked = per_source.sort_values(
        [*SOURCE, "batch_sources", "codings", "coder"], ascending=[True, True, False, False, True]
    )
    return ranked.drop_duplicates(SOURCE)[[*SOURCE, "coder"]].reset_index(drop=True)


def evidence_codings(clean: pd.DataFrame) -> pd.DataFrame:
    """The codings that count as evidence: each source's reference coder's, so a double-coded
    source counts once (a data set with one coder per source comes back unchanged)."""
    if clean.empty:
        return clean
    if (coders_per_source(clean)["coders"] < 2).all():
        return clean
    coders = coder_keys(clean)
    reference = reference_coders(clean).set_index(SOURCE)["coder"]
    keys = pd.MultiIndex.from_frame(clean[SOURCE])
    keep = (coders.to_numpy() == reference.reindex(keys).to_numpy()) | coders.eq("").to_numpy()
    dropped = int((~keep).sum())
    log.info(
        "%d coding(s) of second coders kept for agreement only, not counted as evidence", dropped
    )
    return clean[keep]


def coders_per_source(clean: pd.DataFrame) -> pd.DataFrame:
    """batch, source_id and how many named coders coded the source (0: none named)."""
    rows = clean[SOURCE].assign(coder=coder_keys(clean).replace("", pd.NA))
    return rows.groupby(SOURCE)["coder"].nunique().rename("coders").reset_index()


def counted_codings(clean: pd.DataFrame, coders: str = "reference") -> pd.DataFrame:
    """The codings evidence counts under `linking.coders`: 'reference' (each double-coded
    source by its reference coder, `evidence_codings`) or 'every' (all codings). Linking,
    co-occurrence and coder agreement all ask here, so they count the same codings."""
    if coders not in ("reference", "every"):
        raise ValueError(f"linking.coders must be 'reference' or 'every', not {coders!r}")
    if coders == "every":
        return clean
    kept = evidence_codings(clean)
    if clean.empty or clean["batch"].nunique() < 2:
        return kept
    return across_batches(kept, clean)


def across_batches(kept: pd.DataFrame, clean: pd.DataFrame) -> pd.DataFrame:
    """Each batch's reference codings (`kept`), then the reference rule again over every group
    of batches that double-code the same sources in their own exports (batch_pairs.py), so
    such a source counts once, as it would in one export."""
    from realist_report.ingest.batch_pairs import batch_groups, group_batches

    groups = batch_groups(clean)
    if not groups:
        return kept
    chosen = evidence_codings(group_batches(kept, groups))
    log.info(
        "%d coding(s) of second coders in their own exports kept for agreement only",
        len(kept) - len(chosen),
    )
    return kept.loc[chosen.index]
