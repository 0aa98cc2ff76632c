"""Audit trail: provenance manifest, evidence snapshots, "what changed" and the build archive.

Nothing here writes a clock time or a machine path into anything the report prints: the build
id is a content digest, paths are relative, and the comparison is against the previous
*different* build recorded in the archive, so a clean rebuild of the same inputs gives the
same report bytes.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import json
import logging
import os
import platform
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from realist_report.core.errors import InputFileError
from realist_report.core.vocabulary import WAVE_LABELS, current_design, strength_order

log = logging.getLogger(__name__)

SOFTWARE = {
    "Snakemake": "snakemake",
    "pandas": "pandas",
    "pyarrow": "pyarrow",
    "plotnine": "plotnine",
    "WeasyPrint": "weasyprint",
    "Jinja2": "jinja2",
    "pandera": "pandera",
    "realist_report (this project)": "realist-report",
}
CHANGE_COLUMNS = ["kind", "item", "change", "before", "after", "detail"]
ARCHIVE_INDEX = "index.json"


# ---------------------------------------------------------------- checksums and row counts


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in blocks so large exports do not fill memory."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def count_rows(path: str | Path) -> int | None:
    """Data rows of a CSV (header excluded) or parquet table; None for other kinds of file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(path).metadata.num_rows)
    if suffix == ".csv":
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
        # our own tables carry excerpt-id lists longer than the csv module's default limit
        limit = csv.field_size_limit()
        csv.field_size_limit(max(limit, len(text) + 1))
        try:
            return max(sum(1 for _ in csv.reader(text.splitlines())) - 1, 0)
        finally:
            csv.field_size_limit(limit)
    return None


def file_record(path: str | Path, label: str, rows: int | None = None) -> dict:
    """One manifest entry: a relative label (never a machine path), checksum, size and rows."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(path, "the file to record in the provenance manifest does not exist")
    return {
        "file": label,
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        "rows": count_rows(path) if rows is None else rows,
    }


def digest_json(data: object) -> str:
    """SHA-256 of a value as canonical JSON: the same settings always give the same digest."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def digest_files(paths: Iterable[str | Path]) -> str:
    """SHA-256 over (path, bytes) of many files: one digest for the pipeline's code. Paths are
    taken relative to the files' common folder, so the workflow's code digests the same whether
    it runs in its own clone or, from elsewhere, as a deployed module."""
    paths = sorted(str(p) for p in paths)
    root = os.path.commonpath(paths) if len(paths) > 1 else ""
    digest = hashlib.sha256()
    for path in paths:
        label = Path(os.path.relpath(path, root or ".")).as_posix()
        digest.update(label.encode("utf-8") + b"\0")
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


# ---------------------------------------------------------------- software and git


def software_versions() -> dict[str, str]:
    """Versions of Python and the libraries that shape the results and the report."""
    versions = {"Python": platform.python_version()}
    for label, distribution in SOFTWARE.items():
        try:
            versions[label] = importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            versions[label] = "not installed"
    return versions


def git_state(root: str | Path) -> dict[str, object]:
    """The project's git commit and whether tracked or new files differ from it."""

    def git(*args: str) -> str | None:
        if shutil.which("git") is None:
            return None
        result = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, check=False
        )
        return result.stdout.strip() if result.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if commit is None:
        return {"commit": "not a git checkout", "uncommitted_changes": None}
    status = git("status", "--porcelain")
    return {"commit": commit, "uncommitted_changes": bool(status)}


# ---------------------------------------------------------------- the build-inputs manifest


def build_inputs_manifest(
    *,
    dataset: str | Path,
    registers: list[str],
    batches: dict[str, str],
    rows_read: dict[str, int],
    definitions: dict[str, str],
    config: dict,
    code: list[str],
    project_root: str | Path,
    dataset_files: list[dict] | None = None,
) -> dict:
    """What went into this build and its content-derived build id (git state excluded from it);
    `dataset_files` is the data-set manifest: every file of the folder and what was done with it."""
    dataset = Path(dataset)
    inputs = [file_record(p, Path(p).name) for p in registers]
    for batch, path in sorted(batches.items()):
        label = Path(path).relative_to(dataset).as_posix()
        inputs.append({**file_record(path, label, rows_read.get(batch)), "batch": batch})
    digests = {
        "config": digest_json({k: v for k, v in config.items() if k != "dataset"}),
        **{name: sha256_file(path) for name, path in sorted(definitions.items())},
        "code": digest_files(code),
    }
    manifest = {
        "inputs": inputs,
        "dataset_files": list(dataset_files or []),
        "digests": digests,
        "software": software_versions(),
        "code_files": len(code),
    }
    manifest["build_id"] = digest_json(manifest)[:12]
    manifest["git"] = git_state(project_root)
    return manifest


def run_record_build_inputs(
    *,
    dataset: str,
    registers: list[str],
    batches: dict[str, str],
    quality: str,
    definitions: dict[str, str],
    config: dict,
    code: list[str],
    out: str,
    dataset_manifest: str | None = None,
) -> None:
    """Rule adapter: checksum every input, digest settings and code, write the manifest."""
    from realist_report.core.tables import read_json, write_json

    table = pd.read_csv(quality)
    rows_read = dict(zip(table["batch"], table["rows_in"].astype(int), strict=True))
    manifest = build_inputs_manifest(
        dataset=dataset,
        registers=registers,
        batches=batches,
        rows_read=rows_read,
        definitions=definitions,
        config=config,
        code=code,
        project_root=".",
        dataset_files=read_json(dataset_manifest)["files"] if dataset_manifest else None,
    )
    for entry in manifest["inputs"]:
        log.info("input file %s: %s rows, sha256 %s", entry["file"], entry["rows"], entry["sha256"])
    for entry in manifest["dataset_files"]:
        if entry["action"] not in ("batch", "register"):
            log.info("data set file %s %s: %s", entry["file"], entry["action"], entry["reason"])
    for name, value in manifest["digests"].items():
        log.info("digest %s: %s", name, value)
    log.info("software: %s", ", ".join(f"{k} {v}" for k, v in manifest["software"].items()))
    log.info("git: %s", manifest["git"])
    log.info("build id %s", manifest["build_id"])
    write_json(manifest, out)


# ---------------------------------------------------------------- evidence snapshot and changes


def evidence_snapshot(
    manifest: dict, summary: pd.DataFrame, clean: pd.DataFrame, snapshot_date: str
) -> dict:
    """A compact record of this build's evidence: enough to say what changed next time."""
    cmocs = {
        row["cmoc_id"]: {
            "title": row["title"],
            "strength": row["strength"],
            "excerpts": int(row["excerpts"]),
            "participants": int(row["participants"]),
            "sites": int(row["sites"]),
            "roles": int(row["roles"]),
            # excerpts from every wave after the first (the key keeps older snapshots comparable)
            "followup_excerpts": sum(int(row.get(f"{w}_excerpts", 0)) for w in later_waves()),
        }
        for row in summary.to_dict("records")
    }
    files = {entry.get("batch"): entry for entry in manifest["inputs"] if entry.get("batch")}
    batches = {}
    for batch, own in clean.groupby("batch", sort=True):
        batches[str(batch)] = {
            "file": files.get(batch, {}).get("file", ""),
            "clean_rows": len(own),
            "participants": len(own["participant_id"].dropna().unique()),
        }
    return {
        "build_id": manifest["build_id"],
        "snapshot_date": snapshot_date,
        "digests": manifest["digests"],
        "inputs": {entry["file"]: entry["sha256"] for entry in manifest["inputs"]},
        "batches": batches,
        "participants": sorted(str(p) for p in clean["participant_id"].dropna().unique()),
        "participant_waves": participant_waves(clean),
        "cmocs": cmocs,
    }


def later_waves() -> list[str]:
    """The design's waves after the first: what 'new data arrived later' is counted over."""
    return current_design().wave_ids[1:]


def later_label() -> str:
    """'follow-up excerpts' with two waves, 'excerpts after baseline' with more."""
    labels = list(WAVE_LABELS.values())
    return f"{labels[-1]} excerpts" if len(labels) == 2 else f"excerpts after {labels[0]}"


def participant_waves(clean: pd.DataFrame) -> list[str]:
    """'PAT-001 followup' per participant and wave with evidence: follow-up interviews of people
    already seen at baseline are new contributions even though no participant id is new."""
    pairs = clean[["participant_id", "wave"]].dropna().drop_duplicates()
    return sorted(f"{pid} {wave}" for pid, wave in pairs.itertuples(index=False))


def _cmoc_words(entry: dict | None) -> str:
    """'moderate (40 excerpts, 8 participants)', or 'none' when the CMOC had no evidence."""
    if not entry or not entry["excerpts"]:
        return "none"
    return (
        f"{entry['strength']} ({entry['excerpts']} excerpts, {entry['participants']} participants)"
    )


def classify_cmoc(before: dict | None, after: dict | None, order: list[str]) -> str | None:
    """new / removed / strengthened / weakened / changed, or None when the evidence is unchanged.

    `order` is the rating names strongest first (vocabulary.strength_order of the config); a
    rating it does not name (renamed since the previous build) ranks with 'unsupported'."""
    had = bool(before and before["excerpts"])
    has = bool(after and after["excerpts"])
    if not had and not has:
        return None
    if not had:
        return "new"
    if not has:
        return "removed"
    rank_of = {name: len(order) - position for position, name in enumerate(order)}
    rank = rank_of.get(after["strength"], 1) - rank_of.get(before["strength"], 1)
    if rank:
        return "strengthened" if rank > 0 else "weakened"
    deltas = [after[k] - before[k] for k in ("excerpts", "participants", "sites", "roles")]
    if not any(deltas):
        return None
    if all(d >= 0 for d in deltas):
        return "strengthened"
    if all(d <= 0 for d in deltas):
        return "weakened"
    return "changed"


def _cmoc_detail(before: dict | None, after: dict | None) -> str:
    """The counts that moved, e.g. 'excerpts 40 -> 52; follow-up excerpts 0 -> 12'."""
    keys = ["strength", "excerpts", "participants", "sites", "roles", "followup_excerpts"]
    empty = {"strength": "unsupported", **{k: 0 for k in keys[1:]}}
    before, after = before or empty, after or empty
    moved = [
        f"{later_label() if k == 'followup_excerpts' else k} {before[k]} -> {after[k]}"
        for k in keys
        if before[k] != after[k]
    ]
    return "; ".join(moved)


def compare_snapshots(current: dict, previous: dict | None, order: list[str]) -> pd.DataFrame:
    """Every difference from the previous build: CMOC evidence, batches, participants, files
    (`order`: rating names strongest first)."""
    rows: list[dict] = []
    if previous is None:
        return pd.DataFrame(rows, columns=CHANGE_COLUMNS)
    for cmoc_id in sorted(set(current["cmocs"]) | set(previous["cmocs"])):
        before, after = previous["cmocs"].get(cmoc_id), current["cmocs"].get(cmoc_id)
        change = classify_cmoc(before, after, order)
        if change:
            rows.append(
                {
                    "kind": "cmoc",
                    "item": cmoc_id,
                    "change": change,
                    "before": _cmoc_words(before),
                    "after": _cmoc_words(after),
                    "detail": _cmoc_detail(before, after),
                }
            )
    rows += _batch_changes(current["batches"], previous["batches"])
    rows += _set_changes("participant", current["participants"], previous["participants"])
    rows += _set_changes(
        "participant wave",
        current.get("participant_waves", []),
        # an archive written before participant waves were recorded: compare nothing
        previous.get("participant_waves", current.get("participant_waves", [])),
    )
    rows += _file_changes(current["inputs"], previous["inputs"])
    for name in sorted(set(current["digests"]) | set(previous["digests"])):
        old, new = previous["digests"].get(name), current["digests"].get(name)
        if old != new:
            rows.append(
                {
                    "kind": "settings",
                    "item": name,
                    "change": "changed",
                    "before": (old or "")[:12],
                    "after": (new or "")[:12],
                    "detail": f"{name} digest differs from the previous build",
                }
            )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def _batch_changes(current: dict, previous: dict) -> list[dict]:
    """New and removed batches, and batches whose clean rows changed."""
    rows = []
    for batch in sorted(set(current) | set(previous)):
        old, new = previous.get(batch), current.get(batch)
        if old == new:
            continue
        change = "new" if old is None else "removed" if new is None else "changed"
        rows.append(
            {
                "kind": "batch",
                "item": batch,
                "change": change,
                "before": "" if old is None else f"{old['clean_rows']} clean rows",
                "after": "" if new is None else f"{new['clean_rows']} clean rows",
                "detail": (new or old)["file"],
            }
        )
    return rows


def _set_changes(kind: str, current: list[str], previous: list[str]) -> list[dict]:
    """One row per id that appeared or disappeared."""
    added = sorted(set(current) - set(previous))
    removed = sorted(set(previous) - set(current))
    return [
        {"kind": kind, "item": i, "change": "new", "before": "", "after": "", "detail": ""}
        for i in added
    ] + [
        {"kind": kind, "item": i, "change": "removed", "before": "", "after": "", "detail": ""}
        for i in removed
    ]


def _file_changes(current: dict[str, str], previous: dict[str, str]) -> list[dict]:
    """Input files added, removed or edited in place (same name, different checksum)."""
    rows = []
    for name in sorted(set(current) | set(previous)):
        old, new = previous.get(name), current.get(name)
        if old == new:
            continue
        change = "new" if old is None else "removed" if new is None else "edited in place"
        detail = "same file name, different content" if change == "edited in place" else ""
        rows.append(
            {
                "kind": "input file",
                "item": name,
                "change": change,
                "before": (old or "")[:16],
                "after": (new or "")[:16],
                "detail": detail,
            }
        )
    return rows


# ---------------------------------------------------------------- the archive of past builds


def archived_builds(archive: str | Path) -> list[str]:
    """Build ids in the archive, oldest first (re-archiving a build moves it to the end)."""
    index = Path(archive) / ARCHIVE_INDEX
    if not index.is_file():
        return []
    return list(json.loads(index.read_text(encoding="utf-8"))["builds"])


def previous_snapshot(archive: str | Path, build_id: str) -> dict | None:
    """The snapshot of the most recent archived build with a different id, if any."""
    for other in reversed(archived_builds(archive)):
        path = Path(archive) / other / "snapshot.json"
        if other != build_id and path.is_file():
            return json.loads(path.read_text(encoding="utf-8"))
    return None


def archive_build(archive: str | Path, snapshot: str | Path, provenance: str | Path) -> Path:
    """Keep this build's snapshot and manifest under its id and mark it the most recent build."""
    from realist_report.core.tables import write_json

    build_id = json.loads(Path(snapshot).read_text(encoding="utf-8"))["build_id"]
    folder = Path(archive) / build_id
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(snapshot, folder / "snapshot.json")
    shutil.copyfile(provenance, folder / "provenance.json")
    builds = [b for b in archived_builds(archive) if b != build_id] + [build_id]
    write_json({"builds": builds}, Path(archive) / ARCHIVE_INDEX)
    return folder


def changes_summary(changes: pd.DataFrame, current: dict, previous: dict | None) -> dict:
    """What the report's "what changed" section prints: grouped rows and counts, no clock times."""
    groups = {kind: own.to_dict("records") for kind, own in changes.groupby("kind", sort=False)}
    participants = groups.pop("participant", [])
    participant_waves = groups.pop("participant wave", [])
    new_waves = Counter(
        WAVE_LABELS.get(p["item"].rsplit(" ", 1)[1], p["item"].rsplit(" ", 1)[1])
        for p in participant_waves
        if p["change"] == "new"
    )
    return {
        "current_build": current["build_id"],
        "previous_build": previous["build_id"] if previous else None,
        "previous_snapshot_date": previous["snapshot_date"] if previous else None,
        "cmocs": groups.get("cmoc", []),
        "batches": groups.get("batch", []),
        "files": groups.get("input file", []),
        "settings": groups.get("settings", []),
        "new_participants": sum(1 for p in participants if p["change"] == "new"),
        "removed_participants": sum(1 for p in participants if p["change"] == "removed"),
        "new_participant_waves": dict(sorted(new_waves.items())),
        "removed_participant_waves": sum(1 for p in participant_waves if p["change"] == "removed"),
        "n_changes": len(changes),
    }


def run_compare_with_previous_build(
    *,
    manifest: str,
    summary: str,
    clean: list[str],
    evidence_snapshot_path: str,
    archive: str,
    strength: list[dict],
    outputs: dict[str, str],
) -> None:
    """Rule adapter: snapshot this build's evidence and compare it with the previous build."""
    from realist_report.core.tables import (
        read_json,
        read_parquet,
        read_parquets,
        write_csv,
        write_json,
    )

    build = read_json(manifest)
    current = evidence_snapshot(
        build,
        read_parquet(summary),
        read_parquets(clean),
        str(read_json(evidence_snapshot_path)["snapshot_date"]),
    )
    previous = previous_snapshot(archive, current["build_id"])
    changes = compare_snapshots(current, previous, strength_order(strength))
    if previous is None:
        log.info(
            "build %s: no earlier build in %s/, nothing to compare", current["build_id"], archive
        )
    else:
        log.info(
            "build %s compared with previous build %s: %d changes",
            current["build_id"],
            previous["build_id"],
            len(changes),
        )
    for row in changes.itertuples(index=False):
        log.info("%s %s: %s %s", row.kind, row.item, row.change, row.detail)
    write_json(current, outputs["snapshot"])
    write_csv(changes, outputs["changes"])
    write_json(changes_summary(changes, current, previous), outputs["summary"])


# ---------------------------------------------------------------- the final manifest


def run_write_provenance(
    *,
    manifest: str,
    snapshot: str,
    outputs: list[str],
    archive: str,
    out: str,
) -> None:
    """Rule adapter: checksum every output, write results/provenance.json, archive the build."""
    from realist_report.core.tables import read_json, write_json

    build = read_json(manifest)
    records = [file_record(path, Path(path).as_posix()) for path in sorted(set(outputs))]
    provenance = {
        "build_id": build["build_id"],
        "snapshot_date": read_json(snapshot)["snapshot_date"],
        "git": build["git"],
        "software": build["software"],
        "digests": build["digests"],
        "inputs": build["inputs"],
        "dataset_files": build.get("dataset_files", []),
        "outputs": records,
    }
    for entry in records:
        log.info(
            "output file %s: %s rows, sha256 %s", entry["file"], entry["rows"], entry["sha256"]
        )
    write_json(provenance, out)
    folder = archive_build(archive, snapshot, out)
    log.info(
        "build %s archived in %s (%d files checksummed)", build["build_id"], folder, len(records)
    )


# ---------------------------------------------------------------- report context


def report_context(manifest: dict, changes: dict, tables: dict[str, str]) -> dict:
    """Context keys for the audit appendix and the changes section (the build id is the build
    inputs manifest's; tables and contents are numbered by report.render_numbered)."""
    tables_used = [
        file_record(path, Path(path).as_posix())
        for _, path in sorted(tables.items(), key=lambda kv: kv[1])
    ]
    return {
        "build_id": manifest["build_id"],
        "audit": {**manifest, "tables": tables_used},
        "changes": changes,
    }
