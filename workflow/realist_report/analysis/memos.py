"""Memos: the analysts' REFI-QDA Notes, read with what they are attached to, screened like
excerpts, and tied to the CMOCs whose codes they discuss (the "How the programme theory was
refined" appendix, drawn by report.refinement_view); the extract_memos and
attach_memos_to_cmocs rule adapters.

A REFI-QDA project keeps memos as `<Notes><Note>` (text inline as PlainTextContent or in a
plain-text file of the archive). A Note is attached by a `<NoteRef targetGUID=...>` inside a
code, a source, a selection or the project, or by a `<Link>` between the Note and one of those
(ATLAS.ti's "Memo-Quotation Relation"). One memos row is one memo and one thing it is attached
to; a memo attached to nothing is listed once as 'unattached'.

Which memos a CMOC shows: a memo on a code shows with every CMOC that names the code (as its
context, mechanism or outcome, or its direct code `CMOC::<id>`); a memo on a selection shows
with a CMOC when that selection alone carries one of the CMOC's codes of each part, or its
direct code (the selection is evidence for it). Memos on whole sources or the project span many
CMOCs and stay in results/memos.csv only.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Collection
from pathlib import Path

import pandas as pd

from realist_report.core.definitions import PARTS, Definitions, normalise_code
from realist_report.core.ids import stable_id
from realist_report.core.vocabulary import MEMO_TARGETS
from realist_report.ingest.refi import (
    Fetch,
    MetadataScreen,
    internal_name,
    opened_project,
    read_codebook,
    read_users,
    xml_child,
    xml_child_text,
    xml_children,
    xml_local,
)
from realist_report.privacy.redact import redact_excerpts

log = logging.getLogger(__name__)

MEMO_COLUMNS = [
    "memo_id", "batch", "title", "target", "target_id", "source_id", "codes", "created",
    "coder", "text", "text_origin",
]  # fmt: skip
#: Memo fields that can be printed or written to results/, screened as excerpt fields are.
MEMO_SCREENED_FIELDS = ("text", "title", "coder", "source_id")
CMOC_MEMO_COLUMNS = [
    "cmoc_id", "memo_id", "batch", "via", "codes", "source_id", "created", "coder", "title",
    "text",
]  # fmt: skip


# ---------------------------------------------------------------- reading


def read_memos(path: str | Path, batch: str, screen: MetadataScreen | None = None) -> pd.DataFrame:
    """Every Note of a .qdpx or bare .qde with each thing it is attached to (MEMO_COLUMNS).

    `codes` lists the code paths (';') of a code target or of a selection's codings; `created`
    is the Note's creationDateTime as written; `coder` its creatingUser by name, as codings are.
    With a `screen` (qdpx.MetadataScreen) titles, texts, users and source names are screened
    as they are read, an unknown case's name among the private names.
    """
    with opened_project(path) as (root, fetch):
        screened = (lambda v: v) if screen is None else screen.knowing_cases(root).text
        users = {guid: screened(name) for guid, name in read_users(root).items()}
        targets = {
            guid: {**target, "source_id": screened(target["source_id"])}
            for guid, target in _targets(root).items()
        }
        notes_block = xml_child(root, "Notes")
        notes = [] if notes_block is None else xml_children(notes_block, "Note")
        attached = _attachments(root, {n.get("guid", "") for n in notes}, targets)
        rows = []
        for note in notes:
            guid = note.get("guid", "")
            text, origin = _note_text(note, fetch)
            base = {
                "memo_id": guid,
                "batch": batch,
                "title": screened(note.get("name")),
                "created": note.get("creationDateTime"),
                "coder": users.get(note.get("creatingUser", ""), note.get("creatingUser")),
                "text": screened(text),
                "text_origin": origin,
            }
            for target in attached.get(guid) or [_UNATTACHED]:
                rows.append({**base, **target})
    memos = pd.DataFrame(rows, columns=MEMO_COLUMNS).astype(object)
    memos = memos.where(memos.notna(), None)
    order = {kind: i for i, kind in enumerate(MEMO_TARGETS)}
    memos["rank"] = memos["target"].map(order)
    memos = memos.sort_values(["memo_id", "rank", "target_id"], kind="stable")
    return memos.drop(columns="rank").reset_index(drop=True)


_UNATTACHED = {"target": "unattached", "target_id": None, "source_id": None, "codes": None}


def _targets(root: ET.Element) -> dict[str, dict[str, str | None]]:
    """What a memo can be attached to, by GUID: codes (their paths), sources (their names) and
    selections (their source and the paths of the codes applied to them). A selection shares
    the codes of every selection of the same source and span: f4analyse writes a memo's
    selection apart from the coded one over the same characters."""
    targets: dict[str, dict[str, str | None]] = {}
    paths: dict[str, str] = {}
    for code in read_codebook(root, []).itertuples(index=False):
        paths[code.guid] = code.path
        targets[code.guid] = {"target": "code", "source_id": None, "codes": code.path}
    sources = xml_child(root, "Sources")
    for source in [] if sources is None else list(sources):
        name = source.get("name") or source.get("guid", "")
        targets[source.get("guid", "")] = {"target": "source", "source_id": name, "codes": None}
        spans: dict[tuple[str, ...], set[str]] = {}
        selections = [
            el for el in source.iter() if xml_local(el.tag).endswith("Selection") and el.get("guid")
        ]
        for el in selections:
            refs = [xml_child(c, "CodeRef") for c in xml_children(el, "Coding")]
            guids = {r.get("targetGUID", "") for r in refs if r is not None}
            spans.setdefault(_span(el), set()).update(paths[g] for g in guids if g in paths)
        for el in selections:
            targets[el.get("guid", "")] = {
                "target": "selection",
                "source_id": name,
                "codes": ";".join(sorted(spans[_span(el)])) or None,
            }
    return targets


def _span(selection: ET.Element) -> tuple[str, ...]:
    """A text selection's kind and positions; a selection without both positions is its own."""
    start, end = selection.get("startPosition"), selection.get("endPosition")
    if start is None or end is None:
        return (selection.get("guid", ""),)
    return (xml_local(selection.tag), start, end)


def _attachments(
    root: ET.Element, note_ids: set[str], targets: dict[str, dict[str, str | None]]
) -> dict[str, list[dict[str, str | None]]]:
    """Each Note's targets, from NoteRefs inside codes, sources, selections and the project and
    from Links joining a Note to one of them; references to anything else are counted."""
    found: dict[str, list[dict[str, str | None]]] = {}
    other = 0

    def attach(note: str, target_id: str | None) -> None:
        nonlocal other
        if target_id is None:
            target = {**_UNATTACHED, "target": "project"}
        elif target_id in targets:
            target = {**targets[target_id], "target_id": target_id}
        else:
            other += 1
            return
        if target not in found.setdefault(note, []):
            found[note].append(target)

    for parent in root.iter():
        for ref in xml_children(parent, "NoteRef"):
            note = ref.get("targetGUID", "")
            if note in note_ids:
                attach(note, None if parent is root else parent.get("guid"))
    links = xml_child(root, "Links")
    for link in [] if links is None else xml_children(links, "Link"):
        ends = [link.get("originGUID"), link.get("targetGUID")]
        for note, target in (ends, ends[::-1]):
            if note in note_ids and target not in note_ids:
                attach(note, target)
    if other:
        log.info("%d memo reference(s) point to cases, sets or graphs: not attached", other)
    return found


def _note_text(note: ET.Element, fetch: Fetch) -> tuple[str | None, str | None]:
    """A Note's text, inline or from its plain-text file in the archive, and where it came from."""
    inline = xml_child_text(note, "PlainTextContent")
    if inline is not None:
        return inline, "inline content"
    name = internal_name(note.get("plainTextPath") or "")
    data = None if name is None else fetch(name)
    if data is None:
        return None, None
    try:
        return data.decode("utf-8-sig"), "note file"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "note file (cp1252)"


def memos_from_codings(excerpts: pd.DataFrame) -> pd.DataFrame:
    """The memos a coded-segment table writes beside its codings (ingest's `memo` column),
    as memos on a selection: the coding (its excerpt id), its source, code and coder."""
    if "memo" not in excerpts.columns:
        return pd.DataFrame(columns=MEMO_COLUMNS)
    rows = excerpts[excerpts["memo"].notna()]
    memos = pd.DataFrame(
        {
            "memo_id": [stable_id(e, "memo") for e in rows["excerpt_id"]],
            "batch": rows["batch"],
            "title": None,
            "target": "selection",
            "target_id": rows["excerpt_id"],
            "source_id": rows["source_id"],
            "codes": rows["code"],
            "created": None,
            "coder": rows["coder"],
            "text": rows["memo"],
            "text_origin": "column " + rows["memo_origin"].astype("string"),
        },
        columns=MEMO_COLUMNS,
    ).astype(object)
    return memos.where(memos.notna(), None).reset_index(drop=True)


# ---------------------------------------------------------------- screening


def redact_memos(
    memos: pd.DataFrame, names: Collection[str] = (), places: Collection[str] = ()
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The privacy screen of excerpts applied to memo text, title, coder and source name; the
    hit log names memo, field ('memo text', ...) and kind, never the value."""
    keyed = memos.assign(excerpt_id=memos["memo_id"])
    redacted, hits = redact_excerpts(keyed, names, MEMO_SCREENED_FIELDS, places)
    hits = hits.drop_duplicates().reset_index(drop=True)  # a memo's rows repeat its text
    hits["field"] = "memo " + hits["field"].str.replace("_", " ")
    batch_of = dict(zip(memos["memo_id"], memos["batch"], strict=False))
    hits.insert(0, "batch", hits["excerpt_id"].map(batch_of).astype("string"))
    return redacted.drop(columns="excerpt_id"), hits


# ---------------------------------------------------------------- memos of each CMOC


def cmoc_memos(memos: pd.DataFrame, definitions: Definitions) -> pd.DataFrame:
    """One row per CMOC and memo attached to its codes or to a selection that is evidence for it
    (see the module notes); `via` says how, `codes` which of the CMOC's codes; memos without text
    are left out. Ordered by CMOC as configured, then date (undated memos last)."""
    parts = definitions.cmoc_parts
    memos = memos[memos["text"].notna()].astype(object)
    rows = []
    for memo in memos.where(memos.notna(), None).to_dict("records"):
        paths = (memo["codes"] or "").split(";")
        codes = {definitions.lookup.get(normalise_code(p)) for p in paths if p} - {None}
        for cmoc_id in definitions.cmocs["cmoc_id"]:
            own = parts[parts["cmoc_id"] == cmoc_id]
            direct = f"cmoc_{cmoc_id}"
            mine = sorted(codes & {*own["code_id"], direct})
            covered = set(own.loc[own["code_id"].isin(codes), "part"])
            evidence = direct in codes or covered == set(PARTS)
            if mine and (memo["target"] == "code" or memo["target"] == "selection" and evidence):
                shown = {k: memo[k] for k in CMOC_MEMO_COLUMNS if k in memo}
                rows.append(
                    {**shown, "cmoc_id": cmoc_id, "via": memo["target"], "codes": ";".join(mine)}
                )
    table = pd.DataFrame(rows, columns=CMOC_MEMO_COLUMNS).drop_duplicates(
        ["cmoc_id", "memo_id", "via"]
    )
    rank = {c: i for i, c in enumerate(definitions.cmocs["cmoc_id"])}
    table = table.assign(rank=table["cmoc_id"].map(rank), undated=table["created"].isna())
    table = table.sort_values(["rank", "undated", "created", "memo_id", "via"], kind="stable")
    return table.drop(columns=["rank", "undated"]).reset_index(drop=True)


# ---------------------------------------------------------------- rule adapters


def run_extract_memos(
    exports: list[str],
    batches: list[str],
    participants_path: str,
    name_list: str | None,
    place_list: str | None,
    *,
    out_memos: str,
    out_hits: str,
    table_paths: list[str] = (),
) -> None:
    """Rule adapter: read every REFI-QDA batch's memos and the memo columns of every table
    batch (`table_paths`: their ingested parquet) and screen them at once, so no memo text is
    written unscreened; the hit log joins results/privacy_hits.csv."""
    from realist_report.core.tables import read_parquet, write_csv, write_parquet
    from realist_report.privacy.redact import HIT_LOG_COLUMNS, load_name_list, screening_names

    participants = read_parquet(participants_path)
    names = screening_names(name_list, participants)
    screen = MetadataScreen(
        tuple(names),
        tuple(load_name_list(place_list)),
        frozenset(participants["participant_id"].astype(str)),
    )
    frames = [read_memos(path, batch, screen) for path, batch in zip(exports, batches, strict=True)]
    frames += [memos_from_codings(read_parquet(path)) for path in table_paths]
    frames = [frame for frame in frames if len(frame)] or frames[:1]
    memos = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=MEMO_COLUMNS)
    memos = memos.astype(object)
    redacted, hits = redact_memos(memos, names, load_name_list(place_list))
    for batch, own in memos.groupby("batch", sort=True):
        targets = own.drop_duplicates(["memo_id", "target"])["target"].value_counts()
        log.info(
            "%s: %d memos (%s), %d without text",
            batch, own["memo_id"].nunique(),
            ", ".join(f"{n} on {kind}" for kind, n in targets.items()),
            own.drop_duplicates("memo_id")["text"].isna().sum(),
        )  # fmt: skip
    log.info(
        "%d memos from %d REFI-QDA and %d table batches; %d had identifiers redacted",
        memos["memo_id"].nunique(), len(exports), len(table_paths), hits["excerpt_id"].nunique(),
    )  # fmt: skip
    write_parquet(redacted, out_memos)
    write_csv(hits[list(HIT_LOG_COLUMNS)], out_hits)


def run_attach_memos(
    memos_path: str, codebook_path: str, cmocs_path: str, *, out_memos: str, out_cmoc_memos: str
) -> None:
    """Rule adapter: the screened memos for reviewers, and each CMOC's memos for the report."""
    from realist_report.core.definitions import load_definitions
    from realist_report.core.tables import read_parquet, write_csv

    memos = read_parquet(memos_path)
    definitions = load_definitions(codebook_path, cmocs_path)
    table = cmoc_memos(memos, definitions)
    log.info(
        "%d memos; %d reach %d CMOCs (%s)",
        memos["memo_id"].nunique(), table["memo_id"].nunique(), table["cmoc_id"].nunique(),
        ", ".join(f"{c}: {n}" for c, n in table["cmoc_id"].value_counts(sort=False).items()),
    )  # fmt: skip
    write_csv(memos, out_memos)
    write_csv(table, out_cmoc_memos)
