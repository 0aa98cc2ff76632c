"""The printed report's layout, read from the built PDF and HTML: one-line running headers, no
near-empty page inside a chapter, figures cited before they appear and readable at print size,
no hyphen artefacts, one suppression marker in tables and figures."""

from __future__ import annotations

import base64
import html as html_lib
import re
import subprocess
from pathlib import Path

import pytest
from realist_report.core.vocabulary import suppression_marker

REPO = Path(__file__).resolve().parents[2]
PRINT_CSS = (REPO / "workflow" / "templates" / "print.css").read_text(encoding="utf-8")
PT_PER_MM = 72 / 25.4
PAGE_HEIGHT = 841.9  # A4, points
#: print.css @page margin: 22 mm top and bottom, 20 mm right and 22 mm left
BODY_TOP, BODY_BOTTOM = 22 * PT_PER_MM, PAGE_HEIGHT - 22 * PT_PER_MM
TEXT_WIDTH = (210 - 20 - 22) * PT_PER_MM
MIN_FILL = 1 / 3
MIN_LABEL_PT = 6.9  # "no label under 7 pt", allowing for rounding of the SVG's own sizes
_WORD = re.compile(
    r'<word xMin="[\d.-]+" yMin="([\d.-]+)" xMax="[\d.-]+" yMax="([\d.-]+)">([^<]*)</word>'
)


def pages_of(bbox_xml: str) -> list[list[tuple[float, float, str]]]:
    """Every page's words as (top, bottom, text), from pdftotext -bbox output."""
    return [
        [(float(top), float(bottom), html_lib.unescape(w)) for top, bottom, w in _WORD.findall(p)]
        for p in bbox_xml.split("<page ")[1:]
    ]


def page_fill(words: list[tuple[float, float, str]]) -> float:
    """How far down the text block a page is printed: the last body word's bottom (a figure
    always has its caption below it, so a figure counts too)."""
    body = [bottom for top, bottom, _ in words if top > BODY_TOP and bottom < BODY_BOTTOM]
    return (max(body) - BODY_TOP) / (BODY_BOTTOM - BODY_TOP) if body else 0.0


def first_line(words: list[tuple[float, float, str]]) -> str:
    """The first line of a page's body text (words sharing the first word's top)."""
    body = [w for w in words if w[0] > BODY_TOP and w[1] < BODY_BOTTOM]
    return " ".join(text for top, _, text in body if body and abs(top - body[0][0]) < 2)


def first_words(words: list[tuple[float, float, str]], n: int) -> str:
    """The first n words of a page's body text."""
    body = [text for top, bottom, text in words if top > BODY_TOP and bottom < BODY_BOTTOM]
    return " ".join(body[:n])


def near_empty_pages(pages: list[list[tuple[float, float, str]]], chapters: list[str]) -> dict:
    """Pages under a third full, page number -> fill, except where a chapter ends: the last page,
    and any page followed by one that opens with a chapter (h1) title."""
    openings = [" ".join(title.split()[:3]) for title in chapters]
    found = {}
    for number, words in enumerate(pages, start=1):
        following = first_line(pages[number]) if number < len(pages) else None
        chapter_end = following is None or any(following.startswith(o) for o in openings)
        if not chapter_end and page_fill(words) < MIN_FILL:
            found[number] = round(page_fill(words), 2)
    return found


def bbox_word(top: float, text: str) -> str:
    return f'<word xMin="60" yMin="{top}" xMax="90" yMax="{top + 10}">{text}</word>'


def test_a_near_empty_page_inside_a_chapter_is_found_one_at_a_chapter_end_is_not() -> None:
    full = "".join(bbox_word(70 + 20 * i, "text") for i in range(35))
    short = bbox_word(70, "Methods") + bbox_word(90, "two lines")
    xml = "".join(
        f'<page width="595" height="842">{p}</page>'
        for p in [full, short, full, short, bbox_word(70, "Results"), full]
    )
    pages = pages_of(xml)
    assert page_fill(pages[0]) > 0.9 and page_fill(pages[1]) < 0.1
    # page 2 is followed by a page of running text, page 4 by the Results chapter, page 5 (the
    # chapter's heading alone) by running text
    assert near_empty_pages(pages, ["Methods", "Results"]) == {2: 0.05, 5: 0.02}


@pytest.fixture(scope="module")
def built_pages(built_workflow: Path) -> list[list[tuple[float, float, str]]]:
    pdf = built_workflow / "reports" / "evaluation_report.pdf"
    xml = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return pages_of(xml)


@pytest.fixture(scope="module")
def report_html(built_workflow: Path) -> str:
    return (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def main_html(report_html: str) -> str:
    """The report body after the contents (whose lists link every figure and table)."""
    return report_html[report_html.index("<main>") :]


def chapter_titles(html: str) -> list[str]:
    return [
        html_lib.unescape(re.sub(r"<[^>]+>", "", inner))
        for inner in re.findall(r"<h1\b[^>]*>(.*?)</h1>", html, re.S)
    ]


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_every_running_header_and_footer_is_one_line(built_pages) -> None:
    wrapped = {}
    for number, words in enumerate(built_pages, start=1):
        for band in (
            [w for w in words if w[1] <= BODY_TOP],
            [w for w in words if w[0] >= BODY_BOTTOM],
        ):
            lines = {round(top) for top, _, _ in band}
            if len(lines) > 1:
                wrapped[number] = " ".join(text for _, _, text in band)
    assert not wrapped, f"running headers or footers over two lines: {wrapped}"
    # the long appendix title is shortened in its header, whole in its heading
    appendix = next(w for w in built_pages if "leads for the team to examine" in first_words(w, 20))
    header = " ".join(text for _, bottom, text in appendix if bottom <= BODY_TOP)
    assert header.startswith("Appendix F. Candidate CMOCs ") and "leads" not in header


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_no_page_is_under_a_third_full_except_at_a_chapter_end(built_pages, report_html) -> None:
    found = near_empty_pages(built_pages, chapter_titles(report_html))
    assert not found, f"near-empty pages inside a chapter (page: fill): {found}"


def sections(html: str) -> list[tuple[int, str]]:
    """Where each h1 or h2 section starts in the HTML, with its id."""
    return [(m.start(), m.group(1)) for m in re.finditer(r'<h[12]\b[^>]*\bid="([^"]+)"', html)]


def section_at(position: int, starts: list[tuple[int, str]]) -> str:
    return [name for start, name in starts if start <= position][-1]


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_every_figure_is_cited_before_it_appears_in_its_own_section(main_html) -> None:
    starts = sections(main_html)
    figures = [
        (m.start(), m.group(1)) for m in re.finditer(r'<figure [^>]*id="fig-(\w+)"', main_html)
    ]
    assert len(figures) >= 8
    problems = []
    for position, name in figures:
        cited = main_html.find(f'href="#fig-{name}"')
        if cited < 0 or cited > position:
            problems.append(f"{name}: not cited before it appears")
        elif section_at(cited, starts) != section_at(position, starts):
            where = (section_at(cited, starts), section_at(position, starts))
            problems.append(f"{name}: first cited in section {where[0]}, placed in {where[1]}")
    assert not problems, problems


def css_max_height(selector: str) -> float:
    """A figure image's max-height in print.css, in points."""
    rule = re.search(re.escape(selector) + r"\s*\{[^}]*max-height:\s*([\d.]+)mm", PRINT_CSS)
    return float(rule.group(1)) * PT_PER_MM


def printed_label_sizes(svg: str, max_height: float) -> list[float]:
    """Every text size of an SVG figure in points as printed: the image fills the text width,
    scaled down to fit max-height (print.css .figure img, object-fit: contain)."""
    size = re.search(
        r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"[^>]*viewBox="[\d. -]+? ([\d.]+) [\d.]+"',
        svg,
        re.S,
    )
    width, height, view_width = (float(v) for v in size.groups())
    scale = min(TEXT_WIDTH / width, max_height / height) * width / view_width
    found = re.findall(r'font-size(?::\s*|=")([\d.]+)', svg)
    return [float(f) * scale for f in found]


def figure_svgs(html: str) -> dict[str, tuple[str, bool]]:
    """Figure name -> (SVG text, printed tall) from the report's embedded images."""
    found = {}
    for classes, name, data in re.findall(
        r'<figure class="([^"]*)" id="fig-(\w+)"><img src="data:image/svg\+xml;base64,([^"]+)"',
        html,
    ):
        found[name] = (base64.b64decode(data).decode("utf-8"), "tall" in classes.split())
    return found


FIGURE_NAMES = [
    "programme_theory",
    "participants",
    "evidence_heatmap",
    "triangulation",
    "evidence_by_data_type",
    "for_whom",
    "wave_change",
    "strength_by_area",
    "code_cooccurrence",
    "rulegraph",
]


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
@pytest.mark.parametrize("name", FIGURE_NAMES)
def test_figure_labels_print_at_seven_points_or_more(report_html, name) -> None:
    svg, tall = figure_svgs(report_html)[name]
    limit = css_max_height(".figure.tall img" if tall else ".figure img")
    sizes = printed_label_sizes(svg, limit)
    assert sizes, f"{name}: no text found in the SVG"
    assert min(sizes) >= MIN_LABEL_PT, f"{name}: smallest label prints at {min(sizes):.1f} pt"


def visible_text(html: str) -> str:
    body = html[html.index("<body") :]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", body))


#: a hyphen a source line break left before a space ('follow- up'); a suspended hyphen before
#: 'and'/'or'/'to' ('baseline- and follow-up') is English
LINE_END_HYPHEN = re.compile(r"\b[A-Za-z]+- (?!and\b|or\b|to\b)[a-z]+")


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_no_hyphen_artefacts_in_html_or_pdf(report_html, built_workflow) -> None:
    assert not LINE_END_HYPHEN.findall(visible_text(report_html))
    pdf = built_workflow / "reports" / "evaluation_report.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert not LINE_END_HYPHEN.findall(text.replace("-\n", "-"))
    # WeasyPrint's own hyphen (U+2010) at a line end: never inside a word that has one already
    broken = ["".join(pair) for pair in re.findall(r"(\S+)\u2010\n(\S+)", text)]
    assert broken, "no hyphenated line ends: the check would see nothing"
    assert not [w for w in broken if "-" in w], "a compound hyphenated a second time"


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_figures_and_tables_mark_suppressed_cells_alike(report_html, main_html) -> None:
    from conftest import DEMO_CONFIG

    marker = suppression_marker(DEMO_CONFIG.get("privacy", {}))
    svg, _ = figure_svgs(report_html)["for_whom"]
    figure_cells = {t.strip() for t in re.findall(r"<text[^>]*>([^<]*)", svg)}
    subgroups = "".join(re.findall(r'<table class="subgroups">.*?</table>', main_html, re.S))
    table_cells = set(re.findall(r'<td class="num">([^<\d]+)</td>', subgroups))
    assert marker in figure_cells and table_cells == {marker}
    others = {c for c in figure_cells if c and not c[0].isalnum() and c != marker}
    assert not others, f"figure cells marked otherwise than the tables: {others}"
    assert not re.search(r"[<≤]\s*\d", "".join(figure_cells) + "".join(table_cells))
