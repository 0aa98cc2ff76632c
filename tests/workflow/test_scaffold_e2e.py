"""make new-study on two real exports: unfilled, the build stops with one listing; filled in as a
team would (roles, sites, design, C/M/O codes, one CMOC), it builds a report with --configfile."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REAL_EXPORTS, copy_workflow, pdf_text, run_snakemake
from realist_report.study_setup.scaffold import scaffold_study

# real exports from tests/data/exports (SOURCES.md there): Taguette, and the NVivo 12.6 project
TAGUETTE = REAL_EXPORTS / "taguette_serdif" / "all_tags_20220303.csv"
NVIVO = REAL_EXPORTS / "nvivo_oltas" / "oltas.qdpx"
ROLE = {"id": "participant", "label": "Participant", "plural": "participants", "staff": False}

pytestmark = [pytest.mark.e2e]


def edit_yaml(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")


def fill_registers(study: Path, ids: list[str], sites: list[str]) -> None:
    """The team's register edits: sites listed, every participant given a site and the role."""
    (study / "data" / "sites.csv").write_text("site_id\n" + "\n".join(sites) + "\n", "utf-8")
    path = study / "data" / "participants.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    for n, (row, pid) in enumerate(zip(rows, ids, strict=True)):
        row.update(participant_id=pid, site_id=sites[n % len(sites)], role=ROLE["id"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def fill_theory(study: Path, parts: dict[str, str]) -> dict[str, list[str]]:
    """Codes under each given path get a C/M/O role; one CMOC joins them. Returns its parts."""
    ids: dict[str, list[str]] = {role: [] for role in parts}

    def place(codebook: dict) -> None:
        for code in codebook["codes"]:
            for role, prefix in parts.items():
                if code["path"] == prefix or code["path"].startswith(f"{prefix}::"):
                    code["role"], code["area"] = role, "unassigned"
                    ids[role].append(code["id"])

    edit_yaml(study / "codebook.yaml", place)
    cmoc = {"id": "CMOC01", "area": "unassigned", "title": "A first configuration", **ids}
    cmoc["narrative"] = {"if": "the context holds", "then": "the outcome", "because": "why"}
    (study / "cmocs.yaml").write_text(yaml.safe_dump({"cmocs": [cmoc]}), encoding="utf-8")
    edit_yaml(study / "config.yaml", lambda c: c["design"].update(roles=[ROLE]))
    return ids


def build(tmp_path: Path, study: Path, check: bool = True):
    workdir = copy_workflow(tmp_path / "workflow")
    return workdir, run_snakemake(workdir, "--configfile", str(study / "config.yaml"), check=check)


def test_an_unfilled_scaffold_stops_with_one_listing_and_no_traceback(tmp_path: Path) -> None:
    study = tmp_path / "serdif"
    scaffold_study(study, TAGUETTE)
    workdir, result = build(tmp_path, study, check=False)
    assert result.returncode != 0
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors == ["ERROR: the study is not filled in yet; fill these, then build again:"]
    listed = [line for line in result.stderr.splitlines() if line.startswith("  - ")]
    assert len(listed) == 6 and "design.roles is empty" in listed[0]
    assert "Traceback" not in result.stderr + result.stdout
    assert not (workdir / "data" / "interim").exists()  # stopped before any job


def taguette_documents_with_all(tags: dict[str, str]) -> set[str]:
    """Ground truth from the export itself: documents holding a highlight of every tag."""
    table = pd.read_csv(TAGUETTE, dtype=str)
    has = table.groupby("document")["tag"].agg(set)
    return {doc for doc, found in has.items() if set(tags.values()) <= found}


def test_a_filled_taguette_scaffold_builds_a_report(tmp_path: Path) -> None:
    study = tmp_path / "serdif"
    scaffold_study(study, TAGUETTE)
    ids = [f"P{n}" for n in range(1, 18)]  # as proposed from the document names
    fill_registers(study, ids, ["S1", "S2", "S3"])
    tags = {
        "context": "Task sequence complex",
        "mechanism": "Moderator assist",
        "outcome": "Overall positive experience",
    }
    fill_theory(study, tags)
    workdir, _ = build(tmp_path, study)
    summary = pd.read_csv(workdir / "results" / "cmoc_summary.csv").set_index("cmoc_id")
    expected = taguette_documents_with_all(tags)
    assert len(expected) >= 2
    assert summary.loc["CMOC01", "participants"] == len(expected)  # one document per person
    quarantine = pd.read_csv(workdir / "results" / "quarantine.csv")
    assert "unknown_participant" not in set(quarantine["reason"])
    text = pdf_text(workdir / "reports" / "evaluation_report.pdf")
    assert "Not yet written" in text and "link worker" not in text.casefold()


def test_a_filled_nvivo_scaffold_builds_a_report(tmp_path: Path) -> None:
    study = tmp_path / "oltas"
    scaffold_study(study, NVIVO)
    fill_registers(study, ["YT-01"], ["YT"])
    # one participant (the comment thread): the team says so in the study's formats.yaml
    edit_yaml(
        study / "formats.yaml", lambda f: f["qdpx"]["defaults"].update(participant_id="YT-01")
    )
    edit_yaml(study / "config.yaml", lambda c: c["linking"].update(window="source"))
    fill_theory(
        study,
        {
            "context": "7. Oltás típusa",
            "mechanism": "4. Perceived Barriers – Észlelt akadályok",
            "outcome": "10. Értékek",
        },
    )
    workdir, _ = build(tmp_path, study)
    summary = pd.read_csv(workdir / "results" / "cmoc_summary.csv").set_index("cmoc_id")
    assert summary.loc["CMOC01", "participants"] == 1 and summary.loc["CMOC01", "sites"] == 1
    quality = pd.read_csv(workdir / "results" / "data_quality.csv").set_index("batch")
    assert quality.loc["oltas", "rows_in"] == 97
    assert (workdir / "reports" / "evaluation_report.pdf").stat().st_size > 10_000
