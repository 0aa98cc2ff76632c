"""The editions' screen: the text a reader sees in the HTML and the PDF, checked for identifiers.

Publishing fails closed if the rendered HTML's visible text (element text and the attributes a
reader sees or a screen reader speaks, inline SVG figures included) or the PDF's extracted text
shows an identifier that redaction (privacy.redact) would have removed.
"""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from realist_report.core.errors import PrivacyError
from realist_report.privacy.redact import assert_no_identifiers, flatten_whitespace

__all__ = [
    "COLUMN_BREAK",
    "html_visible_text",
    "join_broken_lines",
    "pdf_text",
    "screen_report",
    "words_to_text",
]

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


def screen_report(
    html_path: str | Path,
    pdf_path: str | Path,
    names: Collection[str],
    allowed: Collection[str],
    places: Collection[str] = (),
) -> None:
    """Fail closed if the rendered HTML or the PDF's extracted text shows an identifier."""
    html = Path(html_path).read_text(encoding="utf-8")
    for text, where in (
        (html_visible_text(html), f"the HTML report {html_path}"),
        (pdf_text(pdf_path), f"the PDF report {pdf_path}"),
    ):
        assert_no_identifiers(text, where, names, allowed=allowed, places=places)
