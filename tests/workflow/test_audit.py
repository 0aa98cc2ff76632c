"""Audit trail: code tracking, checksums, snapshot comparison, the build archive and trace."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import run_snakemake
from realist_report.audit import provenance as audit
from realist_report.audit import trace
from realist_report.core.tables import write_json
from realist_report.report.figures import FIGURES, figure_text
from realist_report.runner import code_inputs

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "workflow" / "realist_report"
ORDER = ["strong", "moderate", "tentative", "unsupported"]


def snapshot(build_id: str, **cmocs: tuple[str, int, int]) -> dict:
    """A minimal evidence snapshot: CMOC id -> (strength, excerpts, participants)."""
    return {
        "build_id": build_id,
        "snapshot_date": "2022-01-01",
        "digests": {"config": "a" * 64},
        "inputs": {"sites.csv": "1" * 64, "coded/baseline.csv": "2" * 64},
        "batches": {"baseline": {"file": "coded/baseline.csv", "clean_rows": 10, "participants": 2}},
        "participants": ["P001", "P002"],
        "participant_waves": ["P001 baseline", "P002 baseline"],
        "cmocs": {
            cmoc: {"title": cmoc, "strength": s, "excerpts": e, "participants": p, "sites": 1,
                   "roles": 1, "followup_excerpts": 0}
            for cmoc, (s, e, p) in cmocs.items()
        },
    }  # fmt: skip


def dotted(paths: list[str]) -> set[str]:
    """Module files as dotted names below the package ("report.figures")."""
    return {
        ".".join(Path(p).relative_to(PACKAGE).with_suffix("").parts).removesuffix(".__init__")
        for p in paths
    }


def test_module_closure_follows_package_imports() -> None:
    closure = dotted(code_inputs.module_closure(PACKAGE, ["report.figures"]))
    assert {"report.figures", "core.vocabulary", "core.definitions", "core.errors"} <= closure
    assert {"report", "core"} <= closure, "importing a sub-package's module runs its __init__"
    assert "report.context" not in closure and "analysis.evidence" not in closure
    assert "report.rulegraph" in closure, "figures draws the rule graph from rulegraph's DOT"
    tracing = dotted(code_inputs.module_closure(PACKAGE, ["report.rulegraph"]))
    assert "report.figures" not in tracing, "a figure code edit must not trace the rule graph again"


def test_module_closure_is_cached_but_sees_an_edited_module(tmp_path: Path) -> None:
    """Each module is parsed once per process (the Snakefile asks for every step's closure),
    but an edit that adds an import (new size and modification time) is seen at once."""
    for name, body in {"a": "from realist_report.b import x\n", "b": "x = 1\n", "c": ""}.items():
        (tmp_path / f"{name}.py").write_text(body, encoding="utf-8")
    closure = code_inputs.module_closure
    assert [Path(p).stem for p in closure(tmp_path, ["a"])] == ["a", "b"]
    assert [Path(p).stem for p in closure(tmp_path, ["a"])] == ["a", "b"]
    (tmp_path / "a.py").write_text(
        "from realist_report.b import x\n\n\ndef f():\n    import realist_report.c\n",
        encoding="utf-8",
    )
    assert [Path(p).stem for p in closure(tmp_path, ["a"])] == ["a", "b", "c"]


def test_count_rows_counts_csv_records_not_lines(tmp_path: Path) -> None:
    table = tmp_path / "t.csv"
    table.write_text('id,text\n1,"two\nlines"\n2,plain\n', encoding="utf-8")
    assert audit.count_rows(table) == 2
    assert audit.count_rows(tmp_path / "t.csv") == 2
    (tmp_path / "x.svg").write_text("<svg/>")
    assert audit.count_rows(tmp_path / "x.svg") is None


def test_count_rows_reads_fields_longer_than_the_csv_default_limit(tmp_path: Path) -> None:
    ids = ";".join(f"ex{i:07d}" for i in range(30_000))  # 300,000 characters, as at scale x100
    table = tmp_path / "summary.csv"
    table.write_text(f"cmoc_id,excerpt_ids\nCMOC01,{ids}\nCMOC02,{ids}\n", encoding="utf-8")
    assert audit.count_rows(table) == 2


def test_config_digest_ignores_key_order() -> None:
    assert audit.digest_json({"a": 1, "b": [1, 2]}) == audit.digest_json({"b": [1, 2], "a": 1})
    assert audit.digest_json({"a": 1}) != audit.digest_json({"a": 2})


def test_classify_cmoc_covers_every_kind_of_change() -> None:
    def entry(strength: str, excerpts: int, participants: int) -> dict:
        return {"strength": strength, "excerpts": excerpts, "participants": participants,
                "sites": 1, "roles": 1}  # fmt: skip

    assert audit.classify_cmoc(None, entry("tentative", 3, 1), ORDER) == "new"
    assert audit.classify_cmoc(entry("tentative", 3, 1), None, ORDER) == "removed"
    assert (
        audit.classify_cmoc(entry("moderate", 9, 5), entry("strong", 12, 10), ORDER)
        == "strengthened"
    )
    assert (
        audit.classify_cmoc(entry("strong", 12, 10), entry("moderate", 9, 5), ORDER) == "weakened"
    )
    assert (
        audit.classify_cmoc(entry("moderate", 9, 5), entry("moderate", 11, 5), ORDER)
        == "strengthened"
    )
    assert (
        audit.classify_cmoc(entry("moderate", 9, 5), entry("moderate", 11, 4), ORDER) == "changed"
    )
    assert audit.classify_cmoc(entry("moderate", 9, 5), entry("moderate", 9, 5), ORDER) is None


def test_compare_names_new_batch_participants_and_in_place_edits() -> None:
    previous = snapshot("old", CMOC01=("tentative", 2, 1), CMOC02=("moderate", 5, 5))
    current = snapshot("new", CMOC01=("moderate", 6, 5), CMOC03=("tentative", 1, 1))
    current["batches"]["followup"] = {"file": "coded/followup.csv", "clean_rows": 4,
                                      "participants": 1}  # fmt: skip
    current["participants"].append("P003")
    current["participant_waves"] += ["P001 followup", "P003 followup"]
    current["inputs"]["coded/followup.csv"] = "3" * 64
    current["inputs"]["sites.csv"] = "9" * 64  # same name, new content
    changes = audit.compare_snapshots(current, previous, ORDER)
    by_item = {(r.kind, r.item): r.change for r in changes.itertuples()}
    assert by_item == {
        ("cmoc", "CMOC01"): "strengthened",
        ("cmoc", "CMOC02"): "removed",
        ("cmoc", "CMOC03"): "new",
        ("batch", "followup"): "new",
        ("participant", "P003"): "new",
        ("participant wave", "P001 followup"): "new",
        ("participant wave", "P003 followup"): "new",
        ("input file", "coded/followup.csv"): "new",
        ("input file", "sites.csv"): "edited in place",
    }
    assert list(changes.columns) == audit.CHANGE_COLUMNS


def test_participant_waves_count_followup_of_known_participants() -> None:
    clean = pd.DataFrame(
        {"participant_id": ["P1", "P1", "P1", None, "P2"],
         "wave": ["baseline", "baseline", "followup", "baseline", "followup"]}
    )  # fmt: skip
    assert audit.participant_waves(clean) == ["P1 baseline", "P1 followup", "P2 followup"]
    previous = snapshot("old")
    current = snapshot("new")
    current["participant_waves"] += ["P001 followup", "P002 followup"]
    changes = audit.compare_snapshots(current, previous, ORDER)
    assert not (changes["kind"] == "participant").any(), "no participant id is new"
    summary = audit.changes_summary(changes, current, previous)
    assert summary["new_participants"] == 0
    assert summary["new_participant_waves"] == {"follow-up": 2}


def test_archive_without_participant_waves_reports_no_wave_changes() -> None:
    previous = snapshot("old")
    del previous["participant_waves"]
    current = snapshot("new")
    current["participant_waves"].append("P001 followup")
    changes = audit.compare_snapshots(current, previous, ORDER)
    assert not (changes["kind"] == "participant wave").any()


def test_first_build_has_nothing_to_compare() -> None:
    changes = audit.compare_snapshots(snapshot("only"), None, ORDER)
    assert changes.empty
    summary = audit.changes_summary(changes, snapshot("only"), None)
    assert summary["previous_build"] is None and summary["n_changes"] == 0


def test_archive_compares_with_the_previous_different_build(tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    for build in ("A", "B", "A"):
        write_json(snapshot(build), tmp_path / "snapshot.json")
        (tmp_path / "provenance.json").write_text("{}")
        audit.archive_build(archive, tmp_path / "snapshot.json", tmp_path / "provenance.json")
    assert audit.archived_builds(archive) == ["B", "A"]
    assert audit.previous_snapshot(archive, "A")["build_id"] == "B"
    assert audit.previous_snapshot(archive, "B")["build_id"] == "A"
    assert audit.previous_snapshot(archive, "C")["build_id"] == "A"
    assert audit.previous_snapshot(tmp_path / "none", "A") is None


def test_manifest_has_relative_labels_and_a_stable_build_id(tmp_path: Path) -> None:
    dataset = tmp_path / "data"
    (dataset / "coded").mkdir(parents=True)
    (dataset / "sites.csv").write_text("site_id\nS01\n")
    (dataset / "coded" / "b.csv").write_text("x\n1\n2\n")
    (tmp_path / "codebook.yaml").write_text("codes: []\n")
    kwargs = {
        "dataset": dataset, "registers": [str(dataset / "sites.csv")],
        "batches": {"b": str(dataset / "coded" / "b.csv")}, "rows_read": {"b": 2},
        "definitions": {"codebook": str(tmp_path / "codebook.yaml")},
        "config": {"dataset": str(dataset), "quotes": {"per_cmoc": 2}},
        "code": [str(tmp_path / "codebook.yaml")], "project_root": tmp_path,
    }  # fmt: skip
    first = audit.build_inputs_manifest(**kwargs)
    assert [e["file"] for e in first["inputs"]] == ["sites.csv", "coded/b.csv"]
    assert str(tmp_path) not in json.dumps({k: v for k, v in first.items() if k != "git"})
    moved = audit.build_inputs_manifest(
        **{**kwargs, "config": {**kwargs["config"], "dataset": "/x"}}
    )
    assert moved["build_id"] == first["build_id"]
    (dataset / "coded" / "b.csv").write_text("x\n1\n3\n")
    assert audit.build_inputs_manifest(**kwargs)["build_id"] != first["build_id"]


def test_missing_file_in_manifest_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(audit.InputFileError, match="does not exist"):
        audit.file_record(tmp_path / "gone.csv", "gone.csv")


@pytest.fixture
def traced_results(tmp_path: Path) -> Path:
    """A tiny built working copy: results tables and one clean excerpt table."""
    results = tmp_path / "results"
    results.mkdir()
    pd.DataFrame({"cmoc_id": ["CMOC01"], "excerpt_ids": ["e1;e2"]}).to_csv(
        results / "cmoc_summary.csv", index=False
    )
    pd.DataFrame(
        {"cmoc_id": ["CMOC01"], "dimension": ["site"], "value": ["S03"], "excerpt_ids": ["e2"]}
    ).to_csv(results / "cmoc_evidence.csv", index=False)
    clean = tmp_path / "data" / "interim" / "clean"
    clean.mkdir(parents=True)
    pd.DataFrame(
        {
            "excerpt_id": ["e1", "e2", "e3"], "batch": ["b"] * 3,
            "origin": ["b.csv:row 2", "b.csv:row 3", "b.csv:row 4"],
            "participant_id": ["P1", "P2", "P3"], "role": ["patient"] * 3,
            "site_id": ["S01", "S03", "S03"], "wave": ["baseline"] * 3, "code": ["c"] * 3,
            "text": ["fine", "call me on 07700 900123 please", "other"],
        }
    ).to_parquet(clean / "b.parquet")  # fmt: skip
    return tmp_path


def test_trace_lists_a_cell_with_origin_and_redacted_text(traced_results: Path) -> None:
    ids = trace.excerpt_ids_for(traced_results / "results", "CMOC01", "site=S03")
    table = trace.trace_excerpts(ids, traced_results / "data" / "interim" / "clean", [])
    assert table["excerpt_id"].tolist() == ["e2"]
    assert table["origin"].tolist() == ["b.csv:row 3"]
    assert "07700 900123" not in table["text"].iloc[0]


def test_trace_unknown_cmoc_and_cell_give_clear_errors(traced_results: Path) -> None:
    with pytest.raises(trace.TraceError, match="CMOC99"):
        trace.excerpt_ids_for(traced_results / "results", "CMOC99")
    with pytest.raises(trace.TraceError, match="DIMENSION=VALUE"):
        trace.excerpt_ids_for(traced_results / "results", "CMOC01", "site=S09")


@pytest.mark.e2e
def test_snakemake_report_is_a_self_contained_audit_companion(
    built_workflow: Path, tmp_path: Path
) -> None:
    out = tmp_path / "audit_report.html"
    run_snakemake(built_workflow, "--report", str(out))
    html = out.read_text(encoding="utf-8")
    for category in ("Data quality", "Evidence", "Figures", "Audit"):
        assert category in html
    for caption in sorted((REPO / "workflow" / "report").glob("*.rst")):
        # a run of plain words: RST markup and quotes are rendered or escaped in the report
        words = re.findall(r"[A-Za-z][A-Za-z ,]{19,}", caption.read_text(encoding="utf-8"))[0][:20]
        assert words in html, f"caption {caption.name} missing from the audit report"
    assert '<script src="http' not in html, "the audit report must not load code from the web"
    for name in FIGURES:  # each figure with its own caption (labels and params.caption)
        words = re.findall(r"[A-Za-z][A-Za-z ,]{19,}", figure_text(name)[0])[0][:20]
        assert words in html, f"figure {name}: its caption is missing from the audit report"


def test_package_import_graph_has_no_cycle() -> None:
    """No package module imports, directly or through others, a module that imports it back
    (cmo and shards once did): every module's closure of imports leaves itself out."""
    modules = sorted(dotted([str(p) for p in PACKAGE.rglob("*.py") if p.stem != "__init__"]))
    assert {"analysis.linking", "analysis.evidence", "core.vocabulary", "core.ids"} <= set(modules)
    cyclic = []
    for name in modules:
        imported = {
            other_import
            for other in dotted(code_inputs.module_closure(PACKAGE, [name]))
            if other != name
            for other_import in dotted(code_inputs.module_closure(PACKAGE, [other]))
        }
        if name in imported:
            cyclic.append(name)
    assert cyclic == []


def test_every_rules_logging_does_not_make_the_pdf_screen_an_input_of_every_step() -> None:
    """Every rule imports runner.rule_logging, which redacts log messages: its closure holds the
    redaction, not the editions' screen (HTML and PDF text), so editing the screen reruns only
    the steps that screen an edition."""
    logging_closure = dotted(code_inputs.module_closure(PACKAGE, ["runner.rule_logging"]))
    assert "privacy.redact" in logging_closure and "privacy.screen" not in logging_closure
    for step in ("ingest.batch", "analysis.clean", "analysis.linking", "analysis.evidence"):
        closure = dotted(code_inputs.module_closure(PACKAGE, [step, "runner.rule_logging"]))
        assert "privacy.screen" not in closure, step
    assert "privacy.screen" in dotted(code_inputs.module_closure(PACKAGE, ["report.publish"]))
