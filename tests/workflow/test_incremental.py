"""Incremental rebuilds: a dry run after each kind of change lists exactly the expected jobs."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import run_snakemake

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

#: Every figure of the registry and the rule graph are drawn by one job (draw_figures: one
#: plotnine import instead of one per figure), so any table a figure reads reruns that one job;
#: the rule graph is traced again (trace_rule_graph) only when the Snakefile or a rule file changes.
FIGURES_JOB = {"draw_figures": 1}
#: The rendering steps: the report's HTML, its PDF and Word editions, the screen that publishes
#: them, and the provenance record of what was published.
RENDERING = {
    "render_report_html": 1,
    "render_report_pdf": 1,
    "render_report_docx": 1,
    "publish_report": 1,
    "write_provenance": 1,
    "all": 1,
}
#: The evidence explorer reads the build record (record_build_inputs) as well as the results, so
#: it reruns with every step that re-records the build, and not after a narrative edit.
EXPLORER = {"render_evidence_explorer": 1}
#: Every job that follows from the coded data once aggregation has to rerun.
AFTER_AGGREGATION = {
    "aggregate_cmoc_evidence": 1,
    **FIGURES_JOB,
    "record_build_inputs": 1,
    **EXPLORER,
    "compare_with_previous_build": 1,
    "write_evidence_workbook": 1,
    **RENDERING,
}
#: Co-occurrence and candidate CMOCs read the redacted rows (not the aggregates): any change to
#: the coded rows or to linking's unit rule reruns them (the co-occurrence figure is drawn by
#: the one figures job, which such a change reruns anyway).
CANDIDATES = {"find_candidate_cmocs": 1}
#: Coder agreement reads every batch's codings (and linking's units), not the aggregates.
AGREEMENT = {"assess_coder_agreement": 1}
#: Report and audit bookkeeping: they rerun whenever anything the report shows changes.
REPORT_AND_AUDIT = {
    "record_build_inputs": 1,
    **EXPLORER,
    "compare_with_previous_build": 1,
    **RENDERING,
}


def planned_jobs(workdir: Path) -> Counter:
    """Jobs a dry run would execute, by rule, parsed from Snakemake's job-stats table."""
    result = run_snakemake(workdir, "--dry-run", "--quiet", "rules")
    text = result.stdout + result.stderr
    if "Nothing to be done" in text:
        return Counter()
    table = text[text.index("Job stats:") :]
    jobs: Counter = Counter()
    for line in table.splitlines()[3:]:
        match = re.fullmatch(r"\s*(\w+)\s+(\d+)\s*", line)
        if not match or match.group(1) == "total":
            break
        jobs[match.group(1)] = int(match.group(2))
    return jobs


def site_shards(workdir: Path) -> int:
    """Evidence-linking shards per batch (site groups), 0 when linking is not sharded."""
    config = yaml.safe_load((workdir / "config" / "config.yaml").read_text(encoding="utf-8"))
    rules = "".join(p.read_text() for p in (workdir / "workflow" / "rules").glob("*.smk"))
    return int(config["sharding"]["site_groups"]) if "rule link_site_evidence" in rules else 0


def new_batch_jobs(shards: int) -> Counter:
    """A new batch: its own ingest, clean, redaction and linking shards, then aggregation onwards;
    the memos too (a table batch's memo columns are memos)."""
    jobs = {
        "ingest_batch": 1,
        "extract_memos": 1,
        "attach_memos_to_cmocs": 1,
        "clean_batch": 1,
        "collect_data_quality": 1,
        "redact_batch": 1,
        "collect_privacy_hits": 1,
        **AGREEMENT,
        **AFTER_AGGREGATION,
    }
    jobs = Counter(jobs) + Counter(CANDIDATES)
    if shards:
        jobs["link_site_evidence"] = shards
    return Counter(jobs)


def edit_config(workdir: Path, change) -> None:
    """Apply `change` to the copy's config/config.yaml."""
    path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(config)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")


@pytest.fixture
def built_copy(built_workflow: Path, tmp_path: Path) -> Path:
    """A private copy of the built workflow (timestamps and Snakemake metadata kept)."""
    target = tmp_path / "copy"
    shutil.copytree(built_workflow, target, symlinks=True)
    return target


def test_full_build_plans_every_step(tmp_path: Path, built_workflow: Path) -> None:
    fresh = tmp_path / "fresh"
    shutil.copytree(
        built_workflow,
        fresh,
        ignore=shutil.ignore_patterns(
            ".snakemake", "data", "results", "reports", "logs", "archive"
        ),
    )
    shutil.copytree(built_workflow / "data" / "demo", fresh / "data" / "demo")
    batches = len(list((fresh / "data" / "demo" / "coded").iterdir()))
    expected = Counter(
        {
            "ingest_batch": batches,
            "clean_batch": batches,
            "redact_batch": batches,
            "validate_registers": 1,
            "collect_data_quality": 1,
            "collect_privacy_hits": 1,
            "extract_memos": 1,
            "attach_memos_to_cmocs": 1,
            **AGREEMENT,
            **AFTER_AGGREGATION,
            "find_candidate_cmocs": 1,
            "trace_rule_graph": 1,
        }
    )
    jobs = planned_jobs(fresh)
    if site_shards(built_workflow):
        expected["link_site_evidence"] = batches * site_shards(built_workflow)
    assert jobs == expected


def test_no_op_rebuild_does_nothing(built_copy: Path) -> None:
    assert planned_jobs(built_copy) == Counter()


def test_new_batch_reruns_only_its_ingest_and_downstream(built_copy: Path) -> None:
    coded = built_copy / "data" / "demo" / "coded"
    # a new export, not a byte copy of a batch (the data-set manifest refuses those)
    text = (coded / "followup_interviews.csv").read_text(encoding="utf-8")
    (coded / "followup_extra.csv").write_text(text.replace("coder_a", "coder_b", 1), "utf-8")
    assert planned_jobs(built_copy) == new_batch_jobs(site_shards(built_copy))


def test_theme_change_reruns_figures_and_report_only(built_copy: Path) -> None:
    edit_config(built_copy, lambda c: c["figures"]["theme"].update(base_size=11))
    # the rule graph is redrawn in the new theme from its traced DOT, not traced again
    assert planned_jobs(built_copy) == Counter({**FIGURES_JOB, **REPORT_AND_AUDIT})


def test_narrative_edit_reruns_only_the_rendering_steps(built_copy: Path) -> None:
    prose = built_copy / "report" / "narrative" / "cmocs" / "CMOC04.md"
    prose.write_text(prose.read_text(encoding="utf-8") + "\nOne more sentence.\n", "utf-8")
    assert planned_jobs(built_copy) == Counter(RENDERING)


def test_a_new_narrative_file_reruns_only_the_rendering_steps(built_copy: Path) -> None:
    (built_copy / "report" / "narrative" / "cmocs" / "CMOC02.md").write_text(
        "The team's reading of {{ cmoc.CMOC02 }}.\n", encoding="utf-8"
    )
    assert planned_jobs(built_copy) == Counter(RENDERING)


def test_word_styles_change_reruns_only_the_word_edition(built_copy: Path) -> None:
    reference = built_copy / "workflow" / "templates" / "docx" / "reference.docx"
    reference.write_bytes(reference.read_bytes() + b"\0")
    assert planned_jobs(built_copy) == Counter(
        {"render_report_docx": 1, "publish_report": 1, "write_provenance": 1, "all": 1}
    )


def test_threshold_change_reruns_aggregation_onwards(built_copy: Path) -> None:
    edit_config(built_copy, lambda c: c["strength"][1].update(min_participants=6))
    assert planned_jobs(built_copy) == Counter(AFTER_AGGREGATION)


def edit_module(workdir: Path, name: str) -> None:
    """Change a module's content (a touch alone is not a change to Snakemake); name is dotted
    below workflow/, as "realist_report.report.figures"."""
    module = workdir.joinpath("workflow", *name.split(".")).with_suffix(".py")
    module.write_text(module.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_package_code_change_reruns_the_steps_that_use_it(built_copy: Path) -> None:
    edit_module(built_copy, "realist_report.audit.provenance")
    assert planned_jobs(built_copy) == Counter(REPORT_AND_AUDIT)


def test_figure_code_change_redraws_every_figure_but_does_not_retrace(built_copy: Path) -> None:
    edit_module(built_copy, "realist_report.report.figures")
    assert planned_jobs(built_copy) == Counter({**FIGURES_JOB, **REPORT_AND_AUDIT})


def test_a_rule_file_change_retraces_the_rule_graph(built_copy: Path) -> None:
    """The rule graph is traced (a second Snakemake start, seconds) only when a rule can have
    changed: the Snakefile or a rule file, which are also code the build id records."""
    rules = built_copy / "workflow" / "rules" / "linking.smk"
    rules.write_text(rules.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    expected = {"trace_rule_graph": 1, **FIGURES_JOB, **REPORT_AND_AUDIT}
    assert planned_jobs(built_copy) == Counter(expected)


def test_cleaning_code_change_recleans_every_batch_but_does_not_reingest(built_copy: Path) -> None:
    edit_module(built_copy, "realist_report.analysis.clean")
    jobs = planned_jobs(built_copy)
    batches = len(list((built_copy / "data" / "demo" / "coded").iterdir()))
    assert jobs["clean_batch"] == batches and jobs["redact_batch"] == batches
    assert jobs["draw_figures"] == 1 and "trace_rule_graph" not in jobs
    assert "ingest_batch" not in jobs and "validate_registers" not in jobs


def test_demo_only_qdpx_writer_change_reruns_no_data_step(built_copy: Path) -> None:
    """The demo's .qdpx writer was in qdpx.py beside the reader, so editing it reran every
    ingest_batch and everything after; moved to qdpx_writer.py, only the build id follows it."""
    edit_module(
        built_copy, "realist_report.ingest.refi"
    )  # the reader, where the writer used to be: the old cost
    before = planned_jobs(built_copy)
    batches = len(list((built_copy / "data" / "demo" / "coded").iterdir()))
    assert before["ingest_batch"] == batches and before["clean_batch"] == batches
    assert before["link_site_evidence"] == batches * site_shards(built_copy)
    reader = built_copy / "workflow" / "realist_report" / "ingest" / "refi.py"
    reader.write_text(reader.read_text(encoding="utf-8").removesuffix("\n# edited\n"), "utf-8")
    edit_module(
        built_copy, "realist_demo.qdpx_writer"
    )  # in the build id (all code is), in no step's closure
    assert planned_jobs(built_copy) == Counter(REPORT_AND_AUDIT)


def test_report_view_change_relinks_nothing(built_copy: Path) -> None:
    """The report views (for whom, change over time) were in cmo.py, which every link shard and
    aggregation imported; in report.py they rerun the rendering and audit steps alone."""
    edit_module(built_copy, "realist_report.report.context")
    jobs = planned_jobs(built_copy)
    assert "link_site_evidence" not in jobs and "aggregate_cmoc_evidence" not in jobs
    assert jobs == Counter(REPORT_AND_AUDIT)


def relinking_jobs(built_copy: Path) -> Counter:
    """What an edit to linking's code plans: every link shard of every batch, and every step
    that reads the links or cuts units with linking's code (agreement, candidates)."""
    batches = len(list((built_copy / "data" / "demo" / "coded").iterdir()))
    shards = {"link_site_evidence": batches * site_shards(built_copy)}
    return Counter({**shards, **AGREEMENT, **AFTER_AGGREGATION}) + Counter(CANDIDATES)


def test_evidence_code_change_reruns_aggregation_but_no_link_shard(built_copy: Path) -> None:
    """Rating and quote code (evidence.py) is not an input of linking (linking.py); coder
    agreement cuts its units with linking's code, so a linking edit reruns it too."""
    edit_module(built_copy, "realist_report.analysis.evidence")
    assert planned_jobs(built_copy) == Counter(AFTER_AGGREGATION)
    edit_module(built_copy, "realist_report.analysis.linking")
    assert planned_jobs(built_copy) == relinking_jobs(built_copy)


def test_coder_rule_change_relinks_and_agreement_change_reassesses(built_copy: Path) -> None:
    """coders.py picks each source's evidence coder (linking imports it); agreement.py only
    measures agreement, so editing it reruns that step and the report, no evidence."""
    edit_module(built_copy, "realist_report.analysis.agreement")
    assert planned_jobs(built_copy) == Counter({**AGREEMENT, **REPORT_AND_AUDIT})
    edit_module(built_copy, "realist_report.analysis.coders")
    assert planned_jobs(built_copy) == relinking_jobs(built_copy)
