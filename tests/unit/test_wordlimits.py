"""Word counts of the summaries against configured limits; strict stops the build."""

from __future__ import annotations

import pytest
from realist_report.report.wordlimits import WordLimitError, chapter_words, word_limit_lines

DOCUMENT = (
    '<h1 id="summary">Summary</h1><div class="keyfigures">\n  <div><strong>7</strong>sites</div>\n'
    "</div>\n<h4>Background</h4><p>Link work is relational &amp; local.</p>"
    "<table><tr><td>not counted at all here</td></tr></table>"
    '<h1 id="plain-language-summary">Plain language summary</h1><p>'
    + "word " * 12
    + '</p><h1 id="methods">Methods</h1><p>many more words</p>'
)


def test_a_chapter_counts_its_own_prose_only() -> None:
    assert chapter_words(DOCUMENT, "summary") == 6  # Background + five words; not the table
    assert chapter_words(DOCUMENT, "plain-language-summary") == 12
    assert chapter_words(DOCUMENT, "scientific-summary") is None


def test_limits_are_reported_and_strict_stops_on_the_one_over() -> None:
    limits = {"summary": 10, "plain-language-summary": 10, "scientific-summary": 5}
    lines = word_limit_lines(DOCUMENT, limits, strict=False)
    assert lines == [
        "word count: summary: 6 of 10 words, within the limit",
        "word count: plain-language-summary: 12 of 10 words, OVER the limit by 2",
        "word count: scientific-summary: not in the report",
    ]
    with pytest.raises(WordLimitError, match="plain-language-summary: 12 of 10 words"):
        word_limit_lines(DOCUMENT, limits, strict=True)
    assert word_limit_lines(DOCUMENT, {"summary": 6}, strict=True)[0].endswith("within the limit")
