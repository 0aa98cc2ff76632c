"""An independent REFI-QDA project (.qdpx) export, byte-reproducible: used only by the demo
generator (realist_demo.generator) and tests, never by the pipeline's steps, so editing it reruns
no step (the reader is realist_report.ingest.refi).
"""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from realist_report.core.excerpt_table import EXCERPT_COLUMNS
from realist_report.core.tables import atomic_write
from realist_report.ingest.refi import CONTEXT_VARIABLES, PROJECT_NS

_GUID_NAMESPACE = uuid.UUID("6f1c8f5e-2b1a-5d0e-9a51-7a3c0e6b2d41")
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _guid(kind: str, *parts: object) -> str:
    """A deterministic GUID so the same input always gives the same bytes."""
    return str(uuid.uuid5(_GUID_NAMESPACE, "\x1f".join([kind, *map(str, parts)]))).upper()


def _sub(parent: ET.Element, tag: str, **attrs: str | None) -> ET.Element:
    """Add a child (in the root's default namespace), leaving out attributes that are None."""
    return ET.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})


def _value(raw: Any) -> str | None:
    """Normalise a cell to a non-empty string or None."""
    if raw is None or (not isinstance(raw, str) and pd.isna(raw)):
        return None
    text = str(raw)
    return text if text != "" else None


@dataclass(frozen=True)
class Memo:
    """One analyst's memo (a REFI-QDA Note) and what it is attached to: a code (its path), a
    source (its id), a selection (its source id, and its text as `selected`) or the project."""

    key: str
    title: str
    text: str
    coder: str
    created: str  # ISO date-time, e.g. 2021-04-12T10:30:00Z
    target: str  # code | selection | source | project
    target_id: str | None = None
    selected: str | None = None
    in_file: bool = False  # text in sources/<guid>.txt instead of inline


def write_qdpx(
    excerpts: pd.DataFrame,
    sources: dict[str, str],
    path: str | Path,
    *,
    cases: pd.DataFrame | None = None,
    project_name: str = "Realist evaluation excerpts",
    origin: str = "realist_report",
    memos: Sequence[Memo] = (),
) -> None:
    """Write excerpts, their source texts and memos as a byte-reproducible REFI-QDA .qdpx."""
    rows = _prepare_rows(excerpts, sources)
    # ElementTree's default_namespace refuses plain attributes, so declare xmlns by hand.
    root = ET.Element("Project", {"xmlns": PROJECT_NS, "name": project_name, "origin": origin})
    note_refs = _note_refs(memos, rows)
    _write_users(root, rows, [m.coder for m in memos])
    _write_codebook(root, rows, note_refs)
    variable_names = _variable_names(rows, cases)
    if variable_names:
        block = _sub(root, "Variables")
        for name in variable_names:
            _sub(block, "Variable", guid=_guid("variable", name), name=name, typeOfVariable="Text")
    _write_cases(root, rows, cases)
    _write_sources(root, rows, sources, note_refs)
    members = {f"sources/{_guid('text', sid)}.txt": sources[sid].encode("utf-8") for sid in sources}
    members |= _write_notes(root, memos, note_refs)
    ET.indent(root)
    members["project.qde"] = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    _write_zip(Path(path), members)


def _note_refs(memos: Sequence[Memo], rows: list[dict[str, Any]]) -> dict[str | None, list[str]]:
    """The Note GUIDs to reference from each element GUID (None: the project), in memo order."""
    selection_of = {(r["source_id"], r["text"]): _selection_key(r) for r in rows}
    refs: dict[str | None, list[str]] = {}
    for memo in memos:
        if memo.target == "selection":
            key = selection_of.get((memo.target_id, memo.selected))
            if key is None:
                raise ValueError(f"memo {memo.key}: no selection with that text in its source")
            element: str | None = _guid("selection", *key)
        elif memo.target in ("code", "source"):
            if memo.target_id not in {
                r[f"{memo.target}_id" if memo.target == "source" else "code"] for r in rows
            }:
                raise ValueError(
                    f"memo {memo.key}: no {memo.target} '{memo.target_id}' in the project"
                )
            element = _guid(memo.target, memo.target_id)
        else:
            element = None
        refs.setdefault(element, []).append(_guid("note", memo.key))
    return refs


def _add_note_refs(el: ET.Element, guid: str | None, refs: dict[str | None, list[str]]) -> None:
    for note in refs.get(guid, []):
        _sub(el, "NoteRef", targetGUID=note)


def _write_notes(
    root: ET.Element, memos: Sequence[Memo], refs: dict[str | None, list[str]]
) -> dict[str, bytes]:
    """The Notes block and the project's own NoteRefs (after Sources, as the schema orders
    them); returns the note text files to add to the archive."""
    files: dict[str, bytes] = {}
    if not memos:
        return files
    block = _sub(root, "Notes")
    for memo in memos:
        guid = _guid("note", memo.key)
        note = _sub(
            block,
            "Note",
            guid=guid,
            name=memo.title,
            creatingUser=_guid("user", memo.coder),
            creationDateTime=memo.created,
            plainTextPath=f"internal://{guid}.txt" if memo.in_file else None,
        )
        if memo.in_file:
            files[f"sources/{guid}.txt"] = memo.text.encode("utf-8")
        else:
            _sub(note, "PlainTextContent").text = memo.text
    _add_note_refs(root, None, refs)
    return files


def _prepare_rows(excerpts: pd.DataFrame, sources: dict[str, str]) -> list[dict[str, Any]]:
    """Check every excerpt against its source text and fill missing offsets by search."""
    missing = [c for c in EXCERPT_COLUMNS if c not in excerpts.columns]
    if missing:
        raise ValueError(f"excerpts lack canonical columns: {missing}")
    rows = []
    for record in excerpts.to_dict("records"):
        row = {k: _value(record[k]) for k in EXCERPT_COLUMNS if k not in ("start", "end")}
        row["start"], row["end"] = _locate(record, sources)
        rows.append(row)
    return rows


def _locate(record: dict[str, Any], sources: dict[str, str]) -> tuple[int, int]:
    """Return the span of an excerpt in its source, refusing any mismatch."""
    source_id, text = _value(record["source_id"]), _value(record["text"]) or ""
    if source_id not in sources:
        raise ValueError(f"excerpt {record['excerpt_id']}: no text for source '{source_id}'")
    body = sources[source_id]
    start, end = record["start"], record["end"]
    if start is None or end is None or pd.isna(start) or pd.isna(end):
        start = body.find(text)
        if start < 0 or not text:
            raise ValueError(f"excerpt {record['excerpt_id']}: text not found in '{source_id}'")
        return start, start + len(text)
    start, end = int(start), int(end)
    if body[start:end] != text or not 0 <= start <= end <= len(body):
        raise ValueError(
            f"excerpt {record['excerpt_id']}: text differs from '{source_id}'[{start}:{end}]"
        )
    return start, end


def _write_users(
    root: ET.Element, rows: list[dict[str, Any]], memo_coders: Iterable[str] = ()
) -> None:
    """One User per distinct coder name (of codings and memos)."""
    coders = sorted({r["coder"] for r in rows if r["coder"]} | set(memo_coders))
    if coders:
        block = _sub(root, "Users")
        for name in coders:
            _sub(block, "User", guid=_guid("user", name), name=name)


def _write_codebook(
    root: ET.Element, rows: list[dict[str, Any]], refs: dict[str | None, list[str]]
) -> None:
    """Nest codes by their '::' path segments; every used code is codable."""
    used = sorted({r["code"] for r in rows if r["code"]})
    if not used:
        return
    tree: dict[str, dict] = {}
    for code in used:
        node = tree
        for part in code.split("::"):
            node = node.setdefault(part, {})
    _add_codes(_sub(_sub(root, "CodeBook"), "Codes"), tree, [], set(used), refs)


def _add_codes(
    parent: ET.Element,
    tree: dict[str, dict],
    prefix: list[str],
    used: set[str],
    refs: dict[str | None, list[str]],
) -> None:
    """Write one level of the code tree, depth first, in sorted order."""
    for name in sorted(tree):
        path = "::".join([*prefix, name])
        codable = "true" if path in used else "false"
        el = _sub(parent, "Code", guid=_guid("code", path), name=name, isCodable=codable)
        _add_note_refs(el, _guid("code", path), refs)
        _add_codes(el, tree[name], [*prefix, name], used, refs)


def _variable_names(rows: list[dict[str, Any]], cases: pd.DataFrame | None) -> list[str]:
    """The context variables in use plus any extra case-register columns."""
    names = [k for k in CONTEXT_VARIABLES if any(r[k] for r in rows)]
    if cases is not None:
        names += [c for c in cases.columns if c != "participant_id" and c not in names]
    return names


def _unique(rows: Iterable[dict[str, Any]], key: str, what: str) -> str | None:
    """The single non-null value of a column over rows, refusing conflicts."""
    values = sorted({r[key] for r in rows if r[key] is not None})
    if len(values) > 1:
        raise ValueError(f"{what} has conflicting {key} values: {values}")
    return values[0] if values else None


def _shared(rows: Iterable[dict[str, Any]], key: str) -> str | None:
    """The value of a column when all rows agree, else None (used for case-level copies)."""
    values = {r[key] for r in rows if r[key] is not None}
    return values.pop() if len(values) == 1 else None


def _add_variables(el: ET.Element, values: dict[str, str | None]) -> None:
    """Write VariableValue children for the non-null values."""
    for name, value in values.items():
        if value is None:
            continue
        vv = _sub(el, "VariableValue")
        _sub(vv, "VariableRef", targetGUID=_guid("variable", name))
        _sub(vv, "TextValue").text = value


def _selection_key(row: dict[str, Any]) -> tuple[str, int, int, str]:
    """Rows sharing source, span and participant form one selection."""
    return (row["source_id"], row["start"], row["end"], row["participant_id"] or "")


def _write_cases(root: ET.Element, rows: list[dict[str, Any]], cases: pd.DataFrame | None) -> None:
    """One Case per participant, owning whole sources or, when shared, single selections."""
    extra = _case_register(cases)
    by_person = _group(rows, "participant_id")
    people = sorted({p for p in by_person if p} | set(extra))
    if not people:
        return
    owners = _source_owners(rows)
    block = _sub(root, "Cases")
    for person in people:
        mine = by_person.get(person, [])
        case = _sub(block, "Case", guid=_guid("case", person), name=person)
        values = {k: _shared(mine, k) for k in CONTEXT_VARIABLES}
        values.update(extra.get(person, {}))
        _add_variables(case, values)
        for source_id in sorted({r["source_id"] for r in mine}):
            if owners[source_id] == person:
                _sub(case, "SourceRef", targetGUID=_guid("source", source_id))
        for key in sorted({_selection_key(r) for r in mine}):
            if owners[key[0]] is None:
                _sub(case, "SelectionRef", targetGUID=_guid("selection", *key))


def _group(rows: list[dict[str, Any]], key: str) -> dict[Any, list[dict[str, Any]]]:
    """Rows grouped by one column, keeping row order inside each group."""
    groups: dict[Any, list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault(row[key], []).append(row)
    return groups


def _case_register(cases: pd.DataFrame | None) -> dict[str, dict[str, str | None]]:
    """Extra case variables from a register keyed by participant_id."""
    if cases is None:
        return {}
    if "participant_id" not in cases.columns:
        raise ValueError("cases needs a participant_id column")
    out: dict[str, dict[str, str | None]] = {}
    for record in cases.to_dict("records"):
        pid = _value(record.pop("participant_id"))
        if pid:
            out[pid] = {k: _value(v) for k, v in record.items() if k not in CONTEXT_VARIABLES}
    return out


def _source_owners(rows: list[dict[str, Any]]) -> dict[str, str | None]:
    """The participant owning each whole source, or None when it has several (or none)."""
    owners: dict[str, str | None] = {}
    for source_id, mine in _group(rows, "source_id").items():
        people = {r["participant_id"] for r in mine}
        owners[source_id] = next(iter(people)) if len(people) == 1 else None
    return owners


def _write_sources(
    root: ET.Element,
    rows: list[dict[str, Any]],
    sources: dict[str, str],
    refs: dict[str | None, list[str]],
) -> None:
    """One TextSource per source text, its selections and codings, then its variables."""
    block = _sub(root, "Sources")
    by_source = _group(rows, "source_id")
    for source_id in sorted(sources):
        mine = by_source.get(source_id, [])
        el = _sub(
            block,
            "TextSource",
            guid=_guid("source", source_id),
            name=source_id,
            plainTextPath=f"internal://{_guid('text', source_id)}.txt",
        )
        selections: dict[tuple[str, int, int, str], list[dict[str, Any]]] = {}
        for row in mine:
            selections.setdefault(_selection_key(row), []).append(row)
        for key in sorted(selections):
            _write_selection(el, key, selections[key], refs)
        _add_note_refs(el, _guid("source", source_id), refs)
        _add_variables(
            el, {k: _unique(mine, k, f"source '{source_id}'") for k in CONTEXT_VARIABLES}
        )


def _write_selection(
    parent: ET.Element,
    key: tuple[str, int, int, str],
    rows: list[dict[str, Any]],
    refs: dict[str | None, list[str]],
) -> None:
    """One PlainTextSelection with one Coding per distinct code."""
    coders = sorted({r["coder"] for r in rows if r["coder"]})
    sel_guid = _guid("selection", *key)
    sel = _sub(
        parent,
        "PlainTextSelection",
        guid=sel_guid,
        startPosition=str(key[1]),
        endPosition=str(key[2]),
        creatingUser=_guid("user", coders[0]) if coders else None,
    )
    for code in sorted({r["code"] for r in rows if r["code"]}):
        coder = next((r["coder"] for r in rows if r["code"] == code and r["coder"]), None)
        coding = _sub(
            sel,
            "Coding",
            guid=_guid("coding", sel_guid, code),
            creatingUser=_guid("user", coder) if coder else None,
        )
        _sub(coding, "CodeRef", targetGUID=_guid("code", code))
    _add_note_refs(sel, sel_guid, refs)


def _write_zip(path: Path, members: dict[str, bytes]) -> None:
    """Write sorted members with fixed timestamps, atomically, so reruns give identical bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name], compresslevel=9)
    atomic_write(path, lambda tmp: tmp.write_bytes(buffer.getvalue()))
