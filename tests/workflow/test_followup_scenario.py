"""Follow-up scenario: build on baseline data, add the follow-up batch, rebuild incrementally."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest
from conftest import DEMO, copy_workflow, pdf_text, run_snakemake
from test_incremental import new_batch_jobs, planned_jobs, site_shards

pytestmark = [pytest.mark.e2e]
FOLLOWUP = "followup_interviews"


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Baseline-only build, then the follow-up batch added: plan, rebuild, keep both states."""
    root = tmp_path_factory.mktemp("followup")
    baseline_data = root / "baseline_data"
    shutil.copytree(DEMO, baseline_data)
    (baseline_data / "coded" / f"{FOLLOWUP}.csv").unlink()
    workdir = copy_workflow(root / "workflow", baseline_data)
    run_snakemake(workdir)
    before = pd.read_csv(workdir / "results" / "cmoc_summary.csv")
    first_build = json.loads((workdir / "results" / "provenance.json").read_text())["build_id"]
    shutil.copy2(DEMO / "coded" / f"{FOLLOWUP}.csv", workdir / "data" / "demo" / "coded")
    planned = planned_jobs(workdir)
    run_snakemake(workdir)
    return {
        "workdir": workdir,
        "before": before,
        "first_build": first_build,
        "planned": planned,
        "after_noop": planned_jobs(workdir),
    }


def test_only_the_new_batch_and_downstream_jobs_run(scenario: dict) -> None:
    assert scenario["planned"] == new_batch_jobs(site_shards(scenario["workdir"]))
    assert not scenario["after_noop"], "a rebuild right after the follow-up build must do nothing"


def test_numbers_now_include_the_followup(scenario: dict) -> None:
    after = pd.read_csv(scenario["workdir"] / "results" / "cmoc_summary.csv")
    assert scenario["before"]["followup_excerpts"].sum() == 0
    assert after["followup_excerpts"].sum() > 0
    assert after["excerpts"].sum() > scenario["before"]["excerpts"].sum()
    quality = pd.read_csv(scenario["workdir"] / "results" / "data_quality.csv")
    assert FOLLOWUP in set(quality["batch"])


def test_change_section_and_csv_name_the_followup_batch(scenario: dict) -> None:
    workdir = scenario["workdir"]
    changes = pd.read_csv(workdir / "results" / "changes.csv", keep_default_na=False)
    batch_rows = changes[changes["kind"] == "batch"]
    assert batch_rows[["item", "change"]].values.tolist() == [[FOLLOWUP, "new"]]
    assert f"coded/{FOLLOWUP}.csv" in set(changes.loc[changes["kind"] == "input file", "item"])
    followup = pd.read_parquet(workdir / "data" / "interim" / "clean" / f"{FOLLOWUP}.parquet")
    expected_waves = {f"{pid} followup" for pid in followup["participant_id"].dropna()}
    assert len(expected_waves) == 48, "41 patients and 7 link workers at follow-up"
    new_waves = changes[(changes["kind"] == "participant wave") & (changes["change"] == "new")]
    assert set(new_waves["item"]) == expected_waves
    assert not (changes["kind"] == "participant").any(), "follow-up participants were seen before"
    assert set(changes.loc[changes["kind"] == "cmoc", "change"]) <= {
        "new", "strengthened", "weakened", "changed",
    }  # fmt: skip
    text = " ".join(pdf_text(workdir / "reports" / "evaluation_report.pdf").split())
    assert "What changed since the last report" in text
    assert f"compared with the previous different build, {scenario['first_build']}" in text
    assert f"{FOLLOWUP} (new" in text
    assert f"{len(expected_waves)} participants at follow-up" in text


def test_the_archive_holds_both_builds_newest_last(scenario: dict) -> None:
    workdir = scenario["workdir"]
    index = json.loads((workdir / "archive" / "index.json").read_text())
    current = json.loads((workdir / "results" / "provenance.json").read_text())["build_id"]
    assert index["builds"] == [scenario["first_build"], current]
