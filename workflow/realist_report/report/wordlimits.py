"""Word counts of the NIHR summaries against the journal's limits (report_options.word_limits).

Counted on the rendered report, so what is checked is what is printed: the words of a chapter
(its heading to the next chapter heading), leaving out tables, figures and the key-figure boxes,
which NIHR does not count. Over a limit is a warning in the build log, and stops the build when
report_options.strict is true.
"""

from __future__ import annotations

import html as html_lib
import re

from realist_report.core.errors import PipelineError

_NOT_COUNTED = re.compile(
    r"<table\b.*?</table>|<figure\b.*?</figure>|<div class=\"keyfigures\">.*?</div>\s*</div>",
    re.DOTALL,
)
_TAG = re.compile(r"<[^>]+>")
_CHAPTER = re.compile(r"<h1\b")


class WordLimitError(PipelineError):
    """A summary is longer than its configured limit and report_options.strict is set."""


def chapter_words(document: str, anchor: str) -> int | None:
    """Words printed in the chapter whose h1 has this id; None when the report has no such chapter."""
    start = re.search(rf'<h1\b[^>]*\bid="{re.escape(anchor)}"[^>]*>', document)
    if not start:
        return None
    heading_end = document.find("</h1>", start.end()) + len("</h1>")
    following = _CHAPTER.search(document, heading_end)
    body = document[heading_end : following.start() if following else len(document)]
    text = html_lib.unescape(_TAG.sub(" ", _NOT_COUNTED.sub(" ", body)))
    return len(re.findall(r"\w[\w'’-]*", text))


def word_limit_lines(document: str, limits: dict[str, int], *, strict: bool) -> list[str]:
    """One build-log line per limited chapter; with `strict`, any chapter over its limit stops."""
    lines, over = [], []
    for anchor, limit in limits.items():
        words = chapter_words(document, anchor)
        if words is None:
            lines.append(f"word count: {anchor}: not in the report")
            continue
        verdict = "within the limit" if words <= limit else f"OVER the limit by {words - limit}"
        lines.append(f"word count: {anchor}: {words} of {limit} words, {verdict}")
        if words > limit:
            over.append(lines[-1])
    if strict and over:
        raise WordLimitError(
            "report_options.strict: summaries over their word limit "
            "(report_options.word_limits): " + "; ".join(over)
        )
    return lines
