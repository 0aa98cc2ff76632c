"""Positions in the producing tool's unit: UTF-16 against code points, judged by word boundaries."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import yaml
from conftest import REAL_EXPORTS
from realist_report.ingest.positions import (
    OFFSET_UNIT_SETTINGS,
    check_reading,
    choose_unit,
    locator,
    unit_for_origin,
)
from realist_report.ingest.refi import read_qdpx

SCHEMA = Path(__file__).resolve().parents[2] / "workflow" / "schemas" / "config.schema.yaml"
QC = REAL_EXPORTS / "qc_qualitative_coding" / "demo_qc_export.qdpx"
TEXT = "Ok 😀 then — héllo 👍🏽 world"


def test_utf16_positions_map_past_emoji_and_never_into_a_surrogate_pair() -> None:
    where = locator(TEXT, "utf16")
    units = TEXT.encode("utf-16-le")
    for index in range(len(TEXT) + 1):
        pos = len(TEXT[:index].encode("utf-16-le")) // 2
        assert where(pos) == index
    emoji_start = len(TEXT[:3].encode("utf-16-le")) // 2
    assert where(emoji_start + 1) is None  # inside 😀
    assert where(len(units) // 2 + 1) is None and where(-1) is None
    assert locator(TEXT, "code_points")(4) == 4


def test_a_reading_is_doubted_only_when_most_selections_cut_mid_word() -> None:
    text = "alpha beta gamma delta epsilon"
    good = [(0, 5), (6, 10), (11, 16), (17, 22)]
    assert not check_reading(text, good, "code_points").contradicted
    one_stray = [*good[:3], (18, 22)]  # "elta": a coder slipped once
    assert not check_reading(text, one_stray, "code_points").contradicted
    shifted = [(s + 1, e + 1) for s, e in good]
    assert check_reading(text, shifted, "code_points").contradicted


def test_tool_units_come_from_the_origin_attribute() -> None:
    assert unit_for_origin("NVivo for Windows 12.6") == "utf16"
    assert unit_for_origin("NVivo for Mac 12.7.0") == "utf16"
    assert unit_for_origin("qc 1.3.2") == "code_points"
    assert unit_for_origin("QualCoder 3.6") == "code_points"
    assert unit_for_origin("ATLAS.ti 8.4.0 573") is None


def test_the_data_overrule_an_origin_they_contradict() -> None:
    text = "😀😀😀 " + "one two three four five six"
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    # positions written in code points by a tool that claims to be NVivo
    choice = choose_unit("NVivo for Windows 12.6", [(text, words)])
    assert choice.unit == "code_points" and "do not fit" in choice.reason
    as_utf16 = [(s + 3, e + 3) for s, e in words]
    assert choose_unit("NVivo for Windows 12.6", [(text, as_utf16)]).unit == "utf16"
    assert choose_unit(None, [(text, as_utf16)]).unit == "utf16"
    assert choose_unit("NVivo", [(text, as_utf16)], "code_points").unit == "code_points"


def test_config_schema_offers_exactly_the_settings_the_reader_knows() -> None:
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    offset_units = schema["properties"]["qdpx"]["properties"]["offset_units"]
    assert tuple(offset_units["enum"]) == OFFSET_UNIT_SETTINGS
    assert offset_units["default"] == "auto"


def _shifted_qc(tmp_path: Path, by: int) -> Path:
    """The real qc project with every position moved by `by` characters (a broken export)."""

    def shift(match: re.Match[bytes]) -> bytes:
        return match[1] + b'="' + str(int(match[2]) + by).encode() + b'"'

    out = tmp_path / "shifted.qdpx"
    with zipfile.ZipFile(QC) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            if name.endswith(".qde"):
                data = re.sub(rb'(startPosition|endPosition)="(\d+)"', shift, data)
            dst.writestr(name, data)
    return out


def test_positions_that_fit_no_unit_quarantine_the_source_and_cut_no_text(tmp_path: Path) -> None:
    project = read_qdpx(_shifted_qc(tmp_path, 3), "qc")
    ex = project.excerpts
    assert len(ex) == 205 and set(ex["problem"]) == {"offsets fit no unit"}
    assert ex["text"].isna().all()
    assert "fit no unit" in ex["problem_detail"].iloc[0]
    assert any("quarantined, no text is cut" in w for w in project.warnings)
    intact = read_qdpx(QC, "qc").excerpts
    assert intact["problem"].isna().all() and intact["text"].notna().all()


def test_own_export_with_emoji_reads_back_in_code_points(tmp_path: Path) -> None:
    """write_qdpx counts code points; reading it back must not take it for NVivo's UTF-16."""
    import pandas as pd
    from realist_demo.qdpx_writer import write_qdpx
    from realist_report.core.excerpt_table import EXCERPT_COLUMNS

    text = "Great 👍 service 😀 and the link worker 🙏 rang me back twice"
    words = ["service", "link worker", "rang me back"]
    rows = [
        {c: None for c in EXCERPT_COLUMNS}
        | {"excerpt_id": f"e{i}", "batch": "b", "source_id": "S1", "code": "C::x", "text": w}
        for i, w in enumerate(words)
    ]
    write_qdpx(pd.DataFrame(rows), {"S1": text}, tmp_path / "own.qdpx")
    project = read_qdpx(tmp_path / "own.qdpx", "b")
    assert sorted(project.excerpts["text"]) == sorted(words)
    assert "origin 'realist_report' counts Unicode code points" in project.notes[0]
