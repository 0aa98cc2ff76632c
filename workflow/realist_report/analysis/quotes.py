"""Exemplar quotes: the team's pinned quotes checked against the evidence, then the rule's
choice (length, spread over role groups, no near copies), each attributed by role, site and wave.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz import process as rf_process
from rapidfuzz import utils as rf_utils

from realist_report.analysis.linking import confirming, refuting_links
from realist_report.core.definitions import Definitions
from realist_report.core.errors import PipelineError
from realist_report.core.vocabulary import CONFIRMING_STANCES, SUPPORTING_MATCHES
from realist_report.privacy.attribution import AttributionGroups, attributed_parts

QUOTE_COLUMNS = [
    "cmoc_id", "quote_number", "label", "text", "attribution", "excerpt_id", "excerpt_ids", "unit_id",
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


def sentences(text: str) -> list[str]:
    """The sentences of a text long enough to show that two passages retell one account (the
    report's repeated-sentence check reads printed text the same way)."""
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


@dataclass
class Printed:
    """What the quotes chosen so far print: units, whole texts and their long sentences. A
    candidate that retells any of them (as a whole, or in one sentence of six words or more,
    at least `max_similarity` % similar) would print a passage twice, so it is skipped."""

    max_similarity: float
    units: set = field(default_factory=set)
    texts: list = field(default_factory=list)
    sentences: list = field(default_factory=list)

    def add(self, quote: dict) -> None:
        self.units.add(quote["unit_id"])
        self.texts.append(quote["text"])
        self.sentences.extend(sentences(quote["text"]))

    def repeats(self, text: str) -> bool:
        if _similar(text, self.texts, self.max_similarity):
            return True
        return any(_similar(s, self.sentences, self.max_similarity) for s in sentences(text))


#: The rule's passes, strictest first: what a quote must add that the CMOC's quotes lack.
QUOTE_PASSES = (
    ("participant", "site", "role"),
    ("participant", "site"),
    ("participant",),
    (),
)


def _ranked(links: pd.DataFrame, min_chars: int, max_chars: int) -> pd.DataFrame:
    """Quotable links in the rule's order: full matches first, then the length nearest 200
    characters, then the unit id (so the choice never depends on row order)."""
    quotable = links[links["text"].str.len().between(min_chars, max_chars)].assign(
        rank_match=lambda c: (c["match"] != "full").astype(int),
        rank_length=lambda c: (c["text"].str.len() - 200).abs(),
    )
    return quotable.sort_values(["cmoc_id", "rank_match", "rank_length", "unit_id"])


@dataclass
class Picker:
    """One CMOC's ranked pool and its chosen quotes, spread over participants, sites and role
    groups (QUOTE_PASSES); `take` may be called again to add more in a later round."""

    pool: list[dict]
    groups: AttributionGroups | None
    chosen: list[dict] = field(default_factory=list)
    seen: dict = field(default_factory=lambda: {"participant": set(), "site": set(), "role": set()})

    def take(self, count: int, printed: Printed) -> list[dict]:
        """Up to `count` more quotes, none a unit or a retelling of anything in `printed`
        (which grows with each)."""
        wanted = len(self.chosen) + count
        for needs in QUOTE_PASSES:
            for row in self.pool:
                if len(self.chosen) >= wanted:
                    return self.chosen
                person = row["participant_id"] if isinstance(row["participant_id"], str) else None
                values = {"participant": person, "site": row["site_id"], "role": row["role"]}
                if row["unit_id"] in printed.units or printed.repeats(row["text"]):
                    continue
                if any(values[k] is not None and values[k] in self.seen[k] for k in needs):
                    continue
                for key, value in values.items():
                    if value is not None:
                        self.seen[key].add(value)
                self.chosen.append(_quote_row(row, len(self.chosen) + 1, "rule", self.groups))
                printed.add(self.chosen[-1])
        return self.chosen


def select_quotes(
    links: pd.DataFrame,
    definitions: Definitions,
    *,
    per_cmoc: int = 2,
    refuting_per_cmoc: int = 1,
    min_chars: int = 60,
    max_chars: int = 420,
    allow_reuse: bool = False,
    max_similarity: float = 70,
    pinned: dict[str, list[dict]] | None = None,
    groups: AttributionGroups | None = None,
) -> pd.DataFrame:
    """Exemplar quotes: per CMOC the team's pinned quotes where given, else `per_cmoc` chosen by
    a deterministic rule, then `refuting_per_cmoc` refuting quotes where refuting evidence
    exists (the stance column says which).

    No printed passage is printed twice: pinned quotes are reserved first, then the refuting
    ones (they are scarce), then the supporting ones, each skipping any excerpt that repeats a
    unit, a quote or a sentence of six words or more already chosen for any CMOC (`Printed`).
    With `allow_reuse` that holds within each CMOC only. Each quote is attributed by `groups`
    (attribution.py); without them, by role alone; `label` is its short reference (E1, E2...).
    """
    pinned = pinned or {}
    supporting = _ranked(confirming(links), min_chars, max_chars)
    refuting = _ranked(refuting_links(links), min_chars, max_chars)
    cmoc_ids = list(definitions.cmocs["cmoc_id"])
    every = Printed(max_similarity)
    for quote in (q for own in pinned.values() for q in own):
        every.add(quote)
    printed = {c: every if not allow_reuse else Printed(max_similarity) for c in cmoc_ids}
    pools = {"support": supporting, "refute": refuting}
    pickers = {
        (kind, c): Picker(table[table["cmoc_id"] == c].to_dict("records"), groups)
        for kind, table in pools.items()
        for c in cmoc_ids
    }
    # rounds: one supporting quote each, then the refuting ones (scarce), then the rest
    rounds = [("support", 1), ("refute", refuting_per_cmoc), ("support", per_cmoc - 1)]
    for kind, count in rounds:
        for cmoc_id in cmoc_ids:
            if count > 0 and not (kind == "support" and cmoc_id in pinned):
                pickers[kind, cmoc_id].take(count, printed[cmoc_id])
    chosen: list[dict] = []
    for cmoc_id in cmoc_ids:
        own = pinned.get(cmoc_id) or pickers["support", cmoc_id].chosen
        for number, quote in enumerate([*own, *pickers["refute", cmoc_id].chosen], start=1):
            chosen.append({**quote, "quote_number": number, "label": f"E{len(chosen) + 1}"})
    return pd.DataFrame(chosen, columns=QUOTE_COLUMNS)
