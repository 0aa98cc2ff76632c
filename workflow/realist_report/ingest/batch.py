"""Ingest one export batch (CSV, XLSX, XLS, text or REFI-QDA project) into the canonical table.

The steps are in ingest.formats (the per-format specs), ingest.readers (files to records)
and ingest.mapping (records to canonical columns). Whole-file problems raise InputFileError;
row problems are marked in the `problem`, `problem_column` and `problem_detail` columns for
clean to quarantine with a reason.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from realist_report.core.errors import InputFileError
from realist_report.core.excerpt_table import EXCERPT_COLUMNS, RAW_EXCERPTS
from realist_report.ingest.formats import (
    MAX_TABLE_BYTES,
    IngestOptions,
    as_list,
    flatten_rules,
    load_ingest_options,
)
from realist_report.ingest.mapping import (
    apply_extract,
    apply_value_map,
    assign_excerpt_ids,
    export_column,
    map_columns,
)
from realist_report.ingest.readers import (
    PROJECT_SUFFIXES,
    TABLE_SUFFIXES,
    UNSUPPORTED_HINTS,
    find_coded_sheet,
    read_sheets,
    renamed_project_hint,
    table_from_records,
)

log = logging.getLogger(__name__)


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
        note(export_column(table, as_list(alternatives)), f"-> {canonical}")
    for canonical, rule in (spec.get("join") or {}).items():
        separator = rule.get("separator", "::")
        for header in rule["columns"]:
            note(export_column(table, [header]), f"joined into {canonical} with '{separator}'")
    for rule in flatten_rules(spec.get("extract", [])):
        if export_column(table, [rule["from"]]) is not None and rule["from"] not in EXCERPT_COLUMNS:
            note(export_column(table, [rule["from"]]), "extracted from")
    for header in as_list(spec.get("memos")):
        note(export_column(table, [header]), "-> memo on the coding")
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
    hits_out: str | Path | None = None,
) -> int:
    """Rule adapter: ingest one batch file and write its canonical table as parquet.

    `screening` names the participant register ('participants', its validated parquet) and
    the private 'name_list' and 'place_list': a REFI-QDA project's metadata is screened with
    them as it is read (refi.MetadataScreen), before any log line can show it; what it
    screened out is counted by kind to `hits_out` (the hit log's rows, field 'project
    metadata', no value), which joins results/privacy_hits.csv."""
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
    if hits_out is not None:
        write_metadata_hits(options.screen.found if options.screen else [], batch, hits_out)
    log.info("batch %s: %d coded rows ingested from %s", batch, len(excerpts), Path(source).name)
    return len(excerpts)


def write_metadata_hits(kinds: list[str], batch: str, out: str | Path) -> None:
    """The identifiers a project's metadata screen found, as hit-log rows by kind."""
    from realist_report.core.tables import write_csv
    from realist_report.privacy.redact import HIT_LOG_COLUMNS

    counts = Counter(kinds)
    rows = [
        {"batch": batch, "excerpt_id": "", "field": "project metadata", "kind": k, "count": n}
        for k, n in sorted(counts.items())
    ]
    for kind, count in sorted(counts.items()):
        log.info("screened %d %s placeholder(s) in the project's metadata", count, kind)
    write_csv(pd.DataFrame(rows, columns=list(HIT_LOG_COLUMNS)), out)
