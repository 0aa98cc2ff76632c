"""Text positions in the unit a QDA tool counts, checked on the data by word boundaries.

REFI-QDA does not fix the unit of startPosition/endPosition. NVivo counts UTF-16 code units
(an emoji is two), QualCoder and qc count Unicode code points; both count CRLF as two and skip
a byte-order mark. A coded span almost always starts and ends between words, so the share of
selections that do under each reading tells which reading the data support.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

#: The readings of a position; the config setting `qdpx.offset_units` adds `auto`.
READINGS = ("code_points", "utf16")
OFFSET_UNIT_SETTINGS = ("auto", *READINGS)
READING_NAMES = {"code_points": "Unicode code points", "utf16": "UTF-16 code units"}
#: The unit each tool is known to count in, by the project's `origin` attribute (measured on the
#: shared real exports: NVivo for Windows 12.6 and Mac 12.7 count UTF-16 units, QualCoder and
#: qc count code points). Other tools are decided on the data alone.
ORIGIN_UNITS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^\s*NVivo\b", re.IGNORECASE), "utf16"),
    (re.compile(r"^\s*(?:QualCoder|qc)\b", re.IGNORECASE), "code_points"),
    (re.compile(r"^\s*realist_report\b"), "code_points"),  # this pipeline's own write_qdpx
)
#: A reading is contradicted when more than this share of selections cut mid-word, and at
#: least MIN_OFF_BOUNDARY do (a team may code mid-word now and then).
MAX_OFF_SHARE = 0.5
MIN_OFF_BOUNDARY = 2

Span = tuple[int, int]
Locator = Callable[[int], int | None]


def unit_for_origin(origin: str | None) -> str | None:
    """The unit a project's producing tool counts in, or None when no rule knows the tool."""
    for pattern, unit in ORIGIN_UNITS:
        if origin and pattern.search(origin):
            return unit
    return None


def locator(text: str, reading: str) -> Locator:
    """Map a position in `reading` units to a code-point index of text (None: no such place)."""
    size = len(text)
    if reading == "code_points":
        return lambda pos: pos if 0 <= pos <= size else None
    # UTF-16 offset of the k-th character outside the Basic Multilingual Plane (two units each)
    astral = [
        index + k for k, index in enumerate(i for i, ch in enumerate(text) if ord(ch) > 0xFFFF)
    ]

    def to_index(pos: int) -> int | None:
        before = bisect_left(astral, pos)
        if before and astral[before - 1] + 1 == pos:
            return None  # between the two halves of a surrogate pair
        index = pos - before
        return index if 0 <= index <= size else None

    return to_index


def _is_word(ch: str) -> bool:
    """Letters, digits and combining marks make up words."""
    return unicodedata.category(ch)[0] in "LNM"


def on_word_boundary(text: str, index: int) -> bool:
    """True unless the position falls between two word characters."""
    return (
        index <= 0
        or index >= len(text)
        or not (_is_word(text[index - 1]) and _is_word(text[index]))
    )


@dataclass(frozen=True)
class ReadingCheck:
    """How many selections of some text a reading cuts cleanly (both ends between words)."""

    reading: str
    total: int
    on_boundary: int

    @property
    def off(self) -> int:
        return self.total - self.on_boundary

    @property
    def contradicted(self) -> bool:
        """Most selections cut mid-word (and more than a stray one)."""
        return self.off >= MIN_OFF_BOUNDARY and self.off > MAX_OFF_SHARE * self.total

    def describe(self) -> str:
        return f"{self.on_boundary} of {self.total} on word boundaries as {READING_NAMES[self.reading]}"


def check_reading(text: str, spans: Iterable[Span], reading: str) -> ReadingCheck:
    """Count the spans whose start and end both land between words under one reading."""
    where = locator(text, reading)
    total = good = 0
    for start, end in spans:
        total += 1
        first, last = where(start), where(end)
        if first is None or last is None or first > last:
            continue
        good += on_word_boundary(text, first) and on_word_boundary(text, last)
    return ReadingCheck(reading, total, good)


def has_astral(text: str) -> bool:
    """Whether the two readings can differ at all (only characters beyond U+FFFF count twice)."""
    return any(ord(ch) > 0xFFFF for ch in text)


@dataclass(frozen=True)
class UnitChoice:
    """The unit a project's positions are read in, and why."""

    unit: str
    reason: str


def _pooled(sources: Sequence[tuple[str, list[Span]]], reading: str) -> ReadingCheck:
    checks = [check_reading(text, spans, reading) for text, spans in sources]
    return ReadingCheck(reading, sum(c.total for c in checks), sum(c.on_boundary for c in checks))


def choose_unit(
    origin: str | None, sources: Sequence[tuple[str, list[Span]]], setting: str = "auto"
) -> UnitChoice:
    """Decide a project's unit: the setting, else the tool's unit unless the data contradict it."""
    if setting not in OFFSET_UNIT_SETTINGS:
        raise ValueError(
            f"qdpx.offset_units must be one of {OFFSET_UNIT_SETTINGS}, not {setting!r}"
        )
    if setting != "auto":
        return UnitChoice(setting, f"qdpx.offset_units is set to {setting}")
    expected = unit_for_origin(origin)
    tool = f"origin '{origin}'" if origin else "no origin"
    if not any(spans for _, spans in sources):
        unit = expected or "code_points"
        return UnitChoice(unit, f"{tool}; no source text with selections to check positions on")
    if not any(has_astral(text) for text, spans in sources if spans):
        unit = expected or "code_points"
        return UnitChoice(
            unit, f"{tool}; the texts have no characters beyond U+FFFF, so both units agree"
        )
    checks = {reading: _pooled(sources, reading) for reading in READINGS}
    if expected and not checks[expected].contradicted:
        return UnitChoice(
            expected, f"{tool} counts {READING_NAMES[expected]}; {checks[expected].describe()}"
        )
    best = max(READINGS, key=lambda r: (checks[r].on_boundary, r == "code_points"))
    summary = "; ".join(c.describe() for c in checks.values())
    if expected:
        return UnitChoice(
            best,
            f"{tool} suggests {READING_NAMES[expected]} but the data do not fit it ({summary})",
        )
    return UnitChoice(
        best, f"{tool} (tool not known to count one unit): chosen on the data ({summary})"
    )


def contradiction(text: str, spans: list[Span], unit: str) -> str | None:
    """Why a source's positions cannot be trusted under the chosen unit, or None when they fit."""
    chosen = check_reading(text, spans, unit)
    if not chosen.contradicted:
        return None
    others = [check_reading(text, spans, r) for r in READINGS if r != unit]
    fitting = [c for c in others if not c.contradicted]
    if fitting:
        return (
            f"{chosen.off} of {chosen.total} selections of this source cut mid-word when read "
            f"as {READING_NAMES[unit]}, the unit chosen for the project, although "
            f"{fitting[0].describe()}; no text is cut"
        )
    readings = "; ".join(c.describe() for c in [chosen, *others])
    return f"the positions of this source fit no unit ({readings}); no text is cut"
