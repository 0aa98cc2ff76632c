"""A real QDA tool's .qdpx builds a report; a bad file or on_invalid: fail stops the build cleanly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, copy_workflow, pdf_text, run_snakemake

REAL = REPO / "tests" / "data" / "real_qdpx_dataset"
BAD_TABLE = REPO / "tests" / "bad_inputs" / "tables" / "unbalanced_quote.csv"
PDF = Path("reports") / "evaluation_report.pdf"

pytestmark = [pytest.mark.e2e]


def workflow_for_real_dataset(tmp_path: Path, dataset: Path = REAL) -> tuple[Path, list[str]]:
    """A workflow copy whose formats.yaml carries the project's `qdpx` section, and its --config."""
    workdir = copy_workflow(tmp_path / "workflow")
    formats_path = workdir / "config" / "formats.yaml"
    formats = yaml.safe_load(formats_path.read_text(encoding="utf-8"))
    formats["qdpx"] = yaml.safe_load(
        (dataset / "config" / "formats_qdpx.yaml").read_text(encoding="utf-8")
    )["qdpx"]
    formats_path.write_text(yaml.safe_dump(formats, allow_unicode=True), encoding="utf-8")
    config = [
        "--config",
        f"dataset={dataset}",
        f"codebook={dataset / 'config' / 'codebook.yaml'}",
        f"cmocs={dataset / 'config' / 'cmocs.yaml'}",
    ]
    return workdir, config


def log_text(workdir: Path, rule: str) -> str:
    """All of one rule's logs, joined."""
    return "\n".join(p.read_text(encoding="utf-8") for p in (workdir / "logs" / rule).glob("*.log"))


@pytest.mark.skipif(not (REAL / "coded").is_dir(), reason="real .qdpx data set missing")
def test_atlasti_sample_project_builds_a_report(tmp_path: Path) -> None:
    workdir, config = workflow_for_real_dataset(tmp_path)
    run_snakemake(workdir, *config)
    pdf = workdir / PDF
    assert pdf.is_file() and pdf.stat().st_size > 10_000
    text = pdf_text(pdf)
    assert "SKY-N" in text and "SKY-S" in text
    quality = (workdir / "results" / "data_quality.csv").read_text(encoding="utf-8")
    assert "skyloom_TestProject" in quality
    quarantine = (workdir / "results" / "quarantine.csv").read_text(encoding="utf-8")
    assert "empty_text" in quarantine  # the PDF region coded without any text


def test_a_broken_export_stops_the_build_with_one_clear_message(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    shutil.copytree(REAL, dataset)
    shutil.copy2(BAD_TABLE, dataset / "coded" / "broken_batch.csv")
    workdir, config = workflow_for_real_dataset(tmp_path, dataset)
    result = run_snakemake(workdir, *config, check=False)
    assert result.returncode != 0
    log = log_text(workdir, "ingest_batch")
    assert log.count("unbalanced double quote") == 1
    assert "broken_batch.csv" in log and "Traceback" not in log
    assert "Traceback" not in result.stderr
    assert not (workdir / "data" / "interim" / "ingested" / "broken_batch.parquet").exists()
    assert not (workdir / PDF).exists()


def test_on_invalid_fail_turns_a_quarantine_into_a_stop(tmp_path: Path) -> None:
    workdir, config = workflow_for_real_dataset(tmp_path)
    override = tmp_path / "fail.yaml"
    override.write_text("cleaning:\n  on_invalid: fail\n", encoding="utf-8")
    result = run_snakemake(workdir, "--configfile", str(override), *config, check=False)
    assert result.returncode != 0
    log = log_text(workdir, "clean_batch")
    assert log.count("on_invalid is 'fail'") == 1 and "empty_text" in log
    assert "Traceback" not in log and "Traceback" not in result.stderr
    assert not (workdir / "data" / "interim" / "clean" / "skyloom_TestProject.parquet").exists()
    assert not (workdir / PDF).exists()
