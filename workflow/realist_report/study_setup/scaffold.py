"""Start a new study: one folder holding everything a build needs, from the team's QDA export.

`python -m realist_report.study_setup.scaffold DIR [--export FILE]` writes DIR/config.yaml (a `design:`
skeleton and every path pointing into DIR), the codebook from the export (`codebook init`),
registers listing every document or case of the export with role and site left to fill, a
cmocs.yaml with one commented example, the study's document naming rules (formats.yaml),
narrative stubs and the export under DIR/data/coded/. `unfilled_items` lists what a team still
has to fill; the workflow calls it before anything else, so a fresh scaffold stops with one
message instead of the first error some step would meet.
"""

from __future__ import annotations

import argparse
import re
import shutil
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import yaml

from realist_report.core.errors import PipelineError
from realist_report.study_setup.codebook_skeleton import (
    DEFAULT_FORMATS,
    REFI_SUFFIXES,
    init_codebook,
)

#: A participant id at the start of a document name: letters, an optional separator, a number
#: ('P10_GMT20211130.odt' -> 'P10', 'INT-07 notes' -> 'INT-07').
LEADING_ID = re.compile(r"^(?P<prefix>[A-Za-z]{1,12})(?P<sep>[-_ ]?)(?P<number>\d{1,6})(?!\d)")
#: REFI-QDA elements that are documents a coder can code.
REFI_SOURCES = {"TextSource", "PDFSource", "PictureSource", "AudioSource", "VideoSource"}
PARTICIPANT_COLUMNS = ["participant_id", "site_id", "role", "waves", "documents"]


@dataclass(frozen=True)
class ExportContents:
    """What a scaffold needs from an export: its documents and cases, how it is read."""

    documents: list[str]
    cases: list[str]
    format_name: str  # 'qdpx' for a REFI-QDA project, else the formats.yaml entry that reads it
    has_positions: bool


@dataclass(frozen=True)
class Proposal:
    """One participants.csv row: a proposed id (None: not clear from the names) and its documents."""

    participant_id: str | None
    documents: tuple[str, ...]


def _element_names(elements: list, kinds: set[str]) -> list[str]:
    """Names (else GUIDs) of the REFI-QDA elements of these kinds, namespace ignored, in order."""
    names = (
        el.get("name") or el.get("guid", "")
        for el in elements
        if str(el.tag).rsplit("}", 1)[-1] in kinds
    )
    return list(dict.fromkeys(names))


def refi_contents(export: Path) -> ExportContents:
    """Sources and cases of a REFI-QDA project, in the project's order."""
    from realist_report.ingest.refi import opened_project, read_qdpx

    with opened_project(export) as (root, _fetch):
        elements = list(root.iter())
    excerpts = read_qdpx(export, batch=export.stem).excerpts
    return ExportContents(
        documents=_element_names(elements, REFI_SOURCES),
        cases=_element_names(elements, {"Case"}),
        format_name="qdpx",
        has_positions=bool(excerpts["start"].notna().any()) if len(excerpts) else False,
    )


def table_contents(export: Path, formats_path: Path) -> ExportContents:
    """Documents of a coded-segment table export, and the format that reads it."""
    from realist_report.ingest.batch import ingest_batch
    from realist_report.ingest.formats import load_formats, load_ingest_options
    from realist_report.ingest.readers import find_header, read_records

    _, format_name = find_header(read_records(export), load_formats(formats_path), export)
    excerpts = ingest_batch(export, export.stem, load_ingest_options(formats_path))
    documents = excerpts["source_id"].dropna().astype(str).str.strip()
    return ExportContents(
        documents=list(dict.fromkeys(d for d in documents if d)),
        cases=[],
        format_name=format_name,
        has_positions=bool(excerpts["start"].notna().any()),
    )


def export_contents(export: Path, formats_path: Path = DEFAULT_FORMATS) -> ExportContents:
    """What the export holds, whichever kind it is."""
    if export.suffix.lower() in REFI_SUFFIXES:
        return refi_contents(export)
    return table_contents(export, formats_path)


def id_pattern(documents: list[str]) -> str | None:
    """A regex whose `participant_id` group finds the id in every document name, when the names
    clearly carry one (two or more, all starting with the same prefix and a number), else None."""
    matches = [LEADING_ID.match(name) for name in documents]
    if len(documents) < 2 or not all(matches):
        return None
    shapes = {(m.group("prefix"), m.group("sep")) for m in matches if m}
    if len(shapes) != 1:
        return None
    prefix, sep = shapes.pop()
    return rf"^(?P<participant_id>{re.escape(prefix + sep)}\d+)(?!\d)"


def propose_participants(contents: ExportContents) -> list[Proposal]:
    """One row per case (the project's participants), else per proposed id, else per document."""
    if contents.cases:
        return [Proposal(case, ()) for case in contents.cases]
    pattern = id_pattern(contents.documents)
    if pattern is None:
        return [Proposal(None, (doc,)) for doc in contents.documents]
    by_id: dict[str, list[str]] = {}
    for doc in contents.documents:
        match = re.match(pattern, doc)
        assert match is not None  # id_pattern matched every name
        by_id.setdefault(match.group("participant_id"), []).append(doc)
    ordered = sorted(by_id.items(), key=lambda item: int(re.sub(r"\D", "", item[0])))
    return [Proposal(pid, tuple(docs)) for pid, docs in ordered]


# ------------------------------------------------------------------------ the files written


def participants_csv(proposals: list[Proposal], first_wave: str) -> str:
    """The participants.csv skeleton: site and role blank to fill, documents listed."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(PARTICIPANT_COLUMNS)
    for proposal in proposals:
        pid = proposal.participant_id or ""
        writer.writerow([pid, "", "", first_wave, ";".join(proposal.documents)])
    return out.getvalue()


def study_formats(
    contents: ExportContents, pattern: str | None, defaults: dict[str, str], shared: Path
) -> dict:
    """The shared formats.yaml with this study's naming rules on the format that reads its
    export: the participant id from the document name (when clear) and the study's defaults."""
    from realist_report.ingest.formats import flatten_rules

    formats = yaml.safe_load(shared.read_text(encoding="utf-8"))
    workflow_naming = flatten_rules(formats.pop("naming", []))
    workflow_types = formats.pop("source_types", None)
    for each in [formats.setdefault("qdpx", {}), *formats["formats"].values()]:
        # the demo study's document naming does not apply to this study
        rules = flatten_rules(each.get("extract") or [])
        each["extract"] = [r for r in rules if r not in workflow_naming]
        if each.get("value_map") == workflow_types:
            each.pop("value_map")
    spec = (
        formats["qdpx"]
        if contents.format_name == "qdpx"
        else formats["formats"][contents.format_name]
    )
    if pattern is not None:
        spec["extract"].insert(0, {"from": "source_id", "pattern": pattern})
    spec["defaults"] = {**(spec.get("defaults") or {}), **defaults}
    return formats


class _PlainDumper(yaml.SafeDumper):
    """YAML without anchors: a team reads and edits every rule where it applies."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def formats_text(formats: dict, export_name: str, pattern: str | None) -> str:
    """formats.yaml with a header saying what was set for this study and what to check."""
    found = (
        f"participant ids are read from the document names with {pattern!r}"
        if pattern
        else "no participant id pattern was clear in the document names: add an `extract` rule "
        "(a regex with a participant_id group) or, for one participant, defaults.participant_id"
    )
    header = [
        f"# How this study's export ({export_name}) is read: the workflow's formats.yaml with the",
        "# study's document naming. Set on the format that reads the export:",
        f"# {found}; defaults give each excerpt's wave and source type (design: ids).",
    ]
    return (
        "\n".join(header)
        + "\n"
        + yaml.dump(formats, Dumper=_PlainDumper, allow_unicode=True, sort_keys=False)
    )


CONFIG_TEMPLATE = """\
# Study configuration written by `make new-study`. Build: make report CONFIG={config}
# Every path below points into this folder; keys not given keep the workflow's defaults
# (config/config.yaml and config/README.md describe them all). FILL marks what the team fills.
# FILL in {root}/data/: sites.csv (one row per site: site_id, any site attributes) and
# participants.csv (every row's site_id and role; participant_id where blank; waves).
dataset: {root}/data           # sites.csv, participants.csv, coded/ (the export)
codebook: {root}/codebook.yaml # from the export's codes: give codes their C/M/O role
cmocs: {root}/cmocs.yaml       # FILL: at least one CMOC
narrative: {root}/narrative    # the team's own words, one Markdown file per section
formats: {root}/formats.yaml   # how the export is read, with the study's document naming

study:                         # FILL: the report's title page
  title: {title}
  subtitle: "A realist evaluation"
  authors: ["Evaluation team"]
  keywords: ["realist evaluation"]
  language: en-GB

design:
  site_label: {{singular: site, plural: sites}}   # e.g. pharmacy/pharmacies, ward/wards
  # FILL: one entry per role, in print order; ids are participants.csv's role values, e.g.
  #   - {{id: pharmacist, label: Pharmacist, plural: pharmacists, staff: true}}
  #   - {{id: client, label: Client, plural: clients, staff: false}}
  roles: []
  # in time order, any number; the first is the baseline (participants.csv `waves`: ids joined
  # by ';'). Add e.g. {{id: followup, label: follow-up, aliases: [fu, t1, wave 2]}}
  waves:
    - {{id: {wave}, label: {wave}, aliases: [bl, t0, wave 1]}}
  source_types:                # what coded documents are
    - {{id: interview, label: interview, needs_participant: true}}
    - {{id: observation, label: observation fieldnote}}
    - {{id: document, label: document}}
  followed_roles: []           # roles followed person by person across waves (may stay empty)

linking:
  # {window_reason}
  window: {window}

for_whom:
  attributes: []   # participants.csv columns to break evidence down by (add the columns first)
  roles: []        # whose subgroups these are (design.roles ids)

privacy:
  name_list: {root}/private_names.txt    # real names to redact, one a line (keep out of git)
  place_list: {root}/private_places.txt
"""

CMOCS_TEMPLATE = """\
# Context-mechanism-outcome configurations: "if <context>, then <outcome>, because <mechanism>".
# Each part lists codebook.yaml ids; `area` is a codebook area id. FILL: at least one, e.g.
#
# cmocs:
#   - id: CMOC01
#     area: unassigned
#     title: Flexible appointments let staff build trust
#     context: [flexible_appointments]
#     mechanism: [discretion]
#     outcome: [trust]
#     narrative:
#       if: staff can vary the length of appointments
#       then: clients come to trust them
#       because: staff judge how much time each person needs
cmocs: []
"""

CODEBOOK_WITHOUT_EXPORT = """\
# No export was given: list every code the coders apply (`make codebook EXPORT=...` writes this
# from an export). FILL: codes with role context, mechanism or outcome.
areas:
  - id: unassigned
    title: "Unassigned (rename, and add one area per programme-theory area)"
codes: []
"""


def config_text(root: str, title: str, contents: ExportContents | None, wave: str) -> str:
    """config.yaml for the study folder; the linking window suits the export's positions."""
    positioned = contents is None or contents.has_positions
    reason = (
        "segment: C, M and O codes on one coded passage (the export gives positions)"
        if positioned
        else "source: the export gives no positions (one code per highlight), so C, M and O "
        "codes count together within one document; segment would find no evidence"
    )
    return CONFIG_TEMPLATE.format(
        config=f"{root}/config.yaml",
        root=root,
        title=yaml.safe_dump(title, default_style='"').strip(),
        wave=wave,
        window="segment" if positioned else "source",
        window_reason=reason,
    )


def write_narrative_stubs(folder: Path) -> None:
    """One stub per section the report needs, saying in the report what is not yet written."""
    from realist_report.report.narrative import FRONT_MATTER, SECTIONS

    (folder / "sections").mkdir(parents=True)
    for part in ("areas", "cmocs"):
        (folder / part).mkdir()
    for name, what in {**SECTIONS, **FRONT_MATTER}.items():
        (folder / "sections" / f"{name}.md").write_text(
            f"Not yet written ({what}).\n", encoding="utf-8"
        )
    (folder / "abbreviations.md").write_text(
        "# One abbreviation a line: '- TERM: meaning'\n"
        "- CMOC: context-mechanism-outcome configuration\n",
        encoding="utf-8",
    )


#: Id of the skeleton's one wave (the design's first wave is the baseline).
FIRST_WAVE = "baseline"


def scaffold_study(
    folder: Path, export: Path | None = None, formats_path: Path = DEFAULT_FORMATS
) -> list[Proposal]:
    """Write a new study folder; refuse a folder that already holds files (a team's work)."""
    if folder.exists() and any(folder.iterdir()):
        raise PipelineError(f"{folder} already holds files; give a new or empty folder")
    if export is not None and not export.is_file():
        raise PipelineError(f"{export}: export not found")
    contents = None if export is None else export_contents(export, formats_path)
    proposals = [] if contents is None else propose_participants(contents)
    (folder / "data" / "coded").mkdir(parents=True, exist_ok=True)
    root = folder.as_posix()

    def write(name: str, text: str) -> None:
        (folder / name).write_text(text, encoding="utf-8")

    write("config.yaml", config_text(root, folder.resolve().name, contents, FIRST_WAVE))
    write("cmocs.yaml", CMOCS_TEMPLATE)
    write("data/participants.csv", participants_csv(proposals, FIRST_WAVE))
    write("data/sites.csv", "site_id\n")
    write_narrative_stubs(folder / "narrative")
    if export is None or contents is None:
        write("codebook.yaml", CODEBOOK_WITHOUT_EXPORT)
        shutil.copy2(formats_path, folder / "formats.yaml")
        return proposals
    shutil.copy2(export, folder / "data" / "coded" / export.name)
    init_codebook(export, folder / "codebook.yaml", formats_path=formats_path)
    pattern = None if contents.cases else id_pattern(contents.documents)
    interviews = bool(pattern or contents.cases)  # documents are people's accounts
    defaults = {"wave": FIRST_WAVE, "source_type": "interview" if interviews else "document"}
    formats = study_formats(contents, pattern, defaults, formats_path)
    write("formats.yaml", formats_text(formats, export.name, pattern))
    return proposals


# ------------------------------------------------------------------------ what is left to fill

#: participants.csv columns a build needs filled in every row, and what to put there.
NEEDED_CELLS = {
    "participant_id": "a pseudonym (the id the document names or the project's cases give)",
    "site_id": "a site_id of sites.csv",
    "role": "a design.roles id",
    "waves": "design.waves ids joined by ';'",
}
CMO_ROLES = {"context", "mechanism", "outcome"}


def _rows(path: Path) -> tuple[list[str], list[list[str]]] | None:
    """A register's header and rows (blank rows dropped), or None when it cannot be read: the
    register checks report that with file, row and column."""
    from realist_report.ingest.readers import read_text_records

    try:
        records = [r for r in read_text_records(path) if any(c.strip() for c in r)]
    except (OSError, PipelineError):
        return None
    if not records:
        return None
    header = [cell.strip().lstrip("\ufeff") for cell in records[0]]
    return header, [(r + [""] * len(header))[: len(header)] for r in records[1:]]


def _row_list(rows: list[int]) -> str:
    shown = ", ".join(str(r) for r in rows[:8])
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}{', ...' if len(rows) > 8 else ''}"


def register_items(dataset: Path) -> list[str]:
    """Sites not yet listed; participants.csv cells left blank (by column, with file rows)."""
    items = []
    sites = _rows(dataset / "sites.csv") if (dataset / "sites.csv").is_file() else None
    if sites is not None and not sites[1]:
        items.append(f"{dataset / 'sites.csv'}: no site yet (one row per site: site_id, ...)")
    path = dataset / "participants.csv"
    register = _rows(path) if path.is_file() else None
    if register is None:
        return items
    header, rows = register
    for column, what in NEEDED_CELLS.items():
        if column not in header:
            continue
        at = header.index(column)
        blank = [n for n, row in enumerate(rows, start=2) if not row[at].strip()]
        if blank:
            items.append(
                f"{path}: column '{column}' is blank in {len(blank)} of {len(rows)} rows "
                f"({_row_list(blank)}): give {what}"
            )
    return items


def _yaml(path: object) -> object:
    """A YAML file's content, or None when it is missing or unreadable (its own check says why).
    Read with libyaml when present: this runs every time the workflow is read."""
    try:
        text = Path(str(path)).read_text(encoding="utf-8")
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506
    except (OSError, yaml.YAMLError):
        return None


def definition_items(codebook_path: object, cmocs_path: object) -> list[str]:
    """No code with a C/M/O role yet; no CMOC yet."""
    items = []
    codebook = _yaml(codebook_path)
    codes = codebook.get("codes") if isinstance(codebook, dict) else None
    if isinstance(codes, list) and not any(
        isinstance(c, dict) and c.get("role") in CMO_ROLES for c in codes
    ):
        items.append(f"{codebook_path}: no code has the role context, mechanism or outcome yet")
    cmocs = _yaml(cmocs_path)
    if isinstance(cmocs, dict) and not cmocs.get("cmocs"):
        items.append(f"{cmocs_path}: no CMOC yet (cmocs: lists none; see the commented example)")
    return items


def design_items(design: object, where: str) -> list[str]:
    """design.roles and design.waves left empty."""
    if not isinstance(design, dict):
        return []
    return [
        f"{where}: design.{key} is empty: {what}"
        for key, what in (
            ("roles", "list the study's roles (id, label, plural, staff)"),
            ("waves", "list its waves in time order"),
        )
        if not design.get(key)
    ]


def unfilled_items(config: Mapping, where: str = "the configuration") -> list[str]:
    """Everything a new study still has to fill before it can be built, in the order to fill it
    (an empty list for a study ready to build). Files missing or unreadable are left to their
    own checks, which name the file, row and column."""
    items = design_items(config.get("design"), where)
    items += register_items(Path(str(config.get("dataset", "data/demo"))))
    items += definition_items(
        config.get("codebook", "config/codebook.yaml"), config.get("cmocs", "config/cmocs.yaml")
    )
    return items


def unfilled_message(items: list[str]) -> str:
    """The one message a build from an unfilled study stops with."""
    lines = "\n".join(f"  - {item}" for item in items)
    return f"ERROR: the study is not filled in yet; fill these, then build again:\n{lines}"


def main(argv: list[str] | None = None) -> int:
    """Command line: `DIR [--export FILE]`; prints what to fill and the one build command."""
    parser = argparse.ArgumentParser(
        prog="python -m realist_report.study_setup.scaffold", description=__doc__
    )
    parser.add_argument("folder", type=Path, help="the new study's folder (new or empty)")
    parser.add_argument("--export", type=Path, help=".qdpx, .qde or a coded-segment table")
    parser.add_argument("--formats", type=Path, default=DEFAULT_FORMATS, help="formats.yaml")
    args = parser.parse_args(argv)
    try:
        proposals = scaffold_study(args.folder, args.export, args.formats)
    except PipelineError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    named = sum(p.participant_id is not None for p in proposals)
    root = args.folder.as_posix()
    print(f"{root}: study folder written; participants.csv lists {len(proposals)} rows "
          f"({named} with a proposed id). Fill what config.yaml marks FILL, then build:")  # fmt: skip
    print(f"  make report CONFIG={root}/config.yaml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
