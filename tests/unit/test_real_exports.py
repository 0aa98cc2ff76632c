"""Every real QDA export in tests/data/exports/ is read exactly (or refused with its reason), checked file by file.

For REFI-QDA projects the test cuts every selection's text itself, in the unit the producing
tool is measured to count (NVivo: UTF-16 code units; qc: code points), and compares it with the
ingested text; every such excerpt must start and end between words, bar the selections the
coders made mid-word (the same three appear in NVivo's Windows and Mac exports of the project,
whose texts differ in line endings and BOM, so the cut is in the project, not in the reading).
"""

from __future__ import annotations

import collections
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest
from conftest import REAL_EXPORTS
from realist_report.core.errors import InputFileError
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import IngestOptions, load_ingest_options
from realist_report.ingest.positions import on_word_boundary

FORMATS = Path(__file__).resolve().parents[2] / "config" / "formats.yaml"

#: file -> (rows ingested, {row problem: count}, unit the tool counts or None, mid-word selections)
READ = {
    "nvivo_oltas/oltas.qdpx": (97, {}, "utf16", 0),
    "nvivo_oltas/oltas0517.qdpx": (303, {}, "utf16", 3),
    "nvivo_oltas/OltasSzkepticizmus_17June.qdpx": (297, {}, "utf16", 3),
    "qc_qualitative_coding/demo_qc_export.qdpx": (205, {}, "code_points", 0),
    "skyloom_refi_qda/skyloom_TestProject.qdpx": (11, {}, None, 0),  # texts from selection names
    "skyloom_refi_qda/skyloom_Project.qde": (11, {}, None, 0),
    "f4analyse_bare_qde/project.qde": (2, {"source text missing": 2}, None, 0),
    # hand-written: selection 2 is named "health are closely" but its positions 9-23 end "clo"
    "ornio_hand_authored/project.qde": (3, {}, "code_points", 1),
    "maxqda12_maxqdar/coded_segments_polish.xls": (402, {}, None, 0),
    "nvivo_node_export_nireland/J_Denial.txt": (176, {"media coding without text": 13}, None, 0),
    "nvivo_node_export_nireland/J_Intelligence.txt": (
        36,
        {"media coding without text": 5},
        None,
        0,
    ),
    "nvivo_node_export_nireland/J_Last-resort.txt": (
        23,
        {"media coding without text": 8},
        None,
        0,
    ),
    "taguette_serdif/all_tags_20220303.csv": (1930, {}, None, 0),
    "taguette_test_expectations/highlights_interesting.csv": (3, {}, None, 0),
    "atlasti_edgeai_icsa26/20250914_citation_manager.csv": (1789, {}, None, 0),
    # formats.yaml: coded_fragments_table (400 fragments, 1,484 codes)
    "atlasti_edgeai_icsa26/fragments_to_codes.csv": (1484, {}, None, 0),
    # second round (read in detail by test_real_exports_round3.py)
    **{
        f"maxqda24_de_spundlx/{name}": (rows, {}, None, 0)
        for name, rows in {
            "DA_ig-metaphern-coded-segments.csv": 82,
            "szondi_AVL_auer-tut.mx24.codiertesegmente.csv": 440,
            "psych_schilder1918-1-codedsegments.csv": 117,
            "psych_spoerri_cpt_CodierteSegmente.csv": 281,
            "DA_ig-metaphern-coded-segments.xlsx": 89,
            "psych_spoerri_cpt_CodierteSegmente.xlsx": 281,
            "psych_spoerri_agit_dep_CodierteSegmente.xlsx": 9,
            "szondi_arkived_MAXQDA 24 Codierte Segmente.xlsx": 46,
            "DA_ho-discurse_MAXQDA 24 Codierte Segmente.xlsx": 129,
            "DA_discourse_fold.mx24.xlsx": 273,
            "szondi_WITprosepoem.mx24.xlsx": 46,
        }.items()
    },
    "taguette_serdif_pssuq/all_tags_20220301_PSSUQ.csv": (97, {}, None, 0),
    "taguette_serdif_pssuq/all_tags_20220303.docx": (1930, {}, None, 0),
}
#: Files that hold no coded segments, refused with these words in the message.
REFUSED = {
    "taguette_test_expectations/codebook.qdc": ["codes but no codings", "make codebook"],
    # NVivo 15: 262 codes, no codings: refused like an empty table, with its counts
    "qc_qualitative_coding/nvivo_project.qdpx": ["no codings", "262 code(s)", "coded segments"],
    "taguette_test_expectations/codebook.csv": ["unrecognised export format", "tag"],
    "taguette_serdif/codebook_20220303_8.csv": ["unrecognised export format", "tag"],
    "atlasti_edgeai_icsa26/20250914_codebook_full.csv": ["unrecognised export format"],
    "atlasti_edgeai_icsa26/20250914_code_frequencies.csv": ["unrecognised export format"],
    "atlasti_edgeai_icsa26/20250914_theme_frequencies.csv": ["unrecognised export format"],
    # the study's own theme table: themes and counts, no coded fragments
    "atlasti_edgeai_icsa26/themes.csv": ["unrecognised export format"],
    # QualCoder import samples: case attributes, a survey, a code list
    "qualcoder_examples/cases123.csv": ["unrecognised export format"],
    "qualcoder_examples/survey456.csv": ["unrecognised export format"],
    "qualcoder_examples/plain_codes_categories_for_import.txt": ["unrecognised export format"],
    "taguette_serdif_pssuq/codebook_20220301_7.csv": ["a codebook", "make codebook"],
    "maxqda24_de_spundlx/psych_MAXQDA24 stefanowitsch_PSYCH - Codesystem.qdc": ["no codings"],
    "nvivo_matrix_novelqualcodes/Int01_ID731.xlsx": ["matrix coding query", "counts"],
    "nvivo_matrix_novelqualcodes/Int15_ID112.xlsx": ["matrix coding query", "counts"],
    "atlasti_cooccurrence_icsa26/20250914_code_coocurrrence.xlsx": ["co-occurrence", "counts"],
}
NOT_EXPORTS = {"refi_qda_schema/REFI_Project-mrt2019.xsd"}


@pytest.fixture(scope="module")
def options() -> IngestOptions:
    return load_ingest_options(FORMATS)


def test_every_real_export_is_listed() -> None:
    """A real export added to a folder of tests/data/exports/ must be added here, read or refused
    (the loose files beside the folders are small tables written for other tests)."""
    found = {
        p.relative_to(REAL_EXPORTS).as_posix()
        for p in REAL_EXPORTS.glob("*/**/*")
        if p.is_file() and "sources" not in p.parts and not p.name.startswith("LICENSE")
    }
    assert len(found) > 40
    assert found - NOT_EXPORTS == set(READ) | set(REFUSED)


def _selection_texts(path: Path, unit: str) -> dict[str, str]:
    """Each selection's text cut independently of the reader: GUID -> source text slice."""
    with zipfile.ZipFile(path) if path.suffix == ".qdpx" else _Folder(path.parent) as archive:
        names = {n.lower(): n for n in archive.namelist()}
        qde = next(n for n in archive.namelist() if n.lower().endswith(".qde"))
        root = ET.fromstring(archive.read(qde))
        cuts = {}
        for source in root.iter():
            if not source.tag.endswith("TextSource"):
                continue
            name = source.get("plainTextPath", "").removeprefix("internal://")
            member = names.get(f"sources/{name}".lower())
            if member is None:
                continue
            text = archive.read(member).decode("utf-8-sig")
            for sel in source:
                if sel.tag.endswith("PlainTextSelection"):
                    start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
                    if unit == "utf16":
                        raw = text.encode("utf-16-le")[2 * start : 2 * end]
                        cuts[sel.get("guid")] = (raw.decode("utf-16-le"), text)
                    else:
                        cuts[sel.get("guid")] = (text[start:end], text)
        return cuts


class _Folder:
    """A bare .qde's folder, read like a zip archive."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def __enter__(self) -> _Folder:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def namelist(self) -> list[str]:
        return [str(p.relative_to(self.folder)) for p in self.folder.rglob("*") if p.is_file()]

    def read(self, name: str) -> bytes:
        return (self.folder / name).read_bytes()


def _mid_word(text: str, cut: str) -> bool:
    """Whether a cut (found at its first place in the text) starts or ends inside a word."""
    start = text.find(cut)
    return not (on_word_boundary(text, start) and on_word_boundary(text, start + len(cut)))


@pytest.mark.parametrize("name", sorted(READ))
def test_real_export_is_read_exactly(name: str, options: IngestOptions) -> None:
    rows, problems, unit, mid_word = READ[name]
    path = REAL_EXPORTS / name
    raw = ingest_batch(path, path.stem, options)
    assert len(raw) == rows
    assert dict(collections.Counter(raw["problem"].dropna())) == problems
    assert raw["excerpt_id"].notna().all() and raw["origin"].str.startswith(path.name).all()
    if unit is None:
        return
    cuts = _selection_texts(path, unit)
    assert set(raw["text_origin"]) <= {"source", "pdf region text"}
    from_source = raw[raw["text_origin"] == "source"]
    assert len(from_source) >= rows - 1  # every text coding's text was cut from its source
    off = 0
    for excerpt in from_source.itertuples():
        want, text = cuts[excerpt.excerpt_id.split(":")[0]]
        assert excerpt.text == want, excerpt.origin
        start, end = int(excerpt.start), int(excerpt.end)
        assert text[start:end] == want  # canonical positions are code points of the text
        off += not (on_word_boundary(text, start) and on_word_boundary(text, end))
    distinct_off = {
        cut for cut, text in cuts.values() if _mid_word(text, cut) and cut in set(raw["text"])
    }
    assert off >= len(distinct_off) == mid_word


def test_nvivo_mid_word_selections_are_the_same_in_the_windows_and_mac_exports(
    options: IngestOptions,
) -> None:
    """The three mid-word cuts are in the coding itself: both exports of the project share them."""
    texts = {}
    for name in ("nvivo_oltas/oltas0517.qdpx", "nvivo_oltas/OltasSzkepticizmus_17June.qdpx"):
        cuts = _selection_texts(REAL_EXPORTS / name, "utf16").values()
        texts[name] = {cut.replace("\r\n", "\n") for cut, text in cuts if _mid_word(text, cut)}
    windows, mac = texts.values()
    assert len(windows) == 3 and windows == mac


def test_nvivo_positions_read_as_code_points_would_cut_mid_word(options: IngestOptions) -> None:
    """Forcing the wrong unit never passes on wrong text: the source's codings are quarantined."""
    path = REAL_EXPORTS / "nvivo_oltas" / "oltas0517.qdpx"
    raw = ingest_batch(path, "oltas", options, offset_units="code_points")
    assert set(raw["problem"]) == {"offsets fit no unit"}
    assert raw["text"].isna().all()
    detail = raw["problem_detail"].iloc[0]
    assert "as Unicode code points" in detail and "as UTF-16 code units" in detail


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_file_without_coded_segments_is_refused_with_its_reason(
    name: str, options: IngestOptions
) -> None:
    path = REAL_EXPORTS / name
    with pytest.raises(InputFileError) as caught:
        ingest_batch(path, path.stem, options)
    message = str(caught.value)
    assert path.name in message and "Traceback" not in message
    for word in REFUSED[name]:
        assert word.casefold() in message.casefold()


def test_maxqda_polish_segments_keep_paragraphs_codes_and_coders(options: IngestOptions) -> None:
    raw = ingest_batch(
        REAL_EXPORTS / "maxqda12_maxqdar" / "coded_segments_polish.xls", "mx", options
    )
    assert sorted(raw["code"].unique()) == [
        "DATE", "INSTITUTION", "LOCAL", "MISC", "PERSON", "ROLE", "TYPE",
    ]  # fmt: skip
    assert raw["start"].isna().all() and raw["end"].isna().all()  # paragraphs, not characters
    assert set(raw["paragraphs"]) == {"1", "2", "3"} and set(raw["coder"]) == {"agata"}
    assert raw["source_id"].nunique() == 39
    assert raw.iloc[2]["text"] == "Diogo de Mendonça Corte Real "  # exactly as exported


def test_nvivo_node_export_keeps_multi_line_references_whole(options: IngestOptions) -> None:
    raw = ingest_batch(REAL_EXPORTS / "nvivo_node_export_nireland" / "J_Denial.txt", "n", options)
    assert set(raw["code"]) == {"J_Denial"}
    first = raw.iloc[0]
    assert first["source_id"] == "IMG_9711_DEFE_13_1358"
    assert first["text"].startswith("Information about the tribunal") and "\n" in first["text"]
    region = raw[raw["problem"].notna()]
    assert region["text"].str.match(r"^Page \d+ : \(").all()
    lines = (
        (REAL_EXPORTS / "nvivo_node_export_nireland" / "J_Denial.txt")
        .read_text(encoding="utf-8-sig")
        .split("\n")
    )
    for origin in raw["origin"]:  # origin names the line of each reference heading
        number = int(origin.removeprefix("J_Denial.txt:line "))
        assert lines[number - 1].startswith("Reference ")


def test_nvivo_node_export_cut_short_is_refused_at_its_heading(
    tmp_path: Path, options: IngestOptions
) -> None:
    text = (REAL_EXPORTS / "nvivo_node_export_nireland" / "J_Intelligence.txt").read_text(
        encoding="utf-8-sig"
    )
    lines = text.split("\n")
    cut = tmp_path / "J_Intelligence.txt"
    cut.write_text("\n".join(lines[:6]), encoding="utf-8")  # the second file's 2nd ref is gone
    with pytest.raises(InputFileError, match=r"says 2 reference\(s\) but 1 follow") as caught:
        ingest_batch(cut, "n", options)
    assert "row 4" in str(caught.value)


def test_a_bare_qde_beside_its_sources_folder_is_a_batch(options: IngestOptions) -> None:
    raw = ingest_batch(REAL_EXPORTS / "ornio_hand_authored" / "project.qde", "ornio", options)
    assert raw["text_origin"].tolist() == ["source", "source", "pdf region text"]
    assert "Diet and health" in set(raw["text"])


def test_taguette_highlights_with_several_tags_repeat_the_id(options: IngestOptions) -> None:
    raw = ingest_batch(REAL_EXPORTS / "taguette_serdif" / "all_tags_20220303.csv", "t", options)
    assert raw["excerpt_id"].is_unique
    assert raw["source_id"].nunique() == 17 and raw["code"].nunique() == 22


def test_every_real_export_with_codes_starts_a_valid_codebook(tmp_path: Path) -> None:
    """codebook init on each real export with codes writes a codebook the pipeline accepts."""
    from realist_report.core.definitions import load_codebook
    from realist_report.study_setup.codebook_skeleton import init_codebook

    exports = [n for n, (rows, *_) in READ.items() if rows] + [
        "qc_qualitative_coding/nvivo_project.qdpx",  # 262 codes, no codings
        "taguette_test_expectations/codebook.qdc",
        # codebook tables: refused as coded data, read by codebook init
        "taguette_test_expectations/codebook.csv",
        "taguette_serdif/codebook_20220303_8.csv",
        "atlasti_edgeai_icsa26/20250914_codebook_full.csv",  # 'Tabela 1' title, ';'
    ]
    counts = {}
    for number, name in enumerate(sorted(exports)):
        out = tmp_path / f"{number}.yaml"
        entries = init_codebook(REAL_EXPORTS / name, out)
        book = load_codebook(out)
        assert [c["path"] for c in book["codes"]] == [e.path for e in entries]
        counts[name] = len(entries)
    assert counts["nvivo_oltas/oltas0517.qdpx"] == 152
    assert counts["qc_qualitative_coding/nvivo_project.qdpx"] == 262
    assert counts["maxqda12_maxqdar/coded_segments_polish.xls"] == 7
    assert counts["taguette_test_expectations/codebook.qdc"] == 3
    assert counts["taguette_test_expectations/codebook.csv"] == 3  # interesting\places nested
    assert counts["taguette_serdif/codebook_20220303_8.csv"] == 22
    assert counts["taguette_serdif/all_tags_20220303.csv"] == 22  # same tags as its codebook
    assert counts["atlasti_edgeai_icsa26/20250914_codebook_full.csv"] == 465


def test_codebook_init_writes_a_codebook_the_pipeline_validates(tmp_path: Path) -> None:
    """The issue's own case: oltas0517.qdpx -> codebook.yaml with every code path, roles none."""
    from realist_report.core.definitions import load_codebook
    from realist_report.study_setup.codebook_skeleton import main

    out = tmp_path / "config" / "codebook.yaml"
    assert (
        main(["init", str(REAL_EXPORTS / "nvivo_oltas" / "oltas0517.qdpx"), "--out", str(out)]) == 0
    )
    book = load_codebook(out)
    assert len(book["codes"]) == 152 and {c["role"] for c in book["codes"]} == {"none"}
    assert out.read_text(encoding="utf-8").count("# role not guessed") == 152
    assert (
        main(["init", str(REAL_EXPORTS / "nvivo_oltas" / "oltas0517.qdpx"), "--out", str(out)]) == 1
    )


def test_nvivo_windows_and_mac_exports_of_one_project_give_the_same_texts(
    options: IngestOptions,
) -> None:
    """Windows (CRLF, BOM) and Mac (LF) exports count different positions for the same words:
    read right, the texts agree (the Mac export of 17 June has one coding fewer)."""
    windows = ingest_batch(REAL_EXPORTS / "nvivo_oltas" / "oltas0517.qdpx", "w", options)
    mac = ingest_batch(
        REAL_EXPORTS / "nvivo_oltas" / "OltasSzkepticizmus_17June.qdpx", "m", options
    )
    windows_texts = {text.replace("\r\n", "\n") for text in windows["text"]}
    mac_texts = set(mac["text"])
    assert len(windows_texts) == 187 and len(mac_texts) == 186
    assert len(windows_texts & mac_texts) == 186


def test_coded_fragments_table_gives_each_fragment_the_codes_its_row_counts(
    options: IngestOptions,
) -> None:
    """The replication package's own `n_codes` column says how many codes each fragment has;
    a code name holding a comma ('T2. Security, Privacy & Trust Management: Access Control',
    329 of the codings) must not split into two."""
    import csv

    path = REAL_EXPORTS / "atlasti_edgeai_icsa26" / "fragments_to_codes.csv"
    raw = ingest_batch(path, "fragments", options)
    with path.open(encoding="utf-8", newline="") as handle:
        expected = {row["fragment_id"]: int(row["n_codes"]) for row in csv.DictReader(handle)}
    fragments = raw["excerpt_id"].str.split("|").str[0]
    assert fragments.value_counts().to_dict() == expected
    assert raw["code"].str.match(r"^T\d+\. ").all() and raw["text"].notna().all()
    assert int(raw["code"].str.contains(", ", regex=False).sum()) == 329
