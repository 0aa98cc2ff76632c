"""REFI-QDA metadata is screened as it is read: a hostile project (a case named after a person
with a phone number, the same name in a source name, a user, a note title and text, a missing
source file whose warning names the source) brings neither the name nor the number into the
ingested table, the reader's warnings, the ingest log or the memos."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from realist_demo.qdpx_writer import Memo, write_qdpx
from realist_report.analysis.memos import read_memos
from realist_report.core.excerpt_table import EXCERPT_COLUMNS
from realist_report.ingest.batch import IngestOptions, ingest_batch
from realist_report.ingest.refi import MetadataScreen, read_qdpx
from realist_report.privacy.redact import value_tag

PERSON = "Jane Doe 07700 900123"
SOURCE = "Jane Doe interview 07700 900123"
PLANTED = ("Jane", "Doe", "07700", "900123")
SOURCES = {
    SOURCE: "We talked about the walking group and the bus fare.",
    "INT-P01-BL": "The walking group helped me get out again.",
}


def row(eid: str, source: str, person: str, span: str, coder: str) -> dict:
    start = SOURCES[source].index(span)
    return {
        "excerpt_id": eid, "batch": "b", "source_id": source, "source_type": "interview",
        "participant_id": person, "role": None, "site_id": "S01", "wave": "baseline",
        "collected_on": "2024-03-05", "code": "Context::travel", "text": span, "start": start,
        "end": start + len(span), "coder": coder, "origin": "x",
    }  # fmt: skip


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """The project, with the hostile source's text file removed (its warning names it)."""
    frame = pd.DataFrame(
        [
            row("1", SOURCE, PERSON, "the bus fare", "Dr Jane Doe"),
            row("2", "INT-P01-BL", "P01", "walking group", "Ann Coder"),
        ],
        columns=EXCERPT_COLUMNS,
    )
    memos = [
        Memo("m1", f"Call {PERSON}", "Jane Doe rang back on 07700 900123.", "Dr Jane Doe",
             "2024-03-06T10:00:00Z", "source", SOURCE),
    ]  # fmt: skip
    written = tmp_path / "written.qdpx"
    write_qdpx(frame, SOURCES, written, project_name=f"Study of {PERSON}", memos=memos)
    path = tmp_path / "hostile.qdpx"
    with zipfile.ZipFile(written) as source, zipfile.ZipFile(path, "w") as target:
        texts = [n for n in source.namelist() if n.startswith("sources/")]
        hostile_text = next(n for n in texts if b"bus fare" in source.read(n))
        for name in source.namelist():
            if name != hostile_text:
                target.writestr(name, source.read(name))
    return path


SCREEN = MetadataScreen(participants=frozenset({"P01"}))


def planted_in(text: str) -> list[str]:
    return [value for value in PLANTED if value.casefold() in text.casefold()]


def test_reader_output_and_warnings_hold_no_planted_value(hostile: Path) -> None:
    project = read_qdpx(hostile, "b", screen=SCREEN)
    assert planted_in(project.excerpts.to_csv(index=False)) == []
    assert planted_in(project.cases.to_csv(index=False)) == []
    assert planted_in(" ".join(project.warnings)) == []
    assert any("not in the project's sources folder" in w for w in project.warnings)
    assert set(project.excerpts["participant_id"]) == {value_tag(PERSON), "P01"}, (
        "an unknown case is named by its hash, a registered one keeps its id"
    )
    unscreened = read_qdpx(hostile, "b")  # the team's own tools read names as written
    assert PERSON in set(unscreened.excerpts["participant_id"])
    assert planted_in(" ".join(unscreened.warnings)), "the warning would name the source"


def test_ingest_log_holds_no_planted_value(hostile: Path, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    table = ingest_batch(hostile, "b", IngestOptions({}, screen=SCREEN))
    assert planted_in(table.drop(columns="text").to_csv(index=False)) == []
    assert planted_in(caplog.text) == [] and "sources folder" in caplog.text


def test_memos_hold_no_planted_value(hostile: Path) -> None:
    memos = read_memos(hostile, "b", SCREEN)
    assert len(memos) and planted_in(memos.to_csv(index=False)) == []
    assert PERSON in read_memos(hostile, "b").to_csv(index=False)
