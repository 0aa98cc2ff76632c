"""The demo on a real single-node SLURM cluster: every job an sbatch job, a failed job reported
with its SLURM log, the rerun finishing the rest, and the same PDF bytes as a local build."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from conftest import copy_workflow

sys.path.insert(0, str(Path(__file__).parents[1] / "cluster"))

from slurm_demo import (  # noqa: E402
    PDF,
    build_on_cluster,
    cluster_unavailable,
    local_cluster,
    sacct_jobs,
    sha256,
    slurm_run_id,
    submitted_jobs,
)

pytestmark = [pytest.mark.e2e, pytest.mark.slurm, pytest.mark.xdist_group("slurm")]

# An injected cluster failure: the rule-graph tracing job asks SLURM for 40 MB and SLURM's memory
# enforcement kills it (state FAILED, signal 9: without cgroups, as in a container, SLURM 22.05
# samples memory and kills the job rather than reporting OUT_OF_MEMORY); the rerun with the
# profile's memory finishes the rest.
FAILING_RULE = "trace_rule_graph"
STARVED = ("--set-resources", f"{FAILING_RULE}:mem_mb=40", "--keep-going")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory):
    reason = cluster_unavailable()
    if reason:
        print(f"SKIPPED: {reason}")
        pytest.skip(reason)
    with local_cluster(tmp_path_factory.mktemp("slurm")) as conf:
        yield conf


def test_demo_on_slurm_reports_a_failed_job_and_the_rerun_matches_a_local_build(
    cluster: Path, built_workflow: Path, tmp_path: Path
) -> None:
    workdir = copy_workflow(tmp_path / "workflow")

    failed = build_on_cluster(workdir, *STARVED, check=False)
    output = failed.stdout + failed.stderr
    assert failed.returncode != 0, output
    first_jobs = sacct_jobs(slurm_run_id(output))
    killed = [job for job in first_jobs if job["Comment"] == f"rule_{FAILING_RULE}"]
    assert killed and all(
        job["State"] in ("FAILED", "OUT_OF_MEMORY") and job["ExitCode"].endswith(":9")
        for job in killed
    ), first_jobs
    # Snakemake names the rule, the SLURM state and the SLURM log, which says why it was killed
    error = re.search(
        rf"Error in rule {FAILING_RULE}:.*?SLURM status is: '(?:FAILED|OUT_OF_MEMORY)'.*?"
        rf"(/\S+/slurm_logs/rule_{FAILING_RULE}/(\d+)\.log)",
        output,
        re.S,
    )
    assert error, output
    slurm_log = Path(error.group(1)).read_text(encoding="utf-8")
    assert f"StepId={error.group(2)}.batch exceeded memory limit" in slurm_log, slurm_log
    assert "being killed" in slurm_log, slurm_log
    # every other job ran on the cluster and completed
    others = [job for job in first_jobs if job not in killed]
    assert others and {job["State"] for job in others} == {"COMPLETED"}, first_jobs
    assert not (workdir / PDF).exists()

    rerun = build_on_cluster(workdir)
    output = rerun.stdout + rerun.stderr
    rerun_jobs = sacct_jobs(slurm_run_id(output))
    assert {job["State"] for job in rerun_jobs} == {"COMPLETED"}, rerun_jobs
    # only the starved job and what depends on it ran again, each one through sbatch
    assert len(rerun_jobs) == submitted_jobs(output) < len(others)
    assert f"rule_{FAILING_RULE}" in {job["Comment"] for job in rerun_jobs}
    print(f"cluster build {sha256(workdir / PDF)}, local build {sha256(built_workflow / PDF)}")
    assert sha256(workdir / PDF) == sha256(built_workflow / PDF)
