"""The data-set manifest: every file in the data set folder, its checksum and what was done with it.

Computed from the folder as it is now at the start of every build (when Snakemake reads the
workflow, before any job runs). Each file is a register, a batch, skipped (clearly not an export:
a hidden file, an Office lock file, operating-system metadata), refused (an unreadable type, a
name the workflow cannot use, a byte copy of another batch), or not used (outside coded/).
Refused files and missing registers stop the build with one message naming every such file.
Small fingerprint files under data/interim/manifest/ are rewritten only when their content
changes, and each job takes the one it uses as input, so a table computed from another data set
or another version of a file is never reused.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from realist_report.audit.provenance import sha256_file
from realist_report.core.errors import InputFileError
from realist_report.ingest.readers import UNSUPPORTED_HINTS

REGISTERS = ("sites.csv", "participants.csv")
CODED = "coded"
#: Operating-system and synchronisation files that are never exports (names compared casefolded).
SYSTEM_FILES = {".ds_store", "thumbs.db", "desktop.ini", "ehthumbs.db"}
SYSTEM_FOLDERS = {"__macosx"}
#: Characters a batch name cannot hold: braces are Snakemake wildcards, control characters and
#: backslashes break paths and logs.
UNUSABLE_NAME_CHARACTERS = set("{}\\") | {chr(c) for c in range(32)} | {"\x7f"}

REGISTER, BATCH, SKIPPED, REFUSED, NOT_USED = "register", "batch", "skipped", "refused", "not used"
#: A text file in the sources/ folder beside a bare REFI-QDA project (.qde): read by that
#: project's batch, never as a batch of its own.
PROJECT_SOURCE = "project source"
BARE_PROJECT_SUFFIX = ".qde"


@dataclass
class DatasetManifest:
    """What the data set folder holds and what the build does with each file."""

    dataset: Path
    files: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def batches(self) -> dict[str, Path]:
        """Batch name -> file, for every file read as a batch."""
        return {
            entry["batch"]: self.dataset / entry["file"]
            for entry in self.files
            if entry["action"] == BATCH
        }

    def listing(self) -> list[dict]:
        """The files as provenance records them: relative names, never machine paths."""
        return [dict(entry) for entry in self.files]


def not_an_export(relative: PurePosixPath) -> str | None:
    """Why a file under coded/ is clearly not an export (hidden, lock or system file), else None."""
    for folder in relative.parts[:-1]:
        if folder.startswith("."):
            return f"inside the hidden folder '{folder}'"
        if folder.casefold() in SYSTEM_FOLDERS:
            return f"inside '{folder}' (macOS archive metadata)"
    name = relative.name
    if name.startswith("~$"):
        return "Office lock file (the workbook is open in Excel), not an export"
    if name.casefold() in SYSTEM_FILES:
        return "operating-system metadata file, not an export"
    if name.startswith("."):
        return "hidden file"
    return None


def batch_name(relative: PurePosixPath) -> str:
    """A batch is named by its path under coded/ without the suffix: 'wave3/interviews'."""
    return relative.with_suffix("").as_posix()


def _files(folder: Path) -> list[Path]:
    """Every regular file under a folder, in a stable order (symbolic links to files included)."""
    found = []
    for root, folders, names in os.walk(folder):
        folders.sort()
        found += [Path(root) / name for name in sorted(names)]
    return sorted((p for p in found if p.is_file()), key=lambda p: p.relative_to(folder).as_posix())


def owning_project(relative: PurePosixPath, projects: set[str]) -> str | None:
    """The bare .qde project whose sources/ folder (beside it) holds this file, if any."""
    for index, folder in enumerate(relative.parts[:-1]):
        if folder.casefold() == "sources":
            beside = PurePosixPath(*relative.parts[:index])
            owners = sorted(p for p in projects if PurePosixPath(p).parent == beside)
            if owners:
                return owners[0]
    return None


def _classify(relative: PurePosixPath, readable: set[str], projects: set[str]) -> tuple[str, str]:
    """(action, reason) for one file, before batch-level checks."""
    if relative.parts[0] != CODED:
        if relative.as_posix() in REGISTERS:
            return REGISTER, "register"
        return NOT_USED, "outside coded/ and not a register"
    under = PurePosixPath(*relative.parts[1:])
    skip = not_an_export(under)
    if skip:
        return SKIPPED, skip
    project = owning_project(relative, projects)
    if project:
        return PROJECT_SOURCE, f"text source of the REFI-QDA project {project}"
    suffix = under.suffix.lower()
    if suffix not in readable:
        kind = f"file type '{suffix}'" if suffix else "a file without a suffix"
        return REFUSED, (
            f"{kind} is not one the pipeline reads (readable: {', '.join(sorted(readable))}); "
            "export the batch in a readable format or move the file out of coded/"
            + UNSUPPORTED_HINTS.get(suffix, "")
        )
    bad = sorted(UNUSABLE_NAME_CHARACTERS & set(under.as_posix()))
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return REFUSED, (
            f"the name contains {shown}, which a batch name cannot hold (braces are read as "
            "Snakemake wildcards); rename the file"
        )
    return BATCH, f"read as batch '{batch_name(under)}'"


def scan_dataset(dataset: str | Path, readable: Iterable[str]) -> DatasetManifest:
    """Every file of the data set folder with its SHA-256 and what the build does with it."""
    dataset = Path(dataset)
    manifest = DatasetManifest(dataset)
    if not dataset.is_dir():
        manifest.problems.append(f"{dataset}: the data set folder does not exist")
        return manifest
    readable = {s.lower() for s in readable}
    paths = _files(dataset)
    relatives = [PurePosixPath(path.relative_to(dataset).as_posix()) for path in paths]
    projects = {
        r.as_posix()
        for r in relatives
        if r.parts[0] == CODED and r.suffix.lower() == BARE_PROJECT_SUFFIX
    }
    for path, relative in zip(paths, relatives, strict=True):
        action, reason = _classify(relative, readable, projects)
        entry = {"file": relative.as_posix(), "action": action, "reason": reason}
        try:
            entry |= {"sha256": sha256_file(path), "bytes": path.stat().st_size}
        except OSError as error:
            entry |= {"sha256": None, "bytes": None}
            if action in (BATCH, REGISTER):
                entry |= {"action": REFUSED, "reason": f"cannot be read ({error.strerror})"}
        if entry["action"] == BATCH:
            entry["batch"] = batch_name(PurePosixPath(*relative.parts[1:]))
        elif entry["action"] == PROJECT_SOURCE:
            entry["project"] = owning_project(relative, projects)
        manifest.files.append(entry)
    _refuse_repeats(manifest)
    _check_complete(manifest)
    manifest.problems += [
        f"{e['file']}: {e['reason']}" for e in manifest.files if e["action"] == REFUSED
    ]
    return manifest


def _refuse_repeats(manifest: DatasetManifest) -> None:
    """Two batches with one name, or byte-identical batches, would count codings twice: refuse
    every file of such a group, naming the others (which one to keep is the team's choice)."""
    for key, explain in (
        ("batch", "has the same batch name '{value}' as {others}; batch names must be unique"),
        (
            "sha256",
            "is a byte-identical copy of {others} (same SHA-256): its codings would count "
            "twice; keep one of them in coded/",
        ),
    ):
        groups: dict[str, list[dict]] = defaultdict(list)
        for entry in manifest.files:
            if entry["action"] == BATCH:
                groups[entry[key]].append(entry)
        for value, group in groups.items():
            if len(group) < 2:
                continue
            for entry in group:
                others = ", ".join(o["file"] for o in group if o is not entry)
                entry["action"] = REFUSED
                entry["reason"] = explain.format(value=value, others=others)
                entry.pop("batch", None)


def _check_complete(manifest: DatasetManifest) -> None:
    """Both registers and at least one batch must be present."""
    present = {e["file"] for e in manifest.files if e["action"] == REGISTER}
    for name in REGISTERS:
        if name not in present:
            manifest.problems.append(
                f"{name}: register not found; the data set folder must contain it"
            )
    if not (manifest.dataset / CODED).is_dir():
        manifest.problems.append(f"{CODED}/: the data set has no coded/ folder of export batches")
    elif not manifest.batches and not any(e["action"] == REFUSED for e in manifest.files):
        manifest.problems.append(f"{CODED}/: no export batches found")


def check_dataset(manifest: DatasetManifest) -> None:
    """Stop the build before any job runs, naming every file that cannot be used and why."""
    if manifest.problems:
        listed = "\n".join(f"  - {problem}" for problem in manifest.problems)
        raise InputFileError(
            manifest.dataset,
            f"the data set cannot be built; nothing was run ({len(manifest.problems)} "
            f"problem(s), paths relative to the data set folder):\n{listed}",
        )


# ---------------------------------------------------------------- fingerprints jobs depend on


def _write_if_changed(path: Path, data: object) -> None:
    """Rewrite a fingerprint only when its content changes: its time stamp is what reruns jobs."""
    from realist_report.core.tables import write_json

    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    write_json(data, path)


def fingerprint_paths(folder: str | Path, batches: Iterable[str]) -> dict[str, Path]:
    """Where the manifest and each job's part of it are kept: 'dataset', 'registers', batches."""
    folder = Path(folder)
    paths = {"dataset": folder / "dataset.json", "registers": folder / "registers.json"}
    paths |= {f"batch:{name}": folder / "batches" / f"{name}.json" for name in batches}
    return paths


def write_fingerprints(manifest: DatasetManifest, folder: str | Path) -> dict[str, Path]:
    """The manifest, the registers' checksums and one file per batch, each rewritten only when
    its content changed, so switching data sets or editing a file reruns exactly what used it."""
    by_file = {entry["file"]: entry for entry in manifest.files}
    paths = fingerprint_paths(folder, manifest.batches)
    _write_if_changed(paths["dataset"], {"files": manifest.listing()})
    _write_if_changed(paths["registers"], {name: by_file[name]["sha256"] for name in REGISTERS})
    sources: dict[str, dict[str, str]] = defaultdict(dict)
    for entry in manifest.files:
        if entry["action"] == PROJECT_SOURCE:
            sources[entry["project"]][entry["file"]] = entry["sha256"]
    for entry in manifest.files:
        if entry["action"] == BATCH:
            part = {k: entry[k] for k in ("batch", "file", "sha256")}
            if entry["file"] in sources:  # a bare project's text files are part of its batch
                part["sources"] = sources[entry["file"]]
            _write_if_changed(paths[f"batch:{entry['batch']}"], part)
    return paths


def prepare_dataset(
    dataset: str | Path, readable: Iterable[str], folder: str | Path
) -> tuple[DatasetManifest, dict[str, Path]]:
    """Scan, stop on any refused or missing file, then write the fingerprints jobs depend on."""
    manifest = scan_dataset(dataset, readable)
    check_dataset(manifest)
    return manifest, write_fingerprints(manifest, folder)
