"""Interim and result tables: written whole or not at all, readable like any new file."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pandas as pd
import pytest
from realist_report.core.tables import (
    FORMULA_TRIGGERS,
    read_csv,
    write_csv,
    write_json,
    write_parquet,
)


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_outputs_get_the_mode_of_a_new_file_not_a_private_temp_file(
    tmp_path: Path, umask: int
) -> None:
    previous = os.umask(umask)
    try:
        table = pd.DataFrame({"a": [1, 2]})
        write_csv(table, tmp_path / "t.csv")
        write_parquet(table, tmp_path / "t.parquet")
        write_json({"a": 1}, tmp_path / "t.json")
    finally:
        os.umask(previous)
    for name in ("t.csv", "t.parquet", "t.json"):
        mode = stat.S_IMODE((tmp_path / name).stat().st_mode)
        assert mode == 0o666 & ~umask, f"{name}: {oct(mode)}"


def test_a_failed_write_leaves_no_file_and_no_temporary(tmp_path: Path) -> None:
    class Unwritable(pd.DataFrame):
        def to_csv(self, *args, **kwargs):
            raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_csv(Unwritable({"a": [1]}), tmp_path / "t.csv")
    assert list(tmp_path.iterdir()) == []


FORMULAS = [
    '=HYPERLINK("http://example.org","click")',
    "+44 is the dialling code",
    "-- she said, nothing more",
    "@SUM(A1:A9)",
    "\tindented",
    "'=already quoted",
    "plain text",
    "it's fine",
]


def test_csv_cells_a_spreadsheet_would_run_get_an_apostrophe(tmp_path: Path) -> None:
    """Reviewers open results/*.csv in Excel: '=HYPERLINK(' and friends must not run there."""
    table = pd.DataFrame({"text": FORMULAS, "count": range(-4, 4)})
    out = tmp_path / "quotes.csv"
    write_csv(table, out)
    cells = pd.read_csv(out, dtype=str, keep_default_na=False)
    for cell in cells["text"]:
        assert not cell.startswith(FORMULA_TRIGGERS), cell
    assert cells["text"][0] == "'" + FORMULAS[0]
    assert cells["text"][5] == "''=already quoted"
    assert list(cells["text"][6:]) == ["plain text", "it's fine"]
    assert list(cells["count"]) == [str(n) for n in range(-4, 4)]  # numbers stay numbers
    # the pipeline reads its own CSVs back exactly (report quotes, trace)
    pd.testing.assert_frame_equal(read_csv(out), table)
