"""The data-set manifest through real Snakemake runs: what a messy coded/ folder, a copied batch,
a switched data set and an interrupted build do (issue 11, items 2, 3, 5, 8, 9, 10, 11)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from conftest import DEMO, SNAKEMAKE, copy_workflow, run_snakemake
from realist_report.core.tables import FORMULA_TRIGGERS

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("workflow")]

#: Files no QDA tool exports: listed as skipped, never read, never a reason to stop.
NOT_EXPORTS = {
    "coded/~$observation_fieldnotes.xlsx": "Office lock file",
    "coded/.DS_Store": "operating-system metadata",
    "coded/Thumbs.db": "operating-system metadata",
    "coded/.~lock.followup_interviews.csv#": "hidden file",
}
FORMULA_IDS = ['=HYPERLINK("http://example.org","open")', "+1 wave3", "-2 wave3", "@3 wave3"]


def messy_dataset(target: Path) -> Path:
    """The demo plus what a team's shared folder holds: a wave in a sub-folder whose excerpts
    start like formulas and carry terminal escapes, a lock file and system files."""
    shutil.copytree(DEMO, target)
    coded = target / "coded"
    for name in NOT_EXPORTS:
        (target / name).write_bytes(b"\x00\x01 not an export \xff")
    rows = pd.read_csv(coded / "followup_interviews.csv", dtype=str, keep_default_na=False)
    wave3 = rows.head(4).copy()
    # a later wave's own interview: the same rows under the same source would be one project
    # exported twice, which the pipeline refuses (batch_pairs)
    wave3["source_id"] = wave3["source_id"] + "-W3"
    wave3.insert(0, "excerpt_id", FORMULA_IDS)
    wave3.loc[0, "code"] = "=cmd|' /C calc'!A0"  # not in the codebook: quarantined
    wave3.loc[1, "text"] = '=HYPERLINK("http://example.org") ' + wave3.loc[1, "text"]
    wave3.loc[2, "text"] = "\x1b[31m" + wave3.loc[2, "text"] + "\x1b[0m\x08\x08"
    wave3.loc[3, "text"] = "\x1b]0;terminal title\x07" + wave3.loc[3, "text"]
    (coded / "wave3").mkdir()
    wave3.to_csv(coded / "wave3" / "interviews.csv", index=False)
    return target


def planned_jobs(result: subprocess.CompletedProcess) -> str:
    return result.stdout + result.stderr


def dry_run(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    return run_snakemake(workdir, "-n", *args, check=False)


# ---------------------------------------------------------------- item 3 and 11: coded/ as it is


@pytest.mark.e2e
def test_sub_folder_batches_are_read_and_lock_and_system_files_skipped(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "wf", messy_dataset(tmp_path / "messy"))
    result = dry_run(workdir)
    assert result.returncode == 0, planned_jobs(result)
    assert "batch=wave3/interviews" in result.stdout  # a sub-folder batch is named by its path
    assert "~$observation_fieldnotes" not in result.stdout
    listing = json.loads((workdir / "data/interim/manifest/dataset.json").read_text())
    by_file = {entry["file"]: entry for entry in listing["files"]}
    for name, why in NOT_EXPORTS.items():
        assert by_file[name]["action"] == "skipped" and why in by_file[name]["reason"], name
    assert by_file["coded/wave3/interviews.csv"]["batch"] == "wave3/interviews"
    assert by_file["participants.csv"]["action"] == "register"
    assert all(len(entry["sha256"]) == 64 for entry in listing["files"])


@pytest.mark.parametrize(
    ("files", "words"),
    [
        # unreadable types are refused by name, all in one message
        (
            {"notes.ods": b"PK", "codes.qdc": b"<CodeBook/>", "wave4/project.mx24": b"\x00"},
            [
                "coded/notes.ods: file type '.ods' is not one the pipeline reads",
                "coded/codes.qdc: file type '.qdc'",
                "make codebook EXPORT=",  # a codebook is a start for config/, not a batch
                "coded/wave4/project.mx24: file type '.mx24'",
                "3 problem(s)",
            ],
        ),
        # a browser's copy of a batch: same bytes, so its codings would count twice (item 5)
        (
            {"followup_interviews (1).csv": "followup_interviews.csv"},
            [
                "coded/followup_interviews (1).csv: is a byte-identical copy of "
                "coded/followup_interviews.csv",
                "would count twice",
            ],
        ),
        # the same REFI-QDA project under a second name (same bytes, same GUIDs)
        (
            {"baseline_link_workers_copy.qdpx": "baseline_link_workers.qdpx"},
            ["coded/baseline_link_workers_copy.qdpx: is a byte-identical copy of"],
        ),
        # braces are Snakemake wildcards: was "ValueError ... unexpected '{'" without a file
        (
            {"followup {wave}.csv": b"source_id,text\nA,b\n"},
            ["coded/followup {wave}.csv: the name contains '{', '}'", "rename the file"],
        ),
    ],
    ids=["unreadable-types", "copied-csv", "copied-qdpx", "braces-in-name"],
)
@pytest.mark.e2e
def test_refused_files_stop_the_build_before_any_job(
    tmp_path: Path, files: dict[str, bytes | str], words: list[str]
) -> None:
    dataset = shutil.copytree(DEMO, tmp_path / "dataset")
    for name, content in files.items():
        path = dataset / "coded" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            shutil.copy(dataset / "coded" / content, path)
        else:
            path.write_bytes(content)
    workdir = copy_workflow(tmp_path / "wf", dataset)
    result = run_snakemake(workdir, check=False)
    output = planned_jobs(result)
    assert result.returncode != 0
    for word in words:
        assert word in output, f"{word!r} not in:\n{output}"
    assert "nothing was run" in output
    assert not (workdir / "logs").exists() and not (workdir / "results").exists()


# ---------------------------------------------------------------- item 2: switching data sets


@pytest.mark.e2e
def test_switching_data_sets_never_reuses_the_previous_registers(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "wf")
    target = "data/interim/clean/followup_interviews.parquet"
    run_snakemake(workdir, target)
    # copies that keep the demo's time stamps, as `cp -a`, rsync or a zip download do
    without = shutil.copytree(workdir / "data/demo", workdir / "data/without_participants")
    (without / "participants.csv").unlink()
    result = dry_run(workdir, target, "--config", "dataset=data/without_participants")
    assert result.returncode != 0, planned_jobs(result)
    assert "participants.csv: register not found" in planned_jobs(result)

    edited = shutil.copytree(workdir / "data/demo", workdir / "data/edited")
    register = edited / "participants.csv"
    stamp = register.stat()
    register.write_text(
        register.read_text(encoding="utf-8").replace("baseline;followup", "baseline", 1),
        encoding="utf-8",
    )
    os.utime(register, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # older than every output
    result = dry_run(
        workdir, target, "--config", "dataset=data/edited", "--rerun-triggers", "mtime"
    )
    assert result.returncode == 0, planned_jobs(result)
    assert "rule validate_registers:" in result.stdout, result.stdout
    assert "rule clean_batch:" in result.stdout


# ------------------------------------------------- items 3, 8, 9: a full build of a messy folder


@pytest.fixture(scope="module")
def messy_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("messy")
    workdir = copy_workflow(root / "wf", messy_dataset(root / "messy"))
    run_snakemake(workdir)
    return workdir


@pytest.mark.e2e
def test_skipped_files_are_in_provenance_and_the_audit_appendix(messy_build: Path) -> None:
    provenance = json.loads((messy_build / "results/provenance.json").read_text())
    skipped = {e["file"] for e in provenance["dataset_files"] if e["action"] == "skipped"}
    assert skipped == set(NOT_EXPORTS)
    html = (messy_build / "reports/evaluation_report.html").read_text(encoding="utf-8")
    assert "coded/~$observation_fieldnotes.xlsx</span>: skipped, Office lock file" in html
    quality = pd.read_csv(messy_build / "results/data_quality.csv")
    wave3 = quality.set_index("batch").loc["wave3/interviews"]
    assert (wave3["source_rows"], wave3["rows_in"], wave3["quarantined"]) == (4, 4, 1)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.e2e
def test_no_result_cell_would_run_as_a_spreadsheet_formula(messy_build: Path) -> None:
    cells = {}
    for path in sorted((messy_build / "results").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                for cell in row:
                    cells.setdefault(cell, path.name)
    # a negative number (an alpha of -0.039, a confidence gap of -1) is read as a number, not run
    running = {
        cell: name
        for cell, name in cells.items()
        if cell.startswith(FORMULA_TRIGGERS) and not _is_number(cell)
    }
    assert not running, running
    assert cells.get("'" + FORMULA_IDS[0]) == "quarantine.csv"  # the quarantined id, neutralised
    # id lists led by one of the wave3 ids ('+' and '-' sort before digits and letters)
    assert any(cell.startswith(("'+1 wave3;", "'-2 wave3;")) for cell in cells)


@pytest.mark.e2e
def test_terminal_escapes_reach_no_output(messy_build: Path) -> None:
    outputs = [
        *(messy_build / "results").rglob("*.csv"),
        messy_build / "reports/evaluation_report.html",
    ]
    for path in outputs:
        assert "\x1b" not in path.read_text(encoding="utf-8"), path
    summary = pd.read_csv(messy_build / "results/cmoc_summary.csv", dtype=str)
    cmoc = summary.loc[summary["excerpt_ids"].str.contains("-2 wave3", regex=False), "cmoc_id"]
    trace = subprocess.run(
        [
            sys.executable,
            "-m",
            "realist_report.audit.trace",
            cmoc.iloc[0],
            "--workdir",
            str(messy_build),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "-2 wave3" in trace.stdout
    assert not any(c in trace.stdout for c in "\x1b\x07\x08"), trace.stdout


# ---------------------------------------------------------------- item 10: an interrupted build


def verify(workdir: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "realist_report.audit.verify", "--workdir", str(workdir)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.e2e
def test_a_killed_build_is_reported_as_mixed_until_rebuilt(messy_build: Path, tmp_path) -> None:
    workdir = tmp_path / "wf"
    shutil.copytree(messy_build, workdir, symlinks=True)
    assert verify(workdir).returncode == 0, verify(workdir).stdout
    # a new batch (its own sources: a copy of a batch is refused as a re-export): results
    # change, then kill the build while the PDF renders
    shutil.copy(workdir / "data/demo/coded/wave3/interviews.csv", workdir / "data/demo/coded/x.csv")
    (workdir / "data/demo/coded/x.csv").write_text(
        (workdir / "data/demo/coded/x.csv")
        .read_text(encoding="utf-8")
        .replace("wave3", "x")
        .replace("-W3", "-X"),
        encoding="utf-8",
    )
    pdf_log = workdir / "logs/render_report_pdf/report.log"
    before = pdf_log.stat().st_mtime_ns
    build = subprocess.Popen(
        [SNAKEMAKE, "--cores", "2", "--directory", str(workdir)],
        cwd=workdir,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    # Snakemake removes a job's old log as the job starts, and the script writes a new one
    while build.poll() is None and pdf_log.is_file() and pdf_log.stat().st_mtime_ns == before:
        time.sleep(0.05)
    assert build.poll() is None, "the build ended before the PDF step started"
    os.killpg(build.pid, signal.SIGKILL)
    build.wait()
    check = verify(workdir)
    assert check.returncode == 1
    assert "results/cmoc_summary.csv: differs from" in check.stdout, check.stdout
    assert "interrupted" in check.stdout and "--unlock" in check.stdout
    run_snakemake(workdir, "--unlock")
    run_snakemake(workdir)
    assert verify(workdir).returncode == 0, verify(workdir).stdout


# ---------------------------------------------------------------- item 5: one project, two names


def test_a_refi_project_exported_twice_is_refused_naming_both_batches(
    definitions, registers
) -> None:
    """Different bytes (a re-export) pass the checksum check; the shared GUIDs do not."""
    from realist_report.analysis.clean import clean_batch
    from realist_report.analysis.evidence import check_batches_distinct
    from realist_report.core.errors import InputFileError
    from realist_report.ingest.batch import ingest_batch
    from realist_report.ingest.formats import load_ingest_options

    options = load_ingest_options(DEMO.parent.parent / "config" / "formats.yaml")
    sites, participants = registers
    project = DEMO / "coded" / "baseline_link_workers.qdpx"
    clean = [
        clean_batch(ingest_batch(project, batch, options), participants, sites, definitions).clean
        for batch in ("baseline_link_workers", "link_workers_reexport")
    ]
    check_batches_distinct(clean[0])  # one batch: selections coded with several codes are fine
    with pytest.raises(InputFileError, match="same .* REFI-QDA selections") as caught:
        check_batches_distinct(pd.concat(clean, ignore_index=True))
    assert "'baseline_link_workers', 'link_workers_reexport'" in str(caught.value)
    # a table export's own row ids may repeat across batches (ATLAS.ti '1:1' in two projects)
    tables = pd.DataFrame({"excerpt_id": ["1:1|Code", "1:1|Code"], "batch": ["a", "b"]})
    check_batches_distinct(tables)
