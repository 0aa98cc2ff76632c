"""REFI-QDA import on real exports, hostile inputs, and the write -> read round trip."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xmlschema
from conftest import REAL_EXPORTS
from realist_demo.qdpx_writer import write_qdpx
from realist_report.core.errors import InputFileError
from realist_report.core.excerpt_table import EXCERPT_COLUMNS, RAW_EXCERPTS
from realist_report.ingest.refi import PROBLEM_OFFSETS, read_qdpx

SKYLOOM = REAL_EXPORTS / "skyloom_refi_qda" / "skyloom_TestProject.qdpx"
ORNIO = REAL_EXPORTS / "ornio_hand_authored"
XSD = REAL_EXPORTS / "refi_qda_schema" / "REFI_Project-mrt2019.xsd"
BAD_DIR = Path(__file__).resolve().parents[1] / "bad_inputs" / "qdpx"
ORNIO_TEXT_NAME = "11111111-1111-1111-1111-111111111111.txt"


def zip_project(
    path: Path, qde: str | bytes, sources: dict[str, bytes], *, folder: str = "sources"
) -> Path:
    """Zip a project.qde and its source files into a .qdpx."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", qde)
        for name, data in sources.items():
            archive.writestr(f"{folder}/{name}", data)
    return path


def ornio_qdpx(tmp_path: Path, qde: str | None = None, *, folder: str = "sources") -> Path:
    """The Ornio hand-authored project zipped as a .qdpx, optionally with an edited .qde."""
    text = (ORNIO / "sources" / ORNIO_TEXT_NAME).read_bytes()
    body = qde if qde is not None else (ORNIO / "project.qde").read_text(encoding="utf-8")
    return zip_project(tmp_path / "ornio.qdpx", body, {ORNIO_TEXT_NAME: text}, folder=folder)


# --------------------------------------------------------------------------- real samples


def test_atlasti_sample_imports_codes_and_codings_without_sources() -> None:
    project = read_qdpx(SKYLOOM, batch="atlas")
    ex = project.excerpts
    assert list(ex.columns[: len(EXCERPT_COLUMNS)]) == EXCERPT_COLUMNS
    RAW_EXCERPTS.validate(ex)
    assert len(project.codebook) == 14
    assert "Coke::diet Coke" in set(project.codebook["path"])  # ATLAS.ti flattened name kept
    assert len(project.users) == 3
    assert len(ex) == 11
    assert ex["excerpt_id"].is_unique
    assert set(ex["batch"]) == {"atlas"}
    mabel = ex[ex["source_id"] == "Mabel.txt"]
    assert sorted(mabel["code"]) == ["bacon and eggs", "cornflakes", "happiness"]
    assert mabel["start"].tolist() == [0, 0, 0] and mabel["end"].tolist() == [410] * 3
    assert set(mabel["text_origin"]) == {"selection name"}
    assert mabel["text"].iloc[0].startswith("I'm a single mum")
    assert set(ex["coder"]) == {"Friedrich Markgraf"}
    assert ex["origin"].str.startswith("skyloom_TestProject.qdpx#").all()
    # a PDF region with no text at all is kept (empty text) for clean to quarantine
    assert ex["text"].isna().sum() == 1
    missing = [w for w in project.warnings if "not in the project's sources folder" in w]
    assert len(missing) == 8
    assert any("1 selection(s) have no coding" in w for w in project.warnings)
    assert any("VideoSelection" in w for w in project.warnings)


def test_ornio_project_cuts_text_from_the_source_by_offsets(tmp_path: Path) -> None:
    project = read_qdpx(ornio_qdpx(tmp_path), batch="b1")
    ex = project.excerpts.set_index("excerpt_id")
    first = ex.loc["50000000-0000-0000-0000-000000000001:20000000-0000-0000-0000-000000000002"]
    assert first["text"] == "Diet and health"
    assert first["code"] == "Topics::Health"
    assert (first["start"], first["end"]) == (0, 15)
    assert first["participant_id"] == "Participant 1"
    assert first["coder"] == "Researcher A"
    assert first["source_id"] == "Interview 1.txt"
    second = ex.loc["50000000-0000-0000-0000-000000000002:20000000-0000-0000-0000-000000000003"]
    assert second["text"] == "health are clo"  # offsets 9..23, end exclusive
    assert second["code"] == "Topics::Health::Diet"
    paths = dict(zip(project.codebook["name"], project.codebook["path"], strict=True))
    assert paths["Wellbeing"] == "Topics::Wellbeing"
    assert project.cases.loc[0, "name"] == "Participant 1"
    assert project.cases.loc[0, "Age"] == "34"
    assert len(project.excerpts) == 3  # two text selections + one PDF region with text


@pytest.mark.parametrize(
    "variant",
    ["Sources-folder", "no-namespace", "codebook-namespace", "bare-qde"],
)
def test_ornio_variants_read_the_same(tmp_path: Path, variant: str) -> None:
    qde = (ORNIO / "project.qde").read_text(encoding="utf-8")
    if variant == "Sources-folder":
        path = ornio_qdpx(tmp_path, folder="Sources")
    elif variant == "no-namespace":
        path = ornio_qdpx(tmp_path, qde.replace('xmlns="urn:QDA-XML:project:1.0"', ""))
    elif variant == "codebook-namespace":
        path = ornio_qdpx(
            tmp_path, qde.replace("urn:QDA-XML:project:1.0", "urn:QDA-XML:codebook:1:0")
        )
    else:
        path = ORNIO / "project.qde"
    got = read_qdpx(path, batch="b1").excerpts
    (tmp_path / "want").mkdir()
    want = read_qdpx(ornio_qdpx(tmp_path / "want", qde), batch="b1").excerpts
    cols = ["excerpt_id", "code", "text", "start", "end", "participant_id"]
    pd.testing.assert_frame_equal(got[cols], want[cols])


def test_unknown_codes_bad_offsets_and_missing_text_are_kept_not_dropped(tmp_path: Path) -> None:
    qde = (ORNIO / "project.qde").read_text(encoding="utf-8")
    tail = '"/>\n        </Coding>\n      </PlainTextSelection>'
    qde = qde.replace(
        '<CodeRef targetGUID="20000000-0000-0000-0000-000000000003' + tail,
        '<CodeRef targetGUID="29999999-0000-0000-0000-000000000000' + tail,
        1,
    )
    qde = qde.replace('startPosition="9" endPosition="23"', 'startPosition="9" endPosition="999"')
    project = read_qdpx(ornio_qdpx(tmp_path, qde), batch="b1")
    row = project.excerpts[
        project.excerpts["excerpt_id"].str.startswith("50000000-0000-0000-0000-000000000002")
    ]
    assert len(row) == 1
    assert row["code"].iloc[0] == "<unknown code GUID 29999999-0000-0000-0000-000000000000>"
    assert row["problem"].iloc[0] == PROBLEM_OFFSETS
    assert row["text"].isna().iloc[0]
    assert any("not in the codebook" in w for w in project.warnings)
    assert any("offsets that do not fit" in w for w in project.warnings)


def test_unsafe_internal_source_paths_are_never_followed(tmp_path: Path) -> None:
    qde = (ORNIO / "project.qde").read_text(encoding="utf-8")
    gap = "\n                creatingUser"
    qde = qde.replace(
        'plainTextPath="internal://11111111-1111-1111-1111-111111111111.txt"' + gap,
        'plainTextPath="internal://../../../../etc/passwd"' + gap,
    )
    project = read_qdpx(ornio_qdpx(tmp_path, qde), batch="b1")
    interview = project.excerpts[project.excerpts["source_id"] == "Interview 1.txt"]
    assert set(interview["text_origin"]) == {"selection name"}
    assert any("external, unsafe or missing path" in w for w in project.warnings)


def test_xsd_accepts_the_real_samples() -> None:
    schema = xmlschema.XMLSchema(str(XSD))
    schema.validate(str(SKYLOOM.with_name("skyloom_Project.qde")))
    schema.validate(str(ORNIO / "project.qde"))


# --------------------------------------------------------------------------- hostile input

BAD_QDPX = {
    "billion_laughs.qdpx": "unsafe XML",
    "external_entity.qdpx": "unsafe XML",
    "zip_slip_parent.qdpx": "unsafe path",
    "zip_slip_absolute.qdpx": "unsafe path",
    "no_qde.qdpx": "no .qde",
    "malformed_xml.qdpx": "not well-formed XML",
    "truncated.qdpx": "not a valid zip archive",
    "not_a_zip.qdpx": "not a valid zip archive",
}


def test_every_bad_input_fixture_is_listed() -> None:
    assert sorted(p.name for p in BAD_DIR.glob("*.qdpx")) == sorted(BAD_QDPX)


@pytest.mark.parametrize(("name", "words"), sorted(BAD_QDPX.items()))
def test_bad_input_corpus_gives_clear_errors(name: str, words: str) -> None:
    path = BAD_DIR / name
    with pytest.raises(InputFileError) as caught:
        read_qdpx(path, batch="bad")
    assert words in str(caught.value)
    assert str(path) in str(caught.value)


def test_billion_laughs_built_on_the_fly_is_refused(tmp_path: Path) -> None:
    entities = "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 12))
    qde = f'<?xml version="1.0"?><!DOCTYPE P [<!ENTITY a0 "ha">{entities}]><Project name="&a11;"/>'
    with pytest.raises(InputFileError, match="unsafe XML"):
        read_qdpx(zip_project(tmp_path / "lol.qdpx", qde, {}), batch="bad")


def test_external_entity_built_on_the_fly_is_refused(tmp_path: Path) -> None:
    qde = (
        '<?xml version="1.0"?><!DOCTYPE P [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
        '<Project name="&x;"/>'
    )
    with pytest.raises(InputFileError, match="unsafe XML"):
        read_qdpx(zip_project(tmp_path / "xxe.qdpx", qde, {}), batch="bad")


def test_zip_bomb_project_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", b"<Project>" + bytes(50 * 1024 * 1024))
    with pytest.raises(InputFileError, match="zip bomb"):
        read_qdpx(path, batch="bad")


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="not found"):
        read_qdpx(tmp_path / "nope.qdpx", batch="bad")


def test_several_qde_files_are_ambiguous(tmp_path: Path) -> None:
    path = tmp_path / "two.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.qde", "<Project name='a'/>")
        archive.writestr("b.qde", "<Project name='b'/>")
    with pytest.raises(InputFileError, match="several .qde"):
        read_qdpx(path, batch="bad")


def test_a_named_qde_and_uncoded_selection(tmp_path: Path) -> None:
    qde = """<Project name="p"><CodeBook><Codes><Code guid="{c}" name="A" isCodable="true"/>
    </Codes></CodeBook><Sources><TextSource guid="{s}" name="doc"><PlainTextContent>Hello world
    </PlainTextContent><PlainTextSelection guid="{a}" startPosition="0" endPosition="5">
    <Coding guid="{k}"><CodeRef targetGUID="{c}"/></Coding></PlainTextSelection>
    <PlainTextSelection guid="{b}" startPosition="6" endPosition="11"/></TextSource></Sources>
    </Project>""".format(
        c="00000000-0000-0000-0000-00000000000c",
        s="00000000-0000-0000-0000-00000000000d",
        a="00000000-0000-0000-0000-00000000000a",
        b="00000000-0000-0000-0000-00000000000b",
        k="00000000-0000-0000-0000-00000000000e",
    )
    path = tmp_path / "named.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("My Study.qde", qde)
    project = read_qdpx(path, batch="b")
    assert project.excerpts["text"].tolist() == ["Hello"]
    assert project.excerpts["text_origin"].tolist() == ["inline content"]
    assert any("1 selection(s) have no coding" in w for w in project.warnings)


# --------------------------------------------------------------------------- round trip

SOURCES = {
    "P01 baseline": (
        "“Honestly,” she said, “the £5 bus fare was the barrier.”\r\nCafé 😀 helped. Naïve?"
    ),
    "P01 followup": "Six months on: ‘I go every week now’ – she’s at the crafts group.",
    "Fieldnote hub 2": "Observation at the hub: queue of five, façade being repainted.",
    "Focus group 3": "A: hi there. B: hello you. A: bye.",
    "Unused source": "Nobody coded this one.",
}


def _row(eid: str, sid: str, pid: str | None, code: str, span: str, **kw: str | None) -> dict:
    """An excerpt row whose text is the first occurrence of span in its source."""
    start = SOURCES[sid].index(span)
    base = {
        "excerpt_id": eid,
        "batch": "b",
        "source_id": sid,
        "source_type": "interview",
        "participant_id": pid,
        "role": None,
        "site_id": "S01",
        "wave": "baseline",
        "collected_on": "2024-03-05",
        "code": code,
        "text": span,
        "start": start,
        "end": start + len(span),
        "coder": "Ann Coder",
        "origin": "demo.csv:row 1",
    }
    base.update(kw)
    return base


def round_trip_frame() -> pd.DataFrame:
    """Excerpts covering shared selections, nesting, non-ASCII text and unattributed notes."""
    rows = [
        _row("1", "P01 baseline", "P01", "Mechanism::trust in the link worker", "“Honestly,”"),
        _row("2", "P01 baseline", "P01", "Context::cost of travel", "£5 bus fare", coder="Bøb"),
        _row("3", "P01 baseline", "P01", "Outcome::uptake", "£5 bus fare"),
        _row("4", "P01 baseline", "P01", "Outcome::uptake", "Café 😀 helped."),
        _row(
            "5",
            "P01 followup",
            "P01",
            "Outcome::uptake",
            "‘I go every week now’",
            wave="followup",
            collected_on="2024-09-10",
        ),
        _row(
            "6",
            "Fieldnote hub 2",
            None,
            "Context::place",
            "façade",
            source_type="observation",
            site_id="S02",
            collected_on=None,
            coder=None,
        ),
        _row("7", "Focus group 3", "P02", "Mechanism", "A: hi there.", source_type="document"),
        _row(
            "8",
            "Focus group 3",
            "P03",
            "Mechanism::trust in the link worker",
            "B: hello you.",
            source_type="document",
        ),
        _row("9", "P01 baseline", "P01", "Context", "Naïve?"),
    ]
    return pd.DataFrame(rows, columns=EXCERPT_COLUMNS)


def test_round_trip_reproduces_every_excerpt(tmp_path: Path) -> None:
    frame = round_trip_frame()
    path = tmp_path / "out.qdpx"
    register = pd.DataFrame({"participant_id": ["P01", "P09"], "age_band": ["30-39", "70+"]})
    write_qdpx(frame, SOURCES, path, cases=register, project_name="Round trip ✓")
    project = read_qdpx(path, batch="b")
    compared = [
        "source_id",
        "code",
        "text",
        "start",
        "end",
        "participant_id",
        "site_id",
        "wave",
        "source_type",
        "collected_on",
        "coder",
    ]
    got = project.excerpts[compared].astype(object).sort_values(["source_id", "start", "code"])
    want = frame[compared].astype(object).sort_values(["source_id", "start", "code"])
    got = got.reset_index(drop=True).astype(object).where(got.notna().to_numpy(), None)
    want = want.reset_index(drop=True).astype(object).where(want.notna().to_numpy(), None)
    assert got.to_dict("records") == want.to_dict("records")
    assert project.excerpts["excerpt_id"].is_unique
    assert project.excerpts["problem"].isna().all()
    cases = project.cases.set_index("name")
    assert cases.loc["P01", "age_band"] == "30-39"
    assert cases.loc["P09", "age_band"] == "70+"
    assert set(project.users.values()) == {"Ann Coder", "Bøb"}
    with zipfile.ZipFile(path) as archive:
        assert archive.read(_member_for(archive, "P01")).decode("utf-8") == SOURCES["P01 baseline"]


def _member_for(archive: zipfile.ZipFile, _hint: str) -> str:
    """The source member holding the P01 baseline text (found by content)."""
    for name in archive.namelist():
        if name.startswith("sources/") and archive.read(name).startswith("“Honestly".encode()):
            return name
    raise AssertionError("source member not found")


def test_shared_span_becomes_one_selection_with_several_codings(tmp_path: Path) -> None:
    path = tmp_path / "out.qdpx"
    write_qdpx(round_trip_frame(), SOURCES, path)
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("project.qde").decode("utf-8")
    start = SOURCES["P01 baseline"].index("£5 bus fare")
    assert xml.count(f'startPosition="{start}"') == 1
    project = read_qdpx(path, batch="b")
    shared = project.excerpts[project.excerpts["start"] == start]
    assert shared["excerpt_id"].str.split(":").str[0].nunique() == 1
    assert len(shared) == 2


def test_output_is_byte_identical_and_sorted(tmp_path: Path) -> None:
    frame = round_trip_frame()
    write_qdpx(frame, SOURCES, tmp_path / "a.qdpx")
    write_qdpx(frame.iloc[::-1], SOURCES, tmp_path / "b.qdpx")
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        names = archive.namelist()
        assert names == sorted(names) and names[0] == "project.qde"
        assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_output_validates_against_the_refi_schema(tmp_path: Path) -> None:
    path = tmp_path / "out.qdpx"
    write_qdpx(round_trip_frame(), SOURCES, path, cases=pd.DataFrame({"participant_id": ["P01"]}))
    with zipfile.ZipFile(path) as archive:
        xml = archive.read("project.qde").decode("utf-8")
    xmlschema.XMLSchema(str(XSD)).validate(xml)


def test_missing_offsets_are_located_and_mismatches_refused(tmp_path: Path) -> None:
    frame = round_trip_frame()
    frame["start"] = frame["start"].astype("Int64")
    frame["end"] = frame["end"].astype("Int64")
    frame.loc[0, ["start", "end"]] = pd.NA
    write_qdpx(frame, SOURCES, tmp_path / "ok.qdpx")
    got = read_qdpx(tmp_path / "ok.qdpx", batch="b").excerpts
    assert "“Honestly,”" in set(got["text"])
    bad = round_trip_frame()
    bad.loc[0, "text"] = "something else"
    with pytest.raises(ValueError, match="text differs"):
        write_qdpx(bad, SOURCES, tmp_path / "bad.qdpx")
    with pytest.raises(ValueError, match="no text for source"):
        write_qdpx(round_trip_frame(), {}, tmp_path / "bad.qdpx")


def test_xml_that_is_not_a_refi_project_is_refused(tmp_path: Path) -> None:
    path = zip_project(tmp_path / "other.qdpx", "<Spreadsheet/>", {})
    with pytest.raises(InputFileError, match="not a REFI <Project>"):
        read_qdpx(path, batch="bad")
