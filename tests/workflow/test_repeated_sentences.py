"""No sentence of six words or more is printed twice anywhere in the report (HTML and PDF).

What is read: every text of the built HTML edition except
- headings (h1-h6) and the contents with its lists of tables and figures, which repeat the
  headings and captions by design (as a printed book's contents do), and a heading's text
  where a table names a row by it (a CMOC's title in the summary tables);
- the evaluation question's box in the Introduction: the question is stated in the abstract and
  again as RAMESES II item 5, as a title is;
- a table cell's sentence holding a number: counts written out ("2 role groups (...) and 1
  data type") are table values that two rows may share, not prose.
Sentences end at . ! ? or a colon (so "Adequacy: ..." and "2021-02-01: ..." compare the text after
the label), as realist_report.analysis.quotes splits quotes. The PDF must print no such sentence more
often than the whole HTML does (contents, lists and running headers included), so a sentence
printed once in the HTML is printed once in the PDF.
"""

from __future__ import annotations

import collections
import re
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import pdf_text
from realist_report.analysis.quotes import MIN_SHARED_SENTENCE_WORDS

pytestmark = pytest.mark.e2e

#: Elements whose text stands apart (a sentence never runs across them).
BLOCKS = {
    "p", "td", "th", "li", "dd", "dt", "div", "blockquote", "caption", "figcaption", "br",
    "tr", "h1", "h2", "h3", "h4", "h5", "h6", "footer", "section", "nav", "table", "ul", "ol",
}  # fmt: skip
SKIPPED = {"style", "script", "head", "h1", "h2", "h3", "h4", "h5", "h6", "nav"}
VOID = {"br", "img", "meta", "link", "hr", "input"}
SENTENCE_END = re.compile(r"(?<=[.!?…:])\s+")


class ReportText(HTMLParser):
    """Blocks of printed text, each marked as prose or as a table cell."""

    def __init__(self) -> None:
        super().__init__()
        self.blocks: list[tuple[str, bool]] = []
        self.headings: set[str] = set()
        self.heading: list[str] | None = None
        self.open: list[tuple[str, bool]] = []  # (tag, skipped)
        self.current: list[str] = []
        self.cells = 0

    def _flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append((text, self.cells > 0))
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self._flush()
        if tag in VOID:
            return
        classes = (dict(attrs).get("class") or "").split()
        self.open.append((tag, tag in SKIPPED or "question" in classes))
        self.cells += tag in ("td", "th")
        if re.fullmatch(r"h\d", tag):
            self.heading = []

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID or not any(t == tag for t, _ in self.open):
            return
        if tag in BLOCKS:
            self._flush()
        if re.fullmatch(r"h\d", tag) and self.heading is not None:
            title = " ".join("".join(self.heading).split())
            self.headings.update({words(title), words(title.partition(": ")[2])})
            self.heading = None
        while self.open:
            closed, _ = self.open.pop()
            self.cells -= closed in ("td", "th")
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.heading is not None:
            self.heading.append(data)
        if not any(skipped for _, skipped in self.open):
            self.current.append(data)


def sentences(html: str) -> list[str]:
    """The report's sentences of six words or more that must not repeat (see the docstring)."""
    parser = ReportText()
    parser.feed(html)
    found = []
    for text, in_table in parser.blocks:
        for sentence in SENTENCE_END.split(text):
            sentence = sentence.strip(" “”\"'()")
            if len(sentence.split()) < MIN_SHARED_SENTENCE_WORDS:
                continue
            if in_table and re.search(r"\d", sentence) or words(sentence) in parser.headings:
                continue
            found.append(sentence)
    return found


def words(text: str) -> str:
    """A sentence as compared: its words, case and punctuation aside."""
    return " ".join(re.findall(r"[\w'’-]+", text.casefold()))


def repeated(items: list[str]) -> list[str]:
    """Sentences found more than once, compared word by word."""
    counts = collections.Counter(words(s) for s in items)
    return sorted(s for s, n in counts.items() if n > 1)


def letters(text: str) -> str:
    """Only letters and digits, case folded: a PDF's line-end hyphens, ligatures' spacing and
    line breaks cannot hide a repeat (or make one)."""
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def test_the_checker_finds_a_sentence_printed_twice_and_skips_what_it_says() -> None:
    html = (
        "<h1>How often people are seen</h1><p>Nobody tells me how often to see"
        " people. Short one.</p><blockquote><p>“Nobody tells me how often to see people,"
        "”</p></blockquote><table><tr><td>2 role groups and 1 data type (interview).</td></tr>"
        "<tr><td>2 role groups and 1 data type (interview).</td></tr></table>"
        "<div class='question'>What works for whom and in what circumstances?</div>"
        "<p>What works for whom and in what circumstances?</p><h3>CMOC01: Time lets them"
        " connect with patients</h3><table><tr><td>Time lets them connect with patients</td>"
        "</tr></table><p>Time lets them connect with patients.</p>"
    )
    assert repeated(sentences(html)) == ["nobody tells me how often to see people"]


@pytest.mark.xdist_group("built_workflow")
def test_no_sentence_is_printed_twice_in_the_html_or_the_pdf(built_workflow: Path) -> None:
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    found = sentences(html)
    assert len(found) > 300, "the checker read too little of the report"
    assert repeated(found) == [], "sentences printed twice in the HTML edition"
    pdf = letters(pdf_text(built_workflow / "reports" / "evaluation_report.pdf"))
    whole = letters(unescape(re.sub(r"<[^>]+>", " ", html.split("<body", 1)[1])))
    twice = sorted({s for s in found if pdf.count(letters(s)) > max(1, whole.count(letters(s)))})
    assert twice == [], "sentences printed twice in the PDF edition"
    quotes = re.findall(r"<blockquote[^>]*>.*?</blockquote>", html, re.DOTALL)
    assert quotes and all(q.count("“") == 1 for q in quotes), "each quote its own block"
