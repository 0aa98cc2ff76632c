"""Profiles: the SLURM profile plans the same jobs as a local run, each with its resources set."""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml
from conftest import REPO, SNAKEMAKE, copy_workflow, run_snakemake

pytestmark = pytest.mark.xdist_group("e2e")

SLURM = REPO / "workflow" / "profiles" / "slurm" / "config.yaml"
DEFAULT = REPO / "workflow" / "profiles" / "default" / "config.yaml"
CLUSTER_RESOURCES = ("mem_mb", "runtime", "cpus_per_task")


def job_counts(output: str) -> dict[str, int]:
    """The 'Job stats' table of a dry run: jobs planned per rule."""
    table = output.split("Job stats:", 1)[1].split("\n\n", 1)[0]
    return {rule: int(n) for rule, n in re.findall(r"^(\w+)\s+(\d+)$", table, flags=re.MULTILINE)}


def job_resources(output: str) -> list[tuple[str, dict[str, str]]]:
    """(rule, resources) of every job block a dry run prints."""
    jobs = []
    for block in re.split(r"\n(?=\[[^\]]+\]\n(?:local)?rule )", output):
        rule = re.search(r"^(?:local)?rule (\w+):", block, flags=re.MULTILINE)
        resources = re.search(r"^\s+resources: (.*)$", block, flags=re.MULTILINE)
        if rule and resources:
            pairs = (item.split("=", 1) for item in resources.group(1).split(", "))
            jobs.append((rule.group(1), dict(pairs)))
    return jobs


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory):
    return copy_workflow(tmp_path_factory.mktemp("profiles") / "workflow")


@pytest.fixture(scope="module")
def local_plan(workdir) -> str:
    return run_snakemake(workdir, "-n").stdout


@pytest.fixture(scope="module")
def slurm_plan(workdir) -> str:
    return run_snakemake(workdir, "-n", "--profile", "workflow/profiles/slurm").stdout


def test_slurm_profile_uses_the_executor_plugin():
    profile = yaml.safe_load(SLURM.read_text(encoding="utf-8"))
    assert profile["executor"] == "slurm"
    assert set(CLUSTER_RESOURCES) <= set(profile["default-resources"])


@pytest.mark.e2e
def test_slurm_dry_run_plans_the_same_jobs_as_a_local_dry_run(local_plan, slurm_plan):
    local, cluster = job_counts(local_plan), job_counts(slurm_plan)
    assert cluster == local
    assert local["link_site_evidence"] >= 2 and local["clean_batch"] >= 2


@pytest.mark.e2e
def test_every_cluster_job_has_its_profile_resources(slurm_plan, workdir):
    profile = yaml.safe_load(SLURM.read_text(encoding="utf-8"))
    jobs = job_resources(slurm_plan)
    planned = {rule for rule, _ in jobs}
    assert planned >= {"ingest_batch", "clean_batch", "link_site_evidence", "render_report_pdf"}
    for rule, resources in jobs:
        expected = profile["default-resources"] | profile["set-resources"].get(rule, {})
        for name in CLUSTER_RESOURCES:
            assert resources[name] == str(expected[name]), (rule, name, resources)


@pytest.mark.e2e
def test_profile_names_only_rules_that_exist(local_plan):
    profile = yaml.safe_load(SLURM.read_text(encoding="utf-8"))
    assert set(profile["set-resources"]) <= set(job_counts(local_plan))


def test_default_workflow_profile_sets_no_resources_the_cluster_profile_would_lose():
    profile = yaml.safe_load(DEFAULT.read_text(encoding="utf-8"))
    assert not {"default-resources", "set-resources", "executor", "jobs"} & set(profile)


@pytest.mark.e2e
def test_default_workflow_profile_is_picked_up_without_options(workdir):
    # no --cores on the command line: the workflow profile supplies it
    result = subprocess.run(
        [SNAKEMAKE, "-n", "--quiet", "rules"], cwd=workdir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "link_site_evidence" in result.stdout
