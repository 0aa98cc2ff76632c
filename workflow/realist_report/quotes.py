"""Exemplar quotes: the team's pinned quotes checked against the evidence, then the rule's
choice (length, spread over role groups, no near copies), each attributed by role, site and wave.
"""

from __future__ import annotations

import re
from collections.abc import Collection

import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz import process as rf_process
from rapidfuzz import utils as rf_utils

from realist_report.attribution import AttributionGroups, attributed_parts
from realist_report.definitions import Definitions
from realist_report.errors import PipelineError
from realist_report.linking import confirming
from realist_report.vocabulary import CONFIRMING_STANCES, SUPPORTING_MATCHES

QUOTE_COLUMNS = [
    "cmoc_id", "quote_number", "text", "attribution", "excerpt_id", "excerpt_ids", "unit_id",
    "match", "stance", "site_id", "role", "wave", "chosen_by",
]  # fmt: skip
#: Who chose a printed quote: the team (pinned by excerpt id in cmocs.yaml) or the rule below.
CHOSEN_BY = ("team", "rule")


class QuoteError(PipelineError):
    """A quote the team pinned cannot be printed: the id is unknown, quarantined or off-topic."""


def _quote_row(
    row: dict,
    number: int,
    chosen_by: str,
    groups: AttributionGroups | None,
    excerpt_id: str | None = None,
) -> dict:
    """A printed quote; `excerpt_id` is the id it is cited by (the pinned one, else the first).
    Site and wave are kept only where the attribution rule prints them (attribution.py)."""
    parts = attributed_parts(row["role"], row["site_id"], row["wave"], groups)
    return {
        **{key: row[key] for key in QUOTE_COLUMNS if key in row},
        "excerpt_id": excerpt_id or str(row["excerpt_ids"]).split(";")[0],
        "quote_number": number,
        "attribution": parts.label(),
        "site_id": row["site_id"] if parts.place else None,
        "wave": row["wave"] if parts.wave else None,
        "chosen_by": chosen_by,
    }


def pinned_quotes(
    links: pd.DataFrame,
    pins: dict[str, list[str]],
    known_ids: Collection[str],
    quarantined: dict[str, str],
    source: str = "cmocs.yaml",
    groups: AttributionGroups | None = None,
) -> dict[str, list[dict]]:
    """The quotes the team pinned per CMOC, each checked: it exists, was not quarantined and
    supports (or refines) that CMOC. Anything else stops the build naming CMOC, id and why."""
    by_id: dict[tuple[str, str], list[dict]] = {}
    for row in links.to_dict("records"):
        for excerpt_id in str(row["excerpt_ids"]).split(";"):
            by_id.setdefault((row["cmoc_id"], excerpt_id), []).append(row)
    supporting = set(SUPPORTING_MATCHES)
    chosen: dict[str, list[dict]] = {}
    for cmoc_id, ids in pins.items():
        own: list[dict] = []
        for excerpt_id in ids:
            where = f"{source}: {cmoc_id} pins the quote {excerpt_id}"
            if excerpt_id in quarantined:
                raise QuoteError(
                    f"{where}, but that excerpt was quarantined ({quarantined[excerpt_id]}; "
                    "see results/quarantine.csv): fix the row or pin another excerpt"
                )
            if excerpt_id not in known_ids:
                raise QuoteError(
                    f"{where}, but no coded excerpt has that id: copy the id from "
                    "results/cmoc_evidence_units.csv or `make trace CMOC=" + cmoc_id + "`"
                )
            rows = by_id.get((cmoc_id, excerpt_id), [])
            good = [
                r for r in rows if r["match"] in supporting and r["stance"] in CONFIRMING_STANCES
            ]
            if not good:
                how = (
                    f"it is linked only as {rows[0]['match']} evidence that {rows[0]['stance']} it"
                    if rows
                    else "it is not linked to this CMOC at all"
                )
                raise QuoteError(
                    f"{where}, but that excerpt does not support {cmoc_id} ({how}): pin an "
                    f"excerpt listed for {cmoc_id} in results/cmoc_summary.csv, column excerpt_ids"
                )
            own.append(_quote_row(good[0], len(own) + 1, "team", groups, excerpt_id))
        chosen[cmoc_id] = own
    return chosen


#: Sentence ends for the near-copy check (a shared sentence makes two quotes near copies).
SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
#: Sentences shorter than this many words ("Yes." "I know.") are too common to make a copy.
MIN_SHARED_SENTENCE_WORDS = 6


def _sentences(text: str) -> list[str]:
    """The sentences of a quote long enough to show that two quotes retell one passage."""
    return [s for s in SENTENCE_END.split(text) if len(s.split()) >= MIN_SHARED_SENTENCE_WORDS]


def _similar(text: str, others: list[str], max_similarity: float) -> bool:
    """True when `text` is at least `max_similarity` % similar (rapidfuzz ratio, case and
    punctuation ignored) to one of `others`."""
    if not others:
        return False
    best = rf_process.extractOne(
        text,
        others,
        scorer=fuzz.ratio,
        processor=rf_utils.default_process,
        score_cutoff=max_similarity,
    )
    return best is not None


def _near_copy(text: str, own: list[str], others: list[str], max_similarity: float) -> bool:
    """True when `text` is a near copy of a quote already chosen: at least `max_similarity` %
    similar as a whole to any printed quote (the same passage with a different opening), or, for
    the quotes of its own CMOC, sharing a sentence of six words or more that similar (one
    account told on with different words: two such quotes side by side read as one). Another
    CMOC may quote a passage that shares a sentence, since it illustrates another configuration."""
    if _similar(text, [*others, *own], max_similarity):
        return True
    theirs = [sentence for quote in own for sentence in _sentences(quote)]
    return bool(theirs) and any(_similar(s, theirs, max_similarity) for s in _sentences(text))


#: The rule's passes, strictest first: what a quote must add that the CMOC's quotes lack.
QUOTE_PASSES = (
    ("participant", "site", "role"),
    ("participant", "site"),
    ("participant",),
    (),
)


def select_quotes(
    links: pd.DataFrame,
    definitions: Definitions,
    *,
    per_cmoc: int = 2,
    min_chars: int = 60,
    max_chars: int = 420,
    allow_reuse: bool = False,
    max_similarity: float = 70,
    pinned: dict[str, list[dict]] | None = None,
    groups: AttributionGroups | None = None,
) -> pd.DataFrame:
    """Exemplar quotes: the team's pinned quotes where given, else a deterministic rule.

    The rule prefers full matches, then spreads quotes over participants, sites and role groups
    (passes in QUOTE_PASSES), never takes a near copy of a quote already printed (`max_similarity`)
    and breaks ties by the length nearest 200 characters, then the unit id. Without `allow_reuse`
    no unit or near copy serves two CMOCs. Pinned quotes are reserved first, so no rule-chosen quote repeats one.
    Each is attributed by `groups` (attribution.py); without them, by role alone.
    """
    pinned = pinned or {}
    candidates = confirming(links)
    candidates = candidates[candidates["text"].str.len().between(min_chars, max_chars)].assign(
        rank_match=lambda c: (c["match"] != "full").astype(int),
        rank_length=lambda c: (c["text"].str.len() - 200).abs(),
    )
    candidates = candidates.sort_values(["cmoc_id", "rank_match", "rank_length", "unit_id"])
    used_units = {q["unit_id"] for own in pinned.values() for q in own}
    used_texts = [q["text"] for own in pinned.values() for q in own]
    chosen: list[dict] = []
    for cmoc_id in definitions.cmocs["cmoc_id"]:
        if cmoc_id in pinned:
            chosen.extend(pinned[cmoc_id])
            continue
        seen: dict[str, set] = {"participant": set(), "site": set(), "role": set()}
        own: list[dict] = []
        pool = candidates[candidates["cmoc_id"] == cmoc_id].to_dict("records")
        for needs in QUOTE_PASSES:
            for row in pool:
                if len(own) >= per_cmoc:
                    break
                person = row["participant_id"] if isinstance(row["participant_id"], str) else None
                values = {"participant": person, "site": row["site_id"], "role": row["role"]}
                if any(q["unit_id"] == row["unit_id"] for q in own) or (
                    not allow_reuse and row["unit_id"] in used_units
                ):
                    continue
                if any(values[k] is not None and values[k] in seen[k] for k in needs):
                    continue
                others = [] if allow_reuse else used_texts
                if _near_copy(row["text"], [q["text"] for q in own], others, max_similarity):
                    continue
                for key, value in values.items():
                    if value is not None:
                        seen[key].add(value)
                own.append(_quote_row(row, len(own) + 1, "rule", groups))
        used_units.update(q["unit_id"] for q in own)
        used_texts.extend(q["text"] for q in own)
        chosen.extend(own)
    return pd.DataFrame(chosen, columns=QUOTE_COLUMNS)
