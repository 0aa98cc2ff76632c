"""Edits in the Word edition come back to the narrative Markdown (make import-docx): prose edits
as a diff, computed values as placeholders or conflicts, comments as a list, edits of computed
parts refused; a file of another study or build, a stale narrative file and an identifier are
refused. Round trips through python-docx and through LibreOffice, on the demo build."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from realist_report.report import docx_import

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("built_workflow")]


def demo(built: Path) -> dict:
    """Where the demo build keeps what an import needs."""
    config = yaml.safe_load((built / "config" / "config.yaml").read_text(encoding="utf-8"))
    build_id = json.loads((built / "data/interim/audit/build_inputs.json").read_text())["build_id"]
    return {"title": config["study"]["title"], "build_id": build_id}


def narrative_copy(built: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "narrative"
    shutil.copytree(built / "report" / "narrative", folder)
    return folder


def run_import(built: Path, docx: Path, narrative: Path, **options) -> docx_import.ImportResult:
    facts = demo(built)
    return docx_import.import_docx(
        docx, narrative, study_title=facts["title"], build_id=facts["build_id"],
        baseline_docx=built / "reports" / "evaluation_report.docx", **options,
    )  # fmt: skip


def co_author_edits(source: Path, out: Path) -> None:
    """What a co-author does in Word: rewrite a sentence of CMOC04's narrative, change the
    participant count printed in it, comment on it, and edit a cell of a computed table."""
    from docx import Document

    document = Document(str(source))
    paragraph = next(p for p in document.paragraphs if p.text.startswith("Practice staff bought"))
    runs = paragraph.runs
    first = next(run for run in runs if "Champions" in run.text)
    first.text = first.text.replace("Champions", "Local champions, it seems,")
    number = next(r for r in runs if r.text == "44")
    number.text = "45"
    document.add_comment(runs[2], text="Is this true at every site?", author="A. Reviewer")
    cell = document.tables[0].rows[1].cells[1].paragraphs[0].runs[0]
    cell.text = cell.text + " (edited)"
    document.save(str(out))


def libreoffice_resave(docx: Path, folder: Path) -> Path:
    """Open and save as .docx in LibreOffice, as a co-author using it would."""
    folder.mkdir()
    profile = f"-env:UserInstallation=file://{folder / 'profile'}"
    result = subprocess.run(
        ["soffice", profile, "--headless", "--convert-to", "docx:MS Word 2007 XML",
         "--outdir", str(folder), str(docx)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return folder / docx.name


def test_an_unedited_word_edition_imports_as_no_change(built_workflow: Path, tmp_path) -> None:
    docx = built_workflow / "reports" / "evaluation_report.docx"
    result = run_import(built_workflow, docx, narrative_copy(built_workflow, tmp_path))
    assert result.diffs == {} and result.conflicts == [] and result.not_imported == []


def check_co_author_import(built: Path, edited: Path, tmp_path: Path) -> None:
    """The edits of co_author_edits, imported and applied to a copy of the narrative."""
    narrative = narrative_copy(built, tmp_path)
    result = run_import(built, edited, narrative, apply=True)
    assert list(result.diffs) == ["cmocs/CMOC04.md"], result.diffs
    assert result.written == ["cmocs/CMOC04.md"] and result.held == {}
    written = (narrative / "cmocs" / "CMOC04.md").read_text(encoding="utf-8")
    assert "Local champions, it seems, mattered" in written
    assert "{{ CMOC04.participants }} participants" in written and "45" not in written
    assert "{{ CMOC04.sites }}" in written and "{{ table.CMOC04 }}" in written
    original = (built / "report/narrative/cmocs/CMOC04.md").read_text(encoding="utf-8")
    untouched = original.split("\n\n", 1)[1]
    assert written.endswith(untouched), "paragraphs not edited keep their Markdown lines"
    [conflict] = result.conflicts
    assert (conflict.placeholder, conflict.printed, conflict.typed) == (
        "CMOC04.participants",
        "44",
        "45",
    )
    assert conflict.file == "cmocs/CMOC04.md" and conflict.line == 1
    [comment] = result.comments
    assert (
        comment["author"] == "A. Reviewer" and comment["comment"] == "Is this true at every site?"
    )
    assert comment["file"] == "cmocs/CMOC04.md" and comment["line"] == 1
    assert comment["anchored"].endswith("Local champions, it seems,")
    assert len(result.not_imported) == 1 and "a table under 'Conclusion'" in result.not_imported[0]


def test_python_docx_edits_come_back_as_markdown(built_workflow: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.docx"
    co_author_edits(built_workflow / "reports" / "evaluation_report.docx", edited)
    check_co_author_import(built_workflow, edited, tmp_path)


@pytest.mark.skipif(
    shutil.which("soffice") is None, reason="missing system package: libreoffice-writer (soffice)"
)
def test_edits_survive_a_libreoffice_save(built_workflow: Path, tmp_path: Path) -> None:
    edited = tmp_path / "edited.docx"
    co_author_edits(built_workflow / "reports" / "evaluation_report.docx", edited)
    resaved = libreoffice_resave(edited, tmp_path / "libreoffice")
    check_co_author_import(built_workflow, resaved, tmp_path)


def test_a_narrative_file_changed_since_the_build_is_not_overwritten(built_workflow, tmp_path):
    edited = tmp_path / "edited.docx"
    co_author_edits(built_workflow / "reports" / "evaluation_report.docx", edited)
    narrative = narrative_copy(built_workflow, tmp_path)
    target = narrative / "cmocs" / "CMOC04.md"
    target.write_text(target.read_text(encoding="utf-8") + "\nA line the team added.\n")
    before = target.read_bytes()
    result = run_import(built_workflow, edited, narrative, apply=True)
    assert "changed since the Word file was built" in result.held["cmocs/CMOC04.md"]
    assert result.written == [] and target.read_bytes() == before
    forced = run_import(built_workflow, edited, narrative, apply=True, force=True)
    assert forced.written == ["cmocs/CMOC04.md"]


def test_imported_text_with_an_identifier_is_not_written(built_workflow, tmp_path) -> None:
    from docx import Document

    edited = tmp_path / "edited.docx"
    document = Document(str(built_workflow / "reports" / "evaluation_report.docx"))
    paragraph = next(p for p in document.paragraphs if p.text.startswith("Practice staff bought"))
    paragraph.runs[0].text += " Call 07700 900982 for details."
    document.save(str(edited))
    narrative = narrative_copy(built_workflow, tmp_path)
    result = run_import(built_workflow, edited, narrative, apply=True)
    why = result.held["cmocs/CMOC04.md"]
    assert "1 PHONE" in why and "07700" not in why
    assert result.written == []


def test_a_word_file_of_another_study_or_build_is_refused(built_workflow, tmp_path) -> None:
    docx = built_workflow / "reports" / "evaluation_report.docx"
    narrative = narrative_copy(built_workflow, tmp_path)
    facts = demo(built_workflow)
    with pytest.raises(docx_import.ImportRefused, match="another study"):
        docx_import.import_docx(docx, narrative, study_title="Other", build_id=facts["build_id"])
    with pytest.raises(docx_import.ImportRefused, match=r"built by build \w+, the current"):
        docx_import.import_docx(docx, narrative, study_title=facts["title"], build_id="0" * 12)
    plain = tmp_path / "plain.docx"
    from docx import Document

    Document().save(str(plain))
    with pytest.raises(docx_import.ImportRefused, match="not a Word edition of this pipeline"):
        docx_import.import_docx(plain, narrative, study_title=facts["title"], build_id="x")
