"""Start config/codebook.yaml from the team's own codebook in a QDA export.

`python -m realist_report.study_setup.codebook_skeleton init <export> [--out config/codebook.yaml]` reads the codes of
a REFI-QDA project (.qdpx, .qde), a REFI codebook (.qdc), a coded-segment table export or a
codebook table (Taguette, ATLAS.ti), and writes a codebook skeleton: every code path, its C/M/O role guessed from a top-level
Context/Mechanism/Outcome (or C/M/O) folder, else `none` with a comment saying so. Areas, ids
and aliases are for the team to refine; the file it writes passes the pipeline's checks.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from realist_report.core.definitions import load_codebook, normalise_code
from realist_report.core.errors import InputFileError, PipelineError

REFI_SUFFIXES = {".qdpx", ".qde", ".qdc"}
#: Top-level folder names that say a code's realist role (after case folding).
ROLE_FOLDERS = {
    "context": "context",
    "contexts": "context",
    "c": "context",
    "mechanism": "mechanism",
    "mechanisms": "mechanism",
    "m": "mechanism",
    "outcome": "outcome",
    "outcomes": "outcome",
    "o": "outcome",
}
PLACEHOLDER_AREA = "unassigned"
#: The code column of a codebook table (Taguette `tag`, ATLAS.ti `Code`/`Código`, ...).
CODE_LIST_HEADERS = ("tag", "code", "codes", "código", "códigos", "kod", "node", "codename")
DEFAULT_FORMATS = Path(__file__).resolve().parents[3] / "config" / "formats.yaml"


@dataclass(frozen=True)
class CodebookEntry:
    """One code of the skeleton, with the comment explaining a role it could not give."""

    id: str
    path: str
    role: str
    comment: str | None


def code_paths_from_export(path: Path, formats_path: Path = DEFAULT_FORMATS) -> list[str]:
    """Every code path of an export, '::' between levels, in the export's order."""
    if path.suffix.lower() in REFI_SUFFIXES:
        from realist_report.ingest.refi import read_qdpx

        return [str(p) for p in read_qdpx(path, batch=path.stem).codebook["path"]]
    from realist_report.ingest.batch import ingest_batch
    from realist_report.ingest.formats import load_ingest_options

    try:
        excerpts = ingest_batch(path, path.stem, load_ingest_options(formats_path))
    except InputFileError as not_coded:
        codes = _code_list(path)
        if codes is None:
            raise not_coded
    else:
        codes = excerpts["code"].dropna().astype(str).tolist()
    codes = [code.strip() for code in codes if code.strip()]
    return [_levels(code) for code in dict.fromkeys(codes)]


def _code_list(path: Path) -> list[str] | None:
    """The codes of a codebook table (Taguette, ATLAS.ti code manager), or None if it is not one."""
    from realist_report.ingest.formats import HEADER_SEARCH_ROWS
    from realist_report.ingest.readers import read_records

    records = read_records(path)
    for index, record in enumerate(records[:HEADER_SEARCH_ROWS]):
        cells = [cell.strip().lstrip("\ufeff").casefold() for cell in record]
        column = next((cells.index(h) for h in CODE_LIST_HEADERS if h in cells), None)
        if column is not None:
            return [row[column] for row in records[index + 1 :] if len(row) > column]
    return None


def _levels(code: str) -> str:
    """A table export's hierarchy separator as '::': ATLAS.ti '::', Taguette, Dedoose and NVivo
    '\\', MAXQDA ' > ' (a '/' stays: it is part of names such as 'and/or'; the codebook lookup
    folds it either way)."""
    return re.sub(r"\s*(?:::|\\)\s*|\s+>\s+", "::", code)


def _with_parents(paths: Iterable[str]) -> list[str]:
    """Add the folders above each code (table exports name only the codes applied)."""
    out: dict[str, None] = {}
    for path in paths:
        parts = path.split("::")
        for depth in range(1, len(parts) + 1):
            out.setdefault("::".join(parts[:depth]), None)
    return list(out)


def guess_role(path: str) -> tuple[str, str | None]:
    """The role a top-level C/M/O folder gives, else none with the reason."""
    parts = path.split("::")
    role = ROLE_FOLDERS.get(parts[0].strip().casefold())
    if role is None:
        return "none", "role not guessed: not under a Context, Mechanism or Outcome folder"
    if len(parts) == 1:
        return "none", f"the {parts[0]} folder itself: code its children, not the folder"
    return role, None


def _slug(path: str) -> str:
    """An id the schema accepts (lower-case ASCII letters, digits, underscores)."""
    ascii_text = unicodedata.normalize("NFKD", path).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", ascii_text.casefold()).strip("_")
    return slug if slug[:1].isalpha() else f"code_{slug}".rstrip("_")


def skeleton_entries(paths: Iterable[str]) -> tuple[list[CodebookEntry], list[str]]:
    """Codebook entries with unique ids, and the paths left out as repeats of another."""
    entries: list[CodebookEntry] = []
    seen_labels: set[str] = set()
    used_ids: set[str] = set()
    repeats: list[str] = []
    for path in _with_parents(paths):
        label = normalise_code(path)
        if label in seen_labels:
            repeats.append(path)
            continue
        seen_labels.add(label)
        base = code_id = _slug(path)
        number = 2
        while code_id in used_ids:
            code_id, number = f"{base}_{number}", number + 1
        used_ids.add(code_id)
        role, comment = guess_role(path)
        entries.append(CodebookEntry(code_id, path, role, comment))
    return entries, repeats


def render_codebook(entries: list[CodebookEntry], repeats: list[str], export: Path) -> str:
    """The YAML text of the skeleton, with a comment on every code whose role is not known."""
    placed = sum(e.role != "none" for e in entries)
    lines = [
        f"# Codebook skeleton written by `python -m realist_report.study_setup.codebook_skeleton init` from {export.name}.",
        f"# {len(entries)} codes; {placed} placed as context, mechanism or outcome by their top-level",
        "# folder. Check every role, group codes into programme-theory areas, add aliases.",
        "areas:",
        f"  - id: {PLACEHOLDER_AREA}",
        '    title: "Unassigned (rename, and add one area per programme-theory area)"',
        "",
        "codes:",
    ]
    for entry in entries:
        if entry.comment:
            lines.append(f"  # {entry.comment}")
        lines += [
            f"  - id: {entry.id}",
            f"    path: {json.dumps(entry.path, ensure_ascii=False)}",
            f"    role: {entry.role}",
            "    area: null",
            "    aliases: []",
        ]
    for path in repeats:
        lines.append(
            f"  # left out {json.dumps(path, ensure_ascii=False)}: same code as one above "
            "once case and separators are folded"
        )
    return "\n".join(lines) + "\n"


def init_codebook(
    export: Path, out: Path, *, force: bool = False, formats_path: Path = DEFAULT_FORMATS
) -> list[CodebookEntry]:
    """Write the codebook skeleton for an export, refusing to overwrite unless forced."""
    if out.exists() and not force:
        raise PipelineError(f"{out} exists; pass --force to replace it (the team's codebook)")
    paths = code_paths_from_export(export, formats_path)
    if not paths:
        raise PipelineError(f"{export}: the export has no codes to start a codebook from")
    entries, repeats = skeleton_entries(paths)
    text = render_codebook(entries, repeats, export)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    try:
        load_codebook(tmp)
    except PipelineError:
        tmp.unlink()
        raise
    tmp.replace(out)
    return entries


def main(argv: list[str] | None = None) -> int:
    """Command line: `init <export> [--out PATH] [--force]`."""
    parser = argparse.ArgumentParser(
        prog="python -m realist_report.study_setup.codebook_skeleton", description=__doc__
    )
    commands = parser.add_subparsers(dest="command", required=True)
    init = commands.add_parser("init", help="write a codebook skeleton from an export's codes")
    init.add_argument("export", type=Path, help=".qdpx, .qde, .qdc or a coded-segment table")
    init.add_argument("--out", type=Path, default=Path("config/codebook.yaml"))
    init.add_argument("--force", action="store_true", help="replace an existing codebook")
    init.add_argument("--formats", type=Path, default=DEFAULT_FORMATS, help="formats.yaml")
    args = parser.parse_args(argv)
    try:
        entries = init_codebook(args.export, args.out, force=args.force, formats_path=args.formats)
    except PipelineError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    placed = sum(e.role != "none" for e in entries)
    print(f"{args.out}: {len(entries)} codes written, {placed} with a C/M/O role guessed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
