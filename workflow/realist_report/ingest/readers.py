"""Reading export files: text decoding, delimiters, NVivo node text, XLSX/XLS/Word sheets,
and finding the header row of the coded-segment table.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from realist_report.core.errors import ConfigError, InputFileError
from realist_report.core.safe_files import check_file_size, open_zip_safely
from realist_report.ingest.export_kinds import describe_sheet, export_hint, header_names, table_kind
from realist_report.ingest.formats import HEADER_SEARCH_ROWS, MAX_TABLE_BYTES, as_list

log = logging.getLogger(__name__)

#: Well-formed multi-byte UTF-8 sequences: a file holding some is UTF-8, whatever else it holds.
UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xef][\x80-\xbf]{2}"
    rb"|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
)


def _line_of(raw: bytes, offset: int) -> int:
    return raw.count(b"\n", 0, offset) + 1


def _decode_mixed(raw: bytes, path: Path) -> str:
    """UTF-8 with a few stray Windows-1252 bytes (an excerpt pasted from Word): each stray byte is
    read as Windows-1252, the rest as UTF-8, and the lines are named in the log."""
    parts, lines, position = [], [], 0
    while True:
        try:
            parts.append(raw[position:].decode("utf-8"))
            break
        except UnicodeDecodeError as error:
            stray = position + error.start
            parts.append(raw[position:stray].decode("utf-8"))
            try:
                parts.append(raw[stray : stray + 1].decode("cp1252"))
            except UnicodeDecodeError:
                raise InputFileError(
                    path,
                    f"byte 0x{raw[stray]:02x} is neither UTF-8 nor Windows-1252: cannot decode "
                    "the file; re-export it as UTF-8",
                    row=_line_of(raw, stray),
                ) from error
            lines.append(_line_of(raw, stray))
            position = stray + 1
    shown = ", ".join(str(n) for n in sorted(set(lines))[:10])
    log.warning(
        "%s: UTF-8 file with %d byte(s) that are not UTF-8, read as Windows-1252 on line(s) %s; "
        "check those rows",
        path.name, len(lines), shown,
    )  # fmt: skip
    return "".join(parts)


def decode_text(raw: bytes, path: Path) -> str:
    """Decode an export: UTF-16 with BOM, else UTF-8 (with or without BOM), else Windows-1252."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode text", some NVivo exports
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError as error:
            raise InputFileError(path, f"broken UTF-16 text ({error})") from error
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise InputFileError(
            path,
            "binary content (a NUL byte): expected a text table; is it a renamed workbook?",
            row=_line_of(raw, nul),
        )
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    if UTF8_SEQUENCE.search(body):
        return _decode_mixed(body, path)
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        raise InputFileError(
            path, "cannot decode the file: expected UTF-8 or Windows-1252 text"
        ) from None


def _delimiter(text: str, path: Path) -> str:
    """The separator of the first line that has one: comma, semicolon (European Excel) or tab.

    A title line above the header (ATLAS.ti's "Tabela 1") has none and is skipped.
    """
    lines = [line for line in text.split("\n")[:HEADER_SEARCH_ROWS] if line.strip()]
    first = next((line for line in lines if any(sep in line for sep in ",;\t")), "")
    if path.suffix.lower() == ".tsv":
        return "\t"
    return max(",;\t", key=first.count)


#: NVivo "export node" as text: a block per file, then its numbered references.
NVIVO_NODE_FILE = re.compile(
    r"^(?P<path>(?:Files|Internals|Sources|Externals)\\.+?) - § (?P<count>\d+) references? coded"
    r"\s*\[\s*(?P<coverage>[\d.,]+)% Coverage\]\s*$"
)
NVIVO_NODE_REFERENCE = re.compile(
    r"^Reference (?P<number>\d+) - (?P<coverage>[\d.,]+)% Coverage\s*$"
)
NVIVO_NODE_HEADER = ["Node", "File", "Folder", "Reference", "Coverage %", "Coded Text", "Line"]


def is_nvivo_node_text(text: str) -> bool:
    """Whether a text file is an NVivo node export (its first line names a file's references)."""
    first = next((line for line in text.split("\n") if line.strip()), "")
    return NVIVO_NODE_FILE.match(first.lstrip("\ufeff").strip()) is not None


def parse_nvivo_node_text(text: str, node: str, path: Path) -> list[list[str]]:
    """An NVivo node text export as records: header, then one record per coded reference.

    References are numbered 1..N under each file heading and the heading states N, so a line
    that happens to read like a reference heading inside coded text is kept as text, and a
    block whose count does not match is refused rather than split wrongly. Each record keeps
    the file line its reference heading is on, for `origin`.
    """
    records = [NVIVO_NODE_HEADER]
    text_at = NVIVO_NODE_HEADER.index("Coded Text")
    block: dict[str, Any] | None = None

    def close() -> None:
        if block is not None and block["found"] != block["count"]:
            raise InputFileError(
                path,
                f"NVivo node export: the heading says {block['count']} reference(s) but "
                f"{block['found']} follow; the file may be cut or edited",
                row=block["line"],
            )

    for line_no, line in enumerate(text.lstrip("\ufeff").split("\n"), start=1):
        heading = NVIVO_NODE_FILE.match(line.strip())
        if heading:
            close()
            parts = heading["path"].replace("\\\\", "\\").split("\\")
            block = {"parts": parts, "count": int(heading["count"]), "found": 0, "line": line_no}
            continue
        reference = NVIVO_NODE_REFERENCE.match(line.strip())
        if (
            block is not None
            and reference
            and block["found"] < block["count"]
            and int(reference["number"]) == block["found"] + 1
        ):
            block["found"] += 1
            folder = "\\".join(block["parts"][1:-1])
            number, coverage = reference["number"], reference["coverage"]
            records.append([node, block["parts"][-1], folder, number, coverage, "", str(line_no)])
            continue
        if block is None or not block["found"]:
            if line.strip():
                raise InputFileError(
                    path, "NVivo node export: text before the first reference heading", row=line_no
                )
            continue
        record = records[-1]
        record[text_at] = f"{record[text_at]}\n{line}" if record[text_at] else line
    close()
    for record in records[1:]:
        record[text_at] = record[text_at].strip()
    return records


def read_text_records(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> list[list[str]]:
    """Every record of a delimited text export (quoted newlines kept) or NVivo node export."""
    check_file_size(path, max_bytes)
    text = decode_text(path.read_bytes(), path).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InputFileError(path, "the file is empty: expected a header row and coded rows")
    if is_nvivo_node_text(text):
        return parse_nvivo_node_text(text, path.stem, path)
    reader = csv.reader(
        io.StringIO(text, newline=""), delimiter=_delimiter(text, path), strict=True
    )
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as error:
        raise InputFileError(
            path,
            f"malformed table ({error}); check for an unbalanced double quote in an excerpt",
            row=len(records) + 1,
        ) from error
    return records


def _cell(value: object) -> str:
    """A spreadsheet cell as the text a researcher sees (dates as ISO, 12.0 as 12)."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@dataclass(frozen=True)
class Sheet:
    """One table of an export: a worksheet (its title) or a text file (name None)."""

    name: str | None
    records: list[list[str]]


def read_xlsx_sheets(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> list[Sheet]:
    """Every visible worksheet as lists of strings, after the zip passes the bomb and path
    checks; ingest reads the one that holds coded segments (hidden sheets are named in the log)."""
    from openpyxl import load_workbook

    with open_zip_safely(path, max_total_bytes=max(max_bytes, 1), max_member_bytes=max_bytes) as zf:
        for info in zf.infolist():  # decompress everything once under the limits
            zf.read(info)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many types for corrupt workbooks
        raise InputFileError(path, f"not a readable Excel workbook ({error})") from error
    sheets = []
    try:
        for sheet in book.worksheets:
            if sheet.sheet_state != "visible":
                log.info("%s: worksheet '%s' is hidden, not read", path.name, sheet.title)
                continue
            # read-only mode trusts the <dimension> record, which some writers leave stale
            sheet.reset_dimensions()
            rows = [[_cell(value) for value in row] for row in sheet.iter_rows(values_only=True)]
            sheets.append(Sheet(sheet.title, rows))
    except Exception as error:
        raise InputFileError(path, f"cannot read the worksheet ({error})") from error
    finally:
        book.close()
    if not sheets:
        raise InputFileError(path, "the workbook has no visible worksheet to read")
    return sheets


def _xls_cell(cell: Any, datemode: int) -> str:
    """An old-format (BIFF) cell as the text a researcher sees, dates as ISO."""
    import xlrd

    if cell.ctype == xlrd.XL_CELL_DATE:
        return _cell(xlrd.xldate_as_datetime(cell.value, datemode))
    if cell.ctype == xlrd.XL_CELL_BOOLEAN:
        return "True" if cell.value else "False"
    if cell.ctype in (xlrd.XL_CELL_ERROR, xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return _cell(cell.value)


def read_xls_sheets(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> list[Sheet]:
    """Every visible worksheet of an Excel 97-2003 (.xls) workbook, read by xlrd, as strings."""
    import xlrd

    check_file_size(path, max_bytes)
    try:
        book = xlrd.open_workbook(path, on_demand=True)
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct errors, ...
        # xlrd's message can quote the file's first bytes (data): name the error kind only
        raise InputFileError(
            path,
            f"not a readable Excel 97-2003 workbook ({type(error).__name__}); "
            "is it a renamed text file, or an .xlsx saved as .xls?",
        ) from error
    try:
        return [
            Sheet(
                sheet.name,
                [
                    [_xls_cell(cell, book.datemode) for cell in sheet.row(index)]
                    for index in range(sheet.nrows)
                ],
            )
            for sheet in (book.sheet_by_index(i) for i in range(book.nsheets))
            if sheet.visibility == 0
        ]
    except Exception as error:
        raise InputFileError(
            path, f"cannot read the worksheets ({type(error).__name__})"
        ) from error
    finally:
        book.release_resources()


def read_text_sheets(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> list[Sheet]:
    """A delimited text or NVivo node export: one table."""
    return [Sheet(None, read_text_records(path, max_bytes))]


def read_docx_sheets(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> list[Sheet]:
    """A Word export of coded text (Taguette's highlights) as one table (see word_exports)."""
    from realist_report.ingest.word_exports import read_word_highlights

    return [Sheet(None, read_word_highlights(path, max_bytes))]


SheetReader = Callable[[Path, int], list[Sheet]]
#: How each table suffix is read: the one place a new table file type is added.
TABLE_READERS: dict[str, SheetReader] = {
    ".csv": read_text_sheets,
    ".tsv": read_text_sheets,
    ".txt": read_text_sheets,
    ".xlsx": read_xlsx_sheets,
    ".xls": read_xls_sheets,
    ".docx": read_docx_sheets,
}
#: REFI-QDA projects: the zipped .qdpx and a bare project .qde (sources in a folder beside it).
PROJECT_SUFFIXES = {".qdpx", ".qde"}
TABLE_SUFFIXES = set(TABLE_READERS)
UNSUPPORTED_HINTS = {
    ".zip": "; a REFI-QDA project renamed .zip (a zip holding a .qde) is read once renamed .qdpx",
    ".qdc": (
        "; a REFI-QDA codebook (.qdc) holds codes but no codings: start config/codebook.yaml "
        "from it with `make codebook EXPORT=...`"
    ),
}


def renamed_project_hint(path: Path) -> str:
    """A hint when a zip (or any file) is a REFI-QDA project under another name."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = [n.lower() for n in archive.namelist()]
    except (OSError, zipfile.BadZipFile):
        return ""
    if any(n.endswith(".qde") for n in names):
        return "; it is a REFI-QDA project (a zip holding a .qde): rename it to .qdpx"
    if "word/document.xml" in names or "xl/workbook.xml" in names:
        kind = ".docx" if "word/document.xml" in names else ".xlsx"
        return f"; it is an Office file: rename it to {kind}"
    return ""


def read_sheets(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> list[Sheet]:
    """Every table of an export by its suffix, size-checked before anything is read."""
    return TABLE_READERS.get(path.suffix.lower(), read_text_sheets)(path, max_bytes)


def read_records(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> list[list[str]]:
    """Raw records of a table export's first table (a code list, a one-sheet export)."""
    return read_sheets(path, max_bytes)[0].records


def _unique_headers(cells: list[str]) -> list[str]:
    """Strip headers and number repeats (QualCoder repeats 'Category'); name blank headers."""
    seen: dict[str, int] = {}
    headers = []
    for i, cell in enumerate(cells, start=1):
        name = cell.strip().lstrip("\ufeff") or f"column {i}"
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name}.{seen[name] - 1}")
    return headers


def match_header(records: list[list[str]], candidates: dict[str, dict]) -> tuple[int, str] | None:
    """The first record (of the first few) holding every identifying header of a format."""
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        present = {cell.strip().lstrip("\ufeff").casefold() for cell in record}
        for name, spec in candidates.items():
            if all(
                any(alt.casefold() in present for alt in as_list(item)) for item in spec["detect"]
            ):
                return index, name
    return None


def find_header(
    records: list[list[str]], formats: dict[str, dict], path: Path, format_name: str = "auto"
) -> tuple[int, str]:
    """The header row and format of a one-table export (see find_coded_sheet)."""
    sheet, index, name = find_coded_sheet([Sheet(None, records)], formats, path, format_name)
    return index, name


def find_coded_sheet(
    sheets: list[Sheet], formats: dict[str, dict], path: Path, format_name: str = "auto"
) -> tuple[Sheet, int, str]:
    """The first table (worksheet) holding coded segments, its header row and format; refused,
    naming every table and what it looks like, when none does."""
    if format_name != "auto" and format_name not in formats:
        raise ConfigError(f"format '{format_name}' is not defined in config/formats.yaml")
    candidates = {format_name: formats[format_name]} if format_name != "auto" else formats
    for number, sheet in enumerate(sheets, start=1):
        found = match_header(sheet.records, candidates)
        if found is None:
            continue
        if sheet.name is not None:
            others = [s.name for s in sheets if s is not sheet]
            log.info(
                "%s: coded segments on worksheet '%s' (sheet %d of %d)%s",
                path.name, sheet.name, number, len(sheets),
                f"; other worksheets not read: {others}" if others else "",
            )  # fmt: skip
        return sheet, *found
    described = "; ".join(describe_sheet(s.name, s.records) for s in sheets)
    known = any(table_kind(s.records) for s in sheets) or len(sheets) > 1
    what = "no worksheet holds" if len(sheets) > 1 else "it does not hold"
    hint = (
        export_hint([s.records for s in sheets])
        if known
        else (f"expected e.g. {list(next(iter(candidates.values()))['detect'])}")
    )
    raise InputFileError(
        path,
        f"unrecognised export format: {what} coded segments that match a format in "
        f"config/formats.yaml ({', '.join(candidates)}). {described}. {hint}",
        row=None if len(sheets) > 1 else 1,
    )


def header_preview(cells: list[str], limit: int = 12) -> list[str]:
    """A header row as an error may show it: real names, identifiers withheld."""
    return header_names(cells, limit)


def table_from_records(records: list[list[str]], header_index: int, path: Path) -> pd.DataFrame:
    """Rows below the header as strings indexed by file row; ragged rows padded or marked."""
    headers = _unique_headers(records[header_index])
    width = len(headers)
    rows, labels, overflow = [], [], []
    for number, record in enumerate(records[header_index + 1 :], start=header_index + 2):
        cells = [str(cell) for cell in record]
        extra = [cell for cell in cells[width:] if cell.strip()]
        rows.append((cells + [""] * width)[:width])
        labels.append(number)
        overflow.append(len(extra))
    # built column by column: a row-wise list of lists to the string dtype took twice as long
    columns = list(zip(*rows, strict=True)) if rows else [()] * width
    table = pd.DataFrame(
        {h: pd.array(list(col), dtype="string") for h, col in zip(headers, columns, strict=True)},
        index=pd.Index(labels, name="row"),
    )
    table["__overflow"] = pd.Series(overflow, index=table.index, dtype="int64")
    if table.empty:
        return table
    filled = pd.concat([table[h].str.strip().ne("") for h in headers], axis=1).any(axis=1)
    blank = ~filled & table["__overflow"].eq(0)
    if blank.any():
        log.info("%s: %d blank row(s) ignored", path.name, int(blank.sum()))
    return table[~blank]


def read_table(path: Path, max_bytes: int = MAX_TABLE_BYTES) -> pd.DataFrame:
    """Read a CSV/TSV/XLSX export as strings with its first record as header; rows are file rows."""
    records = read_records(path, max_bytes)
    if not records:
        raise InputFileError(path, "the file is empty: expected a header row and coded rows")
    return table_from_records(records, 0, path).drop(columns="__overflow")
