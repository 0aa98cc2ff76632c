"""Ingest one export batch (CSV, XLSX or REFI-QDA project) into the canonical excerpt table."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from pathlib import Path

import pandas as pd
import yaml

from realist_report.errors import ConfigError, InputFileError
from realist_report.schemas import EXCERPT_COLUMNS, RAW_EXCERPTS

log = logging.getLogger(__name__)

TABLE_SUFFIXES = {".csv", ".tsv", ".txt", ".xlsx"}
PROJECT_SUFFIXES = {".qdpx"}
SUPPORTED_SUFFIXES = TABLE_SUFFIXES | PROJECT_SUFFIXES
MAX_TABLE_BYTES = 200 * 1024 * 1024


def load_formats(path: str | Path) -> dict[str, dict]:
    """Read the export-format column mappings from config."""
    formats = yaml.safe_load(Path(path).read_text(encoding="utf-8"))["formats"]
    for name, spec in formats.items():
        unknown = set(spec.get("columns", {})) - set(EXCERPT_COLUMNS)
        if unknown:
            raise ConfigError(
                f"{path}: format '{name}' maps unknown canonical columns {sorted(unknown)}; "
                f"expected some of {EXCERPT_COLUMNS}"
            )
    return formats


def decode_text(raw: bytes, path: Path) -> str:
    """Decode an export: UTF-8 (with or without BOM) first, then Windows-1252 as tools on Windows write it."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputFileError(path, "cannot decode the file: expected UTF-8 or Windows-1252 text")


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV/TSV/XLSX export as strings, dropping wholly blank rows; row labels are file rows."""
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise InputFileError(path, f"file is too large (over {MAX_TABLE_BYTES // 2**20} MB)")
    if path.suffix.lower() == ".xlsx":
        try:
            table = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception as error:  # openpyxl raises many types for corrupt workbooks
            raise InputFileError(path, f"not a readable Excel workbook ({error})") from error
    else:
        text = decode_text(path.read_bytes(), path).replace("\r\n", "\n").replace("\r", "\n")
        if not text.strip():
            raise InputFileError(path, "the file is empty: expected a header row and coded rows")
        first_line = text.split("\n", 1)[0]
        delimiter = max(",;\t", key=first_line.count)
        try:
            table = pd.read_csv(
                io.StringIO(text),
                dtype=str,
                keep_default_na=False,
                sep=delimiter,
                quoting=csv.QUOTE_MINIMAL,
            )
        except pd.errors.ParserError as error:
            raise InputFileError(path, f"malformed table ({error})") from error
    table.columns = [str(column).strip() for column in table.columns]
    table.index = pd.RangeIndex(2, len(table) + 2)  # spreadsheet rows: the header is row 1
    blank = table.apply(lambda column: column.str.strip().eq("")).all(axis=1)
    return table[~blank]


def detect_format(columns: list[str], formats: dict[str, dict], path: Path) -> str:
    """Pick the first format whose identifying headers are all present."""
    present = {column.casefold() for column in columns}
    for name, spec in formats.items():
        if {header.casefold() for header in spec["detect"]} <= present:
            return name
    raise InputFileError(
        path,
        "unrecognised export format: headers "
        f"{columns[:12]} match none of the formats in config/formats.yaml ({', '.join(formats)})",
    )


def stable_id(*parts: object) -> str:
    """A short, stable identifier from the fields that define a coding."""
    digest = hashlib.sha1("\x1f".join(str(part) for part in parts).encode("utf-8"))
    return digest.hexdigest()[:16]


def map_columns(table: pd.DataFrame, spec: dict, path: Path, batch: str) -> pd.DataFrame:
    """Rename an export's columns to the canonical ones; keep file rows as `origin`."""
    by_folded = {column.casefold(): column for column in table.columns}
    out = pd.DataFrame(index=table.index)
    for canonical in EXCERPT_COLUMNS:
        header = spec.get("columns", {}).get(canonical)
        if header is not None and header.casefold() in by_folded:
            out[canonical] = table[by_folded[header.casefold()]].str.strip()
        else:
            out[canonical] = spec.get("defaults", {}).get(canonical, "")
    out["batch"] = batch
    out["origin"] = [f"{path.name}:row {row}" for row in table.index]
    separator = spec.get("split_codes")
    if separator:
        out["code"] = out["code"].str.split(separator)
        out = out.explode("code")
        out["code"] = out["code"].str.strip()
    return out


def assign_excerpt_ids(excerpts: pd.DataFrame) -> pd.DataFrame:
    """Give rows without an export id a stable id from batch, source, offsets, code and text."""
    missing = excerpts["excerpt_id"].fillna("").eq("")
    generated = [
        stable_id(*values)
        for values in excerpts.loc[
            missing, ["batch", "source_id", "start", "end", "code", "text"]
        ].itertuples(index=False)
    ]
    excerpts.loc[missing, "excerpt_id"] = generated
    return excerpts


def ingest_table(
    path: Path, batch: str, formats: dict[str, dict], format_name: str = "auto"
) -> pd.DataFrame:
    """Read a coded-segment table export into canonical columns."""
    table = read_table(path)
    if format_name == "auto":
        format_name = detect_format(list(table.columns), formats, path)
    elif format_name not in formats:
        raise ConfigError(f"format '{format_name}' is not defined in config/formats.yaml")
    log.info("%s: %d rows read, format '%s'", path.name, len(table), format_name)
    return map_columns(table, formats[format_name], path, batch)


def ingest_batch(
    path: str | Path, batch: str, formats: dict[str, dict], format_name: str = "auto"
) -> pd.DataFrame:
    """Any supported export -> canonical excerpt table (values not yet validated)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputFileError(
            path, f"unsupported file type '{suffix}': expected one of {sorted(SUPPORTED_SUFFIXES)}"
        )
    if suffix in PROJECT_SUFFIXES:
        from realist_report.qdpx import read_qdpx

        project = read_qdpx(path, batch)
        for warning in project.warnings:
            log.warning("%s: %s", path.name, warning)
        excerpts = project.excerpts
    else:
        excerpts = ingest_table(path, batch, formats, format_name)
    for column in EXCERPT_COLUMNS:
        if column not in excerpts.columns:
            excerpts[column] = None
    excerpts = assign_excerpt_ids(excerpts.reset_index(drop=True))
    ordered = [*EXCERPT_COLUMNS, *[c for c in excerpts.columns if c not in EXCERPT_COLUMNS]]
    excerpts = excerpts[ordered].astype({c: "string" for c in ("start", "end")})
    return RAW_EXCERPTS.validate(excerpts)


def run_ingest(source: str | Path, batch: str, formats_path: str | Path, out: str | Path) -> int:
    """Rule adapter: ingest one batch file and write its canonical table as parquet."""
    from realist_report.tables import write_parquet

    excerpts = ingest_batch(source, batch, load_formats(formats_path))
    write_parquet(excerpts, out)
    log.info("batch %s: %d coded rows ingested from %s", batch, len(excerpts), Path(source).name)
    return len(excerpts)
