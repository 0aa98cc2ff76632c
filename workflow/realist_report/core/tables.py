"""Reading and writing interim tables: parquet for the pipeline, CSV for reviewers, JSON for counts."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd


def _umask() -> int:
    """The process umask (reading it means setting it, so it is set straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write) -> None:
    """Write to a temporary file beside `path`, then rename: no half-written outputs."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(handle)
    try:
        write(Path(temporary))
        # mkstemp makes the file private (0600); give it the mode any new file would get, so
        # the team and reviewers sharing a project folder can read the results
        os.chmod(temporary, 0o666 & ~_umask())
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def write_parquet(table: pd.DataFrame, path: str | Path) -> None:
    """Parquet without pandas index metadata noise, so identical tables give identical files."""
    atomic_write(Path(path), lambda tmp: table.to_parquet(tmp, index=False, engine="pyarrow"))


def read_parquet(path: str | Path) -> pd.DataFrame:
    return pd.read_parquet(path, engine="pyarrow")


def read_parquets(paths: list[str] | list[Path]) -> pd.DataFrame:
    """Concatenate shards (per batch or per site) into one table."""
    frames = [read_parquet(path) for path in paths]
    frames = [frame for frame in frames if len(frame)] or frames[:1]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


#: A cell starting with one of these is a formula (or a DDE trigger) to Excel and LibreOffice.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _needs_apostrophe(value: str) -> bool:
    """A formula trigger first, or an apostrophe before one (escaped too, so reading is exact)."""
    return value.startswith(FORMULA_TRIGGERS) or (
        value.startswith("'") and _needs_apostrophe(value[1:])
    )


def neutralise_formula(value: object) -> object:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe (the usual
    convention); numbers and other text are unchanged. Every CSV and XLSX writer uses it."""
    if isinstance(value, str) and _needs_apostrophe(value):
        return "'" + value
    return value


def restore_formula(value: object) -> object:
    """The exact inverse of neutralise_formula, for the pipeline reading its own CSVs back."""
    if isinstance(value, str) and value.startswith("'") and _needs_apostrophe(value[1:]):
        return value[1:]
    return value


def _text_columns(table: pd.DataFrame) -> list:
    return [
        c
        for c in table.columns
        if pd.api.types.is_object_dtype(table[c]) or pd.api.types.is_string_dtype(table[c])
    ]


def neutralise_formulas(table: pd.DataFrame) -> pd.DataFrame:
    """The table safe to open in a spreadsheet (see neutralise_formula): a copy when any text
    cell changes, else the table itself."""
    changed = {}
    for column in _text_columns(table):
        safe = table[column].map(neutralise_formula, na_action="ignore")
        if not safe.equals(table[column]):
            changed[column] = safe
    return table.assign(**changed) if changed else table


def write_csv(table: pd.DataFrame, path: str | Path) -> None:
    """Reviewer-friendly CSV: UTF-8, Unix line ends, no index, no cell a spreadsheet would run."""
    safe = neutralise_formulas(table)
    atomic_write(Path(path), lambda tmp: safe.to_csv(tmp, index=False, lineterminator="\n"))


def read_csv(path: str | Path, **options: object) -> pd.DataFrame:
    """A CSV this pipeline wrote, with the formula apostrophes of write_csv taken off again."""
    table = pd.read_csv(path, **options)
    for column in _text_columns(table):
        table[column] = table[column].map(restore_formula, na_action="ignore")
    return table


def write_json(data: object, path: str | Path) -> None:
    """Stable, human-readable JSON (sorted keys) so unchanged content gives unchanged bytes."""
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False, default=str) + "\n"
    atomic_write(Path(path), lambda tmp: tmp.write_text(text, encoding="utf-8"))


def read_json(path: str | Path) -> object:
    return json.loads(Path(path).read_text(encoding="utf-8"))
