"""The data-set manifest on its own (no Snakemake): how files under coded/ are classified."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import DEMO, REAL_EXPORTS
from realist_report.ingest.batch import SUPPORTED_SUFFIXES
from realist_report.ingest.dataset import PROJECT_SOURCE, prepare_dataset, scan_dataset

ORNIO = REAL_EXPORTS / "ornio_hand_authored"


def dataset_with_bare_project(target: Path) -> Path:
    """The demo registers and one real bare REFI-QDA project with its sources/ folder."""
    target.mkdir()
    for register in ("sites.csv", "participants.csv"):
        shutil.copy(DEMO / register, target / register)
    shutil.copytree(ORNIO, target / "coded" / "ornio", ignore=shutil.ignore_patterns("LICENSE*"))
    return target


def test_a_bare_projects_text_files_belong_to_its_batch_not_batches_of_their_own(
    tmp_path: Path,
) -> None:
    dataset = dataset_with_bare_project(tmp_path / "dataset")
    manifest = scan_dataset(dataset, SUPPORTED_SUFFIXES)
    assert manifest.problems == []
    assert list(manifest.batches) == ["ornio/project"]
    sources = [e for e in manifest.files if e["file"].startswith("coded/ornio/sources/")]
    assert sources and all(e["action"] == PROJECT_SOURCE for e in sources)
    assert all(e["project"] == "coded/ornio/project.qde" for e in sources)


def test_editing_a_bare_projects_source_text_changes_its_batch_fingerprint(
    tmp_path: Path,
) -> None:
    dataset = dataset_with_bare_project(tmp_path / "dataset")
    _, paths = prepare_dataset(dataset, SUPPORTED_SUFFIXES, tmp_path / "manifest")
    fingerprint = paths["batch:ornio/project"]
    before = json.loads(fingerprint.read_text())
    assert len(before["sources"]) == 1
    text = next((dataset / "coded" / "ornio" / "sources").iterdir())
    text.write_text(text.read_text() + " edited", encoding="utf-8")
    prepare_dataset(dataset, SUPPORTED_SUFFIXES, tmp_path / "manifest")
    after = json.loads(fingerprint.read_text())
    assert after["sha256"] == before["sha256"]  # the .qde itself is unchanged
    assert after["sources"] != before["sources"]


def test_a_sources_folder_without_a_project_beside_it_is_read_as_batches(tmp_path: Path) -> None:
    dataset = dataset_with_bare_project(tmp_path / "dataset")
    (dataset / "coded" / "ornio" / "project.qde").rename(dataset / "coded" / "project.qde")
    manifest = scan_dataset(dataset, SUPPORTED_SUFFIXES)
    assert "ornio/sources/11111111-1111-1111-1111-111111111111" in manifest.batches
