"""Citations: `[@key]` in the narrative and in CMOC fields, formatted by citeproc-py in a CSL style.

Authors cite as in pandoc Markdown: `[@wong2016]`, `[@pawson1997; @wong2016]`. Keys come from the
bibliography (`report_options.bibliography`: BibTeX `.bib` or CSL JSON `.json`). A key the
bibliography lacks stops the build with the file and line. Citing happens in two steps so the
numbers follow the printed order: the narrative and the CMOC fields leave a marker
(`@@cite:key;key@@`) where the citation goes; once the whole report is rendered, `resolve`
registers the markers in reading order with citeproc, replaces each by its formatted citation
and fills the reference list (`@@bibliography@@`) with the formatted entries.
"""

from __future__ import annotations

import difflib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from realist_report.core.errors import PipelineError

log = logging.getLogger(__name__)

#: The style used when report_options.csl is not set: NLM/Vancouver citation-sequence, as NIHR asks.
DEFAULT_STYLE = (
    Path(__file__).resolve().parents[2] / "templates" / "csl" / "nlm-citation-sequence.csl"
)

_KEY = r"@([A-Za-z0-9_][\w:.#$%&+?<>~/-]*[A-Za-z0-9_])"
CITATION = re.compile(r"\[\s*(" + _KEY + r"(?:\s*;\s*" + _KEY + r")*)\s*\]")
_KEYS_IN = re.compile(_KEY)
MARKER = re.compile(r"@@cite:([^@]+)@@")
BIBLIOGRAPHY_MARKER = "@@bibliography@@"


class CitationError(PipelineError):
    """A citation cannot be printed: the message names the file and line."""


def _suggest(key: str, keys: list[str]) -> str:
    close = difflib.get_close_matches(key, keys, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def load_source(path: str | Path) -> object:
    """The bibliography as a citeproc-py source: BibTeX by `.bib`, CSL JSON by `.json`."""
    from citeproc.source.bibtex import BibTeX
    from citeproc.source.json import CiteProcJSON

    path = Path(path)
    if not path.is_file():
        raise CitationError(f"{path}: bibliography not found (report_options.bibliography)")
    if path.suffix.lower() == ".bib":
        try:
            return BibTeX(str(path), encoding="utf-8")
        except (AssertionError, ValueError, KeyError, IndexError) as error:
            # citeproc-py's BibTeX parser asserts; it accepts entries only (no % comment lines)
            raise CitationError(
                f"{path}: not a BibTeX file citeproc-py can read (entries only, no % comments)"
            ) from error
    if path.suffix.lower() == ".json":
        import json

        try:
            return CiteProcJSON(json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, KeyError) as error:
            raise CitationError(f"{path}: not a CSL JSON list of items ({error})") from error
    raise CitationError(f"{path}: a bibliography is a BibTeX .bib or a CSL JSON .json file")


@dataclass
class Citations:
    """The bibliography's keys and style; marks citations in text and resolves them at the end."""

    source: object | None
    style_path: Path
    where: str  # the bibliography file, for messages

    @classmethod
    def load(cls, bibliography: str | Path | None, style: str | Path | None = None) -> Citations:
        """No bibliography: any citation is an error naming where it is written."""
        source = load_source(bibliography) if bibliography else None
        return cls(source, Path(style) if style else DEFAULT_STYLE, str(bibliography or ""))

    @property
    def keys(self) -> list[str]:
        """The bibliography's keys (citeproc-py lower-cases them: citing is case-insensitive)."""
        return sorted(self.source) if self.source is not None else []

    def check_line(self, line: str, where: str) -> None:
        """Stop on the first key of the line that the bibliography does not hold."""
        held_keys = set(self.keys)
        for citation in CITATION.finditer(line):
            for key in _KEYS_IN.findall(citation.group(1)):
                if key.lower() not in held_keys:
                    held = (
                        f"the bibliography {self.where} has no entry '{key}'"
                        f"{_suggest(key.lower(), self.keys)}"
                        if self.source is not None
                        else "no bibliography is configured (report_options.bibliography)"
                    )
                    raise CitationError(f"{where}: unknown citation [@{key}]: {held}")

    def check_file(self, path: str | Path) -> None:
        """Check every citation of a text file (a narrative file, config/cmocs.yaml) by line."""
        text = Path(path).read_text(encoding="utf-8")
        for number, line in enumerate(text.splitlines(), start=1):
            self.check_line(line, f"{path}, line {number}")

    def mark(self, text: str) -> str:
        """Replace each citation by its marker (checked keys only: call check_* first)."""
        return CITATION.sub(lambda m: "@" + cited_marker(m.group(1)) + "@@", text)  # @@cite:…@@

    def mark_html(self, value: object) -> Markup:
        """A template filter for CMOC fields: escape the text, then mark its citations."""
        return Markup(self.mark(str(escape(value))))

    def resolve(self, document: str) -> tuple[str, int]:
        """Number and format every marker in reading order and fill the reference list."""
        markers = MARKER.findall(document)
        if not markers:
            return document.replace(BIBLIOGRAPHY_MARKER, ""), 0
        from citeproc import (
            Citation,
            CitationItem,
            CitationStylesBibliography,
            CitationStylesStyle,
            formatter,
        )

        style = CitationStylesStyle(str(self.style_path), validate=False)
        bibliography = CitationStylesBibliography(style, self.source, formatter.html)
        citations = {m: Citation([CitationItem(k) for k in m.split(";")]) for m in markers}
        for marker in markers:
            bibliography.register(citations[marker])
        texts = {
            marker: str(bibliography.cite(citation, self._missing))
            for marker, citation in citations.items()
        }
        cited = MARKER.sub(lambda m: cited_span(m.group(1), texts[m.group(1)]), document)
        entries = [_entry(str(item)) for item in bibliography.bibliography()]
        listing = '<ol class="references">' + "".join(entries) + "</ol>"
        log.info("citations: %d, references listed: %d", len(markers), len(entries))
        return cited.replace(BIBLIOGRAPHY_MARKER, listing), len(entries)

    def _missing(self, item: object) -> None:
        raise CitationError(f"{self.where}: no entry '{item.key}' (checked before, so a bug)")


#: How a printed citation is marked for the Word edition (docx_import reads it back as [@key]).
CITED_PREFIX = "@cite:"


def cited_span(keys: str, printed: str) -> str:
    """A printed citation, marked like a computed value (data-placeholder) so a co-author's Word
    file brings back its [@key; @key] rather than the number it printed."""
    return (
        f'<span class="citation computed" data-placeholder="{CITED_PREFIX}{keys}">{printed}</span>'
    )


def cited_marker(keys: str) -> str:
    """'@cite:a;b' for the keys of one citation ('@A; @b'), lower-cased as they are looked up."""
    return CITED_PREFIX + ";".join(k.lower() for k in _KEYS_IN.findall(keys))


def citation_markdown(placeholder: str) -> str | None:
    """'[@a; @b]' for a citation's marker ('@cite:a;b'), None for any other computed value."""
    if not placeholder.startswith(CITED_PREFIX):
        return None
    return "[" + "; ".join("@" + k for k in placeholder[len(CITED_PREFIX) :].split(";")) + "]"


_NUMBER = re.compile(r"^\s*(\d+)\.\s*")


def _entry(text: str) -> str:
    """One reference-list item: citeproc's leading '1.' becomes the list's own number."""
    number = _NUMBER.match(text)
    body = text[number.end() :] if number else text
    value = f' value="{number.group(1)}"' if number else ""
    return f"<li{value}>{body}</li>"
