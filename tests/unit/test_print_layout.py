"""Print-only HTML adjustments: running titles that fit one header line, compounds kept whole."""

from __future__ import annotations

import pytest
from realist_report.report.print_layout import (
    RUNNING_LIMIT,
    TITLE_LIMIT,
    add_running_titles,
    compounds_unhyphenated,
    running_title,
)


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("Discussion", "Discussion"),
        (
            "Appendix F. Candidate CMOCs: leads for the team to examine",
            "Appendix F. Candidate CMOCs",
        ),
        (
            "Appendix G. How the programme theory was refined over three rounds of analysis",
            "Appendix G. How the programme theory\u2026",
        ),
    ],
)
def test_a_running_title_is_the_heading_cut_at_its_colon_or_a_word(title, expected) -> None:
    short = running_title(title)
    assert short == expected and len(short) <= RUNNING_LIMIT


def test_every_h1_gets_its_running_title_and_the_document_title_its_own_limit() -> None:
    html = (
        '<h1 class="doc-title">A study of a service across several regions of one country '
        "over two years</h1>"
        '<h1 id="x">Appendix F. Candidate &amp; other CMOCs: leads <em>to</em> examine</h1>'
        '<h1 id="y" data-running="Kept">Kept as it is</h1>'
    )
    out = add_running_titles(html)
    assert 'data-running="Appendix F. Candidate &amp; other CMOCs">' in out
    assert 'data-running="Kept">Kept as it is</h1>' in out and out.count("data-running") == 3
    title = out.split('data-running="')[1].split('"')[0]
    assert len(title) <= TITLE_LIMIT and title.endswith("\u2026")


def test_compounds_in_body_text_are_wrapped_and_nothing_else_is() -> None:
    html = (
        "<html><head><title>follow-up</title><style>a-b {}</style></head><body>"
        '<p class="co-op">Co-location and follow-up, not <code>make trace-x</code>; '
        "context-mechanism-outcome.</p><script>var a-b;</script></body></html>"
    )
    out = compounds_unhyphenated(html)
    assert '<span class="compound">Co-location</span>' in out
    assert '<span class="compound">follow-up</span>,' in out
    assert '<span class="compound">context-mechanism-outcome</span>.' in out
    assert "<title>follow-up</title>" in out and '<p class="co-op">' in out
    assert "<code>make trace-x</code>" in out and "var a-b;" in out and "a-b {}" in out
