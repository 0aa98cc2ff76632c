"""Ingest of coded-segment tables: tool formats, encodings, table shapes, size and zip guards."""

from __future__ import annotations

import dataclasses
import logging
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from realist_report.analysis.clean import clean_batch
from realist_report.core.definitions import Definitions
from realist_report.core.errors import ConfigError, InputFileError
from realist_report.core.excerpt_table import EXCERPT_COLUMNS
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import IngestOptions, load_ingest_options

TESTS = Path(__file__).resolve().parents[1]
EXPORTS = TESTS / "data" / "exports"
FORMATS = TESTS.parent / "config" / "formats.yaml"
HEADER = "source_id,source_type,participant_id,site_id,wave,collected_on,code,text,start,end,coder"
ROW = (
    'INT-PAT-001-BL,interview,PAT-001,S01,baseline,2021-03-29,Context::High caseload,"{text}",0,9,a'
)


@pytest.fixture(scope="module")
def options() -> IngestOptions:
    return load_ingest_options(FORMATS)


def clean(raw: pd.DataFrame, definitions: Definitions, registers: tuple) -> pd.DataFrame:
    """Clean against the demo registers; every row must come through."""
    sites, participants = registers
    result = clean_batch(raw, participants, sites, definitions)
    assert result.quarantine.empty, result.quarantine.to_dict("records")
    return result.clean


# --------------------------------------------------------------------------- tool formats


@pytest.mark.parametrize(
    ("name", "rows", "participants"),
    [
        ("nvivo_coding_summary.xlsx", 5, {"PAT-003", "LW-03", None}),
        ("atlasti_quotations.csv", 5, {"PAT-003", "PCS-03"}),
        ("taguette_highlights.csv", 3, {"LW-02"}),
    ],
)
def test_tool_exports_clean_completely(
    name: str, rows: int, participants: set, options: IngestOptions, definitions, registers
) -> None:
    raw = ingest_batch(EXPORTS / name, Path(name).stem, options)
    assert list(raw.columns[: len(EXCERPT_COLUMNS)]) == EXCERPT_COLUMNS
    out = clean(raw, definitions, registers)
    assert len(out) == rows
    assert set(out["participant_id"].astype(object).where(out["participant_id"].notna(), None)) == (
        participants
    )
    assert out["excerpt_id"].is_unique


def test_nvivo_paths_ranges_and_title_rows(options: IngestOptions, definitions, registers) -> None:
    raw = ingest_batch(EXPORTS / "nvivo_coding_summary.xlsx", "nv", options)
    first = raw.iloc[0]
    assert first["code"] == "Mechanism\\Patient feels listened to"  # 'Codes\' prefix dropped
    assert first["source_id"] == "INT-PAT-003-BL"  # folder path dropped
    assert (first["start"], first["end"]) == ("120", "301")
    assert first["origin"] == "nvivo_coding_summary.xlsx:row 5"  # below three title rows
    out = clean(raw, definitions, registers)
    observation = out[out["source_type"] == "observation"].iloc[0]
    assert observation["site_id"] == "S03" and pd.isna(observation["participant_id"])


def test_atlasti_splits_codes_and_drops_paragraph_positions(options: IngestOptions) -> None:
    raw = ingest_batch(EXPORTS / "atlasti_quotations.csv", "at", options)
    first = raw[raw["excerpt_id"].str.startswith("1:1|")]
    assert len(first) == 2  # two codes in one cell -> two codings of one quotation
    assert raw["start"].isna().all() and raw["end"].isna().all()  # '¶ 4' is not a char offset
    assert set(raw["collected_on"]) == {"2021-03-25", "2021-03-30"}  # M-D-YY in document names
    assert "\n" in raw.loc[raw["excerpt_id"].str.startswith("2:1|"), "text"].iloc[0]


def test_qualcoder_category_joins_code_and_image_codings_are_quarantined(
    options: IngestOptions, definitions, registers
) -> None:
    raw = ingest_batch(EXPORTS / "qualcoder_coded_text.csv", "qc", options)
    assert raw["code"].iloc[0] == "Mechanism::Patient feels listened to"
    assert raw["collected_on"].iloc[0] == "2021-03-29"  # 29/03/2021 read day first
    assert "husband’s name" in raw["text"].iloc[1]  # UTF-8 with BOM, curly apostrophe
    sites, participants = registers
    result = clean_batch(raw, participants, sites, definitions)
    assert list(result.quarantine["reason"]) == ["media_coding_without_text"]
    assert len(result.clean) == 3


def test_qualcoder_text_exact_separators_as_line_breaks_memos_and_columns_logged(
    options: IngestOptions, definitions, registers, tmp_path, caplog
) -> None:
    """QualCoder writes paragraph breaks as U+2029 and keeps the coder's spaces: the text is
    kept as exported (breaks as line breaks, through clean too), Coded_Memo is a memo on the
    coding, and the log says Category is joined into the code, never 'not used'."""
    from realist_report.analysis.memos import memos_from_codings

    text = (EXPORTS / "qualcoder_coded_text.csv").read_text(encoding="utf-8-sig")
    text = text.replace('"She rang me back', '" She rang me back').replace(
        "afternoon.\nThat", "afternoon.\u2029That"
    )
    path = tmp_path / "qualcoder.csv"
    path.write_text(text, encoding="utf-8-sig")
    with caplog.at_level(logging.INFO):
        raw = ingest_batch(path, "qc", options)
    want = " She rang me back the same afternoon.\nThat never happens with the surgery."
    assert raw["text"].iloc[0] == want
    assert "Category joined into code with '::'" in caplog.text
    assert "Coded_Memo -> memo on the coding" in caplog.text
    listed = caplog.text.split("columns not used")
    assert len(listed) == 1 or "Category" not in listed[1].split("\n")[0]
    memos = memos_from_codings(raw)
    assert memos["text"].tolist() == ["quote for report"]
    assert memos["target_id"].iloc[0] == raw["excerpt_id"].iloc[1]
    sites, participants = registers
    clean = clean_batch(raw, participants, sites, definitions).clean
    assert clean["text"].iloc[0] == want


# --------------------------------------------------------------------------- encodings and shapes


def write(path: Path, text: str, encoding: str = "utf-8", newline: str = "\n") -> Path:
    """Write a table with an explicit encoding and line ending."""
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


@pytest.mark.parametrize(
    ("encoding", "newline"),
    [
        ("utf-8", "\n"),
        ("utf-8-sig", "\n"),
        ("utf-8-sig", "\r\n"),
        ("cp1252", "\r\n"),
        ("utf-16", "\r\n"),
    ],
)
def test_encodings_and_line_endings(
    tmp_path: Path, encoding: str, newline: str, options: IngestOptions
) -> None:
    text = "“Cost me £5 – worth it”, she said."
    sep = "\t" if encoding == "utf-16" else ","  # Excel "Unicode text" is tab-separated UTF-16
    row = ROW.replace(",", sep).format(text=text.replace('"', '""'))
    body = HEADER.replace(",", sep) + "\n" + row + "\n"
    raw = ingest_batch(write(tmp_path / "b.csv", body, encoding, newline), "b", options)
    assert raw["text"].tolist() == [text]
    assert raw["source_id"].tolist() == ["INT-PAT-001-BL"]  # no BOM glued to the first header


def test_quoted_newlines_trailing_blank_rows_and_extra_columns(
    tmp_path: Path, options: IngestOptions, definitions, registers
) -> None:
    body = (
        HEADER + ",memo,Unnamed extra\n"
        + ROW.format(text="line one\r\nline two") + ",a memo,x\n"
        + ROW.format(text="second") + ",,\n"
        + ",,,,,,,,,,,,\n\n   \n"
    )  # fmt: skip
    raw = ingest_batch(write(tmp_path / "b.csv", body), "b", options)
    assert raw["text"].tolist() == ["line one\nline two", "second"]
    assert raw["origin"].tolist() == ["b.csv:row 2", "b.csv:row 3"]
    assert "memo" not in raw.columns  # extra columns are ignored, never fatal
    assert len(clean(raw, definitions, registers)) == 2


def test_semicolon_separated_canonical_table(tmp_path: Path, options: IngestOptions) -> None:
    body = HEADER.replace(",", ";") + "\n" + ROW.replace(",", ";").format(text="ok, fine") + "\n"
    raw = ingest_batch(write(tmp_path / "b.csv", body), "b", options)
    assert raw["text"].tolist() == ["ok, fine"]


def test_xlsx_dates_and_numbers_read_as_text(tmp_path: Path, options: IngestOptions) -> None:
    import datetime as dt

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(
        ["INT-PAT-001-BL", "interview", "PAT-001", "S01", "baseline", dt.datetime(2021, 3, 29),
         "Context::High caseload", "Text", 0, 9.0, "a"]
    )  # fmt: skip
    sheet.append([None] * 11)  # a trailing blank row
    book.save(tmp_path / "b.xlsx")
    raw = ingest_batch(tmp_path / "b.xlsx", "b", options)
    assert raw[["collected_on", "start", "end"]].values.tolist() == [["2021-03-29", "0", "9"]]


# --------------------------------------------------------------------------- untrusted files


def test_xlsx_zip_bomb_is_refused_before_openpyxl(tmp_path: Path, options: IngestOptions) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    with pytest.raises(InputFileError, match="zip bomb"):
        ingest_batch(bomb, "bomb", options)


def test_oversized_table_is_refused_with_its_size(tmp_path: Path, options: IngestOptions) -> None:
    path = write(tmp_path / "big.csv", HEADER + "\n" + ROW.format(text="x" * 5000) + "\n")
    small = dataclasses.replace(options, max_table_bytes=1024)
    with pytest.raises(InputFileError, match=r"big\.csv: file too large: 5,\d+ bytes"):
        ingest_batch(path, "big", small)


# --------------------------------------------------------------------------- configuration


def test_a_new_tool_is_a_config_entry(tmp_path: Path, definitions, registers) -> None:
    config = yaml.safe_load(FORMATS.read_text(encoding="utf-8"))
    config["formats"] = {
        "maxqda_like": {
            "detect": ["Dokument", "Code", "Segment"],
            "columns": {"source_id": "Dokument", "code": "Code", "text": "Segment"},
            "extract": [{"from": "source_id", "pattern": r"(?P<participant_id>PAT-\d+)_(?P<wave>BL|FU)"}],
            "defaults": {"source_type": "interview"},
        }
    }  # fmt: skip
    formats = tmp_path / "formats.yaml"
    formats.write_text(yaml.safe_dump(config), encoding="utf-8")
    body = "Dokument,Code,Segment\nPAT-002_BL,Mechanism::Holding,She kept in touch for months.\n"
    raw = ingest_batch(write(tmp_path / "m.csv", body), "m", load_ingest_options(formats))
    out = clean(raw, definitions, registers)
    assert out[["participant_id", "site_id", "wave", "code"]].values.tolist() == [
        ["PAT-002", "S02", "baseline", "holding"]
    ]


@pytest.mark.parametrize(
    ("spec", "words"),
    [
        ({"detect": ["a"], "columns": {"participant": "a"}}, "unknown canonical columns"),
        ({"detect": ["a"], "colums": {}}, r"at formats/broken: .*'colums' was unexpected"),
        ({"columns": {"code": "a"}}, "at formats/broken: 'detect' is a required property"),
        ({"detect": ["a"], "extract": [{"from": "a", "pattern": "(?P<who>x)"}]}, "canonical"),
        ({"detect": ["a"], "extract": [{"from": "a", "pattern": "("}]}, "bad regex"),
        ({"detect": ["a"], "offsets": "lines"}, "at formats/broken/offsets: 'lines' is not one of"),
        (
            {"detect": ["a"], "extract": [{"from": "a", "patern": "(?P<code>x)"}]},
            r"formats/broken/extract/0: .*'patern' was unexpected",
        ),
    ],
)
def test_bad_format_config_is_a_config_error(tmp_path: Path, spec: dict, words: str) -> None:
    path = tmp_path / "formats.yaml"
    path.write_text(yaml.safe_dump({"formats": {"broken": spec}}), encoding="utf-8")
    with pytest.raises(ConfigError, match=words):
        load_ingest_options(path)


def test_dedoose_applied_columns_become_codings(
    options: IngestOptions, definitions, registers
) -> None:
    """Dedoose: one row per excerpt and coder, `Code: <name> Applied` ticks -> one coding each."""
    raw = ingest_batch(EXPORTS / "dedoose_excerpts.xlsx", "dd", options)
    assert len(raw) == 6  # 2 + 1 + 1 + 1 ticked codes, and one excerpt with none ticked
    assert raw["excerpt_id"].is_unique  # the same excerpt by two coders stays two codings
    first = raw.iloc[0]
    assert (first["start"], first["end"], first["coder"]) == ("1467", "1651", "rkhan")
    assert first["participant_id"] == "LW-02"
    sites, participants = registers
    result = clean_batch(raw, participants, sites, definitions)
    assert result.quarantine["reason"].tolist() == ["missing_code"]
    assert result.quarantine["origin"].tolist() == ["dedoose_excerpts.xlsx:row 6"]
    assert sorted(result.clean["code_label"]) == [
        "Context\\High caseload", "Context\\High caseload", "Mechanism\\Holding",
        "Outcome\\Feeling overstretched", "Outcome\\Job satisfaction",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "headers",
    [
        # MAXQDA 2020+ English and German interfaces
        ["Color", "Comment", "Document group", "Document name", "Code", "Beginning", "End",
         "Weight score", "Segment", "Coverage", "Area %", "Created by", "Created"],
        ["Farbe", "Kommentar", "Dokumentgruppe", "Dokumentname", "Code", "Anfang", "Ende",
         "Gewicht", "Segment", "Fläche", "Abdeckungsgrad %", "Autor", "Erstellt am"],
    ],
)  # fmt: skip
def test_maxqda_segments_in_english_and_german_xlsx(
    tmp_path: Path, headers: list[str], options: IngestOptions
) -> None:
    from openpyxl import Workbook
    from realist_report.ingest.readers import read_records

    polish = read_records(
        TESTS / "data" / "exports" / "maxqda12_maxqdar" / "coded_segments_polish.xls"
    )
    book = Workbook()
    book.active.append(headers)
    for record in polish[1:]:
        book.active.append(record)
    book.save(tmp_path / "segments.xlsx")
    raw = ingest_batch(tmp_path / "segments.xlsx", "mx", options)
    assert len(raw) == 402 and raw["start"].isna().all()
    assert raw["paragraphs"].notna().all() and set(raw["coder"]) == {"agata"}


def test_a_broken_xls_is_refused_without_quoting_its_bytes(tmp_path: Path, options) -> None:
    """xlrd's own message quotes the file's first bytes; ours names the problem only."""
    path = tmp_path / "segments.xls"
    path.write_bytes(b"Interview notes: she said the walking group helped\n")
    with pytest.raises(InputFileError) as caught:
        ingest_batch(path, "bad", options)
    assert "Excel 97-2003" in str(caught.value) and "Intervie" not in str(caught.value)
