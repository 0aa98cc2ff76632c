"""Print-only adjustments to the report HTML: one-line running headers, compounds kept whole.

Both are made to the HTML that WeasyPrint prints (report.context.write_pdf), never to the HTML edition.

Running headers: the print stylesheet sets the page headers from each h1's ``data-running``
attribute (CSS ``string-set: ... attr(data-running)``), so a chapter or appendix keeps its full
title on the page while its header prints a shortened one that fits beside the document title.
"""

from __future__ import annotations

import html as html_lib
import re

#: The widest running headers, in characters of the 8 pt header font (about 4.4 pt each): the
#: chapter's header box takes 44 % of the 168 mm text width, the document title's 56 %
#: (print.css, @top-left and @top-right).
RUNNING_LIMIT = 40
TITLE_LIMIT = 60

_H1 = re.compile(r"<h1\b([^>]*)>(.*?)</h1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def running_title(title: str, limit: int = RUNNING_LIMIT) -> str:
    """A heading short enough for one header line: whole if it fits, else the part before its
    colon ('Appendix F. Candidate CMOCs'), else cut at a word with an ellipsis."""
    title = " ".join(title.split())
    if len(title) <= limit:
        return title
    head = title.split(": ", 1)[0]
    if len(head) <= limit:
        return head
    cut = head[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,.;:-")
    return cut + "\u2026"


def add_running_titles(html: str) -> str:
    """Every h1 with a data-running attribute holding its running title (the document title's
    with its own limit; an h1 that has one already keeps it)."""

    def mark(match: re.Match) -> str:
        attributes, inner = match.group(1), match.group(2)
        if "data-running=" in attributes:
            return match.group(0)
        text = html_lib.unescape(_TAG.sub("", inner))
        limit = TITLE_LIMIT if "doc-title" in attributes else RUNNING_LIMIT
        short = html_lib.escape(running_title(text, limit), quote=True)
        return f'<h1{attributes} data-running="{short}">{inner}</h1>'

    return _H1.sub(mark, html)


#: A hyphenated compound in running text ('co-location', 'context-mechanism-outcome').
_COMPOUND = re.compile(r"(?<![\w-])\w+(?:-\w+)+(?![\w-])")
_TAGS = re.compile(r"(<[^>]*>)")
_SKIP = re.compile(r"<(style|script|title|code|head)\b", re.I)


def compounds_unhyphenated(html: str) -> str:
    """The HTML to print, every hyphenated compound wrapped in span.compound (hyphens: manual):
    WeasyPrint would otherwise break 'co-location' as 'co-loca-tion', a second hyphen the reader
    takes for part of the word. The line may still break after the compound's own hyphen."""
    start = html.find("<body")
    head, body = (html[:start], html[start:]) if start >= 0 else ("", html)
    parts = _TAGS.split(body)
    skipping: list[str] = []
    for i, part in enumerate(parts):
        if part.startswith("<"):
            opening = _SKIP.match(part)
            if opening and not part.endswith("/>"):
                skipping.append(opening.group(1).lower())
            elif skipping and part.lower().startswith(f"</{skipping[-1]}"):
                skipping.pop()
        elif not skipping:
            parts[i] = _COMPOUND.sub(r'<span class="compound">\g<0></span>', part)
    return head + "".join(parts)
