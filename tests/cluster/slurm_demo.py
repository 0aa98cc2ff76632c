"""make slurm-demo: the demo report built on a real single-node SLURM cluster, beside a local build.

Starts the cluster (tests/cluster/local_slurm.sh), builds a copy of the workflow and demo data in
.slurm-demo/slurm through `snakemake --profile workflow/profiles/slurm` (every job an sbatch
job), builds a second copy in .slurm-demo/local with the default local executor, prints the
`sacct` lines of the cluster run's jobs and both PDFs' SHA-256, and stops the cluster. Both copies
stay in place for inspection, the cluster one with its .snakemake/slurm_logs/.
tests/workflow/test_slurm_cluster.py drives the same functions.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from conftest import copy_workflow, run_snakemake  # noqa: E402

CLUSTER_SCRIPT = Path(__file__).with_name("local_slurm.sh")
CLUSTER_COMMANDS = ("munged", "slurmctld", "slurmd", "slurmdbd", "sbatch", "sacct", "mariadbd")
PDF = Path("reports") / "evaluation_report.pdf"
# The cluster profile as a user runs it, plus two executor settings for a demo on one machine:
# the first status check after 2 s instead of 40 s (jobs here take seconds, not hours), and the
# SLURM logs of successful jobs kept so every job's log can be read afterwards.
SLURM_ARGS = (
    "--profile",
    "workflow/profiles/slurm",
    "--slurm-init-seconds-before-status-checks",
    "2",
    "--slurm-keep-successful-logs",
)
SACCT_FIELDS = "JobID,Comment%60,State,ExitCode,Elapsed,NodeList"


def cluster_unavailable() -> str | None:
    """Why the local cluster cannot run here (not root, packages missing), or None; the reason
    starts as the test suite's skip policy allows (tests/skip_policy.py)."""
    if os.geteuid() != 0:
        return "needs root/SLURM: the local SLURM cluster needs root (slurmd starts jobs as their user)"
    missing = [command for command in CLUSTER_COMMANDS if shutil.which(command) is None]
    if missing:
        return (
            f"missing system package: SLURM ({', '.join(missing)} missing): "
            "run 'sh workflow/setup_system.sh cluster' as root"
        )
    return None


@contextmanager
def local_cluster(state: Path) -> Iterator[Path]:
    """A running single-node cluster whose state lives in `state`; stopped on exit."""
    conf = state / "etc" / "slurm.conf"
    previous = os.environ.get("SLURM_CONF")
    try:
        subprocess.run(["sh", str(CLUSTER_SCRIPT), "start", str(state)], check=True)
        os.environ["SLURM_CONF"] = str(conf)
        yield conf
    finally:
        subprocess.run(["sh", str(CLUSTER_SCRIPT), "stop", str(state)], check=False)
        if previous is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = previous


def slurm_run_id(snakemake_output: str) -> str:
    """The executor's run id (every sbatch job of one Snakemake run has it as its name)."""
    match = re.search(r"SLURM run ID: (\S+)", snakemake_output)
    if match is None:
        raise AssertionError("Snakemake did not report a SLURM run ID: not run with the profile?")
    return match.group(1)


def sacct_jobs(run_id: str) -> list[dict[str, str]]:
    """The sbatch jobs of one run as sacct reports them, one dict per job (fields SACCT_FIELDS)."""
    names = [field.split("%")[0] for field in SACCT_FIELDS.split(",")]
    output = subprocess.run(
        ["sacct", "-X", "--parsable2", "--noheader", "--name", run_id, "-o", SACCT_FIELDS],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [dict(zip(names, line.split("|"), strict=True)) for line in output.splitlines()]


def sacct_table(run_id: str) -> str:
    """The same jobs as sacct prints them for a person."""
    return subprocess.run(
        ["sacct", "-X", "--name", run_id, "-o", SACCT_FIELDS],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def submitted_jobs(snakemake_output: str) -> int:
    """How many jobs Snakemake handed to sbatch (its 'submitted with SLURM jobid' lines)."""
    return len(re.findall(r"has been submitted with SLURM jobid \d+", snakemake_output))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build_on_cluster(workdir: Path, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    """One Snakemake run of a workflow copy through the SLURM profile."""
    return run_snakemake(workdir, *SLURM_ARGS, *extra, check=check)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / ".slurm-demo")
    args = parser.parse_args()
    reason = cluster_unavailable()
    if reason:
        print(f"slurm-demo: cannot start the cluster: {reason}", file=sys.stderr)
        return 1
    out = args.out.resolve()
    for part in ("slurm", "local"):
        shutil.rmtree(out / part, ignore_errors=True)
    cluster_copy = copy_workflow(out / "slurm")
    local_copy = copy_workflow(out / "local")
    with local_cluster(out / "cluster"):
        result = build_on_cluster(cluster_copy)
        run_id = slurm_run_id(result.stdout + result.stderr)
        jobs = sacct_jobs(run_id)
        print(f"\nsacct: the {len(jobs)} jobs of SLURM run {run_id}\n{sacct_table(run_id)}")
    print("local build for comparison ...")
    run_snakemake(local_copy)
    cluster_pdf, local_pdf = sha256(cluster_copy / PDF), sha256(local_copy / PDF)
    print(f"{cluster_pdf}  {cluster_copy / PDF}\n{local_pdf}  {local_copy / PDF}")
    submitted = submitted_jobs(result.stdout + result.stderr)
    completed = sum(job["State"] == "COMPLETED" for job in jobs)
    print(f"{submitted} jobs submitted with sbatch, {completed} COMPLETED in sacct")
    if cluster_pdf != local_pdf or completed != submitted:
        print("slurm-demo: FAILED (PDFs differ or a job did not complete)", file=sys.stderr)
        return 1
    print(f"slurm-demo: the PDFs are byte-identical; logs in {cluster_copy / '.snakemake'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
