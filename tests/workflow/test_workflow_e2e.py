"""End to end: Snakemake builds the demo report in a temporary copy; a second run has nothing to do."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import DEMO, pdf_text, run_snakemake
from markupsafe import escape

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def report_text(built_workflow) -> str:
    return re.sub(r"\s+", " ", pdf_text(built_workflow / "reports" / "evaluation_report.pdf"))


def test_report_and_reviewer_tables_are_built(built_workflow):
    for path in [
        "reports/evaluation_report.pdf",
        "reports/evaluation_report.html",
        "results/cmoc_evidence.csv",
        "results/cmoc_summary.csv",
        "results/quarantine.csv",
        "results/data_quality.csv",
    ]:
        assert (built_workflow / path).stat().st_size > 0, path
    assert (built_workflow / "reports" / "evaluation_report.pdf").read_bytes().startswith(b"%PDF")


def test_pdf_holds_the_computed_participant_numbers(report_text):
    participants = pd.read_csv(DEMO / "participants.csv")
    baseline = participants.groupby("role").size()
    followup = participants[participants["waves"].str.contains("followup")].groupby("role").size()
    assert f"{baseline['patient']} patients" in report_text
    assert f"{baseline['primary_care_staff']} primary care staff" in report_text
    assert f"{baseline['vcse']} VCSE staff" in report_text  # design.roles' plural
    assert (
        f"{followup['patient']} patients and {followup['link_worker']} link workers" in report_text
    )
    assert f"{(participants['role'] != 'patient').sum()} professionals" in report_text


def test_pdf_names_every_cmoc(report_text, definitions):
    for cmoc_id in definitions.cmocs["cmoc_id"]:
        assert cmoc_id in report_text, cmoc_id


def test_every_rule_wrote_a_log(built_workflow):
    logs = {p.parent.name for p in (built_workflow / "logs").rglob("*.log")}
    expected = {
        "validate_registers", "ingest_batch", "clean_batch", "collect_data_quality",
        "aggregate_cmoc_evidence", "draw_figures", "trace_rule_graph", "render_report_html", "render_report_pdf",
    }  # fmt: skip
    assert expected <= logs
    clean_log = (built_workflow / "logs" / "clean_batch" / "baseline_interviews.log").read_text()
    assert "quarantined 2 row(s): unknown_participant" in clean_log


def test_quarantine_and_row_accounting_reach_the_reviewer(built_workflow):
    quarantine = pd.read_csv(built_workflow / "results" / "quarantine.csv")
    quality = pd.read_csv(built_workflow / "results" / "data_quality.csv")
    assert len(quarantine) == quality.loc[quality["batch"] == "all batches", "quarantined"].item()
    assert quality["invariant_holds"].all()
    assert set(quarantine.columns) >= {"batch", "origin", "reason", "column", "detail"}


def test_second_run_has_nothing_to_do(built_workflow):
    result = run_snakemake(built_workflow, "--dry-run")
    assert "Nothing to be done" in result.stdout + result.stderr


def test_coder_agreement_reaches_the_csv_and_the_methods_table(built_workflow):
    table = pd.read_csv(built_workflow / "results" / "coder_agreement.csv")
    overall = table[table["scope"] == "overall"].iloc[0]
    sources = table[table["scope"] == "source"]
    assert overall["status"] == "assessed" and overall["sources"] == 20
    assert (sources["status"] == "not assessed: one coder").sum() == len(sources) - 20
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    methods = html[html.index('<h1 id="methods">') : html.index('<h1 id="participants"')]
    assert 'id="tab-coder-agreement"' in methods
    assert f'<td class="num">{overall["alpha"]:.3f}</td></tr>' in methods
    for row in table[(table["scope"] == "code") & (table["status"] == "assessed")].itertuples():
        kind, _, label = row.code_path.partition("::")
        label_cell = f'<td>{escape(label or kind)}</td><td class="num">{int(row.units_coded)}</td>'
        cells = f"<td>{escape(kind) if label else ''}</td>{label_cell}"
        assert cells in methods, row.code
    # agreement never names a coder (memos in Appendix G are attributed to their author)
    names = re.compile(r"\bcoder_[a-d]\b")  # the demo's coders (not 'coder_agreement.csv')
    assert not names.search(methods) and not names.search(table.to_csv()), "coders never named"


def test_context_contrasts_count_every_site_that_gave_evidence(built_workflow):
    """Each site has one value of an attribute, so a CMOC's sites with evidence over a row of
    a contrast table add up to its sites in the summary, a small role's evidence included
    (the published matrix keys that under its region; the contrasts must not lose it)."""
    summary = pd.read_csv(built_workflow / "results" / "cmoc_summary.csv").set_index("cmoc_id")
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    tables = re.findall(r'<table class="contrasts">(.*?)</table>', html, flags=re.S)
    assert tables, "the demo's sites have attributes to contrast"
    complete_rows = 0
    for table in tables:
        for cmoc, cells in re.findall(r'<tr><td><a href="#(CMOC\d+)">\1</a></td>(.*?)</tr>', table):
            counts = re.findall(r"<td>(\d+|\u2013)(?:/\d+)?;", cells)
            shown = [int(c) for c in counts if c != "\u2013"]
            assert sum(shown) <= summary.at[cmoc, "sites"], (cmoc, counts)
            if len(shown) == len(counts):
                complete_rows += 1
                assert sum(shown) == summary.at[cmoc, "sites"], (cmoc, counts)
    assert complete_rows > 10
