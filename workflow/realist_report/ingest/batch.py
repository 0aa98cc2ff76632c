"""Ingest one export batch (CSV, XLSX, XLS, text or REFI-QDA project) into the canonical table.

Coded-segment tables are mapped to canonical columns by a per-format spec in
config/formats.yaml (see the comments there); a new QDA tool is a new entry, not code.
Whole-file problems raise InputFileError; row problems are marked in the `problem`,
`problem_column` and `problem_detail` columns for clean to quarantine with a reason.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import io
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from realist_report.core.definitions import SCHEMA_DIR, load_validated_yaml
from realist_report.core.errors import ConfigError, InputFileError
from realist_report.core.excerpt_table import EXCERPT_COLUMNS, RAW_EXCERPTS
from realist_report.core.ids import stable_id
from realist_report.core.safe_files import check_file_size, open_zip_safely
from realist_report.ingest.export_kinds import describe_sheet, export_hint, header_names, table_kind

log = logging.getLogger(__name__)

MAX_TABLE_BYTES = 200 * 1024 * 1024
#: Exports may put a title or notes above the header row (ATLAS.ti "Tabela 1", NVivo reports).
HEADER_SEARCH_ROWS = 20
#: Extra columns ingest adds so clean can quarantine rows with a machine-readable reason.
PROBLEM_COLUMNS = ["problem", "problem_column", "problem_detail"]
ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?$")


@dataclass(frozen=True)
class IngestOptions:
    """Everything in config/formats.yaml: table formats, REFI-QDA defaults and size limits."""

    formats: dict[str, dict]
    qdpx: dict[str, Any] = field(default_factory=dict)
    max_table_bytes: int = MAX_TABLE_BYTES
    #: How a REFI-QDA project's metadata is screened as it is read (qdpx.MetadataScreen);
    #: the pipeline's ingest always sets one (run_ingest).
    screen: Any = None


# --------------------------------------------------------------------------- configuration


def _as_list(value: object) -> list[str]:
    """A header given as one name or a list of alternatives (e.g. English and localised)."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def flatten_rules(rules: object) -> list[dict]:
    """Extract rules with YAML-alias lists (a shared naming convention) spliced in place."""
    if not isinstance(rules, list):
        return [rules] if rules else []  # type: ignore[list-item]
    flat: list[dict] = []
    for rule in rules:
        flat.extend(flatten_rules(rule) if isinstance(rule, list) else [rule])
    return flat


def _check_extract(where: str, rules: object) -> None:
    """Each extract rule needs a `from` column and a regex whose named groups are canonical."""
    if rules and not isinstance(rules, list):
        raise ConfigError(f"{where}: `extract` must be a list of {{from, pattern}} rules")
    for rule in flatten_rules(rules):
        if not isinstance(rule, dict) or not {"from", "pattern"} <= set(rule):
            raise ConfigError(f"{where}: every `extract` rule needs `from` and `pattern`")
        try:
            groups = set(re.compile(rule["pattern"]).groupindex)
        except re.error as error:
            raise ConfigError(f"{where}: bad regex {rule['pattern']!r} ({error})") from error
        unknown = groups - set(EXCERPT_COLUMNS)
        if not groups or unknown:
            raise ConfigError(
                f"{where}: pattern {rule['pattern']!r} must name groups after canonical "
                f"columns {EXCERPT_COLUMNS}; unknown or missing: {sorted(unknown) or 'no groups'}"
            )


def _check_value_map(where: str, value_map: object) -> None:
    """A value map is canonical column -> {export value: canonical value}."""
    if not isinstance(value_map, dict) or not all(isinstance(v, dict) for v in value_map.values()):
        raise ConfigError(f"{where}: `value_map` must map a column to {{export value: value}}")
    unknown = set(value_map) - set(EXCERPT_COLUMNS)
    if unknown:
        raise ConfigError(f"{where}: value_map names unknown columns {sorted(unknown)}")


def _check_spec(path: str | Path, name: str, spec: object) -> None:
    """Refuse a format entry with unknown canonical names or unusable regexes (its structure,
    keys included, is checked by workflow/schemas/formats.schema.yaml)."""
    where = f"{path}: format '{name}'"
    unknown = (set(spec.get("columns", {})) | set(spec.get("defaults", {}))) - set(EXCERPT_COLUMNS)
    if unknown:
        raise ConfigError(
            f"{where} maps unknown canonical columns {sorted(unknown)}; "
            f"expected some of {EXCERPT_COLUMNS}"
        )
    _check_extract(where, spec.get("extract", []))
    _check_value_map(where, spec.get("value_map", {}))
    for column, rule in (spec.get("join") or {}).items():
        if column not in EXCERPT_COLUMNS or not isinstance(rule, dict) or "columns" not in rule:
            raise ConfigError(f"{where}: `join` maps a canonical column to {{columns, separator}}")
    for rule in spec.get("reject", []):
        if not isinstance(rule, dict) or not {"from", "pattern", "reason"} <= set(rule):
            raise ConfigError(f"{where}: every `reject` rule needs `from`, `pattern` and `reason`")
    code_columns = spec.get("code_columns")
    if code_columns is not None and (
        not isinstance(code_columns, dict) or "pattern" not in code_columns
    ):
        raise ConfigError(f"{where}: `code_columns` needs a `pattern` with a (?P<code>) group")
    if code_columns is not None:
        try:
            groups = re.compile(code_columns["pattern"]).groupindex
        except re.error as error:
            raise ConfigError(f"{where}: bad code_columns pattern ({error})") from error
        if "code" not in groups:
            raise ConfigError(f"{where}: the code_columns pattern needs a (?P<code>...) group")
    if spec.get("split_codes_pattern"):
        try:
            re.compile(spec["split_codes_pattern"])
        except re.error as error:
            raise ConfigError(f"{where}: bad split_codes_pattern ({error})") from error


def load_ingest_options(path: str | Path) -> IngestOptions:
    """Read and check config/formats.yaml: formats, the `qdpx` section and `limits`; a misspelt
    or misplaced key anywhere is named with the file and where it is."""
    data = load_validated_yaml(Path(path), SCHEMA_DIR / "formats.schema.yaml")
    formats = data["formats"]
    for name, spec in formats.items():
        _check_spec(path, name, spec)
    qdpx = data.get("qdpx") or {}
    unknown = set(qdpx.get("defaults", {})) - set(EXCERPT_COLUMNS)
    if unknown:
        raise ConfigError(f"{path}: qdpx defaults name unknown columns {sorted(unknown)}")
    _check_extract(f"{path}: qdpx", qdpx.get("extract", []))
    _check_value_map(f"{path}: qdpx", qdpx.get("value_map", {}))
    limit_mb = (data.get("limits") or {}).get("max_table_mb")
    max_bytes = int(float(limit_mb) * 1024 * 1024) if limit_mb else MAX_TABLE_BYTES
    return IngestOptions(formats, qdpx, max_bytes)


def load_formats(path: str | Path) -> dict[str, dict]:
    """Read the export-format column mappings from config."""
    return load_ingest_options(path).formats


# --------------------------------------------------------------------------- reading files


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
                any(alt.casefold() in present for alt in _as_list(item)) for item in spec["detect"]
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


# --------------------------------------------------------------------------- mapping


def _pick(table: pd.DataFrame, headers: list[str]) -> str | None:
    """The export column for a canonical one: the first alternative present (any case)."""
    by_folded = {str(column).casefold(): column for column in table.columns}
    return next((by_folded[h.casefold()] for h in headers if h.casefold() in by_folded), None)


def _mark(out: pd.DataFrame, mask: pd.Series, problem: str, column: str, detail: pd.Series) -> None:
    """Record a row problem for clean, keeping the first one found."""
    mask = mask.fillna(False).astype(bool) & out["problem"].isna()
    out.loc[mask, "problem"] = problem
    out.loc[mask, "problem_column"] = column
    out.loc[mask, "problem_detail"] = detail[mask]


def apply_extract(out: pd.DataFrame, rules: list[dict], source: pd.DataFrame | None = None) -> None:
    """Fill canonical columns from regex named groups over a column (e.g. a document name)."""
    for rule in flatten_rules(rules):
        origin = rule["from"]
        if origin in out.columns:
            values = out[origin]
        elif source is not None and _pick(source, [origin]) is not None:
            values = source[_pick(source, [origin])]
        else:
            continue
        found = values.astype("string").fillna("").str.extract(rule["pattern"])
        for group in found.columns:
            value = found[group].astype("string").str.strip()
            matched = value.notna() & value.ne("")
            if not rule.get("overwrite", False):
                current = out[group].astype("string")
                matched &= current.isna() | current.str.strip().eq("")
            out[group] = out[group].astype("string").mask(matched, value)


def apply_join(out: pd.DataFrame, table: pd.DataFrame, joins: dict[str, dict]) -> None:
    """Build a column from several export columns, e.g. QualCoder category + code name."""
    for column, rule in joins.items():
        headers = [h for h in (_pick(table, [c]) for c in rule["columns"]) if h is not None]
        if not headers:
            continue
        parts = table[headers].astype("string").fillna("").apply(lambda c: c.str.strip())
        separator = str(rule.get("separator", "::"))
        joined = pd.Series(
            [separator.join(v for v in values if v) for values in parts.itertuples(index=False)],
            index=parts.index,
        )
        out[column] = joined.astype("string").replace("", pd.NA)


def apply_value_map(out: pd.DataFrame, value_map: dict[str, dict]) -> None:
    """Translate tool or study vocabulary (e.g. INT -> interview) case-insensitively."""
    for column, mapping in value_map.items():
        folded = {str(k).casefold(): str(v) for k, v in mapping.items()}
        values = out[column].astype("string")
        mapped = values.str.strip().str.casefold().map(folded).astype("string")
        out[column] = values.mask(mapped.notna(), mapped)


def _reject(out: pd.DataFrame, table: pd.DataFrame, rules: list[dict]) -> None:
    """Mark rows a format says cannot be used (e.g. image codings) with the configured reason."""
    for rule in rules:
        origin = rule["from"]
        header = origin if origin in out.columns else _pick(table, [origin])
        if header is None:
            continue
        values = (out if origin in out.columns else table)[header].astype("string").fillna("")
        hit = values.str.contains(rule["pattern"], regex=True)
        _mark(out, hit, rule["reason"], origin if origin in out.columns else header,
              f"{rule['reason']}: {header} '" + values + "' matches " + repr(rule["pattern"]))  # fmt: skip


def read_memo_columns(out: pd.DataFrame, table: pd.DataFrame, headers: list[str]) -> None:
    """Memos a table writes beside each coding (QualCoder Coded_Memo, MAXQDA Memos and
    Kommentar) as `memo` (the non-blank cells, in the order configured, a blank line apart)
    and `memo_origin` (their headers): memos.py lists them as memos on their coding."""
    present = [h for h in (_pick(table, [header]) for header in headers) if h is not None]
    if not present:
        return
    cells = table[present].astype("string").fillna("")
    filled = cells.apply(lambda column: column.str.strip().ne(""))
    out["memo"] = pd.Series(
        ["\n\n".join(c.strip() for c, f in zip(row, keep, strict=True) if f) or pd.NA
         for row, keep in zip(cells.itertuples(index=False), filled.itertuples(index=False), strict=True)],
        index=out.index, dtype="string",
    )  # fmt: skip
    out["memo_origin"] = pd.Series(
        [";".join(h for h, f in zip(present, keep, strict=True) if f) or pd.NA
         for keep in filled.itertuples(index=False)],
        index=out.index, dtype="string",
    )  # fmt: skip


#: Positions of a coding of a picture, a PDF region or audio/video: MAXQDA writes
#: 'page: x|y' pairs (`1: 38|557`), media tools time stamps ('0:01:23.5').
MEDIA_POSITION = re.compile(
    r"^\s*\d+\s*:\s*\d+\s*\|\s*\d+\s*$|^\s*\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?\s*$"
)


def mark_media_codings(out: pd.DataFrame, table: pd.DataFrame, spec: dict) -> None:
    """A coding without text whose position is a picture or PDF-region point or a time stamp
    is a media coding: quarantined as such, with its position, in every table format."""
    no_text = out["text"].isna() | out["text"].astype("string").str.strip().eq("")
    for canonical in ("start", "end"):
        header = _pick(table, _as_list(spec.get("columns", {}).get(canonical)))
        if header is None:
            continue
        position = table[header].astype("string").fillna("")
        media = no_text & position.str.match(MEDIA_POSITION.pattern)
        _mark(out, media, "media coding without text", canonical,
              "media coding without text (a picture, PDF region or recording) at position "
              + header + " '" + position.str.strip() + "'")  # fmt: skip


def _real_date(iso: str) -> str | None:
    """An ISO date that exists on the calendar ('2099-13-45' does not), else None."""
    try:
        return dt.date.fromisoformat(iso).isoformat()
    except ValueError:
        return None


def _parse_dates(out: pd.DataFrame, formats: list[str]) -> None:
    """Normalise collected_on to ISO dates; mark values no configured format reads."""
    raw = out["collected_on"].astype("string").fillna("").str.strip()
    parsed: list[str | None] = []
    for value in raw.tolist():
        iso = ISO_DATE.match(value)
        result = _real_date(iso.group(1)) if iso else None
        for fmt in formats if iso is None else []:
            try:
                result = dt.datetime.strptime(value, fmt).date().isoformat()
                break
            except ValueError:
                continue
        parsed.append(result if value else None)
    parsed_series = pd.Series(parsed, index=out.index, dtype="string")
    bad = raw.ne("") & parsed_series.isna()
    expected = ", ".join(["YYYY-MM-DD", *formats])
    _mark(out, bad, "date not recognised", "collected_on",
          "date '" + raw + f"' matches none of the date formats ({expected})")  # fmt: skip
    out["collected_on"] = parsed_series


def _codes_from_columns(out: pd.DataFrame, table: pd.DataFrame, rule: dict | None) -> pd.DataFrame:
    """One row per code ticked in a per-code column (Dedoose: `Code: <name> Applied` = True).

    A row with no code ticked keeps one row with an empty code, for clean to quarantine.
    """
    if not rule:
        return out
    pattern = re.compile(rule["pattern"])
    applied = {str(v).casefold() for v in rule.get("applied", ["true", "1", "yes"])}
    columns = [
        (column, m["code"].strip()) for column in table.columns if (m := pattern.match(column))
    ]
    codes = [
        [
            code
            for column, code in columns
            if str(table.at[row, column]).strip().casefold() in applied
        ]
        or [pd.NA]
        for row in table.index
    ]
    out = out.assign(code=pd.Series(codes, index=out.index, dtype=object)).explode("code")
    out["code"] = out["code"].astype("string")
    return out


def _split_codes(out: pd.DataFrame, spec: dict) -> pd.DataFrame:
    """One row per code when a cell lists several (ATLAS.ti joins them with ', ')."""
    pattern = spec.get("split_codes_pattern") or (
        re.escape(spec["split_codes"]) if spec.get("split_codes") else None
    )
    if not pattern:
        return out
    out = out.assign(code=out["code"].astype("string").fillna("").str.split(pattern, regex=True))
    out = out.explode("code")
    out["code"] = out["code"].astype("string").str.strip()
    return out


def _paragraph_positions(out: pd.DataFrame) -> pd.Series:
    """Paragraph positions kept as such ('3' or '3-5'), since they are not character offsets."""
    start = out["start"].astype("string").fillna("").str.strip()
    end = out["end"].astype("string").fillna("").str.strip()
    span = start.mask(end.ne("") & end.ne(start), start + "-" + end)
    return span.mask(span.eq(""), pd.NA).astype("string")


def map_columns(table: pd.DataFrame, spec: dict, path: Path, batch: str) -> pd.DataFrame:
    """Rename an export's columns to the canonical ones; keep file rows as `origin`."""
    out = pd.DataFrame(index=table.index)
    for canonical in EXCERPT_COLUMNS:
        header = _pick(table, _as_list(spec.get("columns", {}).get(canonical)))
        if header is not None:
            values = table[header].astype("string")
            # excerpt text exactly as exported; identifiers and names lose outer spaces
            out[canonical] = values if canonical == "text" else values.str.strip()
        else:
            out[canonical] = pd.Series(pd.NA, index=table.index, dtype="string")
    for column in PROBLEM_COLUMNS:
        out[column] = pd.Series(pd.NA, index=table.index, dtype="string")
    out["batch"] = batch
    line = _pick(table, _as_list(spec.get("columns", {}).get("origin")))
    if line is None:
        out["origin"] = [f"{path.name}:row {row}" for row in table.index]
    else:  # a parsed text export says which line of the file each record starts on
        out["origin"] = f"{path.name}:line " + table[line].astype("string")
    apply_join(out, table, spec.get("join") or {})
    read_memo_columns(out, table, _as_list(spec.get("memos")))
    mark_media_codings(out, table, spec)
    apply_extract(out, spec.get("extract", []), table)
    apply_value_map(out, spec.get("value_map", {}))
    _reject(out, table, spec.get("reject", []))
    for column, value in spec.get("defaults", {}).items():
        blank = out[column].isna() | out[column].astype("string").str.strip().eq("")
        out[column] = out[column].astype("string").mask(blank, str(value))
    if "__overflow" in table.columns:
        extra = table["__overflow"].gt(0)
        _mark(out, extra, "too many cells", "(row)",
              "row has " + table["__overflow"].astype("string") + " non-empty cell(s) beyond the "
              "last header; an unquoted separator in an excerpt shifts every later column")  # fmt: skip
    if spec.get("offsets", "characters") == "paragraphs":
        out["paragraphs"] = _paragraph_positions(out)
    if spec.get("offsets", "characters") != "characters":
        out["start"] = pd.Series(pd.NA, index=out.index, dtype="string")
        out["end"] = pd.Series(pd.NA, index=out.index, dtype="string")
    _parse_dates(out, _as_list(spec.get("date_formats")))
    exploded = _split_codes(_codes_from_columns(out, table, spec.get("code_columns")), spec)
    if spec.get("id_per_code") or len(exploded) != len(out):
        has_id = exploded["excerpt_id"].notna() & exploded["excerpt_id"].str.strip().ne("")
        per_code = exploded["excerpt_id"] + "|" + exploded["code"].fillna("")
        exploded["excerpt_id"] = exploded["excerpt_id"].mask(has_id, per_code)
    return exploded


def assign_excerpt_ids(excerpts: pd.DataFrame) -> pd.DataFrame:
    """Give rows without an export id a stable id from batch, source, offsets, code and text."""
    missing = excerpts["excerpt_id"].isna() | excerpts["excerpt_id"].astype("string").eq("")
    # paragraph positions (MAXQDA, ATLAS.ti) tell apart equal passages coded in two places
    parts = ["batch", "source_id", "start", "end", "code", "text"]
    parts += ["paragraphs"] if "paragraphs" in excerpts.columns else []
    # column lists, not itertuples: stepping through Arrow-backed strings one scalar at a time
    # was half of this step at x100 (5.6 of 11 s); the values and so the ids are the same
    selected = excerpts.loc[missing, parts]
    generated = [
        stable_id(*values) for values in zip(*(selected[c].tolist() for c in parts), strict=True)
    ]
    excerpts["excerpt_id"] = excerpts["excerpt_id"].astype("string")
    excerpts.loc[missing, "excerpt_id"] = generated
    no_offsets = missing & excerpts["start"].isna() & excerpts["end"].isna()
    excerpts.loc[no_offsets, "excerpt_id"] = number_repeats(excerpts.loc[no_offsets, "excerpt_id"])
    return separate_coders(excerpts)


def number_repeats(ids: pd.Series) -> list[str]:
    """Ids of codings identical in every column in an export without character positions (a
    word autocoded several times in one paragraph): the row is their identity, so the 2nd,
    3rd ... get '#2', '#3' in file order and all are kept as distinct codings. With character
    positions an identical row is the same coding again, removed by clean as a duplicate."""
    occurrence = ids.groupby(ids).cumcount() + 1
    numbered = ids + "#" + occurrence.astype("string")
    return ids.mask(occurrence > 1, numbered).tolist()


def separate_coders(excerpts: pd.DataFrame) -> pd.DataFrame:
    """Two coders who code the same span with the same code get one id (the hash above, or a
    REFI selection and code): the first coder of the id keeps it, every other coder's coding
    gets `~c<n>` (n: the coder's order of first appearance in the batch, never the name), so
    clean keeps both codings for coder agreement instead of removing one as a duplicate."""
    coder = excerpts["coder"].astype("string").fillna("").str.strip()
    ids = excerpts["excerpt_id"]
    shared = coder.groupby(ids).transform("nunique").gt(1)
    later = shared & coder.ne(coder.groupby(ids).transform("first"))
    if later.any():
        number = {name: n for n, name in enumerate(pd.unique(coder), start=1)}
        suffix = "~c" + coder[later].map(number).astype("string")
        excerpts.loc[later, "excerpt_id"] = ids[later] + suffix
    return excerpts


# --------------------------------------------------------------------------- batches


def ingest_table(
    path: Path,
    batch: str,
    formats: dict[str, dict],
    format_name: str = "auto",
    max_bytes: int = MAX_TABLE_BYTES,
) -> pd.DataFrame:
    """Read a coded-segment table export (the worksheet that holds them) into canonical columns."""
    sheets = read_sheets(path, max_bytes)
    if not any(any(cell.strip() for cell in r) for sheet in sheets for r in sheet.records):
        raise InputFileError(path, "the file is empty: expected a header row and coded rows")
    sheet, header_index, format_name = find_coded_sheet(sheets, formats, path, format_name)
    table = table_from_records(sheet.records, header_index, path)
    spec = formats[format_name]
    log.info(
        "%s: %d rows read, format '%s', header on row %d; %s",
        path.name, len(table), format_name, header_index + 1, columns_used(table, spec),
    )  # fmt: skip
    if table.empty:
        raise InputFileError(path, "no coded rows below the header row", row=header_index + 1)
    return map_columns(table, spec, path, batch)


def columns_used(table: pd.DataFrame, spec: dict) -> str:
    """Which export columns were read and how (mapped, joined, extracted from, memos, media
    positions), and which were not used, for the ingest log."""
    used: dict[str, list[str]] = {}

    def note(header: str | None, how: str) -> None:
        if header is not None:
            used.setdefault(header, []).append(how)

    for canonical, alternatives in (spec.get("columns") or {}).items():
        note(_pick(table, _as_list(alternatives)), f"-> {canonical}")
    for canonical, rule in (spec.get("join") or {}).items():
        separator = rule.get("separator", "::")
        for header in rule["columns"]:
            note(_pick(table, [header]), f"joined into {canonical} with '{separator}'")
    for rule in flatten_rules(spec.get("extract", [])):
        if _pick(table, [rule["from"]]) is not None and rule["from"] not in EXCERPT_COLUMNS:
            note(_pick(table, [rule["from"]]), "extracted from")
    for header in _as_list(spec.get("memos")):
        note(_pick(table, [header]), "-> memo on the coding")
    code_column = re.compile((spec.get("code_columns") or {}).get("pattern") or r"(?!)")
    for column in table.columns:
        if code_column.match(str(column)):
            note(column, "-> code (ticked)")
    shown = "; ".join(f"{header} {', '.join(how)}" for header, how in used.items())
    ignored = [c for c in table.columns if c != "__overflow" and c not in used]
    return f"columns used: {shown}" + (f"; columns not used: {ignored}" if ignored else "")


def apply_qdpx_options(excerpts: pd.DataFrame, options: dict[str, Any]) -> pd.DataFrame:
    """Fill context a REFI-QDA project lacks (no cases or variables) from config rules."""
    for column in EXCERPT_COLUMNS:
        if column in excerpts.columns:
            excerpts[column] = excerpts[column].astype("string")
    apply_extract(excerpts, options.get("extract", []))
    apply_value_map(excerpts, options.get("value_map") or {})
    for column, value in (options.get("defaults") or {}).items():
        blank = excerpts[column].isna() | excerpts[column].str.strip().eq("")
        excerpts[column] = excerpts[column].mask(blank, str(value))
    return excerpts


#: Line and paragraph separators tools write inside a coded passage (QualCoder: U+2029);
#: carriage returns become line breaks in clean (neutralise_control_characters).
LINE_BREAKS = re.compile("[\u2028\u2029\x85]")


def normalise_line_breaks(text: str) -> str:
    """A passage with every paragraph or line separator as a line break, the same for every
    reader (REFI-QDA positions still fit: each separator is one character, as is the break)."""
    return LINE_BREAKS.sub("\n", text)


def ingest_batch(
    path: str | Path,
    batch: str,
    formats: dict[str, dict] | IngestOptions,
    format_name: str = "auto",
    offset_units: str = "auto",
) -> pd.DataFrame:
    """Any supported export -> canonical excerpt table (values not yet validated).

    `offset_units` is config `qdpx.offset_units`: how REFI-QDA positions are counted.
    """
    options = formats if isinstance(formats, IngestOptions) else IngestOptions(formats)
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in READERS:
        hint = renamed_project_hint(path) or UNSUPPORTED_HINTS.get(suffix, "")
        raise InputFileError(
            path,
            f"unsupported file type '{suffix}': expected one of {sorted(SUPPORTED_SUFFIXES)}{hint}",
        )
    excerpts = READERS[suffix](path, batch, options, format_name, offset_units)
    excerpts["text"] = (
        excerpts["text"].astype("string").map(normalise_line_breaks, na_action="ignore")
    )
    for column in EXCERPT_COLUMNS:
        if column not in excerpts.columns:
            excerpts[column] = None
    excerpts = assign_excerpt_ids(excerpts.reset_index(drop=True))
    ordered = [*EXCERPT_COLUMNS, *[c for c in excerpts.columns if c not in EXCERPT_COLUMNS]]
    excerpts = excerpts[ordered].astype({c: "string" for c in ("start", "end")})
    problems = excerpts["problem"].notna().sum() if "problem" in excerpts.columns else 0
    if problems:
        log.warning("%s: %d row(s) marked for quarantine while reading", path.name, problems)
    return RAW_EXCERPTS.validate(excerpts)


def _read_project(
    path: Path, batch: str, options: IngestOptions, _format: str, offset_units: str
) -> pd.DataFrame:
    """A REFI-QDA project's coded selections, with config filling what the project lacks."""
    from realist_report.ingest.refi import read_qdpx

    project = read_qdpx(path, batch, offset_units, options.screen)
    for note in project.notes:
        log.info("%s: %s", path.name, note)
    for warning in project.warnings:
        log.warning("%s: %s", path.name, warning)
    if project.excerpts.empty:  # like a table with no rows: nothing to count is not zero evidence
        raise InputFileError(
            path,
            f"a REFI-QDA project with no codings ({project.sources} source(s), "
            f"{len(project.codebook)} code(s), 0 coded selections): export the project again "
            "with its coded segments (the tool's REFI-QDA project export of the whole project, "
            "not a codebook or an empty copy), or export the coded segments as a table; to "
            "start config/codebook.yaml from its codes use `make codebook EXPORT=...`",
        )
    return apply_qdpx_options(project.excerpts, options.qdpx)


def _read_table(
    path: Path, batch: str, options: IngestOptions, format_name: str, _offset_units: str
) -> pd.DataFrame:
    """A coded-segment table mapped by its format in config/formats.yaml."""
    return ingest_table(path, batch, options.formats, format_name, options.max_table_bytes)


Reader = Callable[[Path, str, IngestOptions, str, str], pd.DataFrame]
#: The one table of readable file types (suffix -> reader): ingest dispatches on it, and batch
#: discovery and the data-set manifest take the readable types from it, so a new reader is one
#: new entry here (a table suffix in TABLE_READERS, or a project suffix) and every other file
#: type in coded/ is refused by name.
READERS: dict[str, Reader] = {
    **{suffix: _read_table for suffix in sorted(TABLE_SUFFIXES)},
    **{suffix: _read_project for suffix in sorted(PROJECT_SUFFIXES)},
}
SUPPORTED_SUFFIXES = frozenset(READERS)


def run_ingest(
    source: str | Path,
    batch: str,
    formats_path: str | Path,
    out: str | Path,
    offset_units: str = "auto",
    screening: dict[str, Any] | None = None,
) -> int:
    """Rule adapter: ingest one batch file and write its canonical table as parquet.

    `screening` names the participant register ('participants', its validated parquet) and
    the private 'name_list' and 'place_list': a REFI-QDA project's metadata is screened with
    them as it is read (qdpx.MetadataScreen), before any log line can show it."""
    from realist_report.core.tables import read_parquet, write_parquet
    from realist_report.ingest.refi import MetadataScreen
    from realist_report.privacy.redact import load_name_list, screening_names

    options = load_ingest_options(formats_path)
    if screening is not None:
        participants = read_parquet(screening["participants"])
        screen = MetadataScreen(
            tuple(screening_names(screening.get("name_list"), participants)),
            tuple(load_name_list(screening.get("place_list"))),
            frozenset(participants["participant_id"].astype(str)),
        )
        options = dataclasses.replace(options, screen=screen)
    excerpts = ingest_batch(source, batch, options, offset_units=offset_units)
    write_parquet(excerpts, out)
    log.info("batch %s: %d coded rows ingested from %s", batch, len(excerpts), Path(source).name)
    return len(excerpts)
