"""Office editions: the report as one Word file (pandoc) and the evidence as an Excel workbook.

Both are zip packages. They are rewritten with one fixed date on every member and in their
document properties (the data snapshot date), so a rebuild from the same inputs gives the same
bytes. The Word file is converted from the very HTML the PDF is printed from, so content,
numbering and captions are the same in all three editions.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from defusedxml import ElementTree
from markupsafe import Markup, escape

from realist_report.core.errors import PipelineError
from realist_report.core.tables import neutralise_formula

log = logging.getLogger(__name__)


def html_escape(text: str) -> str:
    """Text for an XML element or attribute value."""
    return str(escape(text))


LUA_FILTER = Path(__file__).resolve().parents[2] / "templates" / "docx" / "word.lua"
DEFAULT_REFERENCE_DOCX = LUA_FILTER.with_name("reference.docx")


class OfficeError(PipelineError):
    """A Word or Excel edition cannot be written."""


# ------------------------------------------------------------------ reproducible zip packages


def fixed_zip(
    data: bytes, when: dt.datetime, edit: Callable[[str, bytes], bytes] | None = None
) -> bytes:
    """The same zip package with every member dated `when` (members in the order written);
    `edit(name, content)` may rewrite a member on the way."""
    stamp = (when.year, when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            content = source.read(info.filename)
            target.writestr(member, edit(info.filename, content) if edit else content)
    return out.getvalue()


def snapshot_datetime(snapshot_date: str) -> dt.datetime:
    """The data snapshot date as midnight UTC: the one date both packages carry."""
    try:
        day = dt.date.fromisoformat(str(snapshot_date)[:10])
    except ValueError:
        day = dt.date(2000, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


# ------------------------------------------------------------------ Word edition (pandoc)

#: The HTML edition keeps its body in <main> for screen readers; pandoc's HTML reader would read
#: only that, so the Word conversion drops the two tags and keeps title page and contents.
_MAIN_TAGS = ("<main>\n", "</main>\n")


def pandoc_path() -> str:
    """The pandoc binary shipped in the pinned pypandoc-binary wheel (same version everywhere)."""
    try:
        import pypandoc
    except ImportError as error:  # pragma: no cover - pinned in requirements.txt
        raise OfficeError(
            "pypandoc-binary is not installed (pip install -r requirements.txt)"
        ) from error
    return pypandoc.get_pandoc_path()


def html_for_word(html: str) -> str:
    """The HTML edition as pandoc should read it for Word (see _MAIN_TAGS)."""
    for tag in _MAIN_TAGS:
        if tag not in html:
            raise OfficeError(f"the report HTML has no {tag.strip()} line; the template changed")
        html = html.replace(tag, "", 1)
    return html


_SVG_IMAGE = re.compile(r'src="data:image/svg\+xml;base64,([^"]+)"')
#: Figures go into Word as PNG at this resolution: Word before 2016 and LibreOffice show no SVG.
FIGURE_DPI = 200


def svg_to_png(svg: bytes, png_path: Path) -> None:
    """Rasterise one figure with rsvg-convert (Debian librsvg2-bin; same bytes every run)."""
    tool = shutil.which("rsvg-convert")
    if tool is None:
        raise OfficeError(
            "cannot put the figures into the Word edition: rsvg-convert is not installed; "
            "install librsvg2-bin (sudo apt-get install librsvg2-bin, or run: "
            "sh workflow/setup_system.sh report)"
        )
    result = subprocess.run(
        [tool, "--dpi-x", str(FIGURE_DPI), "--dpi-y", str(FIGURE_DPI), "--format", "png",
         "--output", str(png_path)],
        input=svg, capture_output=True,
    )  # fmt: skip
    if result.returncode != 0:
        raise OfficeError(
            f"rsvg-convert could not draw a figure for the Word edition "
            f"({result.stderr.decode('utf-8', 'replace').strip()[:300]})"
        )


#: Paper sizes of report_options.paper in twips (width, height); margins come from reference.docx.
PAPER_TWIPS = {"A4": (11906, 16838), "letter": (12240, 15840)}
#: The reference.docx header holds this text where the report's short title goes.
SHORT_TITLE_TOKEN = b"SHORT-TITLE"
#: Custom document property holding what docx_import checks: study, build id, narrative digests.
BUILD_PROPERTY = "realist-report-build"
#: Custom document property the Lua filter writes: bookmark name -> narrative file or placeholder.
MARKERS_PROPERTY = "realist-report-markers"
_CAPTION_ID = re.compile(r'<table([^>]*)>(\s*)<caption id="([^"]+)">')
_CUSTOM_END = b"</Properties>"
_PROPERTY_ID = re.compile(rb'pid="(\d+)"')


def short_title(html: str) -> str:
    """The report's title without its subtitle (the HTML title is "title: subtitle")."""
    match = re.search(r"<title>(.*?)</title>", html, re.DOTALL)
    whole = Markup(match.group(1)).unescape() if match else ""
    return whole.split(": ", 1)[0].strip()


def _custom_property(content: bytes, name: str, value: str) -> bytes:
    """docProps/custom.xml with one more string property (pandoc writes the file)."""
    pid = max([1, *(int(n) for n in _PROPERTY_ID.findall(content))]) + 1
    entry = (
        f'<property fmtid="{{D5CDD505-2E9C-101B-9397-08002B2CF9AE}}" pid="{pid}" '
        f'name="{name}"><vt:lpwstr>{html_escape(value)}</vt:lpwstr></property>'
    ).encode()
    return content.replace(_CUSTOM_END, entry + _CUSTOM_END)


def _finish_docx(title: str, paper: str, build: dict) -> Callable[[str, bytes], bytes]:
    """The zip edit that puts short title, paper size and build record into pandoc's output."""
    width, height = PAPER_TWIPS[paper]

    def edit(name: str, content: bytes) -> bytes:
        if re.fullmatch(r"word/header\d*\.xml", name):
            return content.replace(SHORT_TITLE_TOKEN, html_escape(title).encode("utf-8"))
        if name == "word/document.xml":
            size = f'<w:pgSz w:w="{width}" w:h="{height}"/>'.encode("ascii")
            return re.sub(rb"<w:pgSz [^>]*/>", size, content)
        if name == "docProps/custom.xml":
            return _custom_property(content, BUILD_PROPERTY, json.dumps(build, sort_keys=True))
        return content

    return edit


def write_docx(
    html_path: str | Path,
    docx_path: str | Path,
    reference_docx: str | Path,
    snapshot_date: str,
    *,
    paper: str = "A4",
    build: dict | None = None,
) -> list[str]:
    """Convert the HTML edition to Word with the reference styles; returns pandoc's warnings.
    `build` (study, build id, narrative digests) goes into the file for docx_import's checks."""
    if paper not in PAPER_TWIPS:
        raise OfficeError(
            f"report_options.paper: '{paper}' is not a paper size; use one of "
            f"{', '.join(PAPER_TWIPS)}"
        )
    when = snapshot_datetime(snapshot_date)
    source = Path(html_path).read_text(encoding="utf-8")
    html = _CAPTION_ID.sub(r'<table id="\3"\1>\2<caption id="\3">', html_for_word(source))
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(int(when.timestamp()))}
    with tempfile.TemporaryDirectory(prefix="docx-figures-") as folder:
        figures: list[str] = []

        def as_png(match: re.Match[str]) -> str:
            name = f"figure-{len(figures) + 1}.png"
            svg_to_png(base64.b64decode(match.group(1)), Path(folder) / name)
            figures.append(name)
            return f'src="{name}"'

        html = _SVG_IMAGE.sub(as_png, html)
        command = [
            pandoc_path(),
            "--from=html-auto_identifiers",
            "--to=docx",
            f"--reference-doc={Path(reference_docx).resolve()}",
            f"--lua-filter={LUA_FILTER}",
            "--output=-",
        ]
        result = subprocess.run(
            command, input=html.encode("utf-8"), capture_output=True, env=env, cwd=folder
        )
    warnings = [line for line in result.stderr.decode("utf-8", "replace").splitlines() if line]
    if result.returncode != 0 or not result.stdout:
        raise OfficeError(
            f"{html_path}: pandoc could not convert the report to Word "
            f"(exit {result.returncode}: {' '.join(warnings)[:400]})"
        )
    edit = _finish_docx(short_title(source), paper, build or {})
    Path(docx_path).write_bytes(fixed_zip(result.stdout, when, edit))
    return warnings


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
#: Word elements whose text stands apart from its neighbours (paragraphs, table cells, breaks).
_WORD_BLOCKS = {f"{_W}p", f"{_W}tc", f"{_W}br", f"{_W}tab", f"{_W}cr"}
#: Attributes a reader sees or a screen reader speaks (image descriptions, titles).
_WORD_ATTRIBUTES = ("descr", "title")


def _xml_text(data: bytes, separator: str) -> str:
    """Text of one XML part: Word's text runs (or any text outside Word's namespace, as in the
    document properties) and image descriptions, with paragraphs and cells kept apart."""
    parts: list[str] = []
    for element in ElementTree.fromstring(data).iter():
        if element.tag in _WORD_BLOCKS:
            parts.append(separator)
        for attribute in _WORD_ATTRIBUTES:
            value = element.attrib.get(attribute)
            if value and not value.startswith("data:"):
                parts.extend([separator, value, separator])
        if element.text and element.tag == f"{_W}t":
            parts.append(element.text)
        elif element.text and not element.tag.startswith(_W):
            parts.extend([element.text, separator])
    return "".join(parts)


def docx_text(docx_path: str | Path, separator: str) -> str:
    """Everything a reader of the Word file can see as text: body, notes, comments, headers and
    footers, document properties and image descriptions; `separator` keeps cells apart. (Figures
    are pictures here; their text is screened in the HTML edition's SVG.)"""
    texts: list[str] = []
    try:
        package = zipfile.ZipFile(docx_path)
    except zipfile.BadZipFile as error:
        raise OfficeError(f"{docx_path}: not a Word (zip) file ({error})") from error
    with package:
        for name in sorted(package.namelist()):
            if name.endswith(".xml") and (
                name.startswith("docProps/")
                or re.match(
                    r"word/(document|footnotes|endnotes|comments|header\d*|footer\d*)", name
                )
            ):
                texts.append(_xml_text(package.read(name), separator))
    return separator.join(texts)


# ------------------------------------------------------------------ Excel workbook (openpyxl)

#: Sheets of results/evidence.xlsx: sheet name -> the table it holds (a key of `tables`).
WORKBOOK_SHEETS: dict[str, str] = {
    "CMOC summary": "summary",
    "Evidence matrix": "matrix",
    "Evidence units": "evidence_units",
    "Quotes": "quotes",
    "Subgroups": "subgroups",
    "Wave change": "wave_change",
    "Quarantine": "quarantine",
}
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Excel's limit on one cell; longer id lists are cut with a note (the CSV keeps them whole).
EXCEL_CELL_LIMIT = 32767


def spreadsheet_safe(value: object) -> object:
    """A cell value a spreadsheet shows as text, never runs: text that starts like a formula
    (tables.neutralise_formula, the rule every CSV output follows) or with a control character
    gets a leading apostrophe; control characters are dropped (openpyxl refuses them)."""
    if not isinstance(value, str):
        return value
    value = "'" + value if value and _CONTROL.match(value[0]) else neutralise_formula(value)
    value = _CONTROL.sub("", value)
    if len(value) > EXCEL_CELL_LIMIT:
        note = " ... (cut: the CSV in results/ holds the whole list)"
        value = value[: EXCEL_CELL_LIMIT - len(note)] + note
    return value


def _cell(value: object) -> object:
    """Plain Python values for openpyxl: numbers stay numbers, missing values stay empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "item"):
        value = value.item()
    return spreadsheet_safe(value)


def write_evidence_workbook(
    tables: dict[str, pd.DataFrame], out: str | Path, snapshot_date: str
) -> dict[str, int]:
    """One sheet per evidence table, header frozen and filters on; fixed dates, same bytes.

    Written in openpyxl's write-only mode, row by row: at x100 the in-memory workbook of the
    evidence units held 930 MB and took 40 CPU seconds.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    when = snapshot_datetime(snapshot_date).replace(tzinfo=None)
    book = Workbook(write_only=True)
    rows: dict[str, int] = {}
    for sheet_name, key in WORKBOOK_SHEETS.items():
        frame = tables[key]
        sheet = book.create_sheet(sheet_name)
        # sheet settings first: a write-only sheet streams its rows after them
        sheet.freeze_panes = "A2"
        last = get_column_letter(max(1, len(frame.columns)))
        sheet.auto_filter.ref = f"A1:{last}{len(frame) + 1}"
        for index, column in enumerate(frame.columns, start=1):
            width = max(
                [len(str(column)), *(min(len(str(v)), 60) for v in frame[column].head(200))]
            )
            sheet.column_dimensions[get_column_letter(index)].width = min(60, width + 2)
        header = [WriteOnlyCell(sheet, value=str(c)) for c in frame.columns]
        for cell in header:
            cell.font = Font(bold=True)
        sheet.append(header)
        for record in zip(*(frame[c].tolist() for c in frame.columns), strict=True):
            sheet.append([_cell(v) for v in record])
        rows[sheet_name] = len(frame)
    book.properties.creator = "realist_report pipeline"
    book.properties.created = when
    book.properties.modified = when
    buffer = io.BytesIO()
    book.save(buffer)
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ").encode("ascii")

    def core_dates(name: str, content: bytes) -> bytes:
        """openpyxl stamps docProps/core.xml with the time of saving: put the snapshot back."""
        if name != "docProps/core.xml":
            return content
        return _CORE_DATE.sub(rb"\g<1>" + stamp + rb"\g<2>", content)

    Path(out).write_bytes(fixed_zip(buffer.getvalue(), when, core_dates))
    return rows


_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)")


# ------------------------------------------------------------------ rule adapters


def _atomic(path: str, write: Callable[[Path], object]) -> None:
    from realist_report.core.tables import atomic_write

    atomic_write(Path(path), write)


def build_record(study_title: str, build_id: str, narrative_dir: str | Path) -> dict:
    """What a Word edition carries so an edited copy can be checked before import: the study,
    the build its computed values come from and the SHA-256 of every narrative file."""
    root = Path(narrative_dir)
    digests = {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*.md"))
    }
    return {"study": study_title, "build_id": build_id, "narrative": digests}


def run_render_docx(
    html_path: str,
    reference_docx: str,
    snapshot_path: str,
    out: str,
    *,
    build_inputs: str,
    narrative_dir: str,
    study_title: str,
    paper: str,
) -> None:
    """Rule adapter: the Word edition of the report, from the HTML edition."""
    from realist_report.core.tables import read_json

    snapshot = str(read_json(snapshot_path)["snapshot_date"])
    build = build_record(study_title, str(read_json(build_inputs)["build_id"]), narrative_dir)
    warnings: list[list[str]] = []
    _atomic(
        out,
        lambda tmp: warnings.append(
            write_docx(html_path, tmp, reference_docx, snapshot, paper=paper, build=build)
        ),
    )
    for line in warnings[0]:
        log.warning("pandoc: %s", line)
    log.info(
        "Word edition: %d bytes, %s, styles from %s, %d narrative files recorded",
        Path(out).stat().st_size, paper, reference_docx, len(build["narrative"]),
    )  # fmt: skip


def run_write_workbook(inputs: dict[str, str], snapshot_path: str, out: str) -> None:
    """Rule adapter: results/evidence.xlsx from the evidence tables."""
    from realist_report.core.tables import read_json, read_parquet

    tables = {}
    for key, path in inputs.items():
        if path.endswith(".parquet"):
            tables[key] = read_parquet(path)
        else:
            tables[key] = pd.read_csv(path, dtype=str, keep_default_na=False)
    snapshot = str(read_json(snapshot_path)["snapshot_date"])
    rows: list[dict[str, int]] = []
    _atomic(out, lambda tmp: rows.append(write_evidence_workbook(tables, tmp, snapshot)))
    for sheet, n in rows[0].items():
        log.info("sheet %s: %d rows", sheet, n)
