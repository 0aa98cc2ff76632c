"""Registers are read like the coded tables (encodings, separators) and refused when empty."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO
from realist_report.core.errors import InputFileError
from realist_report.ingest.registers import load_registers


def _copy_demo_registers(target: Path) -> Path:
    target.mkdir()
    for name in ("sites.csv", "participants.csv"):
        shutil.copy(DEMO / name, target / name)
    return target


def test_bom_and_semicolon_registers_read_like_the_comma_ones(tmp_path: Path) -> None:
    """European Excel saves 'CSV UTF-8' with a BOM and ';': the README says both are accepted."""
    dataset = _copy_demo_registers(tmp_path / "dataset")
    for name in ("sites.csv", "participants.csv"):
        table = pd.read_csv(DEMO / name, dtype=str, keep_default_na=False)
        (dataset / name).write_bytes(
            table.to_csv(index=False, sep=";", lineterminator="\r\n").encode("utf-8-sig")
        )
    sites, participants = load_registers(dataset)
    demo_sites, demo_participants = load_registers(DEMO)
    pd.testing.assert_frame_equal(sites, demo_sites)
    pd.testing.assert_frame_equal(participants, demo_participants)


def test_header_only_participants_register_is_refused_by_name(tmp_path: Path) -> None:
    """A header-only participants.csv ended in a plotnine faceting error at the figures step."""
    dataset = _copy_demo_registers(tmp_path / "dataset")
    header = (DEMO / "participants.csv").read_text(encoding="utf-8").splitlines()[0]
    (dataset / "participants.csv").write_text(header + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="header row but no rows") as caught:
        load_registers(dataset)
    assert "participants.csv, row 1" in str(caught.value)


def test_register_row_longer_than_its_header_is_refused(tmp_path: Path) -> None:
    dataset = _copy_demo_registers(tmp_path / "dataset")
    lines = (DEMO / "sites.csv").read_text(encoding="utf-8").splitlines()
    lines[3] += ",unexpected"
    (dataset / "sites.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"sites\.csv, row 4: the row has more cells"):
        load_registers(dataset)


def _replace_first_id(dataset: Path, column: str, value: str) -> None:
    table = pd.read_csv(dataset / "participants.csv", dtype=str, keep_default_na=False)
    table.loc[0, column] = value
    table.to_csv(dataset / "participants.csv", index=False)


def test_a_participant_id_on_the_private_name_list_is_refused_without_quoting_it(
    tmp_path: Path,
) -> None:
    dataset = _copy_demo_registers(tmp_path / "dataset")
    _replace_first_id(dataset, "participant_id", "ANNA KOWALSKA")
    load_registers(dataset)  # no list, no register name columns: nothing says it is a name
    with pytest.raises(InputFileError, match="row 2.*participant_id") as error:
        load_registers(dataset, ["Anna Kowalska"])
    assert "kowalska" not in str(error.value).casefold()


def test_an_unknown_site_id_is_named_by_row_not_by_value(tmp_path: Path) -> None:
    dataset = _copy_demo_registers(tmp_path / "dataset")
    _replace_first_id(dataset, "site_id", "Jane Doe")
    with pytest.raises(InputFileError, match="not in sites.csv") as error:
        load_registers(dataset)
    assert "Jane" not in str(error.value) and "row 2" in str(error.value)
