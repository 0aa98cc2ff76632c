"""What a table that holds no coded segments is, and which export to make instead.

Teams drop every file a QDA tool writes into coded/: counts matrices (an NVivo matrix coding
query, an ATLAS.ti code co-occurrence table, an Excel pivot table), codebooks, project
summaries. None of them holds coded text, so none can be evidence; ingest refuses them, and
the refusal says what the file looks like and how to export coded segments from that tool.
"""

from __future__ import annotations

import re

from realist_report.privacy.redact import find_identifiers

#: A cell that is a number as a spreadsheet or CSV writes it (counts, coefficients, percents).
NUMBER = re.compile(r"^-?\d+(?:[.,]\d+)?%?$")
#: Headers of a codebook or code list: a code column and what describes or counts the code.
CODE_HEADERS = {"tag", "code", "codes", "codename", "kod", "node", "código", "name", "codesystem"}
CODEBOOK_HEADERS = {
    "description", "number of highlights", "memo", "definition", "häufigkeit", "frequency",
    "references", "files", "gr", "groundedness", "beschreibung", "codes",
}  # fmt: skip
PIVOT_HEADERS = (
    "row labels",
    "zeilenbeschriftungen",
    "étiquettes de lignes",
    "count of",
    "anzahl von",
)
#: How to get coded segments out of each tool (named in refusals).
TOOL_EXPORTS = {
    "MAXQDA": "MAXQDA 'Export > Coded Segments' (Excel), or the project as REFI-QDA (.qdpx)",
    "NVivo": "NVivo a 'Coding Summary by Code' report, an 'Export node' text, or the project "
    "as REFI-QDA (.qdpx)",
    "ATLAS.ti": "ATLAS.ti the Quotation Manager export (Excel/CSV), or the project as REFI-QDA "
    "(.qdpx)",
    "QualCoder": "QualCoder 'Reports > Coding reports' exported as CSV",
    "Taguette": "Taguette 'Export highlights' as CSV (or Word)",
}
CODED_EXPORTS = "export coded segments instead: " + "; ".join(TOOL_EXPORTS.values())
MAX_LABEL = 40


#: A field list such as a system file's line ('root:x:0:0:root:/root:/bin/bash'): three or more
#: ':' or '/' separated fields without a space is data, not a column name, and is not shown.
FIELD_LIST = re.compile(r"(?:[^\s:/]*[:/]){3,}[^\s:/]*")


def header_label(cell: str, number: int) -> str:
    """A header cell as a log may show it: its real name (spaces folded, cut at 40 characters),
    or '<cell N>' when it is a field list rather than a name or holds what looks like a personal
    identifier, so no value of a data row is repeated into a log."""
    label = " ".join(cell.replace("\ufeff", "").split())
    if FIELD_LIST.fullmatch(label) or find_identifiers(label):
        return f"<cell {number}>"
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def header_names(cells: list[str], limit: int = 12) -> list[str]:
    """The named cells of a header row (blank ones skipped), as header_label shows them."""
    named = [(i, c) for i, c in enumerate(cells, start=1) if c.strip()]
    shown = [header_label(cell, i) for i, cell in named[:limit]]
    return shown + ([f"... {len(named) - limit} more"] if len(named) > limit else [])


def _numeric_share(records: list[list[str]]) -> tuple[int, int]:
    """Numeric cells and filled cells below the first row and right of the first column."""
    numbers = filled = 0
    for record in records[1:]:
        for cell in record[1:]:
            value = cell.strip()
            if value:
                filled += 1
                numbers += bool(NUMBER.match(value))
    return numbers, filled


def _first_row(records: list[list[str]]) -> list[str]:
    return next((r for r in records if any(c.strip() for c in r)), [])


def table_kind(records: list[list[str]]) -> tuple[str, str | None] | None:
    """What a table without coded segments looks like and the tool that wrote it, if known."""
    header = [c.strip().casefold() for c in _first_row(records)]
    joined = " ".join(header)
    if any(label in joined for label in PIVOT_HEADERS):
        return "an Excel pivot table of counts (no coded text)", None
    numbers, filled = _numeric_share(records)
    if filled and numbers / filled >= 0.8:
        if "gr=" in joined:
            return "an ATLAS.ti code co-occurrence table: counts, no coded text", "ATLAS.ti"
        if any(re.match(r"^[a-z]+ : ", c) for c in header):
            return "an NVivo matrix coding query result: counts, no coded text", "NVivo"
        return "a matrix or table of counts (no coded text)", None
    names = set(header)
    if names & CODE_HEADERS and names & CODEBOOK_HEADERS:
        tool = "Taguette" if "number of highlights" in names else None
        return (
            "a codebook (codes, no codings): start config/codebook.yaml from it with "
            "`make codebook EXPORT=...`",
            tool,
        )
    return None


def export_hint(sheets: list[list[list[str]]]) -> str:
    """Which export to make instead, for the tool that wrote these tables when it is known."""
    tools = {kind[1] for kind in map(table_kind, sheets) if kind and kind[1]}
    if len(tools) == 1:
        return f"export coded segments instead: {TOOL_EXPORTS[tools.pop()]}"
    return CODED_EXPORTS


def describe_sheet(name: str | None, records: list[list[str]]) -> str:
    """One sheet as a refusal lists it: its name, size, header names and what it looks like."""
    rows = sum(1 for r in records if any(c.strip() for c in r))
    where = f"worksheet '{name}'" if name is not None else "the table"
    if not rows:
        return f"{where}: empty"
    kind = table_kind(records)
    looks = f"; looks like {kind[0]}" if kind else ""
    return f"{where}: {rows} row(s), first row {header_names(_first_row(records))}{looks}"
