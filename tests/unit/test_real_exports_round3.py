"""Real MAXQDA 24, Taguette, NVivo and ATLAS.ti exports (tests/data/exports/, see SOURCES.md
there): every coding read, from whichever worksheet holds them, texts exactly as exported, memo
columns as memos, repeats kept; files that hold no coded text refused saying what they are.
Counts were made independently of the reader (openpyxl / csv over the files themselves)."""

from __future__ import annotations

import csv
import logging
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from realist_report.analysis.clean import clean_batch
from realist_report.analysis.memos import memos_from_codings
from realist_report.core.errors import InputFileError
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_ingest_options
from realist_report.study_setup.codebook_skeleton import code_paths_from_export

REPO = Path(__file__).resolve().parents[2]
EXPORTS = REPO / "tests" / "data" / "exports"
MAXQDA = EXPORTS / "maxqda24_de_spundlx"

#: file -> (codings, worksheet they are on or None, memos, repeated identical codings)
READ = {
    "DA_ig-metaphern-coded-segments.csv": (82, None, 4, 0),
    "szondi_AVL_auer-tut.mx24.codiertesegmente.csv": (440, None, 0, 0),
    "psych_schilder1918-1-codedsegments.csv": (117, None, 0, 0),
    "psych_spoerri_cpt_CodierteSegmente.csv": (281, None, 0, 146),
    "DA_ig-metaphern-coded-segments.xlsx": (89, "Sheet1", 7, 0),
    "psych_spoerri_cpt_CodierteSegmente.xlsx": (281, "Sheet1", 0, 146),
    "psych_spoerri_agit_dep_CodierteSegmente.xlsx": (9, "Sheet1", 0, 6),
    "szondi_arkived_MAXQDA 24 Codierte Segmente.xlsx": (46, "Sheet1", 36, 0),
    # a pivot table on sheet 1, the coded segments on sheet 2
    "DA_ho-discurse_MAXQDA 24 Codierte Segmente.xlsx": (129, "Sheet1", 0, 0),
    # MAXQDA's "export project as Excel": 11 sheets, coded segments on sheet 4
    "DA_discourse_fold.mx24.xlsx": (273, "Codierte Segmente", 18, 3),
    "szondi_WITprosepoem.mx24.xlsx": (46, "Codierte Segmente", 36, 0),
}
#: file -> words its refusal must hold (what the file is, which export to make instead)
REFUSED = {
    "nvivo_matrix_novelqualcodes/Int01_ID731.xlsx": ["NVivo matrix coding query", "Coding Summary"],
    "nvivo_matrix_novelqualcodes/Int15_ID112.xlsx": ["NVivo matrix coding query", "Coding Summary"],
    "atlasti_cooccurrence_icsa26/20250914_code_coocurrrence.xlsx": [
        "ATLAS.ti code co-occurrence table",
        "Quotation Manager",
        "worksheet 'Information'",
    ],  # fmt: skip
    "taguette_serdif_pssuq/codebook_20220301_7.csv": [
        "a codebook",
        "make codebook",
        "['tag', 'description', 'number of highlights']",
        "Taguette 'Export highlights'",
    ],  # fmt: skip
    "maxqda24_de_spundlx/psych_MAXQDA24 stefanowitsch_PSYCH - Codesystem.qdc": ["no codings"],
}


@pytest.fixture(scope="module")
def options():
    return load_ingest_options(REPO / "config" / "formats.yaml")


def _cells(path: Path, sheet: str | None) -> list[dict[str, str]]:
    """The file's rows as the tool wrote them, read without the pipeline."""
    if sheet is None:
        text = path.read_text(encoding="utf-8-sig")
        delimiter = ";" if ";" in text.split("\n", 1)[0] else ","
        return list(csv.DictReader(text.splitlines(keepends=True), delimiter=delimiter))
    rows = list(openpyxl.load_workbook(path, read_only=True)[sheet].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [
        dict(zip(header, ("" if v is None else str(v) for v in row), strict=False))
        for row in rows[1:]
    ]


@pytest.mark.parametrize("name", sorted(READ))
def test_maxqda_export_read_whole_and_exact(name, options, registers, definitions, caplog):
    codings, sheet, memos, repeated = READ[name]
    with caplog.at_level(logging.INFO):
        raw = ingest_batch(MAXQDA / name, "mx", options)
    assert len(raw) == codings and raw["excerpt_id"].is_unique
    if sheet is not None:
        assert f"coded segments on worksheet '{sheet}'" in caplog.text
    assert "Segment -> text" in caplog.text and "<cell" not in caplog.text
    # exactly as exported: the Segment cells, only paragraph separators as line breaks
    cells = _cells(MAXQDA / name, sheet)
    want = [r["Segment"].replace("\u2029", "\n") for r in cells]
    assert raw["text"].fillna("").tolist() == want
    # repeats: rows identical to an earlier one in every column the pipeline reads (the
    # "export project as Excel" sheet has 3 that differ only in creation time or comment)
    read = [h for h in ("Dokumentname", "Code", "Segment", "Anfang", "Ende", "Erstellt von")]
    assert len(cells) - len({tuple(r.get(h) for h in read) for r in cells}) == repeated
    assert len(memos_from_codings(raw)) == memos
    sites, participants = registers
    counts = clean_batch(raw, participants, sites, definitions).counts
    assert counts["rows_in"] == codings == counts["clean"] + counts["quarantined"]
    assert counts["duplicates_removed"] == 0 and counts["repeated_codings"] == repeated


def test_memo_columns_become_memos_on_their_coding(options) -> None:
    raw = ingest_batch(MAXQDA / "szondi_arkived_MAXQDA 24 Codierte Segmente.xlsx", "mx", options)
    memos = memos_from_codings(raw)
    first = memos.iloc[0]
    assert first["target"] == "selection" and first["target_id"] in set(raw["excerpt_id"])
    assert first["text"] == "4/4 gesellschaftstanz, karibik frankreich 19jh"
    assert first["text_origin"] == "column Kommentar"
    assert memos["memo_id"].is_unique


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_file_without_coded_text_says_what_it_is(name, options) -> None:
    with pytest.raises(InputFileError) as caught:
        ingest_batch(EXPORTS / name, "x", options)
    message = str(caught.value)
    assert "<cell" not in message
    for words in REFUSED[name]:
        assert words in message


def test_taguette_word_highlights_hold_the_csv_export_codings(options) -> None:
    """The study's Word export holds the same 1,930 codings as its CSV export of that day; the
    CSV joins a highlight's paragraphs with a space, Word keeps them as paragraphs."""
    word = ingest_batch(EXPORTS / "taguette_serdif_pssuq" / "all_tags_20220303.docx", "w", options)
    table = ingest_batch(EXPORTS / "taguette_serdif" / "all_tags_20220303.csv", "c", options)
    assert len(word) == len(table) == 1930 and word["origin"].nunique() == 1793

    def key(frame):
        return sorted(
            zip(
                frame["source_id"],
                frame["code"],
                frame["text"].str.split().str.join(" "),
                strict=False,
            )
        )

    assert key(word) == key(table)


def test_media_coding_without_text_is_quarantined_with_its_position(tmp_path, options) -> None:
    """A MAXQDA picture coding (no Segment, position '1: 38|557') in a real export."""
    rows = (MAXQDA / "szondi_AVL_auer-tut.mx24.codiertesegmente.csv").read_text("utf-8-sig")
    lines = rows.split("\n")
    cells = lines[1].split(";")
    cells[4], cells[11], cells[12] = "", "1: 38|557", "1: 120|610"
    lines[1] = ";".join(cells)
    path = tmp_path / "media.csv"
    path.write_text("\n".join(lines), encoding="utf-8-sig")
    raw = ingest_batch(path, "m", options)
    media = raw[raw["problem"].notna()]
    assert len(raw) == 440 and len(media) == 1
    assert media["problem"].iloc[0] == "media coding without text"
    assert "'1: 38|557'" in media["problem_detail"].iloc[0]


def test_a_renamed_qdpx_is_named(tmp_path, options) -> None:
    source = REPO / "tests" / "data" / "exports" / "skyloom_refi_qda" / "skyloom_TestProject.qdpx"
    renamed = tmp_path / "project.zip"
    shutil.copy(source, renamed)
    assert zipfile.is_zipfile(renamed)
    with pytest.raises(InputFileError, match="rename it to .qdpx"):
        ingest_batch(renamed, "p", options)


def test_codebook_splits_maxqda_levels() -> None:
    paths = code_paths_from_export(MAXQDA / "psych_spoerri_agit_dep_CodierteSegmente.xlsx")
    assert "schema_class::Ausdrucksformen::Pronomen::Pron_1SG" in paths
    assert not any(" > " in path for path in paths)
