"""An honest RAMESES II checklist: an item is reported only when the team has written it.

A heading is not a report. Each item names the narrative sections that carry it; the item is
"Y" only when every one of them holds team-written text: not empty, not a stub (fewer than
`MIN_WORDS` words), not a placeholder (TODO/TBC, "lorem ipsum", "[insert ...]", demonstration
text, or an instruction to the writer such as "state any competing interests here"), and, for
the items that compare with or justify from the literature, at least one citation. Items the
pipeline writes from the data (participants, main findings, summary of findings) need their
section in the document, and main findings a team interpretation of every CMOC.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from realist_report.report.citations import MARKER as CITATION_MARKER

#: Fewer words than this is a stub, not a reported item.
MIN_WORDS = 15
NOT_YET_REPORTED = "not yet reported"

#: Placeholder text: what a writer leaves for later, or a demo leaves for the real team.
PLACEHOLDERS = re.compile(
    r"\b(?:TODO|TBC|TBD|FIXME|XXX)\b|lorem ipsum|\[(?:insert|add|describe|state)\b[^\]]*\]"
    r"|\bdemonstration (?:text|build)\b|\bdemo (?:text|build)\b|\bplaceholder\b"
    r"|(?:^|[.!?(;]\s*)(?:for a real report,\s*)?(?:describe|state|name|add|insert|write|replace)"
    r"\b[^.]*\bhere\b",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class ItemSources:
    """What one RAMESES II item needs: team sections, whether it must cite, CMOC texts."""

    sections: tuple[str, ...] = ()
    cites: bool = False
    every_cmoc: bool = False


#: RAMESES II item number -> the narrative sections (realist_report.report.narrative.SECTIONS) it needs.
ITEM_SOURCES: dict[int, ItemSources] = {
    2: ItemSources(("abstract_background", "abstract_conclusion")),
    3: ItemSources(("rationale",)),
    4: ItemSources(("programme_theory",)),
    5: ItemSources(("question", "objectives", "focus")),
    6: ItemSources(("ethics",)),
    7: ItemSources(("realist_rationale",), cites=True),
    8: ItemSources(("environment",)),
    9: ItemSources(("programme",)),
    10: ItemSources(("design",)),
    11: ItemSources(("data_collection",)),
    12: ItemSources(("recruitment",)),
    13: ItemSources(("analysis",)),
    15: ItemSources(every_cmoc=True),
    17: ItemSources(("strengths", "limitations", "future_research")),
    18: ItemSources(("literature",), cites=True),
    19: ItemSources(("conclusion", "recommendations")),
    20: ItemSources(("conflicts",)),
}


def plain_text(markup: str) -> str:
    """Rendered narrative as words: tags and citation markers dropped."""
    return " ".join(html.unescape(_TAG.sub(" ", CITATION_MARKER.sub(" ", str(markup)))).split())


def text_gap(markup: str, *, cites: bool = False) -> str | None:
    """Why a rendered section is not team-written content, or None when it is."""
    words = plain_text(markup).split()
    if not words:
        return "empty"
    placeholder = PLACEHOLDERS.search(plain_text(markup))
    if placeholder:
        return f"placeholder text ('{placeholder.group(0).strip(' .;(')[:40]}')"
    if len(words) < MIN_WORDS:
        return f"a stub ({len(words)} words)"
    if cites and not CITATION_MARKER.search(str(markup)):
        return "no citation"
    return None


def item_gaps(
    sections: dict[str, str], cmocs: dict[str, str], cmoc_ids: list[str]
) -> dict[int, str]:
    """Per RAMESES II item that the team has not yet written, why (file by file)."""
    gaps = {}
    for number, needs in ITEM_SOURCES.items():
        reasons = []
        for name in needs.sections:
            gap = text_gap(sections.get(name, ""), cites=needs.cites)
            if gap:
                reasons.append(f"sections/{name}.md: {gap}")
        if needs.every_cmoc:
            missing = [c for c in cmoc_ids if c not in cmocs or text_gap(cmocs[c])]
            if missing:
                reasons.append(f"no team interpretation of {len(missing)} of {len(cmoc_ids)} CMOCs")
        if reasons:
            gaps[number] = "; ".join(reasons)
    return gaps
