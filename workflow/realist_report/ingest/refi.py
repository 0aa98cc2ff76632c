"""REFI-QDA project (.qdpx) import into the canonical excerpt table (the demo's export is in
qdpx_writer).

Reading trusts nothing: the zip goes through safe_files, the XML through defusedxml, and
source paths inside the project are only ever looked up inside the same archive.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring as safe_fromstring

from realist_report.core.errors import InputFileError
from realist_report.core.excerpt_table import EXCERPT_COLUMNS
from realist_report.core.safe_files import (
    DEFAULT_MAX_MEMBER_BYTES,
    check_file_size,
    open_zip_safely,
    unsafe_member_reason,
)
from realist_report.ingest.positions import Locator, choose_unit, contradiction, locator
from realist_report.privacy.redact import redact, value_tag

PROJECT_NS = "urn:QDA-XML:project:1.0"
#: Extra excerpt columns: a quarantine marker (and why) for clean, and where the text came from.
EXTRA_COLUMNS = ["problem", "problem_column", "problem_detail", "text_origin"]
CODEBOOK_COLUMNS = ["guid", "name", "path", "parent_guid", "description", "color", "is_codable"]
PROBLEM_OFFSETS = "offsets outside the source"
PROBLEM_BAD_OFFSETS = "invalid offsets"
PROBLEM_UNIT = "offsets fit no unit"
PROBLEM_NO_TEXT = "source text missing"
CONTEXT_VARIABLES = ("site_id", "wave", "source_type", "collected_on")
NON_TEXT_SELECTIONS = {
    "PictureSelection",
    "AudioSelection",
    "VideoSelection",
    "TranscriptSelection",
}

Fetch = Callable[[str], bytes | None]


@dataclass
class QdpxProject:
    """Everything read from one REFI-QDA project that the pipeline can use."""

    excerpts: pd.DataFrame
    codebook: pd.DataFrame
    cases: pd.DataFrame
    users: dict[str, str]
    warnings: list[str] = field(default_factory=list)
    #: How positions were read (unit and why), for the ingest log.
    notes: list[str] = field(default_factory=list)
    #: How many sources the project lists (a project without codings is refused with it).
    sources: int = 0


# --------------------------------------------------------------------------- metadata screen


#: A privacy placeholder ('[PHONE]', '[NAME]') in a screened value.
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z_ ]*\]")


@dataclass(frozen=True)
class MetadataScreen:
    """How a project's metadata is screened as it is read, before any log line, warning,
    quarantine detail or error can show it: every name (source, user, note title and text,
    variable value, text path) by the privacy screen with the private names and places, and
    a case name the participant register does not know by a short hash (privacy.value_tag),
    never quoted. The name part of such a case name (the words beside a phone number)
    is screened as a private name in all the project's other metadata too."""

    names: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    participants: frozenset[str] = frozenset()
    #: the kind of every identifier screened out so far (no value), for the hit log
    found: list[str] = field(default_factory=list, compare=False)

    def knowing_cases(self, root: ET.Element) -> MetadataScreen:
        """This screen plus the name part of every unknown case name of the project."""
        unknown = (
            {case.get("name", "") for case in _find_all(root, "Case")} - self.participants - {""}
        )
        extra = {
            " ".join(_PLACEHOLDER.sub(" ", redact(name, self.names, self.places)[0]).split())
            for name in unknown
        }
        extra = {name for name in extra if len(name) > 2}
        names = tuple(sorted({*self.names, *extra}))
        return MetadataScreen(names, self.places, self.participants, self.found)

    def text(self, value: str | None) -> str | None:
        """A metadata value with every identifier the screen finds as a placeholder."""
        return self.screened(value)[0]

    def screened(self, value: str | None) -> tuple[str | None, list[str]]:
        """A metadata value screened, and the kind of each identifier found (no value), for
        the hit log."""
        if not value:
            return value, []
        text, hits = redact(value, self.names, self.places)
        self.found.extend(hit.kind for hit in hits)
        return text, [hit.kind for hit in hits]

    def person(self, value: str | None) -> str | None:
        """A case or participant name: itself when the register knows it, else a hash."""
        return value if not value or value in self.participants else value_tag(value)


def _screened(screen: MetadataScreen | None, value: str | None) -> str | None:
    return value if screen is None else screen.text(value)


def _person(screen: MetadataScreen | None, value: str | None) -> str | None:
    return value if screen is None else screen.person(value)


# --------------------------------------------------------------------------- XML helpers


def xml_local(tag: Any) -> str:
    """Strip any namespace so the project, codebook and namespace-free variants read alike."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def xml_children(el: ET.Element, name: str) -> list[ET.Element]:
    """Direct children with the given local name."""
    return [c for c in el if xml_local(c.tag) == name]


def xml_child(el: ET.Element, name: str) -> ET.Element | None:
    """The first direct child with the given local name."""
    found = xml_children(el, name)
    return found[0] if found else None


def xml_child_text(el: ET.Element, name: str) -> str | None:
    """Text of the first child with that local name (None when absent)."""
    child = xml_child(el, name)
    return None if child is None else (child.text or "")


def _find_all(el: ET.Element, name: str) -> Iterator[ET.Element]:
    """All descendants with the given local name, in document order."""
    return (d for d in el.iter() if xml_local(d.tag) == name)


def parse_qde(data: bytes, where: str | Path) -> ET.Element:
    """Parse project XML refusing DTDs and entities (billion laughs, external entities)."""
    try:
        return safe_fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise InputFileError(
            where, f"unsafe XML refused (DTD or entity declarations): {exc!r}"
        ) from exc
    except ET.ParseError as exc:
        raise InputFileError(where, f"not well-formed XML: {exc}") from exc


# --------------------------------------------------------------------------- reading


def read_qdpx(
    path: str | Path,
    batch: str,
    offset_units: str = "auto",
    screen: MetadataScreen | None = None,
) -> QdpxProject:
    """Read a .qdpx (or a bare .qde beside its sources/ folder) into canonical excerpts.

    `offset_units` (auto | code_points | utf16) says how selection positions are counted;
    auto decides by the project's origin and checks the choice on the data. The pipeline's
    ingest passes a `screen` (MetadataScreen); the team's own tools (codebook, scaffold) read
    names as written.
    """
    with opened_project(path) as (root, fetch):
        screen = None if screen is None else screen.knowing_cases(root)
        return _project_from_xml(root, fetch, Path(path), batch, offset_units, screen)


@contextmanager
def opened_project(path: str | Path) -> Iterator[tuple[ET.Element, Fetch]]:
    """The parsed project XML of a .qdpx (or bare .qde) and a reader of its internal files,
    open while the block runs: shared by the excerpt reader and the memo reader (memos)."""
    path = Path(path)
    if path.suffix.lower() in {".qde", ".qdc", ".xml"}:
        check_file_size(path, DEFAULT_MAX_MEMBER_BYTES)
        yield parse_qde(path.read_bytes(), path), _dir_fetcher(path.parent)
        return
    with open_zip_safely(path) as archive:
        qde_name = _find_qde(path, archive.namelist())
        root = parse_qde(archive.read(qde_name), f"{path} (member '{qde_name}')")
        yield root, _zip_fetcher(archive, str(PurePosixPath(qde_name).parent))


def _find_qde(path: Path, names: list[str]) -> str:
    """Pick the project XML: project.qde in any case, else the single *.qde in the archive."""
    qdes = [n for n in names if n.lower().endswith(".qde") and not n.endswith("/")]
    named = [n for n in qdes if PurePosixPath(n).name.lower() == "project.qde"]
    if len(named) == 1:
        return named[0]
    if len(qdes) == 1:
        return qdes[0]
    if not qdes:
        raise InputFileError(
            path, "no .qde project file in the archive (expected project.qde): not a REFI-QDA .qdpx"
        )
    raise InputFileError(path, f"several .qde project files, cannot choose: {sorted(qdes)}")


def internal_name(uri: str) -> str | None:
    """The file name behind internal://NAME (or a bare NAME, as qc writes), else None.

    Only a safe plain name is accepted: no folders, no other scheme (file://, absolute paths).
    """
    if uri.lower().startswith("internal://"):
        name = uri[len("internal://") :]
    elif "://" in uri or ":" in uri:
        return None
    else:
        name = uri
    if "/" in name or unsafe_member_reason(name) or name in {".", ".."}:
        return None
    return name


def _zip_fetcher(archive: zipfile.ZipFile, folder: str) -> Fetch:
    """Look internal sources up in sources/ or Sources/ next to the .qde, case-insensitively."""
    prefix = "" if folder in {"", "."} else folder + "/"
    members = {n.lower(): n for n in archive.namelist()}

    def fetch(name: str) -> bytes | None:
        member = members.get(f"{prefix}sources/{name}".lower())
        return None if member is None else archive.read(member)

    return fetch


def _dir_fetcher(folder: Path) -> Fetch:
    """Look internal sources up in a sources/ folder beside a bare .qde file."""
    candidates = [folder / "sources", folder / "Sources"]

    def fetch(name: str) -> bytes | None:
        for base in candidates:
            target = base / name
            if target.is_file():
                check_file_size(target, DEFAULT_MAX_MEMBER_BYTES)
                return target.read_bytes()
        return None

    return fetch


@dataclass
class _Context:
    """Lookup tables shared while walking the sources of one project."""

    file_name: str
    batch: str
    users: dict[str, str]
    codes: dict[str, str]
    fetch: Fetch
    source_case: dict[str, dict[str, Any]]
    selection_case: dict[str, dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    uncoded: int = 0
    skipped: dict[str, int] = field(default_factory=dict)
    #: The plain text of every text holder (TextSource or Representation), read once.
    texts: dict[ET.Element, tuple[str | None, str | None]] = field(default_factory=dict)
    #: Where positions land in each holder's text, and why a holder's positions are not trusted.
    locators: dict[ET.Element, Locator] = field(default_factory=dict)
    distrusted: dict[ET.Element, str] = field(default_factory=dict)
    #: How names are screened as they are read (None: as written).
    screen: MetadataScreen | None = None


def _project_from_xml(
    root: ET.Element,
    fetch: Fetch,
    path: Path,
    batch: str,
    offset_units: str = "auto",
    screen: MetadataScreen | None = None,
) -> QdpxProject:
    """Turn a parsed project into the excerpt, codebook and case tables, its metadata screened
    by `screen` as it is read."""
    if xml_local(root.tag) not in {"Project", "CodeBook"}:
        raise InputFileError(path, f"root element is <{xml_local(root.tag)}>, not a REFI <Project>")
    warnings: list[str] = []
    users = {guid: _screened(screen, name) for guid, name in read_users(root).items()}
    codebook = read_codebook(root, warnings)
    codebook["description"] = [_screened(screen, d) for d in codebook["description"]]
    variables = _read_variable_names(root)
    cases, source_case, selection_case = _read_cases(root, variables, warnings, screen)
    ctx = _Context(
        file_name=path.name,
        batch=batch,
        users=users,
        codes=dict(zip(codebook["guid"], codebook["path"], strict=True)),
        fetch=fetch,
        source_case=source_case,
        selection_case=selection_case,
        warnings=warnings,
        screen=screen,
    )
    block = xml_child(root, "Sources")
    sources = [] if block is None else list(block)
    notes = _read_positions(root, sources, offset_units, ctx)
    for source in sources:
        _read_source(source, variables, ctx)
    _summarise(ctx)
    return QdpxProject(
        excerpts=_excerpt_frame(ctx.rows),
        codebook=codebook,
        cases=cases,
        users=users,
        warnings=ctx.warnings,
        notes=notes,
        sources=len(sources),
    )


def _text_holders(el: ET.Element) -> list[ET.Element]:
    """The elements of a source that carry plain text and its selections."""
    return [el] if xml_local(el.tag) == "TextSource" else xml_children(el, "Representation")


def _read_positions(
    root: ET.Element, sources: list[ET.Element], offset_units: str, ctx: _Context
) -> list[str]:
    """Read every source text once, choose the project's position unit, check each source."""
    spans: dict[ET.Element, list[tuple[int, int]]] = {}
    for el in sources:
        src = _source(el, {}, ctx)
        for holder in _text_holders(el):
            ctx.texts[holder] = _source_text(holder, src, ctx)
            offsets = [_offsets(sel) for sel in xml_children(holder, "PlainTextSelection")]
            spans[holder] = [(s, e) for s, e in offsets if s is not None and e is not None]
    with_text = [(h, ctx.texts[h][0]) for h in spans if ctx.texts[h][0] is not None]
    choice = choose_unit(
        root.get("origin"), [(text, spans[h]) for h, text in with_text], offset_units
    )
    for holder, text in with_text:
        ctx.locators[holder] = locator(text, choice.unit)
        reason = contradiction(text, spans[holder], choice.unit)
        if reason:
            ctx.distrusted[holder] = reason
    if ctx.distrusted:
        ctx.warnings.append(
            f"{len(ctx.distrusted)} source text(s) whose selections mostly cut mid-word when "
            f"read as {choice.unit}: their codings are quarantined, no text is cut"
        )
    return [f"positions read as {choice.unit}: {choice.reason}"]


def read_users(root: ET.Element) -> dict[str, str]:
    """Map user GUIDs to names so codings carry a readable coder."""
    return {
        u.get("guid", ""): u.get("name") or u.get("id") or u.get("guid", "")
        for u in _find_all(root, "User")
    }


def read_codebook(root: ET.Element, warnings: list[str]) -> pd.DataFrame:
    """Flatten nested <Code> elements into rows with '::'-joined full paths."""
    book = root if xml_local(root.tag) == "CodeBook" else xml_child(root, "CodeBook")
    codes = None if book is None else xml_child(book, "Codes")
    rows: list[dict[str, Any]] = []
    if codes is not None:
        for code in xml_children(codes, "Code"):
            _walk_code(code, None, None, rows)
    seen: set[str] = set()
    for row in rows:
        if row["guid"] in seen:
            warnings.append(f"code GUID {row['guid']} is defined twice; the last definition wins")
        seen.add(row["guid"])
    return _frame(rows, CODEBOOK_COLUMNS)


def _walk_code(
    code: ET.Element, parent_path: str | None, parent_guid: str | None, rows: list[dict[str, Any]]
) -> None:
    """Add one code and, depth first, its children (ATLAS.ti '::' names are kept as they are)."""
    name = code.get("name", "")
    path = name if parent_path is None else f"{parent_path}::{name}"
    guid = code.get("guid", "")
    rows.append(
        {
            "guid": guid,
            "name": name,
            "path": path,
            "parent_guid": parent_guid,
            "description": xml_child_text(code, "Description"),
            "color": code.get("color"),
            "is_codable": (code.get("isCodable") or "true").lower() == "true",
        }
    )
    for child in xml_children(code, "Code"):
        _walk_code(child, path, guid, rows)


def _read_variable_names(root: ET.Element) -> dict[str, str]:
    """Map variable GUIDs to names (VariableValue only carries the GUID)."""
    block = xml_child(root, "Variables")
    if block is None:
        return {}
    return {v.get("guid", ""): v.get("name", "") for v in xml_children(block, "Variable")}


def _variable_values(el: ET.Element, names: dict[str, str]) -> dict[str, str | None]:
    """Read the VariableValue children of a case or source as name -> string value."""
    values: dict[str, str | None] = {}
    for vv in xml_children(el, "VariableValue"):
        ref = xml_child(vv, "VariableRef")
        guid = None if ref is None else ref.get("targetGUID")
        name = names.get(guid or "", guid or "")
        value_el = next((c for c in vv if xml_local(c.tag).endswith("Value")), None)
        values[name] = None if value_el is None else (value_el.text or "")
    return values


def _read_cases(
    root: ET.Element,
    names: dict[str, str],
    warnings: list[str],
    screen: MetadataScreen | None = None,
) -> tuple[pd.DataFrame, dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """Read cases and which sources and selections each one owns; a case name the register
    does not know is kept as its hash, variable values screened (MetadataScreen)."""
    block = xml_child(root, "Cases")
    records: list[dict[str, Any]] = []
    by_source: dict[str, dict[str, Any]] = {}
    by_selection: dict[str, dict[str, Any]] = {}
    shared: set[str] = set()
    for case in [] if block is None else xml_children(block, "Case"):
        variables = _variable_values(case, names)
        info = {
            "name": _person(screen, case.get("name")),
            "variables": {k: _screened(screen, v) for k, v in variables.items()},
        }
        records.append({"case_guid": case.get("guid"), "name": info["name"], **info["variables"]})
        for ref in xml_children(case, "SourceRef"):
            target = ref.get("targetGUID", "")
            if target in by_source:
                shared.add(target)
            by_source.setdefault(target, info)
        for ref in xml_children(case, "SelectionRef"):
            by_selection.setdefault(ref.get("targetGUID", ""), info)
    if shared:
        warnings.append(
            f"{len(shared)} source(s) belong to more than one case; the first case is used "
            "as the participant"
        )
    return _frame(records, _case_columns(records)), by_source, by_selection


def _case_columns(records: list[dict[str, Any]]) -> list[str]:
    """case_guid, name, then every variable name in first-seen order."""
    columns = ["case_guid", "name"]
    for record in records:
        columns += [k for k in record if k not in columns]
    return columns


def _lookup(values: dict[str, str | None], key: str) -> str | None:
    """Case-insensitive variable lookup; blank counts as missing."""
    for name, value in values.items():
        if name.strip().lower() == key and value not in (None, ""):
            return value
    return None


@dataclass
class _Source:
    """One source being read: its identity and the context fields for its excerpts."""

    guid: str
    name: str
    variables: dict[str, str | None]


def _source(el: ET.Element, names: dict[str, str], ctx: _Context) -> _Source:
    """A source's GUID, screened name (its GUID when it has none) and screened variables."""
    variables = _variable_values(el, names)
    return _Source(
        guid=el.get("guid", ""),
        name=_screened(ctx.screen, el.get("name")) or el.get("guid", ""),
        variables={k: _screened(ctx.screen, v) for k, v in variables.items()},
    )


def _read_source(el: ET.Element, names: dict[str, str], ctx: _Context) -> None:
    """Import the text codings of one source and count the media codings it holds."""
    kind = xml_local(el.tag)
    src = _source(el, names, ctx)
    holders = _text_holders(el)
    text_guids: set[str] = set()
    for holder in holders:
        text_guids |= _read_text_holder(holder, src, ctx)
    if kind == "PDFSource":
        for sel in xml_children(el, "PDFSelection"):
            if sel.get("guid") not in text_guids:
                _read_pdf_selection(sel, src, ctx)
    if kind != "TextSource":
        _count_media(el, ctx)


def _count_media(el: ET.Element, ctx: _Context) -> None:
    """Count picture, audio, video and transcript selections, which carry no text offsets."""
    for sel in el.iter():
        kind = xml_local(sel.tag)
        if kind in NON_TEXT_SELECTIONS:
            ctx.skipped[kind] = ctx.skipped.get(kind, 0) + 1
    direct = len(xml_children(el, "Coding"))
    if direct:
        ctx.skipped["whole-media coding"] = ctx.skipped.get("whole-media coding", 0) + direct


def _read_text_holder(holder: ET.Element, src: _Source, ctx: _Context) -> set[str]:
    """Import the PlainTextSelections of a TextSource or Representation; return their GUIDs."""
    text, origin = ctx.texts[holder]
    guids: set[str] = set()
    from_name = 0
    for sel in xml_children(holder, "PlainTextSelection"):
        guids.add(sel.get("guid", ""))
        from_name += _read_selection(sel, holder, src, ctx)
    if from_name:
        ctx.warnings.append(
            f"source '{src.name}': {from_name} coding(s) took their text from the selection name "
            "because the source text is missing (names may be shortened previews ending in '…')"
        )
    for coding in xml_children(holder, "Coding"):
        _add_row(coding, holder, src, ctx, text=text, start=0, end=None, origin=origin)
        if text is not None:
            ctx.rows[-1]["end"] = len(text)
    return guids


def _source_text(holder: ET.Element, src: _Source, ctx: _Context) -> tuple[str | None, str | None]:
    """The plain text of a source: inline PlainTextContent, else its internal:// file."""
    inline = xml_child_text(holder, "PlainTextContent")
    if inline is not None:
        return inline, "inline content"
    uri = holder.get("plainTextPath")
    if not uri:
        ctx.warnings.append(f"source '{src.name}': no plain text (no plainTextPath or content)")
        return None, None
    name = internal_name(uri)
    data = None if name is None else ctx.fetch(name)
    if data is None:
        ctx.warnings.append(
            f"source '{src.name}': text file {_screened(ctx.screen, uri)} is not in the "
            "project's sources folder "
            "(external, unsafe or missing path)"
        )
        return None, None
    return _decode(data, src, ctx), "source"


def _decode(data: bytes, src: _Source, ctx: _Context) -> str:
    """Decode a REFI plain text file (UTF-8 by the standard; cp1252 fallback with a warning)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        ctx.warnings.append(f"source '{src.name}': text is not UTF-8, decoded as cp1252")
        text = data.decode("cp1252", errors="replace")
    return text


def _offsets(sel: ET.Element) -> tuple[int | None, int | None]:
    """Parse startPosition/endPosition; (None, None) when either is not an integer."""
    try:
        return int(sel.get("startPosition", "")), int(sel.get("endPosition", ""))
    except ValueError:
        return None, None


@dataclass(frozen=True)
class _Cut:
    """A selection's text and its positions as code-point indexes, or why it has none."""

    text: str | None
    start: int | None
    end: int | None
    problem: str | None = None
    detail: str | None = None


def _cut(text: str | None, start: int | None, end: int | None, where: Locator | None) -> _Cut:
    """Cut the source between two positions (end exclusive) or say why they cannot be used."""
    if start is None or end is None:
        return _Cut(None, start, end, PROBLEM_BAD_OFFSETS)
    if text is None or where is None:
        return _Cut(None, start, end)
    first, last = where(start), where(end)
    if first is None or last is None or first > last:
        return _Cut(None, start, end, PROBLEM_OFFSETS)
    return _Cut(text[first:last], first, last)


def _selection_text(sel: ET.Element, holder: ET.Element, ctx: _Context) -> tuple[_Cut, str | None]:
    """The text of a selection and where it came from: its source, its name, or nowhere."""
    text, origin = ctx.texts[holder]
    start, end = _offsets(sel)
    if holder in ctx.distrusted:
        return _Cut(None, start, end, PROBLEM_UNIT, ctx.distrusted[holder]), None
    cut = _cut(text, start, end, ctx.locators.get(holder))
    if cut.problem or text is not None:
        return cut, origin if cut.text is not None else None
    if sel.get("name"):
        return _Cut(sel.get("name"), start, end), "selection name"
    detail = "the source's text file is not in the export and the selection has no text"
    return _Cut(None, start, end, PROBLEM_NO_TEXT, detail), None


def _problem_column(problem: str | None) -> str | None:
    """The column a selection's problem is about: its text when none could be had."""
    if problem is None:
        return None
    return "text" if problem == PROBLEM_NO_TEXT else "start"


def _read_selection(sel: ET.Element, holder: ET.Element, src: _Source, ctx: _Context) -> int:
    """Add one row per coding of a text selection; return how many took the selection name."""
    cut, text_origin = _selection_text(sel, holder, ctx)
    codings = xml_children(sel, "Coding")
    if not codings:
        ctx.uncoded += 1
    for coding in codings:
        _add_row(
            coding, sel, src, ctx, text=cut.text, start=cut.start, end=cut.end, origin=text_origin
        )
        ctx.rows[-1]["problem"] = cut.problem
        ctx.rows[-1]["problem_column"] = _problem_column(cut.problem)
        ctx.rows[-1]["problem_detail"] = cut.detail
    return len(codings) if text_origin == "selection name" else 0


def _read_pdf_selection(sel: ET.Element, src: _Source, ctx: _Context) -> None:
    """Import a PDF region coding through its text representation (no character offsets)."""
    rep = xml_child(sel, "Representation")
    text = None if rep is None else xml_child_text(rep, "PlainTextContent")
    codings = xml_children(sel, "Coding")
    if not codings:
        ctx.uncoded += 1
    for coding in codings:
        _add_row(coding, sel, src, ctx, text=text, start=None, end=None, origin="pdf region text")


def _add_row(
    coding: ET.Element,
    owner: ET.Element,
    src: _Source,
    ctx: _Context,
    *,
    text: str | None,
    start: int | None,
    end: int | None,
    origin: str | None,
) -> None:
    """Append one canonical excerpt row for one coding of one span."""
    ref = xml_child(coding, "CodeRef")
    code_guid = None if ref is None else ref.get("targetGUID")
    code = ctx.codes.get(code_guid or "", f"<unknown code GUID {code_guid or 'missing'}>")
    owner_guid = owner.get("guid", "")
    case = ctx.selection_case.get(owner_guid) or ctx.source_case.get(src.guid)
    case_vars = {} if case is None else case["variables"]
    row = {
        "excerpt_id": f"{owner_guid}:{code_guid}",
        "batch": ctx.batch,
        "source_id": src.name,
        "participant_id": (case or {}).get("name")
        or _person(ctx.screen, _lookup(src.variables, "participant_id")),
        "role": None,
        "code": code,
        "text": text,
        "start": start,
        "end": end,
        "coder": _coder(coding, owner, ctx.users),
        "origin": f"{ctx.file_name}#{owner_guid}",
        "problem": None,
        "problem_column": None,
        "problem_detail": None,
        "text_origin": origin if text is not None else None,
    }
    for key in CONTEXT_VARIABLES:
        row[key] = _lookup(src.variables, key) or _lookup(case_vars, key)
    ctx.rows.append(row)


def _coder(coding: ET.Element, owner: ET.Element, users: dict[str, str]) -> str | None:
    """The coding's creating user by name, else the selection's, else None."""
    guid = coding.get("creatingUser") or owner.get("creatingUser")
    if not guid:
        return None
    return users.get(guid, guid)


def _summarise(ctx: _Context) -> None:
    """Record the counts of things that were not turned into excerpt rows."""
    if ctx.uncoded:
        ctx.warnings.append(f"{ctx.uncoded} selection(s) have no coding and give no excerpt row")
    for kind, count in sorted(ctx.skipped.items()):
        ctx.warnings.append(f"{count} {kind}(s) not imported: no text to quote")
    unknown = sum(str(r["code"]).startswith("<unknown code GUID") for r in ctx.rows)
    if unknown:
        ctx.warnings.append(f"{unknown} coding(s) point to a code GUID not in the codebook")
    empty = sum(not r["text"] for r in ctx.rows)
    if empty:
        ctx.warnings.append(
            f"{empty} coding(s) have no text; they are kept so clean can quarantine them"
        )
    bad = sum(r["problem"] in (PROBLEM_OFFSETS, PROBLEM_BAD_OFFSETS) for r in ctx.rows)
    if bad:
        ctx.warnings.append(f"{bad} coding(s) have offsets that do not fit their source text")


def _frame(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    """Build an object-typed table that keeps None as None (pandas would infer NaN)."""
    return pd.DataFrame(
        {c: pd.Series([r.get(c) for r in rows], dtype=object) for c in columns}, columns=columns
    )


def _excerpt_frame(rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Build the excerpt table with canonical columns first and nullable integer offsets."""
    frame = _frame(rows, EXCERPT_COLUMNS + EXTRA_COLUMNS)
    for col in ("start", "end"):
        frame[col] = pd.array(frame[col].tolist(), dtype="Int64")
    return frame
