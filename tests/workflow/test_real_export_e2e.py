"""A real QDA tool's .qdpx builds a report; a bad file or on_invalid: fail stops the build cleanly."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REAL_EXPORTS, REPO, copy_workflow, pdf_text, run_snakemake
from realist_report.ingest.positions import on_word_boundary

REAL = REPO / "tests" / "data" / "real_qdpx_dataset"
BAD_TABLE = REPO / "tests" / "bad_inputs" / "tables" / "unbalanced_quote.csv"
PDF = Path("reports") / "evaluation_report.pdf"

pytestmark = [pytest.mark.e2e]


def workflow_for_real_dataset(tmp_path: Path, dataset: Path = REAL) -> tuple[Path, list[str]]:
    """A workflow copy whose formats.yaml carries the project's `qdpx` section, and its --config.

    The demo's authored prose for its areas and CMOCs, and the sections that name its CMOCs, is
    removed: this project has its own (prose naming a CMOC the definitions do not know stops
    the build)."""
    workdir = copy_workflow(tmp_path / "workflow")
    for part in ("areas", "cmocs"):
        shutil.rmtree(workdir / "report" / "narrative" / part)
    for section in (workdir / "report" / "narrative" / "sections").glob("*.md"):
        if "{{ cmoc." in section.read_text(encoding="utf-8"):  # the demo's CMOCs, by id
            section.unlink()
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


@pytest.mark.e2e
def test_nvivo_project_and_bare_qde_added_to_the_data_set_still_give_a_report(
    tmp_path: Path,
) -> None:
    """Real NVivo 12.6 and f4analyse exports dropped into coded/ are read, accounted, reported."""
    dataset = tmp_path / "dataset"
    shutil.copytree(REAL, dataset)
    shutil.copy2(REAL_EXPORTS / "nvivo_oltas" / "oltas0517.qdpx", dataset / "coded")
    shutil.copy2(REAL_EXPORTS / "f4analyse_bare_qde" / "project.qde", dataset / "coded" / "f4.qde")
    workdir, config = workflow_for_real_dataset(tmp_path, dataset)
    run_snakemake(workdir, *config)
    assert (workdir / PDF).stat().st_size > 10_000
    quality = pd.read_csv(workdir / "results" / "data_quality.csv").set_index("batch")
    assert quality.loc["oltas0517", "rows_in"] == 303 and quality.loc["f4", "rows_in"] == 2
    quarantine = pd.read_csv(workdir / "results" / "quarantine.csv")
    assert set(quarantine.loc[quarantine["batch"] == "f4", "reason"]) == {"source_text_missing"}
    # the NVivo codes are not in this study's codebook: quarantined by code, never by offsets
    assert set(quarantine.loc[quarantine["batch"] == "oltas0517", "reason"]) == {"unknown_code"}
    log = log_text(workdir, "ingest_batch")
    assert "oltas0517.qdpx: positions read as utf16" in log


def _nvivo_study(tmp_path: Path) -> tuple[Path, list[str]]:
    """A data set of the real NVivo 12.6 project, its codebook started by `codebook init`.

    The team's edit is played by the test: three of the project's code folders are given the
    context, mechanism and outcome roles and one CMOC joins them within a source.
    """
    from realist_report.study_setup.codebook_skeleton import init_codebook

    dataset = tmp_path / "nvivo_study"
    (dataset / "coded").mkdir(parents=True)
    (dataset / "config").mkdir()
    shutil.copy2(REAL_EXPORTS / "nvivo_oltas" / "oltas0517.qdpx", dataset / "coded")
    (dataset / "sites.csv").write_text(
        "site_id,region,employer_type,setting,team_model,observation_hours\n"
        "YT,Online,VCSE organisation,Online,Team of link workers,0\n",
        encoding="utf-8",
    )
    (dataset / "participants.csv").write_text(
        "participant_id,site_id,role,waves,staff_group,age_band,gender,ethnicity,"
        "long_term_condition\nYT-01,YT,patient,baseline,,,,,\n",
        encoding="utf-8",
    )
    codebook_path = dataset / "config" / "codebook.yaml"
    init_codebook(dataset / "coded" / "oltas0517.qdpx", codebook_path)
    codebook = yaml.safe_load(codebook_path.read_text(encoding="utf-8"))
    folders = {  # code folders that overlap in the coders' selections
        "context": "Attituderoots::7. Fear and phobias",
        "mechanism": "Attituderoots::8. Distorted risk perception",
        "outcome": "Attituderoots::3. Unwarranted beliefs",
    }
    parts: dict[str, list[str]] = {role: [] for role in folders}
    for code in codebook["codes"]:
        for role, prefix in folders.items():
            if code["path"] == prefix or code["path"].startswith(f"{prefix}::"):
                code["role"], code["area"] = role, "unassigned"
                parts[role].append(code["id"])
    codebook_path.write_text(yaml.safe_dump(codebook, allow_unicode=True), encoding="utf-8")
    cmoc = {
        "id": "CMOC01",
        "area": "unassigned",
        "title": "Fear of vaccines, through distorted risk perception, feeds unwarranted beliefs",
        **parts,
        "narrative": {
            "if": "commenters fear vaccination",
            "then": "they hold unwarranted beliefs about vaccines",
            "because": "their perception of risk is distorted",
        },
    }
    (dataset / "config" / "cmocs.yaml").write_text(
        yaml.safe_dump({"cmocs": [cmoc]}, allow_unicode=True), encoding="utf-8"
    )
    defaults = {"source_type": "document", "participant_id": "YT-01", "site_id": "YT"}
    qdpx = {"qdpx": {"defaults": {**defaults, "wave": "baseline"}}}
    (dataset / "config" / "formats_qdpx.yaml").write_text(yaml.safe_dump(qdpx), encoding="utf-8")
    linking = tmp_path / "linking.yaml"
    linking.write_text("linking:\n  window: overlap\n  count_partial: true\n", encoding="utf-8")
    workdir, config = workflow_for_real_dataset(tmp_path, dataset)
    return workdir, ["--configfile", str(linking), *config]


@pytest.mark.e2e
def test_a_real_nvivo_project_with_its_own_codebook_gives_a_report_with_whole_word_quotes(
    tmp_path: Path,
) -> None:
    """NVivo export -> codebook init -> report: its excerpts are the evidence, quotes cut right."""
    workdir, config = _nvivo_study(tmp_path)
    run_snakemake(workdir, *config)
    assert (workdir / PDF).stat().st_size > 10_000
    quality = pd.read_csv(workdir / "results" / "data_quality.csv").set_index("batch")
    assert quality.loc["oltas0517", "rows_in"] == 303
    assert quality.loc["oltas0517", "quarantined"] == 0
    summary = pd.read_csv(workdir / "results" / "cmoc_summary.csv").set_index("cmoc_id")
    assert summary.loc["CMOC01", "excerpts"] >= 1
    quotes = pd.read_csv(workdir / "results" / "exemplar_quotes.csv")
    assert len(quotes) >= 1
    clean = pd.read_parquet(workdir / "data" / "interim" / "clean" / "oltas0517.parquet")
    clean = clean.set_index("excerpt_id")
    with zipfile.ZipFile(REAL_EXPORTS / "nvivo_oltas" / "oltas0517.qdpx") as archive:
        sources = [
            archive.read(n).decode("utf-8-sig") for n in archive.namelist() if n.endswith(".txt")
        ]
    pdf = " ".join(pdf_text(workdir / PDF).split())
    for quote in quotes.itertuples():
        excerpt = clean.loc[quote.excerpt_ids.split(";")[0]]
        start, end = int(excerpt["start"]), int(excerpt["end"])
        source = next(t for t in sources if t[start:end] == excerpt["text"])
        assert on_word_boundary(source, start) and on_word_boundary(source, end)
        opening = " ".join(str(quote.text).split())[:25]
        assert opening in " ".join(excerpt["text"].split())
        assert opening[:15] in pdf


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
