"""Mapping a coded-segment table to the canonical columns by its format spec; row problems
are marked in `problem`, `problem_column` and `problem_detail` for clean to quarantine.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd

from realist_report.core.excerpt_table import EXCERPT_COLUMNS
from realist_report.core.ids import stable_id
from realist_report.ingest.formats import ISO_DATE, PROBLEM_COLUMNS, as_list, flatten_rules


def export_column(table: pd.DataFrame, headers: list[str]) -> str | None:
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
        elif source is not None and export_column(source, [origin]) is not None:
            values = source[export_column(source, [origin])]
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
        headers = [h for h in (export_column(table, [c]) for c in rule["columns"]) if h is not None]
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
        header = origin if origin in out.columns else export_column(table, [origin])
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
    present = [h for h in (export_column(table, [header]) for header in headers) if h is not None]
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
        header = export_column(table, as_list(spec.get("columns", {}).get(canonical)))
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
        header = export_column(table, as_list(spec.get("columns", {}).get(canonical)))
        if header is not None:
            values = table[header].astype("string")
            # excerpt text exactly as exported; identifiers and names lose outer spaces
            out[canonical] = values if canonical == "text" else values.str.strip()
        else:
            out[canonical] = pd.Series(pd.NA, index=table.index, dtype="string")
    for column in PROBLEM_COLUMNS:
        out[column] = pd.Series(pd.NA, index=table.index, dtype="string")
    out["batch"] = batch
    line = export_column(table, as_list(spec.get("columns", {}).get("origin")))
    if line is None:
        out["origin"] = [f"{path.name}:row {row}" for row in table.index]
    else:  # a parsed text export says which line of the file each record starts on
        out["origin"] = f"{path.name}:line " + table[line].astype("string")
    apply_join(out, table, spec.get("join") or {})
    read_memo_columns(out, table, as_list(spec.get("memos")))
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
    _parse_dates(out, as_list(spec.get("date_formats")))
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
