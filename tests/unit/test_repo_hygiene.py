"""Repository hygiene: no study data and no personal identifier is ever tracked by git.

Real exports live under data/raw/ (git-ignored); only the synthetic demo (data/demo/) and test
fixtures (tests/) may hold study-shaped files. Every tracked text file, and the text inside
tracked workbooks and REFI-QDA projects, is screened with the report's own identifier rules
(plus the local private name list when one exists); fixtures that plant identifiers on purpose
are listed below by path, so a new one is a deliberate, reviewed exception.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from realist_report.privacy.redact import find_identifiers, load_name_list

REPO = Path(__file__).resolve().parents[2]

# Files that contain invented identifiers on purpose, to test the privacy screen itself.
PLANTED_ON_PURPOSE = frozenset(
    {
        "tests/data/privacy_corpus.csv",  # the labelled detection corpus
        "tests/unit/test_privacy.py",  # unit tests of detection, redaction and the gate
        "tests/workflow/test_privacy_pipeline.py",  # end-to-end planting of identifiers
        "tests/workflow/test_audit.py",  # trace must redact a phone number
        "tests/benchmarks/bench_privacy.py",  # adversarial excerpts full of identifiers
        "tests/workflow/test_office.py",  # the Word edition's screen must refuse a phone and an e-mail
        "tests/unit/test_evidence.py",  # a pinned quote is printed redacted (a listed name planted)
        "workflow/realist_demo/generator.py",  # a demo memo names a GP and her phone (issue 16)
        "data/demo/coded/baseline_link_workers.qdpx",  # ... written into the demo's project
        "tests/unit/test_memos.py",  # memo redaction on a hand-written project
        "tests/unit/test_qdpx_screen.py",  # REFI-QDA metadata naming a person must be screened
        # the detection rules' comments show the spellings they catch (a lower-case titled name, a
        # lower-case NI number), so the rules and their examples are read together
        "workflow/realist_report/privacy/redact.py",
        "tests/workflow/test_docx_import.py",  # a co-author's phone must not be imported
        # a CSL project style: CC BY-SA asks its author metadata (a public e-mail) be kept as is
        "workflow/templates/csl/nlm-citation-sequence.csl",
        # real public exports (tests/data/exports/SOURCES.md) whose text looks like one: an air
        # quality reading ("PM10.\n1723,P12...") and a hex run in the workbook's colour theme
        "tests/data/exports/taguette_serdif/all_tags_20220303.csv",
        "tests/data/exports/atlasti_cooccurrence_icsa26/20250914_code_coocurrrence.xlsx",
        # real public exports (same SOURCES.md) whose text holds what the screen catches: public
        # YouTube comments that may name people, OCR'd archive text with titled names ("Mr ..."),
        # authors' e-mail addresses in a study's own fragments and a licence; public upstream data
        # under their licences, kept exactly as the tools wrote them so the readers are tested on them
        "tests/data/exports/atlasti_edgeai_icsa26/20250914_citation_manager.csv",
        "tests/data/exports/atlasti_edgeai_icsa26/fragments_to_codes.csv",
        "tests/data/exports/nvivo_node_export_nireland/J_Denial.txt",
        "tests/data/exports/nvivo_node_export_nireland/J_Intelligence.txt",
        "tests/data/exports/nvivo_oltas/OltasSzkepticizmus_17June.qdpx",
        "tests/data/exports/nvivo_oltas/oltas.qdpx",
        "tests/data/exports/nvivo_oltas/oltas0517.qdpx",
        "tests/data/exports/qc_qualitative_coding/LICENSE-upstream.txt",
        "tests/data/exports/qc_qualitative_coding/demo_qc_export.qdpx",
    }
)
# Where study-shaped files may be tracked: the synthetic demo and test fixtures.
STUDY_DATA_ALLOWED = ("data/demo/", "tests/")
REGISTER_NAMES = frozenset({"participants.csv", "sites.csv", "participants.xlsx", "sites.xlsx"})
# QDA project files: REFI-QDA, NVivo, MAXQDA, ATLAS.ti, QDA Miner, Dedoose/QualCoder databases.
PROJECT_SUFFIXES = (
    ".qdpx",
    ".qdc",
    ".nvp",
    ".nvpx",
    ".mx",
    ".atlproj",
    ".hpr7",
    ".qdpx.zip",
    ".qda",
)
ZIPPED_TEXT_SUFFIXES = frozenset({".xlsx", ".qdpx", ".docx"})
MAX_MEMBER_BYTES = 5_000_000


def tracked_files() -> list[str]:
    """Paths git tracks (and that exist in the working tree), relative to the repository."""
    result = subprocess.run(
        ["git", "-C", str(REPO), "ls-files", "-z"], capture_output=True, check=True
    )
    paths = [p for p in result.stdout.decode("utf-8").split("\0") if p]
    return [p for p in paths if (REPO / p).is_file()]


def is_project_file(name: str) -> bool:
    """A QDA project file by its suffix (.mx24, .mx22 ... count as MAXQDA)."""
    lower = name.lower()
    suffix = PurePosixPath(lower).suffix
    return lower.endswith(PROJECT_SUFFIXES) or (suffix.startswith(".mx") and suffix[3:].isdigit())


def study_data_problem(path: str) -> str | None:
    """Why a tracked path looks like real study data, or None if it is fine where it is."""
    if path.startswith("data/raw/"):
        return None if path == "data/raw/README.md" else "file under data/raw/ (real exports)"
    if path.startswith("data/") and not path.startswith("data/demo/"):
        return "data file outside data/demo/"
    if path.startswith(STUDY_DATA_ALLOWED):
        return None
    parts = PurePosixPath(path).parts
    if parts[-1].lower() in REGISTER_NAMES:
        return "participant or site register"
    if is_project_file(parts[-1]):
        return "QDA project file"
    if "coded" in parts[:-1]:
        return "coded export batch"
    if path.startswith(("config/private", "reports/")) and path != "reports/README.md":
        return "private config or built report"
    return None


def texts_of(path: Path) -> list[tuple[str, str]]:
    """(where, text) pairs: a text file itself, or each text member of a workbook or project."""
    data = path.read_bytes()
    if path.suffix.lower() in ZIPPED_TEXT_SUFFIXES and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return [
                (f"{path.name}:{m.filename}", archive.read(m).decode("utf-8", "replace"))
                for m in archive.infolist()
                if not m.is_dir() and m.file_size <= MAX_MEMBER_BYTES
            ]
    if b"\0" in data[:8192]:
        return []
    return [(path.name, data.decode("utf-8", "replace"))]


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("data/raw/site3_export.csv", "file under data/raw/ (real exports)"),
        ("data/raw/README.md", None),
        ("data/interim/clean/b.parquet", "data file outside data/demo/"),
        ("data/demo/participants.csv", None),
        ("tests/data/exports/nvivo_coding_summary.xlsx", None),
        ("exports/participants.csv", "participant or site register"),
        ("backup/Study.nvpx", "QDA project file"),
        ("backup/Study.mx24", "QDA project file"),
        ("share/coded/followup.xlsx", "coded export batch"),
        ("config/private_names.txt", "private config or built report"),
        ("reports/evaluation_report.pdf", "private config or built report"),
        ("workflow/realist_report/privacy/redact.py", None),
    ],
)
def test_study_data_rule(path: str, problem: str | None) -> None:
    assert study_data_problem(path) == problem


def test_no_study_data_is_tracked() -> None:
    found = {p: why for p in tracked_files() if (why := study_data_problem(p))}
    assert found == {}, "tracked files that look like study data: " + repr(found)


@pytest.mark.parametrize(
    "path",
    [
        "data/raw/site3_export.csv",
        "data/raw/project/Study.qdpx",
        "config/private_names.txt",
        "config/private/names.csv",
        "data/interim/clean/b.parquet",
        "results/exemplar_quotes.csv",
        "reports/evaluation_report.pdf",
        "logs/redact_batch/b.log",
        "archive/abc/snapshot.json",
    ],
)
def test_real_data_paths_are_ignored(path: str) -> None:
    result = subprocess.run(
        ["git", "-C", str(REPO), "check-ignore", "--no-index", "-q", path], check=False
    )
    assert result.returncode == 0, f"{path} is not git-ignored"


def test_readmes_that_keep_ignored_folders_are_not_ignored() -> None:
    for path in ("data/raw/README.md", "reports/README.md"):
        result = subprocess.run(
            ["git", "-C", str(REPO), "check-ignore", "--no-index", "-q", path], check=False
        )
        assert result.returncode == 1, f"{path} should be tracked"


def test_no_tracked_file_holds_an_identifier() -> None:
    names = load_name_list(REPO / "config" / "private_names.txt")
    found = {}
    for path in tracked_files():
        if path in PLANTED_ON_PURPOSE:
            continue
        for where, text in texts_of(REPO / path):
            kinds = sorted({hit.kind for hit in find_identifiers(text, names)})
            if kinds:
                found[f"{path} ({where})"] = kinds  # kinds only: never echo a value
    assert found == {}, "possible identifiers in tracked files: " + repr(found)


def test_exceptions_are_still_needed() -> None:
    """An exception whose file no longer plants anything must be dropped from the list."""
    tracked = set(tracked_files())
    for path in PLANTED_ON_PURPOSE:
        if path not in tracked:
            continue
        texts = [text for _, text in texts_of(REPO / path)]  # a zip's members too (the demo .qdpx)
        assert any(map(find_identifiers, texts)), (
            f"{path} plants no identifier: remove its exception"
        )
