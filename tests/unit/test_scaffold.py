"""make new-study: the study folder from two real exports, and what a fresh one must still fill."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import yaml
from conftest import REAL_EXPORTS, REPO
from realist_report.core.errors import PipelineError
from realist_report.study_setup.scaffold import (
    ExportContents,
    id_pattern,
    main,
    propose_participants,
    scaffold_study,
    unfilled_items,
    unfilled_message,
)

# real exports from tests/data/exports (SOURCES.md there): Taguette, and the NVivo 12.6 project
TAGUETTE = REAL_EXPORTS / "taguette_serdif" / "all_tags_20220303.csv"
NVIVO = REAL_EXPORTS / "nvivo_oltas" / "oltas.qdpx"
DESIGN_KEYS = {"site_label", "roles", "waves", "source_types", "followed_roles"}


def register(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def taguette_documents() -> list[str]:
    with TAGUETTE.open(encoding="utf-8", newline="") as handle:
        return sorted({row["document"] for row in csv.DictReader(handle)})


def test_taguette_scaffold_lists_every_document_with_an_id_from_its_name(tmp_path: Path) -> None:
    study = tmp_path / "serdif"
    scaffold_study(study, TAGUETTE)
    rows = register(study / "data" / "participants.csv")
    assert sorted(d for row in rows for d in row["documents"].split(";")) == taguette_documents()
    assert [row["participant_id"] for row in rows] == [f"P{n}" for n in range(1, 18)]
    for row in rows:  # the id is the document's own prefix, role and site left to fill
        assert row["documents"].startswith(f"{row['participant_id']}_")
        assert (row["site_id"], row["role"], row["waves"]) == ("", "", "baseline")
    config = yaml.safe_load((study / "config.yaml").read_text(encoding="utf-8"))
    assert set(config["design"]) == DESIGN_KEYS and config["design"]["roles"] == []
    assert config["dataset"] == f"{study.as_posix()}/data"
    assert config["linking"]["window"] == "source"  # Taguette gives no positions
    assert (study / "data" / "coded" / TAGUETTE.name).read_bytes() == TAGUETTE.read_bytes()
    codebook = yaml.safe_load((study / "codebook.yaml").read_text(encoding="utf-8"))
    assert len(codebook["codes"]) == 22
    formats = yaml.safe_load((study / "formats.yaml").read_text(encoding="utf-8"))
    rules = formats["formats"]["taguette_highlights"]["extract"]
    assert rules == [{"from": "source_id", "pattern": r"^(?P<participant_id>P\d+)(?!\d)"}]
    assert "PAT" not in (study / "formats.yaml").read_text(encoding="utf-8")  # demo naming


def test_nvivo_scaffold_lists_its_source_without_guessing_an_id(tmp_path: Path) -> None:
    study = tmp_path / "oltas"
    scaffold_study(study, NVIVO)
    rows = register(study / "data" / "participants.csv")
    assert [(r["participant_id"], r["documents"]) for r in rows] == [("", "videos_selection")]
    formats = yaml.safe_load((study / "formats.yaml").read_text(encoding="utf-8"))
    assert formats["qdpx"]["extract"] == []
    assert formats["qdpx"]["defaults"] == {"wave": "baseline", "source_type": "document"}
    config = yaml.safe_load((study / "config.yaml").read_text(encoding="utf-8"))
    assert config["linking"]["window"] == "segment"  # NVivo gives positions
    assert len(yaml.safe_load((study / "codebook.yaml").read_text("utf-8"))["codes"]) == 60


def test_a_fresh_scaffold_lists_everything_to_fill_and_nothing_once_filled(tmp_path: Path) -> None:
    study = tmp_path / "oltas"
    scaffold_study(study, NVIVO)
    config = yaml.safe_load((study / "config.yaml").read_text(encoding="utf-8"))
    items = unfilled_items(config, "config.yaml")
    assert len(items) == 7, items
    message = unfilled_message(items)
    for expected in [
        "config.yaml: design.roles is empty",
        "sites.csv: no site yet",
        "participants.csv: column 'participant_id' is blank in 1 of 1 rows (row 2)",
        "participants.csv: column 'site_id' is blank in 1 of 1 rows (row 2)",
        "participants.csv: column 'role' is blank",
        "codebook.yaml: no code has the role context, mechanism or outcome",
        "cmocs.yaml: no CMOC yet",
    ]:
        assert expected in message
    config["design"]["roles"] = [{"id": "commenter", "label": "Commenter", "plural": "commenters"}]
    (study / "data" / "sites.csv").write_text("site_id\nYT\n", encoding="utf-8")
    (study / "data" / "participants.csv").write_text(
        "participant_id,site_id,role,waves,documents\nYT-01,YT,commenter,baseline,videos\n",
        encoding="utf-8",
    )
    codebook = yaml.safe_load((study / "codebook.yaml").read_text(encoding="utf-8"))
    codebook["codes"][1]["role"] = "context"
    (study / "codebook.yaml").write_text(yaml.safe_dump(codebook), encoding="utf-8")
    (study / "cmocs.yaml").write_text("cmocs: [{id: CMOC01}]\n", encoding="utf-8")
    assert unfilled_items(config) == []


def test_the_demo_study_has_nothing_left_to_fill() -> None:
    config = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))
    assert unfilled_items(config) == []


def test_missing_registers_are_left_to_the_register_checks(tmp_path: Path) -> None:
    config = {"dataset": str(tmp_path), "codebook": "none.yaml", "cmocs": "none.yaml"}
    assert unfilled_items(config) == []


@pytest.mark.parametrize(
    "names",
    [
        ["P1_a.odt"],  # one name: no pattern to see
        ["P1_a.odt", "Q2_b.odt"],  # two prefixes
        ["P1_a.odt", "interview notes"],  # one name without an id
        ["P-1 a", "P2 b"],  # separators differ
    ],
)
def test_no_id_is_proposed_unless_the_names_agree(names: list[str]) -> None:
    assert id_pattern(names) is None
    proposals = propose_participants(ExportContents(names, [], "x", False))
    assert [p.participant_id for p in proposals] == [None] * len(names)


def test_two_waves_of_one_participant_are_one_register_row() -> None:
    names = ["INT-07 baseline", "INT-12 baseline", "INT-07 follow-up"]
    proposals = propose_participants(ExportContents(names, [], "x", False))
    assert [(p.participant_id, p.documents) for p in proposals] == [
        ("INT-07", ("INT-07 baseline", "INT-07 follow-up")),
        ("INT-12", ("INT-12 baseline",)),
    ]


def test_cases_of_a_project_are_its_participants() -> None:
    proposals = propose_participants(ExportContents(["doc a"], ["Case 1", "Case 2"], "qdpx", True))
    assert [p.participant_id for p in proposals] == ["Case 1", "Case 2"]


def test_a_folder_with_the_teams_work_is_refused(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("kept", encoding="utf-8")
    with pytest.raises(PipelineError, match="already holds files"):
        scaffold_study(tmp_path, TAGUETTE)
    assert (tmp_path / "config.yaml").read_text(encoding="utf-8") == "kept"


def test_the_command_prints_the_one_build_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path / "s"), "--export", str(TAGUETTE)]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1].strip() == f"make report CONFIG={tmp_path.as_posix()}/s/config.yaml"
    assert main([str(tmp_path / "s")]) == 1


def test_an_export_without_coded_segments_is_refused_before_anything_is_written(
    tmp_path: Path,
) -> None:
    codebook_table = tmp_path / "codebook.csv"  # Taguette's codebook export: codes, no documents
    codebook_table.write_text("tag,description\nSystem issue,slow\n", encoding="utf-8")
    with pytest.raises(PipelineError, match="unrecognised export format"):
        scaffold_study(tmp_path / "study", codebook_table)
    assert not (tmp_path / "study").exists()
