"""Office editions: the Word report and the Excel evidence workbook open, hold the report's
content, are screened for identifiers and give the same bytes on every rebuild."""

from __future__ import annotations

import base64
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from docx.oxml.ns import qn
from realist_report.core.errors import PrivacyError
from realist_report.report import office
from realist_report.report.publish import screen_docx

REPO = Path(__file__).resolve().parents[2]
REFERENCE = REPO / "workflow" / "templates" / "docx" / "reference.docx"
SNAPSHOT = "2022-10-26"


def small_report(tmp_path: Path, body: str, alt: str = "A bar chart") -> Path:
    """An HTML page laid out like the report (title page, contents, <main>), with one figure."""
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="120pt" height="60pt">'
        '<rect width="120" height="60" fill="#0072B2"/><text x="5" y="30">site 3</text></svg>'
    )
    src = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()
    html = f"""<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><title>Study title: the subtitle</title></head>
<body>
<section class="title-page" id="title-page"><h1 class="doc-title">Study title</h1>
<dl><dt>Build</dt><dd>abc</dd></dl></section>
<nav class="toc"><h1 id="contents">Contents</h1><ul><li><a href="#results">Results</a></li></ul></nav>
<main>
<h1 id="results">Results</h1>
<p>{body}</p>
<table><caption id="tab-x">Table 1. Evidence</caption><thead><tr><th>CMOC</th><th>Sites</th></tr></thead>
<tbody><tr><td>CMOC01</td><td>7</td></tr></tbody></table>
<figure class="figure" id="fig-a"><img src="{src}" alt="{alt}"><figcaption>Figure 1. A figure</figcaption></figure>
</main>
</body></html>
"""
    path = tmp_path / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def test_word_edition_has_real_tables_headings_and_the_figure(tmp_path: Path) -> None:
    from docx import Document

    html = small_report(tmp_path, "Twelve participants agreed.")
    docx = tmp_path / "report.docx"
    assert office.write_docx(html, docx, REFERENCE, SNAPSHOT) == []
    document = Document(str(docx))
    headings = [
        (p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert ("Heading 1", "Results") in headings and ("Heading 1", "Contents") in headings
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == ["Study title"]
    assert len(document.tables) == 1
    assert [c.text for c in document.tables[0].rows[1].cells] == ["CMOC01", "7"]
    assert len(document.inline_shapes) == 1
    with zipfile.ZipFile(docx) as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and media[0].endswith(".png"), "figures go in as pictures"
        assert "TOC \\o" in package.read("word/document.xml").decode("utf-8")


def test_word_edition_has_the_same_bytes_on_a_rebuild_and_the_snapshot_date(tmp_path) -> None:
    html = small_report(tmp_path, "Same input, same bytes.")
    first, second = tmp_path / "a.docx", tmp_path / "b.docx"
    office.write_docx(html, first, REFERENCE, SNAPSHOT)
    office.write_docx(html, second, REFERENCE, SNAPSHOT)
    assert first.read_bytes() == second.read_bytes()
    with zipfile.ZipFile(first) as package:
        assert {info.date_time for info in package.infolist()} == {(2022, 10, 26, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode("utf-8")
    assert re.findall(r"<dcterms:\w+[^>]*>([^<]+)<", core) == ["2022-10-26T00:00:00Z"] * 2


@pytest.mark.parametrize(
    ("body", "alt"),
    [
        ("Call her on 07700 900982 any time.", "A bar chart"),
        ("Nothing to see here.", "Chart sent to jo.bloggs@example.org"),
    ],
    ids=["in-the-text", "in-an-image-description"],
)
def test_an_identifier_in_the_word_edition_fails_the_screen(tmp_path, body, alt) -> None:
    docx = tmp_path / "report.docx"
    office.write_docx(small_report(tmp_path, body, alt), docx, REFERENCE, SNAPSHOT)
    with pytest.raises(
        PrivacyError, match=r"the Word report .*report\.docx: 1 possible identifier"
    ):
        screen_docx(docx, names=[], allowed=[])
    screen_docx(docx, names=[], allowed=["07700 900982", "jo.bloggs@example.org"])


def test_a_name_from_the_private_list_fails_the_word_screen(tmp_path: Path) -> None:
    docx = tmp_path / "report.docx"
    html = small_report(tmp_path, "Margaret Okafor said the group helped.")
    office.write_docx(html, docx, REFERENCE, SNAPSHOT)
    with pytest.raises(PrivacyError, match=r"1 NAME"):
        screen_docx(docx, names=["Margaret Okafor"], allowed=[])


def test_cells_that_look_like_formulas_are_shown_never_run() -> None:
    assert office.spreadsheet_safe('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert [office.spreadsheet_safe(v) for v in ("+44 1", "-2", "@SUM(A1)")] == [
        "'+44 1", "'-2", "'@SUM(A1)"
    ]  # fmt: skip
    assert office.spreadsheet_safe("\x07bell") == "'bell"
    assert office.spreadsheet_safe("plain text; a;b") == "plain text; a;b"
    assert office.spreadsheet_safe(12) == 12
    long = office.spreadsheet_safe("x" * 40000)
    assert len(long) == office.EXCEL_CELL_LIMIT and long.endswith("holds the whole list)")


def evidence_tables() -> dict[str, pd.DataFrame]:
    frame = pd.DataFrame(
        {"cmoc_id": ["CMOC01", "CMOC02"], "excerpts": [3, 4], "note": ["=1+1", None]}
    )
    return {key: frame for key in office.WORKBOOK_SHEETS.values()}


def test_workbook_sheets_are_frozen_filtered_and_dated_by_the_snapshot(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = tmp_path / "evidence.xlsx"
    rows = office.write_evidence_workbook(evidence_tables(), path, SNAPSHOT)
    assert rows == dict.fromkeys(office.WORKBOOK_SHEETS, 2)
    book = load_workbook(path)
    assert book.sheetnames == list(office.WORKBOOK_SHEETS)
    sheet = book["CMOC summary"]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == "A1:C3"
    assert [c.value for c in sheet[2]] == ["CMOC01", 3, "'=1+1"]
    assert sheet["C3"].value is None
    with zipfile.ZipFile(path) as package:
        assert {info.date_time for info in package.infolist()} == {(2022, 10, 26, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode("utf-8")
    assert core.count("2022-10-26T00:00:00Z") == 2
    again = tmp_path / "again.xlsx"
    office.write_evidence_workbook(evidence_tables(), again, SNAPSHOT)
    assert again.read_bytes() == path.read_bytes()


# ---------------------------------------------------------------- the demo build


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_demo_word_edition_holds_the_computed_numbers_and_every_cmoc(built_workflow: Path) -> None:
    from docx import Document

    docx = built_workflow / "reports" / "evaluation_report.docx"
    document = Document(str(docx))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    summary = pd.read_csv(built_workflow / "results" / "cmoc_summary.csv")
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    for row in summary.itertuples():
        assert f"{row.cmoc_id}: {row.title}" in text, row.cmoc_id
        assert f"{row.participants} participants at {row.sites} sites" in cells, row.cmoc_id
    captions = re.findall(r"<caption[^>]*>Table (\d+)\.", html)
    assert len(document.tables) >= len(captions), "every table is a real Word table"
    figures = re.findall(r"<figcaption>(Figure \d+\.[^<]*)", html)
    assert len(document.inline_shapes) == len(figures) >= 8
    for caption in figures:
        assert caption.split(". ")[0] in text
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert {"Summary", "Results", "Discussion", "Appendix D. Audit trail"} <= set(headings)
    assert document.core_properties.created.date().isoformat() == re.search(
        r'name="dcterms.created" content="([\d-]+)"', html
    ).group(1)
    plain = subprocess.run(
        [office.pandoc_path(), str(docx), "--to=plain"], capture_output=True, text=True
    )
    assert plain.returncode == 0 and "CMOC12" in plain.stdout, plain.stderr


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_libreoffice_prints_the_demo_word_edition_on_a4_with_header_and_page_numbers(
    built_workflow: Path, tmp_path: Path
) -> None:
    """Opened as a co-author would (LibreOffice, installed by make test): A4 pages, the short
    title at the top of every page and its number at the bottom; pages render to images."""
    assert shutil.which("soffice"), "LibreOffice is missing: sh workflow/setup_system.sh test"
    docx = built_workflow / "reports" / "evaluation_report.docx"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    pdf = tmp_path / "evaluation_report.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert pages >= 30 and "(A4)" in info, info
    title = re.search(r"<title>([^:<]+)", (built_workflow / "reports" / "evaluation_report.html")
                      .read_text(encoding="utf-8")).group(1)  # fmt: skip
    for page in (5, pages - 1):
        text = (
            subprocess.run(
                ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(pdf), "-"],
                capture_output=True,
                text=True,
            )
            .stdout.strip()
            .splitlines()
        )
        assert text[0].strip() == title and text[-1].strip() == str(page), (page, text[:1])
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "3", str(pdf), str(tmp_path / "page")],
        check=True,
    )
    assert len(list(tmp_path.glob("page-*.png"))) == 3


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_demo_evidence_workbook_holds_every_table(built_workflow: Path) -> None:
    from openpyxl import load_workbook

    book = load_workbook(built_workflow / "results" / "evidence.xlsx", read_only=True)
    results = built_workflow / "results"
    files = {
        "CMOC summary": "cmoc_summary.csv", "Evidence matrix": "cmoc_evidence.csv",
        "Evidence units": "cmoc_evidence_units.csv", "Quotes": "exemplar_quotes.csv",
        "Subgroups": "cmoc_subgroups.csv", "Wave change": "cmoc_wave_change.csv",
        "Quarantine": "quarantine.csv",
    }  # fmt: skip
    assert book.sheetnames == list(files)
    for sheet, name in files.items():
        table = pd.read_csv(results / name, dtype=str, keep_default_na=False)
        rows = list(book[sheet].iter_rows(values_only=True))
        assert list(rows[0]) == list(table.columns), sheet
        assert len(rows) - 1 == len(table), sheet


def test_publish_writes_no_edition_when_only_the_word_file_holds_an_identifier(tmp_path) -> None:
    from realist_report.report.context import write_pdf
    from realist_report.report.publish import run_publish_report

    clean = small_report(tmp_path, "Nothing personal here.")
    pdf = tmp_path / "report.pdf"
    write_pdf(clean, pdf, "0" * 32, variant=None)
    other = tmp_path / "other"
    other.mkdir()
    docx = tmp_path / "report.docx"
    office.write_docx(small_report(other, "Ring 07700 900982."), docx, REFERENCE, SNAPSHOT)
    participants = tmp_path / "participants.parquet"
    pd.DataFrame({"participant_id": ["P1"], "role": ["patient"]}).to_parquet(participants)
    out = tmp_path / "reports"
    explorer = tmp_path / "explorer.html"
    explorer.write_text(
        '<p>Nothing personal here.</p><script type="application/json" id="explorer-data">'
        '{"units": []}</script>',
        "utf-8",
    )
    editions = {"html": str(clean), "pdf": str(pdf), "docx": str(docx), "explorer": str(explorer)}
    targets = {key: str(out / f"r.{key}") for key in editions}
    with pytest.raises(PrivacyError, match=r"the Word report .*1 PHONE"):
        run_publish_report(editions, str(participants), None, [], targets)
    assert not out.exists(), "a refused Word edition leaves no edition in reports/"
    run_publish_report(editions, str(participants), None, ["07700 900982"], targets)
    assert (out / "r.docx").read_bytes() == docx.read_bytes()


def test_word_table_columns_keep_their_longest_word_whole(tmp_path: Path) -> None:
    """A long code-name column beside short numbers: each number column still gets room for its
    longest word ('-0.005', 'Participants'), as Methods' coder agreement table needs; before,
    widths were in proportion to the longest cell and Word broke 'Alpha' and '0.315' mid-word."""
    from docx import Document

    long_name = "Mechanism::Accompanied to the first session of the VCSE group"
    rows = "".join(
        f"<tr><td>{long_name} {i}</td><td>{i}</td><td>95.7 %</td><td>-0.005</td></tr>"
        for i in range(3)
    )
    table = (
        '<table><caption id="tab-y">Table 2. Agreement</caption><thead><tr><th>Code</th>'
        f"<th>Participants</th><th>Agreement</th><th>Alpha</th></tr></thead><tbody>{rows}"
        "</tbody></table>"
    )
    html = small_report(tmp_path, "Agreement per code.")
    html.write_text(html.read_text(encoding="utf-8").replace("</main>", table + "</main>"))
    docx = tmp_path / "report.docx"
    assert office.write_docx(html, docx, REFERENCE, SNAPSHOT) == []
    grid = Document(str(docx)).tables[-1]._tbl.tblGrid
    widths = [int(col.get(qn("w:w"))) for col in grid.findall(qn("w:gridCol"))]
    shares = [width / sum(widths) for width in widths]
    # 'Participants' is 12 characters: at least 14 of about 90 a line holds; the old rule gave it
    # 12 / (60 + 12 + 9 + 6) of the line only because the name was capped at 60
    assert shares[1] >= 14 / 90 - 0.01 and shares[3] >= 8 / 90 - 0.01
    assert shares[0] == max(shares)


def co_author_report(tmp_path: Path) -> Path:
    """The report's shapes a co-author meets: lists of tables and figures, a narrative part with
    a computed value and a cross-reference, a skipped heading level and a number column."""
    html = small_report(
        tmp_path,
        '</p><div class="narrative-part" data-narrative="sections/rationale.md"><p>We heard '
        '<span class="computed" data-placeholder="CMOC01.participants">12</span> people (see '
        '<span class="computed" data-placeholder="table.x"><a class="xref" href="#tab-x">'
        "Table 1</a></span>).</p></div><h4>Deep heading</h4><p>",
    )
    text = html.read_text(encoding="utf-8").replace(
        "</ul></nav>",
        '</ul><h2 class="lof">Tables</h2><ul class="lof"><li><a href="#tab-x">Table 1 Evidence'
        '</a></li></ul><h2 class="lof">Figures</h2><ul class="lof"><li><a href="#fig-a">Figure 1'
        " A figure</a></li></ul></nav>",
    )
    html.write_text(text.replace("<table>", '<table id="tab-x">'), encoding="utf-8")
    return html


def test_word_edition_numbers_captions_and_references_with_fields(tmp_path: Path) -> None:
    from docx import Document

    docx = tmp_path / "report.docx"
    build = {"study": "Study title", "build_id": "abc", "narrative": {}}
    assert (
        office.write_docx(co_author_report(tmp_path), docx, REFERENCE, SNAPSHOT, build=build) == []
    )
    with zipfile.ZipFile(docx) as package:
        body = package.read("word/document.xml").decode("utf-8")
        headers = [package.read(n).decode() for n in package.namelist() if "header" in n]
        footers = [package.read(n).decode() for n in package.namelist() if "footer" in n]
        custom = package.read("docProps/custom.xml").decode("utf-8")
    assert '<w:pgSz w:w="11906" w:h="16838"/>' in body, "A4"
    assert any(">Study title<" in h for h in headers) and any(" PAGE " in f for f in footers)
    assert "SEQ Table \\* ARABIC" in body and "SEQ Figure \\* ARABIC" in body
    assert 'w:name="ref_tab_x"' in body and " REF ref_tab_x \\h " in body
    assert 'TOC \\o "1-2"' in body and 'TOC \\h \\z \\c "Table"' in body
    assert 'TOC \\h \\z \\c "Figure"' in body
    assert office.BUILD_PROPERTY in custom and "rrn_1" in custom
    document = Document(str(docx))
    levels = [
        int(p.style.name[-1]) for p in document.paragraphs if p.style.name.startswith("Heading")
    ]
    assert all(b <= a + 1 for a, b in zip([0, *levels], levels, strict=False)), levels
    number_cell = document.tables[0].rows[1].cells[1].paragraphs[0]
    assert number_cell.alignment is not None and number_cell.alignment.name == "RIGHT"
    assert document.tables[0].rows[1].cells[0].paragraphs[0].alignment is None


def test_letter_paper_on_request_and_an_unknown_size_is_refused(tmp_path: Path) -> None:
    docx = tmp_path / "report.docx"
    office.write_docx(small_report(tmp_path, "x"), docx, REFERENCE, SNAPSHOT, paper="letter")
    with zipfile.ZipFile(docx) as package:
        assert '<w:pgSz w:w="12240" w:h="15840"/>' in package.read("word/document.xml").decode()
    with pytest.raises(office.OfficeError, match="report_options.paper: 'B5'"):
        office.write_docx(small_report(tmp_path, "x"), docx, REFERENCE, SNAPSHOT, paper="B5")


SIZES = {"Table Small": 7, "Table Smallest": 6}


def word_ems(word: str) -> float:
    """A word's width in em of bold DejaVu Sans, generously: capitals 0.85, the rest 0.7."""
    capitals = sum(ch.isupper() for ch in word)
    return capitals * 0.85 + (len(word) - capitals) * 0.7


def column_words_fit(docx: Path) -> list[str]:
    """Columns of the written document narrower than their longest word (word_ems, at most 25 em)
    in the table's type size (9 pt; Table Small 7, Table Smallest 6) plus cell margins (1 % for rounding); a table's width is its percentage of the 9,070-twip A4 text
    block."""
    from docx import Document

    too_narrow = []
    for number, table in enumerate(Document(str(docx)).tables, start=1):
        grid = [int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol"))]
        width = table._tbl.tblPr.find(qn("w:tblW"))
        assert width.get(qn("w:type")) == "pct", number
        scale = int(width.get(qn("w:w"))) / 5000 * 9070 / sum(grid)
        assert int(width.get(qn("w:w"))) <= 5001, f"table {number} is wider than the page"
        for column, twips in enumerate(grid):
            # a cell over several columns (python-docx repeats it) sets no one column's width
            cells = [
                row.cells[column]
                for row in table.rows
                if column < len(row.cells)
                and [c._tc for c in row.cells].count(row.cells[column]._tc) == 1
            ]
            # the table's type size: a small style on any of its cells (an empty cell or a
            # header may keep Normal)
            styles = {p.style.name for c in cells for p in c.paragraphs}
            size = min((SIZES[name] for name in styles if name in SIZES), default=9)
            longest = max((word_ems(w) for c in cells for w in c.text.split()), default=0)
            if twips * scale < 0.99 * (min(25, longest) * size * 20 + 216):  # pandoc rounds
                too_narrow.append(f"table {number}, column {column + 1}")
    return too_narrow


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_no_demo_table_column_is_narrower_than_its_longest_word(built_workflow: Path) -> None:
    assert column_words_fit(built_workflow / "reports" / "evaluation_report.docx") == []
