"""Memos: REFI-QDA Notes and what they are attached to (NoteRef in codes, sources, selections
and the project; Links), read from a small hand-written project, the real samples that carry
Notes and the demo; screened like excerpts; tied to the CMOCs whose codes they discuss."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO, REAL_EXPORTS
from realist_demo.generator import DEMO_MEMOS, generate_demo, write_batch
from realist_demo.qdpx_writer import Memo, write_qdpx
from realist_report.analysis.memos import cmoc_memos, read_memos, redact_memos
from realist_report.core.excerpt_table import EXCERPT_COLUMNS
from realist_report.ingest.refi import read_qdpx
from realist_report.report import context as report

LW_PROJECT = DEMO / "coded" / "baseline_link_workers.qdpx"
CTX, MECH, OUT = "c" * 8, "d" * 8, "e" * 8  # code GUID stems

PROJECT = f"""<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="memo test" origin="hand written">
  <Users><User guid="U1" name="coder_a"/><User guid="U2" name="Mrs Jane Doe"/></Users>
  <CodeBook><Codes>
    <Code guid="{CTX}" name="Context" isCodable="false">
      <Code guid="{CTX}-1" name="Flexible appointment length and frequency" isCodable="true">
        <NoteRef targetGUID="N-code"/>
      </Code>
    </Code>
    <Code guid="{MECH}" name="Mechanism::Exercising micro-discretion" isCodable="true"/>
    <Code guid="{OUT}" name="Outcome::Connections with patients" isCodable="true"/>
  </Codes></CodeBook>
  <Sources>
    <TextSource guid="S1" name="INT-LW-01" plainTextPath="internal://S1.txt">
      <PlainTextSelection guid="SEL-full" startPosition="0" endPosition="10">
        <Coding guid="K1"><CodeRef targetGUID="{CTX}-1"/></Coding>
        <Coding guid="K2"><CodeRef targetGUID="{MECH}"/></Coding>
        <Coding guid="K3"><CodeRef targetGUID="{OUT}"/></Coding>
      </PlainTextSelection>
      <PlainTextSelection guid="SEL-two" startPosition="12" endPosition="20">
        <Coding guid="K4"><CodeRef targetGUID="{CTX}-1"/></Coding>
        <Coding guid="K5"><CodeRef targetGUID="{MECH}"/></Coding>
        <NoteRef targetGUID="N-partial"/>
      </PlainTextSelection>
      <PlainTextSelection guid="SEL-memo" startPosition="0" endPosition="10">
        <NoteRef targetGUID="N-selection"/>
      </PlainTextSelection>
      <NoteRef targetGUID="N-source"/>
    </TextSource>
  </Sources>
  <Notes>
    <Note guid="N-code" name="On flexibility" creatingUser="U1" creationDateTime="2021-04-14T10:00:00Z">
      <PlainTextContent>Flexibility is the context, not the mechanism.</PlainTextContent>
    </Note>
    <Note guid="N-selection" name="Consent" creatingUser="U2" creationDateTime="2021-04-20T09:00:00Z" plainTextPath="internal://N-selection.txt"/>
    <Note guid="N-partial" creatingUser="U1"><PlainTextContent>Only two parts here.</PlainTextContent></Note>
    <Note guid="N-source" creatingUser="U1"><PlainTextContent>Interview cut short.</PlainTextContent></Note>
    <Note guid="N-linked" creatingUser="U1"><PlainTextContent>Linked by a relation.</PlainTextContent></Note>
    <Note guid="N-project"><PlainTextContent>Coding frame v2.</PlainTextContent></Note>
    <Note guid="N-loose" plainTextPath="internal://missing.txt"/>
  </Notes>
  <Links><Link guid="L1" name="Memo-Quotation Relation" originGUID="N-linked" targetGUID="SEL-full"/></Links>
  <NoteRef targetGUID="N-project"/>
</Project>
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    path = tmp_path / "memos.qdpx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("project.qde", PROJECT)
        archive.writestr("sources/S1.txt", "Some text. More text here.")
        archive.writestr("sources/N-selection.txt", "Dr Amelia Hart rang on 07700 900123.")
    return path


def test_notes_are_read_with_every_attachment(project: Path) -> None:
    memos = read_memos(project, "lw").set_index(["memo_id", "target"])
    assert len(memos) == 7 and set(memos["batch"]) == {"lw"}
    code = memos.loc[("N-code", "code")]
    assert code["codes"] == "Context::Flexible appointment length and frequency"
    assert (code["created"], code["coder"], code["title"]) == (
        "2021-04-14T10:00:00Z", "coder_a", "On flexibility",
    )  # fmt: skip
    assert code["text_origin"] == "inline content"
    selection = memos.loc[("N-selection", "selection")]
    assert selection["text"] == "Dr Amelia Hart rang on 07700 900123."
    assert selection["text_origin"] == "note file" and selection["source_id"] == "INT-LW-01"
    # a memo-only selection shares the codes of the coded selection over the same span
    assert selection["codes"].split(";") == [
        "Context::Flexible appointment length and frequency",
        "Mechanism::Exercising micro-discretion",
        "Outcome::Connections with patients",
    ]
    assert memos.loc[("N-linked", "selection"), "target_id"] == "SEL-full"
    assert memos.loc[("N-source", "source"), "source_id"] == "INT-LW-01"
    assert ("N-project", "project") in memos.index
    loose = memos.loc[("N-loose", "unattached")]
    assert loose["text"] is None and loose["text_origin"] is None


def test_memo_text_title_and_coder_are_redacted_and_hits_hold_no_value(project: Path) -> None:
    redacted, hits = redact_memos(read_memos(project, "lw"), ["Amelia Hart"])
    text = redacted.set_index("memo_id").at["N-selection", "text"]
    assert text == "Dr [NAME] rang on [PHONE]."
    assert redacted.set_index("memo_id").at["N-selection", "coder"] == "Mrs [NAME]"
    assert set(hits["field"]) == {"memo text", "memo coder"}
    assert set(hits["excerpt_id"]) == {"N-selection"} and set(hits["batch"]) == {"lw"}
    assert not hits.astype(str).apply(lambda c: c.str.contains("Amelia|07700|Jane")).any().any()


def test_memos_reach_the_cmocs_of_their_codes_or_of_an_evidence_selection(
    project: Path, definitions
) -> None:
    table = cmoc_memos(read_memos(project, "lw"), definitions)
    by_memo = table.groupby("memo_id")["cmoc_id"].agg(list).to_dict()
    # flexible_appointments is a context of CMOC01 and CMOC03: a code memo shows with both
    assert by_memo["N-code"] == ["CMOC01", "CMOC03"]
    # the selection memos carry CMOC01's context, mechanism and outcome codes
    assert by_memo["N-selection"] == ["CMOC01"] and by_memo["N-linked"] == ["CMOC01"]
    assert "N-partial" not in by_memo, "two of three parts are not evidence for the CMOC"
    assert not {"N-source", "N-project", "N-loose"} & set(by_memo)
    first = table[table["cmoc_id"] == "CMOC01"]
    assert list(first["memo_id"]) == ["N-code", "N-selection", "N-linked"], "dated ones first"
    assert set(first.loc[first["via"] == "selection", "codes"]) == {
        "connections_patients;flexible_appointments;micro_discretion"
    }


def test_real_samples_with_notes(definitions) -> None:
    """ATLAS.ti 8.4 links a memo to a quotation with a Link; f4analyse puts NoteRefs on a code
    and on memo-only selections and leaves the note files out of the export; the hand-written
    REFI fixture attaches one memo by a Link and to the project."""
    atlas = read_memos(REAL_EXPORTS / "skyloom_refi_qda" / "skyloom_TestProject.qdpx", "atlas")
    assert list(atlas["target"]) == ["unattached", "selection"]
    assert set(atlas["coder"]) == {"Friedrich Markgraf"}
    assert list(atlas["created"]) == ["2018-03-27T19:38:46Z", "2018-03-27T19:41:28Z"]
    assert atlas["text"].str.startswith(("This is a great project", "This version")).all()
    f4 = read_memos(REAL_EXPORTS / "f4analyse_bare_qde" / "project.qde", "f4")
    assert sorted(f4["target"]) == ["code", "selection", "selection"]
    assert f4["text"].isna().all(), "the export holds no note files"
    coded = f4[f4["memo_id"] == "7b5e2e19-bae9-4450-97d0-f548e3e4ec76"].iloc[0]
    assert coded["codes"] == "Dies ist ein Test-Code", "shares the coded selection's span"
    ornio = read_memos(REAL_EXPORTS / "ornio_hand_authored" / "project.qde", "ornio")
    assert list(ornio["target"]) == ["selection", "project"]
    assert set(ornio["codes"].dropna()) == {"Topics::Health"}
    assert read_memos(REAL_EXPORTS / "nvivo_oltas" / "oltas.qdpx", "nvivo").empty


def test_demo_project_memos_are_read_screened_and_tied_to_cmocs(definitions) -> None:
    memos = read_memos(LW_PROJECT, "baseline_link_workers")
    assert memos["memo_id"].nunique() == len(DEMO_MEMOS) == 7
    assert memos["target"].value_counts().to_dict() == {
        "code": 3, "selection": 2, "source": 1, "project": 1,
    }  # fmt: skip
    assert memos["text"].notna().all() and memos["coder"].str.fullmatch(r"coder_[abc]").all()
    assert (memos["text_origin"] == "note file").sum() == 1
    redacted, hits = redact_memos(memos)
    assert sorted(hits["kind"]) == ["PHONE", "TITLED NAME"]
    consent = redacted[redacted["title"] == "Check consent before quoting"].iloc[0]
    assert "Dr [NAME]" in consent["text"] and "[PHONE]" in consent["text"]
    assert not redacted["text"].str.contains("Priya|Shah|07700").any()
    table = cmoc_memos(redacted, definitions)
    assert table.groupby("cmoc_id")["via"].agg(list).to_dict() == {
        "CMOC01": ["code", "selection"],
        "CMOC02": ["code"],
        "CMOC03": ["code"],
        "CMOC05": ["code"],
        "CMOC10": ["code", "selection"],
        "CMOC11": ["code"],
    }


def test_memos_leave_the_demo_projects_codings_as_they_were(tmp_path: Path) -> None:
    batch = generate_demo().batches[1]
    assert batch.memos and batch.name == "baseline_link_workers"
    with_memos = write_batch(batch, tmp_path)
    batch.memos = []
    plain = write_batch(batch, tmp_path / "plain")
    assert read_qdpx(with_memos, "b").excerpts.equals(read_qdpx(plain, "b").excerpts)
    assert read_memos(plain, "b").empty


def test_writer_refuses_a_memo_on_what_the_project_does_not_hold(tmp_path: Path) -> None:
    batch = generate_demo().batches[1]
    table = batch.excerpts.reindex(columns=EXCERPT_COLUMNS).assign(batch="b")
    ghost = Memo("m", "t", "x", "coder_a", "2021-01-01T00:00:00Z", "code", "Context::Nothing")
    with pytest.raises(ValueError, match="no code 'Context::Nothing'"):
        write_qdpx(table, batch.sources, tmp_path / "x.qdpx", memos=[ghost])
    lost = Memo("m", "t", "x", "coder_a", "2021-01-01T00:00:00Z", "selection", "INT", "none")
    with pytest.raises(ValueError, match="no selection with that text"):
        write_qdpx(table, batch.sources, tmp_path / "x.qdpx", memos=[lost])


def test_refinement_view_dates_memos_and_history_and_prints_a_shared_memo_once() -> None:
    summary = pd.DataFrame(
        [
            {"cmoc_id": "A", "title": "First", "status": "refined", "confidence": None},
            {"cmoc_id": "B", "title": "Second", "status": None, "confidence": None},
            {"cmoc_id": "C", "title": "Third", "status": None, "confidence": None},
        ]
    )
    history = pd.DataFrame([{"cmoc_id": "A", "date": "2021-04-14", "text": "Reworded."}])
    memo = {"memo_id": "m1", "batch": "b", "via": "code", "codes": "x;y", "source_id": "",
            "created": "2021-04-14T10:00:00Z", "coder": "coder_a", "title": "", "text": "Why."}  # fmt: skip
    memos = pd.DataFrame([{**memo, "cmoc_id": "A"}, {**memo, "cmoc_id": "B"}])
    view = report.refinement_view(summary, history, memos, all_memos=3)
    a = view["cmocs"]["A"]["timeline"]
    assert [(e["date"], e["kind"]) for e in a] == [
        ("2021-04-14", "history"),
        ("2021-04-14", "memo"),
    ]
    assert a[1]["codes"] == "x, y" and a[1]["printed_under"] == "A"
    assert view["cmocs"]["B"]["timeline"][0]["printed_under"] == "A"
    assert list(view["shown"]) == ["A", "B"] and (view["memos_shown"], view["memos_read"]) == (1, 3)


def test_memo_columns_of_a_table_batch_are_screened_into_the_memos(tmp_path: Path) -> None:
    """A real MAXQDA export's Memos and Kommentar cells, one given an e-mail address: they join
    the REFI-QDA memos through the same screen (run_extract_memos), attached to their coding."""
    from realist_report.analysis.memos import run_extract_memos
    from realist_report.core.tables import read_parquet, write_parquet
    from realist_report.ingest.batch import ingest_batch
    from realist_report.ingest.formats import load_ingest_options

    repo = Path(__file__).resolve().parents[2]
    export = repo / "tests" / "data" / "exports" / "maxqda24_de_spundlx"
    raw = ingest_batch(
        export / "DA_ig-metaphern-coded-segments.xlsx",
        "maxqda",
        load_ingest_options(repo / "config" / "formats.yaml"),
    )
    first = raw["memo"].first_valid_index()
    raw.loc[first, "memo"] = "ask jane.doe@example.org about this"
    write_parquet(raw, tmp_path / "raw.parquet")
    write_parquet(
        pd.DataFrame({"participant_id": [], "site_id": [], "role": []}), tmp_path / "p.parquet"
    )
    out, hits = tmp_path / "memos.parquet", tmp_path / "hits.csv"
    run_extract_memos(
        [], [], str(tmp_path / "p.parquet"), None, None,
        out_memos=str(out), out_hits=str(hits), table_paths=[str(tmp_path / "raw.parquet")],
    )  # fmt: skip
    memos = read_parquet(out)
    assert len(memos) == 7 and set(memos["target"]) == {"selection"}
    assert set(memos["target_id"]) <= set(raw["excerpt_id"])
    screened = memos.loc[memos["target_id"] == raw.loc[first, "excerpt_id"], "text"].iloc[0]
    assert "jane.doe@example.org" not in screened and "about this" in screened
    assert "jane.doe" not in hits.read_text(encoding="utf-8")
