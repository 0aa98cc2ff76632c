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

import base64
import logging
import re
import shutil
import subprocess
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd

from realist_report.errors import PrivacyError

log = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Hit",
    "assert_no_identifiers",
    "find_identifiers",
    "html_visible_text",
    "is_valid_nhs_number",
    "join_broken_lines",
    "load_name_list",
    "names_from_registers",
    "pdf_text",
    "redact",
    "redact_excerpts",
    "run_collect_hits",
    "run_publish_report",
    "run_redact_batch",
    "screen_report",
    "screening_names",
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

# Speed: patterns start with a plain character class and check their left boundary just
# after it, which lets the regex engine jump straight to candidate positions.
_NHS_RE = re.compile(
    rf"(\d(?<![\w+./\-]\d)\d{{2}}){_SEP}?(\d{{3}}){_SEP}?(\d{{4}})(?![\w/\-]|[.,:]\d)"
)

# Trunk prefix of a UK number, then digit groups; the digit count is checked in code so a
# trailing group that is not part of the number (a year, a count) can be dropped.
_NOT_AFTER = r"(?<![\w+.,/:\-].)"  # checked after the first character of a phone number
_PHONE_RE = re.compile(
    rf"(?P<prefix>\+{_NOT_AFTER}44[ \-]?(?:\(0\)[ \-]?)?\(?"
    rf"|0{_NOT_AFTER}044[ \-]?(?:\(0\)[ \-]?)?\(?"
    rf"|\({_NOT_AFTER}0"
    rf"|0{_NOT_AFTER})"
    r"(?P<body>\d+(?:(?:[ \-]|\)[ \-]?)\d+)*)"
)
_PHONE_GROUP_RE = re.compile(r"\d+")

# Royal Mail letter rules: outward A9, A99, AA9, AA99, A9A, AA9A; inward 9AA. The match is
# case-insensitive; _postcode_hits keeps upper case (space optional) and lower case only
# with the space (typed notes), never a lower-case ordinal such as "a1 2nd".
_POSTCODE_RE = re.compile(
    r"[A-PR-UWYZ](?<![\w\-].)"
    r"(?:[A-HK-Y]\d[ABEHMNPRVWXY]|\d[A-HJKPSTUW]|[A-HK-Y]\d{1,2}|\d{1,2})"
    r"(?P<space>\u0020?)\d(?P<unit>[ABD-HJLNP-UW-Z]{2})(?![\w\-])",
    re.IGNORECASE,
)
_INWARD_SCREEN = re.compile(r"\d[A-Za-z]{2}(?![\w\-])")  # every postcode ends like this
_ORDINALS = frozenset({"st", "nd", "rd", "th"})

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
_BIRTH_CUE = r"(?:born|d\.\s?o\.\s?b\.?|dob|date\s+of\s+birth|birth\s?date|birthday|b\.\s?d\.)"
# Cheap substring screen (on casefolded text) that every birth cue above passes.
_BIRTH_SCREEN = ("born", "birth", "dob", "o.b", "o. b", "b.d", "b. d")
_CUE_RE = re.compile(rf"(?<!\w){_BIRTH_CUE}(?!\w)", re.IGNORECASE)
# The gap between cue and date stays inside one clause: no digits, no sentence stop.
_DATE_AFTER_CUE_RE = re.compile(rf"[^\d\n.!?;]{{0,30}}?(?P<date>{_DATE})", re.IGNORECASE)
_DATE_BEFORE_CUE_RE = re.compile(
    rf"(?<![\w/.\-])(?P<date>{_DATE})[^\d\n.!?;]{{0,20}}?$", re.IGNORECASE
)

_STREET_SUFFIX = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Way|Crescent|Cres|Place|Pl"
    r"|Gardens|Gdns|Terrace|Tce|Court|Ct|Grove|Gr|Hill|Row|Walk|Square|Sq|Mews|Rise|Parade"
    r"|Vale|Park|Green|View|Gate|Yard|Wharf|Boulevard|Approach|Croft|Meadows?|Fields?"
    r"|Chase|Heights|Circus|Embankment|Hollow)"
)
_STREET_WORD = r"(?:St\.?\s+)?[A-Z][A-Za-z'\u2019\-]*"
_ADDRESS_RE = re.compile(
    r"\d(?<![\w\-/.,]\d)\d{0,3}[A-Za-z]?(?:-\d{1,4})?\s+"
    rf"(?:{_STREET_WORD}\s+){{1,3}}(?i:{_STREET_SUFFIX})\b"
)
# "Flat 3, " before a house number belongs to the address; searched backwards from it.
_FLAT_RE = re.compile(r"(?<!\w)(?i:flat|apartment|apt|unit)\s+\d{1,4}[A-Za-z]?,?\s+$")

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
    folded = text.casefold()
    if not any(cue in folded for cue in _BIRTH_SCREEN):
        return
    for cue in _CUE_RE.finditer(text):
        after = _DATE_AFTER_CUE_RE.match(text, cue.end())
        if after is not None:
            yield Hit(DATE_OF_BIRTH, after.start("date"), after.end("date"))
        before = _DATE_BEFORE_CUE_RE.search(text, max(0, cue.start() - 70), cue.start())
        if before is not None:
            yield Hit(DATE_OF_BIRTH, before.start("date"), before.end("date"))


def _postcode_hits(text: str) -> Iterable[Hit]:
    """Yield postcodes written in capitals, or in lower case with the usual space."""
    if _INWARD_SCREEN.search(text) is None:
        return
    for m in _POSTCODE_RE.finditer(text):
        code = m.group()
        if code.isupper() or (
            code.islower() and m.group("space") and m.group("unit") not in _ORDINALS
        ):
            yield Hit(POSTCODE, m.start(), m.end())


def _address_hits(text: str) -> Iterable[Hit]:
    """Yield house number + street name + street suffix, with any flat number before it."""
    for m in _ADDRESS_RE.finditer(text):
        start = m.start()
        flat = _FLAT_RE.search(text, max(0, start - 30), start)
        yield Hit(ADDRESS, flat.start() if flat else start, m.end())


def _simple_hits(pattern: re.Pattern[str], kind: str, text: str) -> Iterable[Hit]:
    """Yield every match of one rule as a hit of one kind."""
    for m in pattern.finditer(text):
        yield Hit(kind, m.start(), m.end())


# --------------------------------------------------------------------------- names


# Transcribers vary spacing, apostrophes and hyphens inside names ("O'Brien", "O’Brien").
_NAME_CHAR = {" ": r"\s+", "'": "['\u2019]", "\u2019": "['\u2019]", "-": r"[\-\u2010\u2011 ]"}


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


_WORD_RE = re.compile(r"\w+")
_EDGE_RE = re.compile(r"^\W+|\W+$")


def _clean_name(name: str) -> str:
    """Collapse inner whitespace and trim punctuation at the ends ("(Jo)" -> "Jo")."""
    return _EDGE_RE.sub("", " ".join(str(name).split()))


def _first_word(name: str) -> str:
    """The word a name starts with, lower-cased the same way as the words of a text."""
    return _WORD_RE.match(name).group().lower()  # type: ignore[union-attr]


@dataclass(frozen=True)
class _NameRules:
    """Compiled name rules for one name list, keyed by the first word that can start them."""

    full: re.Pattern[str] | None
    tokens: re.Pattern[str] | None
    full_starts: frozenset[str]
    token_starts: frozenset[str]
    screen: frozenset[str]


@lru_cache(maxsize=32)
def _name_rules(names: tuple[str, ...]) -> _NameRules:
    """Compile the full-name rule and the capitalised single-token rule once per name list."""
    full = {n: _first_word(n) for n in map(_clean_name, names) if n}
    tokens: dict[str, str] = {}
    for name in full:
        parts = name.split(" ")
        if len(parts) > 1:
            for part in {_clean_name(parts[0]), _clean_name(parts[-1])}:
                if len(part) >= 3:
                    tokens[part] = _first_word(part)
    lowered = {n.lower() for n in full}
    tokens = {t: w for t, w in tokens.items() if t.lower() not in lowered}

    def compile_(items: Iterable[str]) -> re.Pattern[str] | None:
        words = sorted({i.lower() for i in items})
        if not words:
            return None
        return re.compile(rf"(?:{_trie_pattern(words)})(?!\w)", re.IGNORECASE)

    return _NameRules(
        full=compile_(full),
        tokens=compile_(tokens),
        full_starts=frozenset(full.values()),
        token_starts=frozenset(tokens.values()),
        # The same first words as the whole text's lower() splits them (differs for "İ").
        screen=frozenset(
            _WORD_RE.findall(w)[0] if _WORD_RE.search(w) else w
            for w in (*full.values(), *tokens.values())
        ),
    )


def _rules_for(names: Collection[str]) -> _NameRules | None:
    """Resolve a name list to its compiled rules once (cached), or None for no names."""
    if not names:
        return None
    return _name_rules(names if isinstance(names, tuple) else tuple(names))


def _name_hits(text: str, rules: _NameRules) -> Iterable[Hit]:
    """Yield listed names anywhere, and their first/last tokens when written with a capital."""
    # Most excerpts name nobody on the list: one C-level split of the text rules them out.
    # Otherwise walk the words and try the rules only where a listed name can start, which
    # keeps a 500-name list almost as cheap as a short one.
    if rules.screen.isdisjoint(_WORD_RE.findall(text.lower())):
        return
    for word in _WORD_RE.finditer(text):
        key = word.group().lower()
        pos = word.start()
        if rules.full is not None and key in rules.full_starts:
            m = rules.full.match(text, pos)
            if m is not None:
                yield Hit(NAME, pos, m.end())
                continue
        if rules.tokens is not None and key in rules.token_starts and text[pos].isupper():
            m = rules.tokens.match(text, pos)
            if m is not None:
                yield Hit(NAME, pos, m.end())


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
    return _find(text, _rules_for(names))


def _find(text: str, rules: _NameRules | None) -> list[Hit]:
    """Run every rule over one text with name rules already compiled."""
    if not text:
        return []
    hits: list[Hit] = []
    if _DIGIT_RE.search(text) is not None:  # every rule but e-mail and names needs a digit
        hits.extend(_nhs_hits(text))
        hits.extend(_phone_hits(text))
        hits.extend(_dob_hits(text))
        hits.extend(_postcode_hits(text))
        hits.extend(_address_hits(text))
    if "@" in text:
        hits.extend(_simple_hits(_EMAIL_RE, EMAIL, text))
    if rules is not None:
        hits.extend(_name_hits(text, rules))
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
    return _redact(text, _rules_for(names))


def _redact(text: str, rules: _NameRules | None) -> tuple[str, list[Hit]]:
    """Redact one text to a fixed point with name rules already compiled."""
    hits = _find(text, rules)
    while hits:
        out, kept = _render(text, hits)
        extra = _find(out, rules)
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
    rules = _rules_for(names)
    ids = df["excerpt_id"].tolist() if "excerpt_id" in df.columns else df.index.tolist()
    redacted: list[object] = []
    log_ids: list[str] = []
    log_kinds: list[str] = []
    log_counts: list[int] = []
    for excerpt_id, text in zip(ids, df[text_column].tolist(), strict=True):
        if not isinstance(text, str):
            redacted.append(text)
            continue
        new_text, hits = _redact(text, rules)
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
    hits = _find(text, _rules_for(names))
    if allowed:
        permitted = {a.casefold() for a in allowed}
        hits = [h for h in hits if text[h.start : h.end].casefold() not in permitted]
    if not hits:
        return
    counts = Counter(h.kind for h in hits)
    found = ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
    raise PrivacyError(
        f"{where}: {len(hits)} possible identifier(s) would be printed ({found}); "
        f'the first in context, redacted: "{_context(text, hits[0], names)}". '
        "Fix the source (excerpt text, register or config), quarantine the excerpt, or list a "
        "public contact detail under privacy.allowed in config/config.yaml; no report was written."
    )


def _context(text: str, hit: Hit, names: Collection[str], width: int = 40) -> str:
    """Words around a hit with every identifier redacted, so the error locates it safely."""
    start, end = max(0, hit.start - width), min(len(text), hit.end + width)
    snippet = text[start : hit.start] + PLACEHOLDERS[hit.kind] + text[hit.end : end]
    return flatten_whitespace(redact(snippet, names)[0])


# --------------------------------------------------------------------------- pipeline steps

# Attributes whose values a reader sees (or a screen reader speaks) besides the element text.
_SHOWN_ATTRIBUTES = frozenset({"alt", "title", "aria-label", "content", "href", "src"})
_HIDDEN_ELEMENTS = frozenset({"style", "script"})
_SVG_DATA_URI = "data:image/svg+xml;base64,"

#: Put between texts a reader sees as separate (table cells, paragraphs, figure labels). It is
#: neither whitespace nor a digit separator, so three count cells such as "949 | 396 | 2253"
#: never read as one NHS number, while a number wrapped inside one paragraph is still seen whole.
COLUMN_BREAK = " \u00a6 "
# Elements whose text stands on its own; inline elements (em, a, span, tspan) join their text.
_BLOCK_ELEMENTS = frozenset(
    {
        "address", "blockquote", "br", "caption", "dd", "div", "dt", "figcaption", "figure",
        "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "ol", "p", "section",
        "table", "td", "text", "th", "title", "tr", "ul",
    }
)  # fmt: skip


class _VisibleText(HTMLParser):
    """Collect the text a reader of an HTML page can see, including text inside SVG figures."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_ELEMENTS:
            self._hidden += 1
        if tag in _BLOCK_ELEMENTS:
            self.parts.append(COLUMN_BREAK)
        for name, value in attrs:
            if not value or name not in _SHOWN_ATTRIBUTES:
                continue
            if value.startswith(_SVG_DATA_URI):
                svg = base64.b64decode(value[len(_SVG_DATA_URI) :]).decode("utf-8", "replace")
                self.parts += [COLUMN_BREAK, html_visible_text(svg), COLUMN_BREAK]
            elif not value.startswith(("data:", "#")):
                self.parts += [COLUMN_BREAK, value, COLUMN_BREAK]

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_ELEMENTS and self._hidden:
            self._hidden -= 1
        if tag in _BLOCK_ELEMENTS:
            self.parts.append(COLUMN_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_visible_text(markup: str) -> str:
    """Text, shown attribute values and embedded SVG text of a page: what the gate must screen."""
    parser = _VisibleText()
    parser.feed(markup)
    parser.close()
    return _tidy_breaks(flatten_whitespace("".join(parser.parts)))


def flatten_whitespace(text: str) -> str:
    """One space for every run of whitespace, so a line break inside a postcode cannot hide it."""
    return " ".join(text.split())


_REPEATED_BREAKS = re.compile("\u00a6(?: \u00a6)+")


def _tidy_breaks(text: str) -> str:
    """One column break where several met (nested blocks), none at either end."""
    return _REPEATED_BREAKS.sub("\u00a6", text).strip(" \u00a6")


def pdf_text(pdf_path: str | Path) -> str:
    """A PDF's text in reading order from poppler's word boxes, with column gaps kept as breaks."""
    tool = shutil.which("pdftotext")
    if tool is None:
        raise PrivacyError(
            f"{pdf_path}: cannot screen the PDF because pdftotext is not installed; "
            "install poppler-utils (sudo apt-get install poppler-utils) and rebuild"
        )
    result = subprocess.run(
        [tool, "-tsv", "-enc", "UTF-8", str(pdf_path), "-"], capture_output=True, check=False
    )
    if result.returncode != 0:
        raise PrivacyError(
            f"{pdf_path}: pdftotext could not read the PDF to screen it "
            f"({result.stderr.decode('utf-8', 'replace').strip()}); no report was published"
        )
    text = words_to_text(result.stdout.decode("utf-8", "replace"))
    return _tidy_breaks(flatten_whitespace(join_broken_lines(text)))


#: A gap wider than this many word heights between two words on one line is a column gap: a
#: space is about 0.27 of a word box's height and table cells sit at least 0.8 apart (8 pt of
#: padding at 8.5 pt type). Prose stretched wider by justification is screened whole in the HTML.
COLUMN_GAP_HEIGHTS = 0.55


@dataclass(frozen=True)
class _Word:
    """One word box of `pdftotext -tsv`: its layout block, position and text."""

    block: tuple[str, str, str]
    left: float
    top: float
    right: float
    height: float
    text: str


def _tsv_words(tsv: str) -> Iterable[_Word]:
    """The word rows (level 5) of pdftotext's TSV, in its reading order."""
    for line in tsv.splitlines()[1:]:
        fields = line.split("\t", 11)
        if len(fields) < 12 or fields[0] != "5":
            continue
        left, top, width, height = (float(v) for v in fields[6:10])
        yield _Word((fields[1], fields[2], fields[3]), left, top, left + width, height, fields[11])


def words_to_text(tsv: str) -> str:
    """Join word boxes as a reader sees them: a space inside a line, a line break where a line
    wraps, and a column break between layout blocks or across a wide gap on one line."""
    parts: list[str] = []
    previous: _Word | None = None
    for word in _tsv_words(tsv):
        if previous is not None:
            height = max(word.height, previous.height)
            if word.block != previous.block:
                parts.append(COLUMN_BREAK)
            elif abs(word.top - previous.top) > height / 2:
                parts.append("\n")
            elif word.left - previous.right > COLUMN_GAP_HEIGHTS * height:
                parts.append(COLUMN_BREAK)
            else:
                parts.append(" ")
        parts.append(word.text)
        previous = word
    return "".join(parts)


# A hyphen the typesetter added (WeasyPrint's hyphens: auto gives U+2010) or a soft hyphen.
_AUTO_HYPHEN_BREAK = re.compile(r"[\u2010\u00ad][ \t]*\r?\n\s*")
_HYPHEN_BREAK = re.compile(r"-[ \t]*\r?\n\s*")


def join_broken_lines(text: str) -> str:
    """Undo line breaks at hyphens, so "Oka-/for" or "07700-/900982" are screened whole."""
    return _HYPHEN_BREAK.sub("-", _AUTO_HYPHEN_BREAK.sub("", text))


def screening_names(name_list: str | Path | None, participants: pd.DataFrame) -> list[str]:
    """The private list plus any register name columns: the one name set every screen uses."""
    return sorted({*load_name_list(name_list), *names_from_registers(participants)})


HIT_LOG_COLUMNS: tuple[str, ...] = ("batch", "excerpt_id", "kind", "count")


def run_redact_batch(
    clean_path: str,
    participants_path: str,
    name_list: str | None,
    out_redacted: str,
    out_hits: str,
) -> None:
    """Rule adapter: redact one batch's excerpt text; log hits by excerpt and kind, never value."""
    from realist_report.tables import read_parquet, write_csv, write_parquet

    clean = read_parquet(clean_path)
    names = screening_names(name_list, read_parquet(participants_path))
    log.info("screening %d excerpts with %d listed or registered names", len(clean), len(names))
    redacted, hits = redact_excerpts(clean, names)
    batch = str(clean["batch"].iloc[0]) if "batch" in clean.columns and len(clean) else ""
    hits.insert(0, "batch", pd.Series([batch] * len(hits), dtype="string"))
    for kind, count in hits.groupby("kind", sort=True)["count"].sum().items():
        log.info("redacted %d %s placeholder(s)", count, kind)
    log.info(
        "%d of %d excerpts had identifiers redacted",
        hits["excerpt_id"].nunique(),
        len(clean),
    )
    write_parquet(redacted, out_redacted)
    write_csv(hits[list(HIT_LOG_COLUMNS)], out_hits)


def run_collect_hits(hit_paths: list[str], out: str) -> None:
    """Rule adapter: every batch's hit log in one reviewer CSV (types and counts, no values)."""
    from realist_report.tables import write_csv

    frames = [pd.read_csv(p, dtype={"count": "int64"}, keep_default_na=False) for p in hit_paths]
    frames = [f for f in frames if len(f)]
    hits = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "count" else "string") for c in HIT_LOG_COLUMNS}
        )
    )
    hits = hits[list(HIT_LOG_COLUMNS)].sort_values(["batch", "excerpt_id", "kind"])
    log.info(
        "%d identifiers redacted in %d excerpts", hits["count"].sum(), len(set(hits["excerpt_id"]))
    )
    write_csv(hits, out)


def screen_report(
    html_path: str | Path, pdf_path: str | Path, names: Collection[str], allowed: Collection[str]
) -> None:
    """Fail closed if the rendered HTML or the PDF's extracted text shows an identifier."""
    html = Path(html_path).read_text(encoding="utf-8")
    assert_no_identifiers(
        html_visible_text(html), f"the HTML report {html_path}", names, allowed=allowed
    )
    assert_no_identifiers(pdf_text(pdf_path), f"the PDF report {pdf_path}", names, allowed=allowed)


def run_publish_report(
    html_path: str,
    pdf_path: str,
    participants_path: str,
    name_list: str | None,
    allowed: Collection[str],
    out_html: str,
    out_pdf: str,
) -> None:
    """Rule adapter: screen the rendered report, then (and only then) copy it to reports/."""
    from realist_report.tables import read_parquet

    names = screening_names(name_list, read_parquet(participants_path))
    log.info("screening the report with %d names and %d allowed strings", len(names), len(allowed))
    screen_report(html_path, pdf_path, names, allowed)
    log.info("no identifiers found in the HTML text or the PDF text: publishing")
    for source, target in ((html_path, out_html), (pdf_path, out_pdf)):
        Path(target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
