"""The printed report, looked at page by page: no blank pages, nothing off the page, every figure."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from conftest import pdf_text
from PIL import Image, ImageOps
from realist_report.report.context import RAMESES_ITEMS
from realist_report.report.figures import EXTERNAL_FIGURES, FIGURES

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("built_workflow")]
DPI = 30
EDGE_MM = 6  # the outer strip of every page: paper margin outside the running headers and footers


@pytest.fixture(scope="module")
def pdf(built_workflow: Path) -> Path:
    return built_workflow / "reports" / "evaluation_report.pdf"


@pytest.fixture(scope="module")
def pages(pdf: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Image.Image]:
    """Every page rendered to greyscale PNG with pdftoppm."""
    out = tmp_path_factory.mktemp("pages")
    subprocess.run(
        ["pdftoppm", "-r", str(DPI), "-gray", "-png", str(pdf), str(out / "p")], check=True
    )
    return [
        Image.open(p).convert("L")
        for p in sorted(out.glob("p-*.png"), key=lambda p: int(p.stem.split("-")[1]))
    ]


@pytest.fixture(scope="module")
def page_texts(pdf: Path) -> list[str]:
    return pdf_text(pdf).split("\f")


def ink(image: Image.Image) -> float:
    """Share of pixels that are not (near) white."""
    histogram = ImageOps.invert(image).histogram()
    return sum(histogram[16:]) / (image.width * image.height)


def test_page_count_is_in_the_expected_range(pages: list[Image.Image]) -> None:
    # the NIHR monograph parts, the CERQual table, context contrasts, team text for every
    # CMOC and the audit appendix: 58 pages on the demo
    assert 20 <= len(pages) <= 62, f"{len(pages)} pages"


def test_no_page_is_blank(pages: list[Image.Image]) -> None:
    blank = [i + 1 for i, page in enumerate(pages) if ink(page) < 0.004]
    assert not blank, f"blank pages: {blank}"


def test_nothing_is_printed_in_the_outer_page_edge(pages: list[Image.Image]) -> None:
    edge = round(EDGE_MM / 25.4 * DPI)
    for number, page in enumerate(pages, start=1):
        w, h = page.size
        for box in [(0, 0, w, edge), (0, h - edge, w, h), (0, 0, edge, h), (w - edge, 0, w, h)]:
            assert ink(page.crop(box)) == 0, f"page {number}: content beyond the page margins"


def test_every_word_lies_inside_the_page_box(pdf: Path) -> None:
    bbox = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    width, height = 595.3, 841.9  # A4 in points
    words = re.findall(
        r'<word xMin="([\d.-]+)" yMin="([\d.-]+)" xMax="([\d.-]+)" yMax="([\d.-]+)"', bbox
    )
    assert len(words) > 3000
    outside = [
        w
        for w in words
        if float(w[0]) < 0 or float(w[1]) < 0 or float(w[2]) > width or float(w[3]) > height
    ]
    assert not outside, f"{len(outside)} words outside the A4 page box"


def test_every_figure_is_captioned_once_on_a_page_with_a_drawing(
    pages: list[Image.Image], page_texts: list[str]
) -> None:
    names = [*FIGURES, *EXTERNAL_FIGURES]
    found = {}
    for index, text in enumerate(page_texts):
        for number in re.findall(r"^\s*Figure (\d+)\. ", text, flags=re.MULTILINE):
            found.setdefault(int(number), []).append(index)
    assert sorted(found) == list(range(1, len(names) + 1)), (
        f"figure captions found: {sorted(found)}"
    )
    for number, where in found.items():
        assert len(where) == 1, f"Figure {number} captioned on pages {[w + 1 for w in where]}"
        assert ink(pages[where[0]]) > 0.05, f"Figure {number}: its page holds no drawing"


def test_contents_and_rameses_checklist_carry_page_numbers(page_texts: list[str]) -> None:
    contents = page_texts[1]
    assert re.search(r"Introduction\s*\.{5,}\s*\d+", contents), "contents without page numbers"
    # the caption itself ("Table N. ..."), not its line in the list of tables
    checklist = next(
        t for t in page_texts if re.search(r"Table \d+\. RAMESES II items and where they", t)
    )
    for number, _, name, _ in RAMESES_ITEMS:
        first_words = " ".join(name.split()[:2])
        # a reported item has its page; one the demo team has not written says so (items 6, 15, 20)
        assert re.search(
            rf"^\s*{number}\s+\S.*{re.escape(first_words)}.*(\bY\s+\d+\s*$|not yet reported)",
            checklist,
            re.MULTILINE,
        ), f"RAMESES item {number} neither reported with a page number nor marked not yet reported"


def test_pdf_metadata_fonts_and_tags(pdf: Path, built_workflow: Path) -> None:
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    for field in ("Title", "Author", "Subject", "Keywords", "CreationDate"):
        assert re.search(rf"^{field}:\s+\S", info, re.MULTILINE), f"PDF metadata lacks {field}"
    assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE), "the PDF is not tagged"
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info, re.MULTILINE)
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout
    rows = fonts.splitlines()[2:]
    assert rows and all(row.split()[-5] == "yes" for row in rows), "a font is not embedded"
    log = (built_workflow / "logs" / "render_report_pdf" / "report.log").read_text()
    bookmarks = int(re.search(r"(\d+) bookmarks", log).group(1))
    assert bookmarks >= 30, f"only {bookmarks} PDF bookmarks"


def test_exemplar_quotes_are_block_quotes_with_role_site_wave(built_workflow: Path) -> None:
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    footers = re.findall(
        r'<blockquote class="quote[^"]*"[^>]*>.*?<div class="attribution"[^>]*>(.*?)</div>',
        html,
        flags=re.DOTALL,
    )
    assert footers and all(re.search(r"· <a href=\"#ref-E\d+\">E\d+</a>", f) for f in footers)
    assert all(
        re.match(
            r"(Patient|Link worker|Primary care staff|VCSE staff|Other link worker|Observation)", f
        )
        for f in footers
    )
    assert not re.search(r"\b(PAT|LW|PCS|VCSE)-\d{2,3}\b", html), (
        "a participant pseudonym reached the report"
    )
