"""Privacy screen: find and redact personal identifiers in excerpt text before it can be printed.

The report quotes interview transcripts and fieldnotes. Anything that identifies a person
(NHS number, UK phone number, postcode, e-mail address, date of birth, street address, or a
real name from a private name list) is replaced by a typed placeholder such as ``[PHONE]``,
each hit is logged by type and excerpt id (never the value), and the report build calls
``assert_no_identifiers`` on its final text so it fails closed if anything slipped through.

Detection is deliberately biased towards recall: a redacted word that was harmless costs a
little readability, an identifier in a circulated report is a data breach. Structured values
are validated where a check exists (the NHS number mod-11 check digit), and numeric near
misses common in health transcripts (doses, times, years, ages, extensions, counts) are kept
out by the shape of the rules rather than by allow-lists.

Library choice: the rules are our own, written with the standard ``re`` module, and add no
dependency. presidio-analyzer needs a spaCy language model fetched from a model hub at set-up
time, which our offline build machines cannot do, and its recognisers are US-centred (no NHS
number, no UK postcode or address rules). scrubadub pulls in scikit-learn, textblob and
friends for name detection we do not want (names come from a private list, not from a
statistical guess that differs between versions) and still has no NHS-number check.
``phonenumbers`` (Google libphonenumber) was tried and rejected: its validity metadata
follows Ofcom allocations, so it calls the reserved drama ranges (07700 900xxx,
01632 960xxx) invalid, which are exactly the numbers in our synthetic and test data, and the
gate's behaviour would change with each metadata release; its lenient "possible" matcher
flagged "0830, ext 2345" and a valid NHS number as phone numbers in our trial. UK number
shapes are few and stable, so a structural rule (trunk 0 or +44, 10 or 11 digits in
written groups) is smaller, deterministic and easier to audit.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from realist_report.errors import PrivacyError

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Hit",
    "assert_no_identifiers",
    "find_identifiers",
    "is_valid_nhs_number",
    "load_name_list",
    "names_from_registers",
    "redact",
    "redact_excerpts",
]

NHS_NUMBER = "NHS NUMBER"
PHONE = "PHONE"
POSTCODE = "POSTCODE"
EMAIL = "EMAIL"
DATE_OF_BIRTH = "DATE OF BIRTH"
ADDRESS = "ADDRESS"
NAME = "NAME"

# Order is the tie-break when two kinds claim spans of the same length.
KINDS: tuple[str, ...] = (NHS_NUMBER, EMAIL, DATE_OF_BIRTH, PHONE, POSTCODE, ADDRESS, NAME)
PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS}
_PRIORITY = {kind: i for i, kind in enumerate(KINDS)}

REGISTER_NAME_COLUMNS: tuple[str, ...] = (
    "name",
    "full_name",
    "first_name",
    "last_name",
    "given_name",
    "family_name",
    "forename",
    "surname",
    "preferred_name",
    "participant_name",
    "staff_name",
)


@dataclass(frozen=True)
class Hit:
    """Where an identifier of one kind sits in a text; holds no value, so it is safe to log."""

    kind: str
    start: int
    end: int


# --------------------------------------------------------------------------- rules

_SEP = r"[ \u00a0\-]"  # the separators people and systems put between digit groups

_NHS_RE = re.compile(rf"(?<![\w+./\-])(\d{{3}}){_SEP}?(\d{{3}}){_SEP}?(\d{{4}})(?![\w/\-]|[.,:]\d)")

# Trunk prefix of a UK number, then digit groups; the digit count is checked in code so a
# trailing group that is not part of the number (a year, a count) can be dropped.
_PHONE_RE = re.compile(
    r"(?<![\w+.,/:\-])"
    r"(?P<prefix>(?:\+|\b00)44[ \-]?(?:\(0\)[ \-]?)?\(?|\(0|0)"
    r"(?P<body>\d+(?:(?:[ \-]|\)[ \-]?)\d+)*)"
)
_PHONE_GROUP_RE = re.compile(r"\d+")

_POSTCODE_OUTWARD = (
    r"(?:[A-PR-UWYZ][A-HK-Y]\d[ABEHMNPRVWXY]"
    r"|[A-PR-UWYZ]\d[A-HJKPSTUW]"
    r"|[A-PR-UWYZ][A-HK-Y]\d{1,2}"
    r"|[A-PR-UWYZ]\d{1,2})"
)
_POSTCODE_INWARD = r"\d[ABD-HJLNP-UW-Z]{2}"
# Upper case with or without the space; lower case only with the space (sms-style notes),
# and never a lower-case ordinal such as "a1 2nd".
_POSTCODE_RE = re.compile(
    rf"(?<![\w\-])(?:{_POSTCODE_OUTWARD}\u0020?{_POSTCODE_INWARD}"
    rf"|(?i:{_POSTCODE_OUTWARD})\u0020(?i:{_POSTCODE_INWARD})(?<![0-9](?:st|nd|rd|th)))(?![\w\-])"
)

_EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]*@[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w\-])"
)

_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (
    r"(?:\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2})(?!\d)"  # 03/03/1961, 3.3.61
    r"|\d{4}-\d{1,2}-\d{1,2}(?!\d)"  # 1961-03-03
    rf"|(?:the\s+)?\d{{1,2}}{_ORD}(?:\s+of)?\s+{_MONTH},?\s+\d{{4}}(?!\d)"  # 3rd of March 1961
    rf"|{_MONTH}\s+\d{{1,2}}{_ORD},?\s+\d{{4}}(?!\d))"  # March 3rd, 1961
)
_BIRTH_CUE = (
    r"(?:born|d\.\s?o\.\s?b\.?|dob|date\s+of\s+birth|birth\s?date|birthday|b\.\s?d\.|"
    r"DoB)"
)
# The gap between cue and date stays inside one clause: no digits, no sentence stop.
_DOB_RE = re.compile(
    rf"(?i:\b{_BIRTH_CUE}(?![\w]))[^\d\n.!?;]{{0,30}}?(?P<date>(?i:{_DATE}))"
    rf"|(?P<date2>(?i:{_DATE}))[^\d\n.!?;]{{0,20}}?(?i:\b{_BIRTH_CUE}(?![\w]))"
)

_STREET_SUFFIX = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Way|Crescent|Cres|Place|Pl"
    r"|Gardens|Gdns|Terrace|Tce|Court|Ct|Grove|Gr|Hill|Row|Walk|Square|Sq|Mews|Rise|Parade"
    r"|Vale|Park|Green|View|Gate|Yard|Wharf|Boulevard|Approach|Croft|Meadows?|Fields?"
    r"|Chase|Heights|Circus|Embankment|Hollow)"
)
_STREET_WORD = r"(?:St\.?\s+)?[A-Z][A-Za-z'\u2019\-]*"
_ADDRESS_RE = re.compile(
    r"(?:\b(?i:flat|apartment|apt|unit|house)\s+\d{1,4}[A-Za-z]?,?\s+)?"
    r"(?<![\w\-/.,])\d{1,4}[A-Za-z]?(?:-\d{1,4})?\s+"
    rf"(?:{_STREET_WORD}\s+){{1,3}}(?i:{_STREET_SUFFIX})\b"
)

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in PLACEHOLDERS.values()))
_DIGIT_RE = re.compile(r"\d")


def is_valid_nhs_number(digits: str) -> bool:
    """Check a 10-digit string with the NHS mod-11 check digit, so random numbers are not hits."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _nhs_hits(text: str) -> Iterable[Hit]:
    """Yield 3-3-4 digit runs whose check digit is valid."""
    for m in _NHS_RE.finditer(text):
        if is_valid_nhs_number(m.group(1) + m.group(2) + m.group(3)):
            yield Hit(NHS_NUMBER, m.start(), m.end())


def _phone_hits(text: str) -> Iterable[Hit]:
    """Yield UK numbers: trunk 0 or +44, then 10 or 11 national digits in written groups."""
    for m in _PHONE_RE.finditer(text):
        prefix = m.group("prefix")
        international = prefix.lstrip("(").startswith(("+", "00"))
        groups = list(_PHONE_GROUP_RE.finditer(m.group("body")))
        first = groups[0].group()
        if international and first.startswith("0"):
            continue
        if not first or first[0] not in "1237":
            continue
        # Later groups are at least 3 digits: "0 5 10 15" is a list, not a number.
        for k in range(len(groups), 0, -1):
            if any(len(g.group()) < 3 for g in groups[1:k]):
                continue
            national = "0" + "".join(g.group() for g in groups[:k])
            if len(national) == 11 or (len(national) == 10 and national[1] == "1"):
                yield Hit(PHONE, m.start(), m.start("body") + groups[k - 1].end())
                break


def _dob_hits(text: str) -> Iterable[Hit]:
    """Yield full dates that sit next to a birth cue; the cue words themselves stay readable."""
    for m in _DOB_RE.finditer(text):
        group = "date" if m.group("date") is not None else "date2"
        yield Hit(DATE_OF_BIRTH, m.start(group), m.end(group))


def _simple_hits(pattern: re.Pattern[str], kind: str, text: str) -> Iterable[Hit]:
    """Yield every match of one rule as a hit of one kind."""
    for m in pattern.finditer(text):
        yield Hit(kind, m.start(), m.end())


# --------------------------------------------------------------------------- names


# Transcribers vary spacing, apostrophes and hyphens inside names ("O'Brien", "O’Brien").
_NAME_CHAR = {" ": r"\s+", "'": "['\u2019]", "\u2019": "['\u2019]", "-": r"[\-\u2010\u2011 ]?"}


def _trie_pattern(words: Iterable[str]) -> str:
    """Build one regex alternation as a prefix trie, so 500 names cost about as much as 5."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        terminal = "" in node
        branches = [
            _NAME_CHAR.get(ch, re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items())
            if ch != ""
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if terminal:
            # Greedy optional: the longer name is tried first, the shorter one on backtrack.
            return "(?:" + body + ")?"
        return body

    return emit(trie)


def _normalise_name(name: str) -> str:
    """Fold case and collapse inner whitespace so register spellings compare equal."""
    return " ".join(str(name).split()).casefold()


@lru_cache(maxsize=32)
def _name_patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
    """Compile the full-name rule and the capitalised single-token rule once per name list."""
    full = sorted({n for n in (_normalise_name(x) for x in names) if n})
    tokens: set[str] = set()
    for name in full:
        parts = name.split(" ")
        if len(parts) > 1:
            tokens.update(p for p in (parts[0], parts[-1]) if len(p) >= 3)
    tokens -= set(full)
    full_re = (
        re.compile(rf"(?<!\w)(?:{_trie_pattern(full)})(?!\w)", re.IGNORECASE) if full else None
    )
    token_re = (
        re.compile(rf"(?<!\w)(?:{_trie_pattern(sorted(tokens))})(?!\w)", re.IGNORECASE)
        if tokens
        else None
    )
    return full_re, token_re


def _name_hits(text: str, names: tuple[str, ...]) -> Iterable[Hit]:
    """Yield listed names anywhere, and their first/last tokens when written with a capital."""
    full_re, token_re = _name_patterns(names)
    if full_re is not None:
        for m in full_re.finditer(text):
            yield Hit(NAME, m.start(), m.end())
    if token_re is not None:
        for m in token_re.finditer(text):
            if text[m.start()].isupper():
                yield Hit(NAME, m.start(), m.end())


# --------------------------------------------------------------------------- public API


def _merge(hits: list[Hit]) -> list[Hit]:
    """Merge overlapping hits into their union, typed by the longest one, so nothing leaks."""
    if not hits:
        return []
    hits.sort(key=lambda h: (h.start, -(h.end - h.start), _PRIORITY[h.kind]))
    merged: list[Hit] = []
    cur = hits[0]
    best = cur
    for hit in hits[1:]:
        if hit.start < cur.end:
            longer = (hit.end - hit.start, -_PRIORITY[hit.kind]) > (
                best.end - best.start,
                -_PRIORITY[best.kind],
            )
            if longer:
                best = hit
            cur = Hit(best.kind, cur.start, max(cur.end, hit.end))
        else:
            merged.append(cur)
            cur = best = hit
    merged.append(cur)
    return merged


def find_identifiers(text: str, names: Collection[str] = ()) -> list[Hit]:
    """Locate every identifier in a text, merged and sorted, so it can be redacted or refused."""
    if not text:
        return []
    hits: list[Hit] = []
    if _DIGIT_RE.search(text) is not None:  # every rule but e-mail and names needs a digit
        hits.extend(_nhs_hits(text))
        hits.extend(_phone_hits(text))
        hits.extend(_dob_hits(text))
        hits.extend(_simple_hits(_POSTCODE_RE, POSTCODE, text))
        hits.extend(_simple_hits(_ADDRESS_RE, ADDRESS, text))
    if "@" in text:
        hits.extend(_simple_hits(_EMAIL_RE, EMAIL, text))
    if names:
        hits.extend(_name_hits(text, tuple(names)))
    if hits and "[" in text:
        # Placeholders from an earlier pass are not identifiers: keeps redaction idempotent.
        taken = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
        if taken:
            hits = [h for h in hits if not any(h.start < e and s < h.end for s, e in taken)]
    return _merge(hits)


def _render(text: str, hits: list[Hit]) -> tuple[str, list[tuple[int, int]]]:
    """Write placeholders over merged hits; also return (output start, input start) of kept text."""
    parts: list[str] = []
    kept: list[tuple[int, int]] = []
    pos = out_len = 0
    for hit in hits:
        kept.append((out_len, pos))
        parts.append(text[pos : hit.start])
        out_len += hit.start - pos
        placeholder = PLACEHOLDERS[hit.kind]
        parts.append(placeholder)
        out_len += len(placeholder)
        pos = hit.end
    kept.append((out_len, pos))
    parts.append(text[pos:])
    return "".join(parts), kept


def redact(text: str, names: Collection[str] = ()) -> tuple[str, list[Hit]]:
    """Replace each identifier with a typed placeholder so quotes stay readable but anonymous.

    Redaction repeats until nothing more is found (a number jammed against another one can
    only be seen once its neighbour is a placeholder), so the output is a fixed point and
    ``redact`` is idempotent; the returned hits always refer to positions in ``text``.
    """
    hits = find_identifiers(text, names)
    while hits:
        out, kept = _render(text, hits)
        extra = find_identifiers(out, names)
        if not extra:
            return out, hits
        # Later hits never overlap a placeholder, so each lies in one stretch of kept text.
        starts = [k[0] for k in kept]
        mapped = []
        for h in extra:
            out_start, in_start = kept[bisect_right(starts, h.start) - 1]
            shift = in_start - out_start
            mapped.append(Hit(h.kind, h.start + shift, h.end + shift))
        hits = _merge(hits + mapped)
    return text, hits


def redact_excerpts(
    df: pd.DataFrame, names: Collection[str] = (), text_column: str = "text"
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Redact a whole excerpt table and log hits by excerpt and kind, never by value."""
    if text_column not in df.columns:
        raise PrivacyError(
            f"the excerpt table has no '{text_column}' column to screen; "
            f"columns present: {', '.join(map(str, df.columns))}"
        )
    name_key = tuple(names)
    ids = df["excerpt_id"].tolist() if "excerpt_id" in df.columns else df.index.tolist()
    redacted: list[object] = []
    log_ids: list[str] = []
    log_kinds: list[str] = []
    log_counts: list[int] = []
    for excerpt_id, text in zip(ids, df[text_column].tolist(), strict=True):
        if not isinstance(text, str):
            redacted.append(text)
            continue
        new_text, hits = redact(text, name_key)
        redacted.append(new_text)
        if hits:
            for kind, count in sorted(Counter(h.kind for h in hits).items()):
                log_ids.append(str(excerpt_id))
                log_kinds.append(kind)
                log_counts.append(count)
    out = df.copy()
    out[text_column] = pd.Series(redacted, index=df.index, dtype=df[text_column].dtype)
    log = pd.DataFrame(
        {
            "excerpt_id": pd.Series(log_ids, dtype="string"),
            "kind": pd.Series(log_kinds, dtype="string"),
            "count": pd.Series(log_counts, dtype="int64"),
        }
    )
    return out, log


def load_name_list(path: str | Path | None) -> list[str]:
    """Read the optional, git-ignored private name list; no file means no names to screen."""
    if path is None:
        return []
    path = Path(path)
    if not path.is_file():
        return []
    seen: dict[str, None] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        name = " ".join(line.split())
        if name and not name.startswith("#"):
            seen.setdefault(name, None)
    return list(seen)


def names_from_registers(participants: pd.DataFrame) -> list[str]:
    """Collect real names from any name columns a register carries, so they are redacted too."""
    found: set[str] = set()
    for column in REGISTER_NAME_COLUMNS:
        if column in participants.columns:
            for value in participants[column].dropna().astype(str):
                name = " ".join(value.split())
                if name:
                    found.add(name)
    if {"first_name", "last_name"} <= set(participants.columns):
        both = participants[["first_name", "last_name"]].dropna().astype(str)
        for first, last in both.itertuples(index=False):
            name = " ".join(f"{first} {last}".split())
            if name:
                found.add(name)
    return sorted(found)


def assert_no_identifiers(
    text: str, where: str, names: Collection[str] = (), *, allowed: Collection[str] = ()
) -> None:
    """Fail closed before a report is written if any identifier would be printed."""
    hits = find_identifiers(text, names)
    if allowed:
        permitted = {a.casefold() for a in allowed}
        hits = [h for h in hits if text[h.start : h.end].casefold() not in permitted]
    if not hits:
        return
    counts = Counter(h.kind for h in hits)
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    raise PrivacyError(
        f"{where}: {len(hits)} possible identifier(s) would be printed ({found}). "
        "Add the excerpt to quarantine or fix the redaction; no report was written."
    )
