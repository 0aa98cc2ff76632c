"""Privacy: find and redact personal identifiers before anything can be printed.

The report quotes interview transcripts and fieldnotes. Anything that identifies a person
(NHS number, National Insurance number, UK phone number, postcode, e-mail address, date of
birth, street address, a titled name such as "Dr" + surname, or a name or place from the
private, git-ignored lists) is replaced by a typed placeholder such as ``[PHONE]``, each hit is
logged by type and excerpt id (never the value), and the report build calls
``assert_no_identifiers`` (privacy.screen) on its final text so it fails closed if anything
slipped through.

One normalisation (``normalise``) serves redaction and the publish screen alike, so what the
screen would refuse, redaction removes: Unicode NFKC (fullwidth digits and at signs, composed
letters, so a name written decomposed as macOS writes it is the same name), invisible
characters dropped (zero-width spaces and joiners, word joiners, soft hyphens, BOMs), every
run of whitespace (line breaks, no-break, thin and narrow spaces) as one space, and dashes,
slashes and apostrophes in their Unicode spellings folded to ASCII. Rules run on that
matching form and each hit is mapped back to its span in the original text, which is what is
replaced. Digit groups may be separated by a space, ``.``, ``-``, ``–``, ``—`` or ``/``. Every
rule runs in linear time (bounded repetitions; the phone rule resumes after each candidate).

Detection is deliberately biased towards recall: a redacted word that was harmless costs a
little readability, an identifier in a circulated report is a data breach. Structured values
are validated where a check exists (the NHS number mod-11 check digit, HMRC's National
Insurance prefix rules), and numeric near misses common in health transcripts (doses, times,
years, ages, extensions, counts, references) are kept out by the shape of the rules rather
than by allow-lists.

Library choice: the rules are our own, written with the standard ``re`` module, and add no
dependency. presidio-analyzer 2.2.366 does have NHS, UK NINO and UK postcode pattern
recognisers usable without its NLP engine; measured on tests/data/privacy_corpus.csv (186
rows) they found NHS numbers 11/24 (21/24 on our normalised text), NI numbers 4/8 (6/8),
postcodes 11/12 (12/12) and, through phonenumbers, UK phones 9/28 (10/28: the reserved drama
ranges are "invalid"), against 100% for these rules; its e-mail recogniser fetches the public
suffix list from the network on first use, which our offline build machines cannot do, and
the package pulls in spaCy. scrubadub pulls in scikit-learn, textblob and friends for name
detection we do not want (names come from a private list, not from a statistical guess that
differs between versions) and has no NHS-number check. ``phonenumbers`` (Google
libphonenumber) was tried and rejected: its validity metadata follows Ofcom allocations, so it
calls the reserved drama ranges (07700 900xxx, 01632 960xxx) invalid, which are exactly the
numbers in our synthetic and test data, and the gate's behaviour would change with each
metadata release. UK number shapes are few and stable, so a structural rule (trunk 0 or +44,
10 or 11 digits in written groups) is smaller, deterministic and easier to audit.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import pandas as pd

from realist_report.core.errors import PrivacyError

log = logging.getLogger(__name__)

__all__ = [
    "KINDS",
    "PLACEHOLDERS",
    "Hit",
    "assert_no_identifiers",
    "find_identifiers",
    "flatten_whitespace",
    "is_valid_nhs_number",
    "load_name_list",
    "names_from_registers",
    "redact",
    "redact_excerpts",
    "run_collect_hits",
    "run_redact_batch",
    "screening_names",
    "value_tag",
]

NHS_NUMBER = "NHS NUMBER"
NI_NUMBER = "NI NUMBER"
PHONE = "PHONE"
POSTCODE = "POSTCODE"
EMAIL = "EMAIL"
DATE_OF_BIRTH = "DATE OF BIRTH"
ADDRESS = "ADDRESS"
NAME = "NAME"
TITLED_NAME = "TITLED NAME"
PLACE = "PLACE"

# Order is the tie-break when two kinds claim spans of the same length.
KINDS: tuple[str, ...] = (
    NHS_NUMBER, NI_NUMBER, EMAIL, DATE_OF_BIRTH, PHONE, POSTCODE, ADDRESS, NAME, TITLED_NAME,
    PLACE,
)  # fmt: skip
#: A titled name keeps its title ("Dr [NAME]"): the placeholder of the name it stands for.
PLACEHOLDERS: dict[str, str] = {kind: f"[{kind}]" for kind in KINDS} | {TITLED_NAME: "[NAME]"}
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


class Hit(NamedTuple):
    """Where an identifier of one kind sits in a text; holds no value, so it is safe to log."""

    kind: str
    start: int
    end: int


# --------------------------------------------------------------------------- normalisation

#: Dashes, slashes and apostrophes in their many Unicode spellings, folded to one ASCII form.
_FOLD = str.maketrans(
    dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\ufe58\ufe63", "-")
    | dict.fromkeys("\u2044\u2215", "/")
    | dict.fromkeys("\u2018\u2019\u02bc\u02b9\u2032", "'")
)
# Runs that need more than a copy: anything outside printable ASCII, and two or more spaces.
_NEEDS_WORK = re.compile(r"[^\x21-\x7e]{2,}|[^\x20-\x7e]")


@dataclass(frozen=True)
class Normalised:
    """The matching form of a text (NFKC, dashes and apostrophes folded, whitespace runs as one
    space, invisible characters dropped) and, per character, the span it came from."""

    text: str
    starts: array | None = None  # None: the text was already in matching form
    ends: array | None = None

    def span(self, start: int, end: int) -> tuple[int, int]:
        """The original span behind [start, end) of the matching form."""
        if self.starts is None or self.ends is None:
            return start, end
        return self.starts[start], self.ends[end - 1]


def _invisible(ch: str) -> bool:
    """Zero-width spaces, joiners, soft hyphens, BOMs, bidi marks and control characters."""
    return unicodedata.category(ch) in ("Cf", "Cc") and not ch.isspace()


def normalise(text: str) -> Normalised:
    """One normalisation for redaction and the publish screen alike, in linear time."""
    if _NEEDS_WORK.search(text) is None:
        return Normalised(text)
    out: list[str] = []
    starts, ends = array("q"), array("q")
    pos = 0
    for m in _NEEDS_WORK.finditer(text):
        run_start = m.start()
        if run_start > pos:
            out.append(text[pos:run_start])
            starts.extend(range(pos, run_start))
            ends.extend(range(pos + 1, run_start + 1))
        run = m.group()
        # A run is always preceded by a printable ASCII character copied as it is, which a
        # leading combining mark joins (NFD "Zoe" + U+0308 is "Zoë").
        joins = run_start > 0 and unicodedata.combining(run[0]) != 0
        form_of = _short_run_form if len(run) <= 64 else _run_form
        form, rel_starts, rel_ends = form_of(text[run_start - 1] if joins else "", run)
        if joins:
            out[-1] = out[-1][:-1]
            starts.pop()
            ends.pop()
        out.append(form)
        starts.extend(map(run_start.__add__, rel_starts))
        ends.extend(map(run_start.__add__, rel_ends))
        pos = m.end()
    out.append(text[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return Normalised("".join(out), starts, ends)


def _run_form(before: str, run: str) -> tuple[str, tuple[int, ...], tuple[int, ...]]:
    """The matching form of one run of special characters and, per output character, its
    span relative to the run (-1: the letter before it, which a leading mark joins)."""
    text = before + run
    offset = len(before)
    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    after_space = False
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            if after_space:
                ends[-1] = i + 1 - offset  # one space for the whole run (invisibles too)
            else:
                out.append(" ")
                starts.append(i - offset)
                ends.append(i + 1 - offset)
                after_space = True
            i += 1
            continue
        if _invisible(ch):
            i += 1
            continue
        j = i + 1
        while j < len(text) and unicodedata.combining(text[j]):
            j += 1
        folded = unicodedata.normalize("NFKC", text[i:j]).translate(_FOLD)
        out.append(folded)
        starts += [i - offset] * len(folded)
        ends += [j - offset] * len(folded)
        after_space = False
        i = j
    return "".join(out), tuple(starts), tuple(ends)


#: Short runs repeat (accented words, no-break spaces, dashes): their forms are cached.
_short_run_form = lru_cache(maxsize=65536)(_run_form)


def matching_form(text: str) -> str:
    """The text as every rule sees it (for comparing allowed strings and list entries)."""
    return normalise(text).text


# --------------------------------------------------------------------------- rules

# The separators people and systems put between digit groups (in matching form: no-break and
# thin spaces are spaces, en and em dashes are hyphens), optionally with spaces around a mark.
_SEP = r"(?: ?[.\-/] ?| )"

# Speed: patterns start with a plain character class and check their left boundary just
# after it, which lets the regex engine jump straight to candidate positions.
_NHS_RE = re.compile(
    rf"(\d(?<![\w+./\-]\d)\d{{2}}){_SEP}?(\d{{3}}){_SEP}?(\d{{4}})(?![\w/\-]|[.,:]\d)"
)

# HMRC: two prefix letters (first not D F I Q U V, second not D F I O Q U V), six digits,
# a suffix A-D (often left off); some prefixes are never issued (checked in code).
_NINO_RE = re.compile(
    rf"([A-CEGHJ-PR-TW-Z](?<![\w\-][A-Z])[A-CEGHJ-NPR-TW-Z]){_SEP}?"
    rf"\d{{2}}{_SEP}?\d{{2}}{_SEP}?\d{{2}}(?:{_SEP}?[A-D])?(?![\w\-])",
    re.IGNORECASE,  # typed notes write "ab 12 34 56 c" too
)
NINO_UNISSUED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})

# Trunk prefix of a UK number, then at most six digit groups; the digit count is checked in
# code so a trailing group that is not part of the number (a year, a count) can be dropped.
_NOT_AFTER = r"(?<![\w+.,/:\-].)"  # checked after the first character of a phone number
_PHONE_RE = re.compile(
    rf"(?P<prefix>\+{_NOT_AFTER}44 ?-?(?:\(0\) ?-?)?\(?"
    rf"|0{_NOT_AFTER}044 ?-?(?:\(0\) ?-?)?\(?"
    rf"|\({_NOT_AFTER}0"
    rf"|0{_NOT_AFTER})"
    rf"(?P<body>\d{{1,11}}(?:(?:{_SEP}|\){_SEP}?)\d{{1,11}}){{0,5}})"
)
_PHONE_GROUP_RE = re.compile(r"\d+")
#: A stable id (core.ids.stable_id: 16 lower-case hex digits, at least one a letter), which the
#: evidence tables print, or a longer file digest (the provenance table's, up to SHA-256's 64):
#: "0133114357a15eeb" starts like a number but is not one.
_STABLE_ID_RE = re.compile(r"(?=[0-9a-f]*[a-f])[0-9a-f]{16,64}(?![\w\-])")

# Royal Mail letter rules: outward A9, A99, AA9, AA99, A9A, AA9A; inward 9AA. The match is
# case-insensitive; _postcode_hits keeps upper case (space optional) and lower case only
# with the usual space (typed notes), never a lower-case ordinal such as "a1 2nd".
_POSTCODE_RE = re.compile(
    r"[A-PR-UWYZ](?<![\w\-].)"
    r"(?:[A-HK-Y]\d[ABEHMNPRVWXY]|\d[A-HJKPSTUW]|[A-HK-Y]\d{1,2}|\d{1,2})"
    r"(?P<space>\u0020?)\d(?P<unit>[ABD-HJLNP-UW-Z]{2})(?![\w\-])",
    re.IGNORECASE,
)
_INWARD_SCREEN = re.compile(r"\d[A-Za-z]{2}(?![\w\-])")  # every postcode ends like this
_ORDINALS = frozenset({"st", "nd", "rd", "th"})

# Bounded parts (RFC 5321 lengths) keep every attempt short, so the time is linear.
_EMAIL_RE = re.compile(
    r"(?<![\w.%+\-])[A-Za-z0-9][A-Za-z0-9._%+\-]{0,63}@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}"
    r"[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,62}[A-Za-z0-9])?){0,8}\.[A-Za-z]{2,24}"
    r"(?![\w\-])"
)

# A title, then one or two capitalised words of two letters or more ("Mrs B" is already a
# pseudonym): the words are the name, the title stays ("Dr [NAME]").
_TITLES = (
    "Dr|Doctor|Mr|Mrs|Ms|Miss|Mx|Nurse|Sister|Matron|Prof|Professor|Rev|Revd|Reverend"
    "|Father|Pastor|Imam|Rabbi|Cllr|Councillor|Dame|Sir"
)
_NAME_WORD = r"[^\W\d_][^\W\d_']{0,30}(?:['\-][^\W\d_]{1,30})?"
_TITLED_RE = re.compile(
    rf"(?<![\w\-])(?:{_TITLES})\.? (?P<name>{_NAME_WORD})(?: (?P<second>{_NAME_WORD}))?"
    r"(?![\w\-])"
)
# Abbreviated titles are never ordinary words, so in lower case ("dr jane smith", "mrs okafor")
# the words after them are a name in any case; "nurse" or "sister" in lower case are not titles,
# nor is "ms" ("ms symptoms": multiple sclerosis), which needs a capitalised name.
_LOWER_TITLES = "dr|mr|mrs|mx|prof|revd|cllr"
_LOWER_TITLED_RE = re.compile(
    rf"(?<![\w\-])(?i:{_LOWER_TITLES})\.? (?P<name>{_NAME_WORD})(?: (?P<second>{_NAME_WORD}))?"
    r"(?![\w\-])"
)
#: Capitalised words that follow a title without being a name ("Nurse Practitioner").
TITLE_FOLLOWERS = frozenset(
    {
        "practitioner", "practitioners", "associate", "associates", "specialist", "manager",
        "lead", "team", "clinic", "surgery", "appointment", "who", "and", "or", "the", "said",
        "says", "told", "was", "is", "had", "has", "will", "would", "on", "at", "in", "of",
    }
)  # fmt: skip
_NOT_A_SECOND_NAME = TITLE_FOLLOWERS | frozenset(
    {
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december",
    }
)  # fmt: skip

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
_LAST_DIGIT_RE = re.compile(r"\d(?=\D*$)")
_DATE_BEFORE_CUE_RE = re.compile(
    rf"(?<![\w/.\-])(?P<date>{_DATE})[^\d\n.!?;]{{0,20}}?$", re.IGNORECASE
)

_STREET_SUFFIX = (
    r"(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Cl|Drive|Dr|Way|Crescent|Cres|Place|Pl"
    r"|Gardens|Gdns|Terrace|Tce|Court|Ct|Grove|Gr|Hill|Row|Walk|Square|Sq|Mews|Rise|Parade"
    r"|Vale|Park|Green|View|Gate|Yard|Wharf|Boulevard|Approach|Croft|Meadows?|Fields?"
    r"|Chase|Heights|Circus|Embankment|Hollow)"
)
_STREET_WORD = r"(?:St\.? )?[A-Z][A-Za-z'\-]{0,30}"
_ADDRESS_RE = re.compile(
    r"\d(?<![\w\-/.,]\d)\d{0,3}[A-Za-z]?(?:-\d{1,4})?\s+"
    rf"(?:{_STREET_WORD}\s+){{1,3}}(?i:{_STREET_SUFFIX})\b"
)
# "Flat 3, " before a house number belongs to the address; searched backwards from it.
_FLAT_RE = re.compile(r"(?<!\w)(?i:flat|apartment|apt|unit)\s+\d{1,4}[A-Za-z]?,?\s+$")

_PLACEHOLDER_RE = re.compile("|".join(re.escape(p) for p in sorted(set(PLACEHOLDERS.values()))))
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


def is_issued_nino_prefix(prefix: str) -> bool:
    """HMRC's prefix rules for a National Insurance number (two upper-case letters)."""
    return (
        len(prefix) == 2
        and prefix[0] not in "DFIQUV"
        and prefix[1] not in "DFIOQUV"
        and prefix not in NINO_UNISSUED_PREFIXES
    )


def _nhs_hits(text: str) -> Iterable[Hit]:
    """Yield 3-3-4 digit runs whose check digit is valid."""
    for m in _NHS_RE.finditer(text):
        if is_valid_nhs_number(m.group(1) + m.group(2) + m.group(3)):
            yield Hit(NHS_NUMBER, m.start(), m.end())


def _nino_hits(text: str) -> Iterable[Hit]:
    """Yield National Insurance numbers with a prefix HMRC issues."""
    for m in _NINO_RE.finditer(text):
        if is_issued_nino_prefix(m.group(1).upper()):
            yield Hit(NI_NUMBER, m.start(), m.end())


def _phone_end(text: str, m: re.Match[str]) -> int | None:
    """Where the UK number a phone candidate starts ends, or None when it is not one."""
    international = m.group("prefix").lstrip("(").startswith(("+", "00"))
    groups = [g.span() for g in _PHONE_GROUP_RE.finditer(m.group("body"))]
    first = m.group("body")[: groups[0][1]]
    if international and first.startswith("0"):
        return None
    if first[0] not in "1237" or (len(groups) > 1 and len(first) < 2):
        return None
    # Later groups are at least 3 digits: "0 5 10 15" is a list, not a number.
    usable = next((k for k in range(1, len(groups)) if groups[k][1] - groups[k][0] < 3), None)
    offset, digits = m.start("body"), 1  # the trunk 0
    lengths = []
    for start, end in groups[: usable or len(groups)]:
        digits += end - start
        lengths.append(digits)
    for k in range(len(lengths), 0, -1):
        end = offset + groups[k - 1][1]
        if end < len(text) and text[end].isdigit():
            continue  # a group cut short by the length bound: part of a longer number
        if lengths[k - 1] == 11 or (lengths[k - 1] == 10 and first[0] == "1"):
            return end
    return None


def _phone_hits(text: str) -> Iterable[Hit]:
    """Yield UK numbers: trunk 0 or +44, then 10 or 11 national digits in written groups.

    Each candidate is bounded (six groups of at most 11 digits) and the search resumes right
    after a number, or one character after a candidate that is not one, so the time is linear
    in the text and a number right after another one's trailing groups is still found.
    """
    pos = 0
    while (m := _PHONE_RE.search(text, pos)) is not None:
        stable_id = _STABLE_ID_RE.match(text, m.start())
        end = None if stable_id else _phone_end(text, m)
        if end is None:
            pos = m.start() + 1
            continue
        yield Hit(PHONE, m.start(), end)
        pos = end


def _titled_hits(text: str) -> Iterable[Hit]:
    """Yield the capitalised name after a title (Dr, Nurse, Mrs...), not the title itself, and
    the name in any case after an abbreviated title in any case ("dr jane smith")."""
    for pattern, any_case in ((_TITLED_RE, False), (_LOWER_TITLED_RE, True)):
        for m in pattern.finditer(text):
            name = m.group("name")
            if len(name) < 2 or name.casefold() in TITLE_FOLLOWERS:
                continue
            if not (any_case or name[0].isupper()):
                continue
            end = m.end("name")
            second = m.group("second")
            if (
                second
                and (any_case or second[0].isupper())
                and second.casefold() not in _NOT_A_SECOND_NAME
            ):
                end = m.end("second")
            yield Hit(TITLED_NAME, m.start("name"), end)


def _dob_hits(text: str) -> Iterable[Hit]:
    """Yield full dates that sit next to a birth cue; the cue words themselves stay readable."""
    folded = text.casefold()
    if not any(cue in folded for cue in _BIRTH_SCREEN):
        return
    for cue in _CUE_RE.finditer(text):
        after = _DATE_AFTER_CUE_RE.match(text, cue.end())
        if after is not None:
            yield Hit(DATE_OF_BIRTH, after.start("date"), after.end("date"))
        # A date before the cue ends with a digit at most 20 characters before it and is at
        # most 32 characters long ("the 14th of September, 1961"): search only there.
        last = _LAST_DIGIT_RE.search(text, max(0, cue.start() - 21), cue.start())
        if last is None:
            continue
        before = _DATE_BEFORE_CUE_RE.search(text, max(0, last.end() - 32), cue.start())
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
    starts: re.Pattern[str]  # any word a listed name or token starts with


@lru_cache(maxsize=32)
def _name_rules(names: tuple[str, ...], with_tokens: bool = True) -> _NameRules:
    """Compile the full-name rule and the capitalised single-token rule once per name list.

    List entries are put in matching form first (NFKC: a name written decomposed, as macOS
    writes "Zoe" + U+0308, is the same name), and matched case-insensitively.
    """
    cleaned = (_clean_name(case_folded(matching_form(str(n))).text) for n in names)
    full = {n: _first_word(n) for n in cleaned if n and _WORD_RE.search(n)}
    tokens: dict[str, str] = {}
    for name in full if with_tokens else ():
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
        starts=re.compile(
            rf"(?<!\w)(?:{_trie_pattern(sorted({*full.values(), *tokens.values()}))})(?!\w)",
            re.IGNORECASE,
        ),
    )


@dataclass(frozen=True)
class _Rules:
    """The compiled list rules of one screen: private names and private places."""

    names: _NameRules | None
    places: _NameRules | None


def _rules_for(names: Collection[str], places: Collection[str] = ()) -> _Rules:
    """Resolve the name and place lists to their compiled rules once (cached)."""
    return _Rules(
        _name_rules(tuple(names)) if names else None,
        _name_rules(tuple(places), with_tokens=False) if places else None,
    )


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    """One character as names are compared: case folded (sharp s is "ss"), accents and the
    dot of a Turkish capital I dropped, dotless i as i; so "Strauß" is "strauss"."""
    folded = unicodedata.normalize("NFD", ch.casefold())
    return "".join(c for c in folded if not unicodedata.combining(c)).replace("\u0131", "i")


def case_folded(text: str) -> Normalised:
    """The text as name lists are matched, with each character's span in `text`."""
    if text.isascii():
        return Normalised(text.lower())
    out: list[str] = []
    starts, ends = array("q"), array("q")
    for i, ch in enumerate(text):
        folded = _fold_char(ch)
        out.append(folded)
        starts.extend([i] * len(folded))
        ends.extend([i + 1] * len(folded))
    return Normalised("".join(out), starts, ends)


def _name_hits(text: str, rules: _NameRules, kind: str = NAME) -> Iterable[Hit]:
    """Yield listed names in any case, and their first/last tokens when written with a
    capital ("the tom toms" is no Tom), ignoring accents and case folding (ß is ss)."""
    # Most excerpts name nobody on the list: one C-level split of the text rules them out.
    # Otherwise find (in C, with a trie) the words a listed name can start with and try the
    # rules only there, which keeps a 500-name list almost as cheap as a short one.
    form = case_folded(text)
    folded = form.text
    if rules.screen.isdisjoint(_WORD_RE.findall(folded)):
        return
    for word in rules.starts.finditer(folded):
        key = word.group()
        pos = word.start()
        capital = text[form.span(pos, pos + 1)[0]].isupper()
        for pattern, starts in (
            (rules.full, rules.full_starts),
            (rules.tokens, rules.token_starts),
        ):
            if pattern is rules.tokens and not capital:
                continue
            if pattern is not None and key in starts:
                m = pattern.match(folded, pos)
                if m is not None:
                    yield Hit(kind, *form.span(pos, m.end()))
                    break


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


def find_identifiers(
    text: str, names: Collection[str] = (), places: Collection[str] = ()
) -> list[Hit]:
    """Locate every identifier in a text, merged and sorted, so it can be redacted or refused."""
    return _find(text, _rules_for(names, places))


def _find(text: str, rules: _Rules) -> list[Hit]:
    """Run every rule over the matching form of a text; hits are spans of the text itself."""
    if not text:
        return []
    form = normalise(text)
    hits = _find_in_form(form.text, rules)
    if form.starts is not None:
        hits = [Hit(h.kind, *form.span(h.start, h.end)) for h in hits]
    return _merge(hits)


def _find_in_form(text: str, rules: _Rules) -> list[Hit]:
    """Every rule over a text already in matching form, with list rules already compiled."""
    hits: list[Hit] = []
    if _DIGIT_RE.search(text) is not None:  # every rule but e-mail and names needs a digit
        hits.extend(_nhs_hits(text))
        hits.extend(_nino_hits(text))
        hits.extend(_phone_hits(text))
        hits.extend(_dob_hits(text))
        hits.extend(_postcode_hits(text))
        hits.extend(_address_hits(text))
    if "@" in text:
        hits.extend(_simple_hits(_EMAIL_RE, EMAIL, text))
    hits.extend(_titled_hits(text))
    if rules.names is not None:
        hits.extend(_name_hits(text, rules.names))
    if rules.places is not None:
        hits.extend(_name_hits(text, rules.places, PLACE))
    if hits and "[" in text:
        # Placeholders from an earlier pass are not identifiers: keeps redaction idempotent.
        taken = [m.span() for m in _PLACEHOLDER_RE.finditer(text)]
        if taken:
            hits = [h for h in hits if not _overlaps_any(h, taken)]
    return hits


def _overlaps_any(hit: Hit, spans: list[tuple[int, int]]) -> bool:
    """Whether a hit overlaps one of the sorted spans (binary search: linear time overall)."""
    i = bisect_right(spans, (hit.start, float("inf")))
    return any(s < hit.end and hit.start < e for s, e in spans[max(0, i - 1) : i + 1])


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


def redact(
    text: str, names: Collection[str] = (), places: Collection[str] = ()
) -> tuple[str, list[Hit]]:
    """Replace each identifier with a typed placeholder so quotes stay readable but anonymous.

    Redaction repeats until nothing more is found (a number jammed against another one can
    only be seen once its neighbour is a placeholder), so the output is a fixed point and
    ``redact`` is idempotent; the returned hits always refer to positions in ``text``.
    """
    return _redact(text, _rules_for(names, places))


def _redact(text: str, rules: _Rules) -> tuple[str, list[Hit]]:
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


#: Excerpt fields that can be printed or written to results/ and are redacted in place.
SCREENED_FIELDS: tuple[str, ...] = ("text", "source_id", "coder")


def redact_excerpts(
    df: pd.DataFrame,
    names: Collection[str] = (),
    fields: Sequence[str] = ("text",),
    places: Collection[str] = (),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Redact the given fields of an excerpt table; log hits by excerpt, field and kind, never
    by value. Fields absent from the table are skipped, except the first (the excerpt text)."""
    if fields[0] not in df.columns:
        raise PrivacyError(
            f"the excerpt table has no '{fields[0]}' column to screen; "
            f"columns present: {', '.join(map(str, df.columns))}"
        )
    rules = _rules_for(names, places)
    ids = df["excerpt_id"].tolist() if "excerpt_id" in df.columns else df.index.tolist()
    out = df.copy()
    records: list[tuple[int, int, str, int]] = []  # row, field, kind, count
    for f, field in enumerate(fields):
        if field not in df.columns:
            continue
        redacted: list[object] = []
        for row, value in enumerate(df[field].tolist()):
            if not isinstance(value, str):
                redacted.append(value)
                continue
            new_value, hits = _redact(value, rules)
            redacted.append(new_value)
            records += [(row, f, k, n) for k, n in Counter(h.kind for h in hits).items()]
        if f:
            redacted = _keep_distinct(df[field].tolist(), redacted)
        out[field] = pd.Series(redacted, index=df.index, dtype=df[field].dtype)
    records.sort()
    hit_log = pd.DataFrame(
        {
            "excerpt_id": pd.Series([str(ids[r[0]]) for r in records], dtype="string"),
            "field": pd.Series([fields[r[1]] for r in records], dtype="string"),
            "kind": pd.Series([r[2] for r in records], dtype="string"),
            "count": pd.Series([r[3] for r in records], dtype="int64"),
        }
    )
    return out, hit_log


def _keep_distinct(original: list[object], redacted: list[object]) -> list[object]:
    """Numbered redacted keys ("... [NHS NUMBER] #2") where two different values redact alike,
    so two sources never merge into one; numbered in sorted order of the originals."""
    by_key: dict[object, set[object]] = {}
    for before, after in zip(original, redacted, strict=True):
        if isinstance(after, str) and before != after:
            by_key.setdefault(after, set()).add(before)
    for before, after in zip(original, redacted, strict=True):
        if isinstance(after, str) and before == after and after in by_key:
            by_key[after].add(before)  # an unredacted value equal to a redacted one
    number: dict[object, str] = {}
    for key, values in by_key.items():
        if len(values) > 1:
            for rank, value in enumerate(sorted(values, key=str), start=1):
                number[value] = f"{key} #{rank}"
    return [number.get(b, a) for b, a in zip(original, redacted, strict=True)]


def load_name_list(path: str | Path | None) -> list[str]:
    """Read an optional, git-ignored private list (names, or places); no file, no entries."""
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
    text: str,
    where: str,
    names: Collection[str] = (),
    *,
    allowed: Collection[str] = (),
    places: Collection[str] = (),
) -> None:
    """Fail closed before a report is written if any identifier would be printed."""
    rules = _rules_for(names, places)
    hits = _find(text, rules)
    if allowed:
        permitted = {matching_form(a).casefold() for a in allowed}
        hits = [h for h in hits if matching_form(text[h.start : h.end]).casefold() not in permitted]
    if not hits:
        return
    raise PrivacyError(
        f"{where}: {len(hits)} possible identifier(s) would be printed ({kind_counts(hits)}); "
        f'the first in context, redacted: "{_context(text, hits[0], rules)}". '
        "Fix the source (excerpt text, register or config), quarantine the excerpt, or list a "
        "public contact detail under privacy.allowed in config/config.yaml; no report was written."
    )


def value_tag(value: object) -> str:
    """'#3f2a9c1e': names a value of an identifier field the registers do not know (a case,
    participant or site name) in a quarantine detail, log or error without quoting it; the
    same value gets the same tag, so a reviewer can still group the rows."""
    import hashlib

    digest = hashlib.sha256(matching_form(str(value)).encode("utf-8")).hexdigest()
    return f"#{digest[:8]}"


def kind_counts(hits: Iterable[Hit]) -> str:
    """'2 PHONE, 1 NAME': what was found, never the values."""
    counts = Counter(h.kind for h in hits)
    return ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))


def _context(text: str, hit: Hit, rules: _Rules, width: int = 40) -> str:
    """Words around a hit in the fully redacted text, so the error locates it safely (a window
    cut from the redacted text cannot show part of an identifier)."""
    redacted, _ = _redact(text, rules)
    at = redacted.find(PLACEHOLDERS[hit.kind])
    start = max(0, at - width)
    end = min(len(redacted), at + len(PLACEHOLDERS[hit.kind]) + width)
    return flatten_whitespace(redacted[start:end])


def flatten_whitespace(text: str) -> str:
    """One space for every run of whitespace, so a line break inside a postcode cannot hide it."""
    return " ".join(text.split())


def screening_names(name_list: str | Path | None, participants: pd.DataFrame) -> list[str]:
    """The private list plus any register name columns: the one name set every screen uses."""
    return sorted({*load_name_list(name_list), *names_from_registers(participants)})


HIT_LOG_COLUMNS: tuple[str, ...] = ("batch", "excerpt_id", "field", "kind", "count")


def run_redact_batch(
    clean_path: str,
    participants_path: str,
    name_list: str | None,
    out_redacted: str,
    out_hits: str,
    place_list: str | None = None,
) -> None:
    """Rule adapter: redact one batch's excerpt text, source and coder names; log hits by
    excerpt, field and kind, never the value."""
    from realist_report.core.tables import read_parquet, write_csv, write_parquet

    clean = read_parquet(clean_path)
    names = screening_names(name_list, read_parquet(participants_path))
    places = load_name_list(place_list)
    log.info(
        "screening %d excerpts (%s) with %d listed or registered names and %d listed places",
        len(clean), ", ".join(SCREENED_FIELDS), len(names), len(places),
    )  # fmt: skip
    redacted, hits = redact_excerpts(clean, names, SCREENED_FIELDS, places)
    batch = str(clean["batch"].iloc[0]) if "batch" in clean.columns and len(clean) else ""
    hits.insert(0, "batch", pd.Series([batch] * len(hits), dtype="string"))
    for (field, kind), count in hits.groupby(["field", "kind"], sort=True)["count"].sum().items():
        log.info("redacted %d %s placeholder(s) in %s", count, kind, field)
    log.info(
        "%d of %d excerpts had identifiers redacted",
        hits["excerpt_id"].nunique(),
        len(clean),
    )
    write_parquet(redacted, out_redacted)
    write_csv(hits[list(HIT_LOG_COLUMNS)], out_hits)


def run_collect_hits(hit_paths: list[str], out: str) -> None:
    """Rule adapter: every batch's hit log in one reviewer CSV (types and counts, no values)."""
    from realist_report.core.tables import write_csv

    frames = [pd.read_csv(p, dtype={"count": "int64"}, keep_default_na=False) for p in hit_paths]
    frames = [f for f in frames if len(f)]
    hits = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(
            {c: pd.Series(dtype="int64" if c == "count" else "string") for c in HIT_LOG_COLUMNS}
        )
    )
    hits = hits[list(HIT_LOG_COLUMNS)].sort_values(["batch", "excerpt_id", "field", "kind"])
    log.info(
        "%d identifiers redacted in %d excerpts", hits["count"].sum(), len(set(hits["excerpt_id"]))
    )
    write_csv(hits, out)
