"""The team's own words: authored Markdown narrative with computed values and references.

A narrative folder holds one Markdown file per section the data cannot write (RAMESES II items,
front matter), and optionally one per programme-theory area and per CMOC. Prose is Markdown
(markdown-it-py, raw HTML refused); every number comes from a placeholder the pipeline fills:

    {{ CMOC04.participants }}    a value computed for a CMOC (CMOC_VALUES lists them)
    {{ counts.pharmacists_t1 }}  a study-wide count (COUNT_VALUES and placeholder_list)
    {{ table.summary }}  {{ figure.evidence_heatmap }}  {{ cmoc.CMOC04 }}  numbered references

An unknown placeholder, a file for an unknown area or CMOC, or an HTML tag stops the build with
the file and line. A number typed in prose that equals the value a placeholder would give for
the same thing ("12 participants" next to CMOC04) is listed, so stale figures are caught.
"""

from __future__ import annotations

import difflib
import html
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markdown_it import MarkdownIt
from markupsafe import Markup

from realist_report.core.errors import PipelineError
from realist_report.core.vocabulary import current_design, placeholder_key
from realist_report.report.citations import Citations

log = logging.getLogger(__name__)


class NarrativeError(PipelineError):
    """An authored narrative file cannot be printed: the message names the file and line."""


#: Sections every report needs, one Markdown file each under <narrative>/sections/ (the RAMESES II
#: item or report part it fills). Front matter files are needed only when switched on.
SECTIONS: dict[str, str] = {
    "abstract_background": "summary: background",
    "rationale": "item 3: rationale for the evaluation",
    "programme_theory": "item 4: the initial programme theory and how it was refined",
    "question": "item 5: the evaluation question",
    "objectives": "item 5: objectives (a list)",
    "focus": "item 5: what the evaluation focused on",
    "ethics": "item 6: ethical approval",
    "realist_rationale": "item 7: why a realist evaluation",
    "environment": "item 8: environment surrounding the evaluation",
    "programme": "item 9: the programme evaluated",
    "design": "item 10: evaluation design and its justification",
    "data_collection": "item 11: data collection methods",
    "recruitment": "item 12: recruitment and sampling",
    "analysis": "item 13: data analysis (the linking rules are printed from config)",
    "strengths": "item 17: strengths",
    "limitations": "item 17: limitations",
    "future_research": "item 17: future research directions",
    "literature": "item 18: comparison with existing literature",
    "conclusion": "item 19: conclusion",
    "recommendations": "item 19: recommendations (a list)",
    "conflicts": "item 20: conflicts of interest (funding comes from study.funder)",
    # the abstract's own conclusion: the Discussion's is not printed twice
    "abstract_conclusion": "item 2: the abstract's conclusion (a sentence or two; not the Discussion's)",
}
FRONT_MATTER: dict[str, str] = {
    "plain_language_summary": "NIHR front matter: plain language summary",
    "scientific_summary": "NIHR front matter: scientific summary",
}

#: Values a CMOC placeholder can print ({{ CMOC04.<name> }}): name -> what it is; each wave of
#: the design adds <wave id>_excerpts (cmoc_value_names).
CMOC_VALUES: dict[str, str] = {
    "title": "short title",
    "area": "programme-theory area title",
    "strength": "strength rating",
    "excerpts": "supporting excerpts",
    "participants": "distinct participants with supporting evidence",
    "sites": "sites with supporting evidence",
    "roles": "role groups with supporting evidence",
    "data_types": "data types with supporting evidence",
    "direct": "excerpts coded to the CMOC directly",
    "partial": "partial evidence (two of three parts)",
    "refuting": "refuting excerpts",
    "refining": "supporting excerpts that refine the configuration",
    "change": "change between the first and the last wave",
}
#: Study-wide counts ({{ counts.<name> }}); per-wave role counts are added as <role>_<wave>.
COUNT_VALUES: dict[str, str] = {
    "sites": "sites",
    "cmocs": "CMOCs",
    "areas": "programme-theory areas",
    "batches": "export batches",
    "clean_codings": "clean codings",
    "observation_hours": "hours of observation (when sites.csv has observation_hours)",
    "interviews": "participant interviews over all waves",
    "supporting_excerpts": "excerpts supporting a CMOC",
}
#: Besides these, each configured rating name (config.yaml: strength) and 'unsupported' is a
#: count of CMOCs with that rating ({{ counts.moderate }}), so a renamed rating keeps working.


def cmoc_value_names() -> dict[str, str]:
    """CMOC_VALUES plus, for the design in use, supporting excerpts per wave and the change
    between each consecutive pair of waves (change_<from id>_<to id>)."""
    design = current_design()
    per_wave = {f"{w.id}_excerpts": f"supporting excerpts at {w.label}" for w in design.waves}
    labels = design.wave_labels
    per_pair = {
        f"change_{a}_{b}": f"change from {labels[a]} to {labels[b]}"
        for a, b in zip(design.wave_ids, design.wave_ids[1:], strict=False)
    }
    return {**CMOC_VALUES, **per_wave, **per_pair}


def wave_groups() -> dict[str, str]:
    """Per-wave participant counts, counts.<group>_<wave id>: 'participants' (everyone),
    'professionals' (design roles with staff: true) and each role by its plural."""
    design = current_design()
    roles = {placeholder_key(r.plural): r.id for r in design.roles}
    return {"participants": "total", "professionals": "professionals", **roles}


def typed_number_nouns() -> dict[str, tuple[str, ...]]:
    """Nouns after a typed number and the placeholders that count the same thing; "{cmoc}"
    stands for the CMOC the file (or the line) is about."""
    design = current_design()
    waves = design.wave_ids

    def per_wave(group: str) -> tuple[str, ...]:
        return tuple(f"counts.{group}_{w}" for w in waves)

    nouns = {
        "participants": ("{cmoc}.participants", *per_wave("participants")),
        "people": ("{cmoc}.participants", *per_wave("participants")),
        "sites": ("{cmoc}.sites", "counts.sites"),
        design.site_plural.casefold(): ("{cmoc}.sites", "counts.sites"),
        "excerpts": ("{cmoc}.excerpts", "{cmoc}.partial", "{cmoc}.refuting", "counts.supporting_excerpts"),
        "role groups": ("{cmoc}.roles",),
        "roles": ("{cmoc}.roles",),
        "professionals": per_wave("professionals"),
        "cmocs": ("counts.cmocs",),
        "interviews": ("counts.interviews",),
        "hours": ("counts.observation_hours",),
        "codings": ("counts.clean_codings",),
    }  # fmt: skip
    for role in design.roles:
        nouns.setdefault(role.plural.casefold(), per_wave(placeholder_key(role.plural)))
    return nouns


def _number_noun(nouns: dict[str, tuple[str, ...]]) -> re.Pattern[str]:
    """A typed number followed by one of the nouns (longest first)."""
    return re.compile(
        r"(?<![\w.,])(\d[\d,]*)\s+(?:(?:supporting|refuting|partial|distinct|more|different|"
        r"other|coded|clean)\s+)?("
        + "|".join(map(re.escape, sorted(nouns, key=len, reverse=True)))
        + r")\b",
        re.IGNORECASE,
    )


def placeholder_list(cmoc_ids: list[str], ratings: list[str]) -> list[tuple[str, str]]:
    """Every valid value placeholder for the design in use: (placeholder, what it prints)."""
    rows = [(f"counts.{name}", what) for name, what in COUNT_VALUES.items()]
    rows += [(f"counts.{name}", f"CMOCs rated {name}") for name in ratings]
    design = current_design()
    for group, role in wave_groups().items():
        label = {"total": "participants", "professionals": "professionals"}.get(
            role, design.role_plurals.get(role, group)
        )
        rows += [
            (f"counts.{group}_{w.id}", f"{label} registered at {w.label}") for w in design.waves
        ]
    names = cmoc_value_names()
    rows += [(f"{cmoc}.{name}", what) for cmoc in cmoc_ids for name, what in names.items()]
    return rows


#: Reference placeholders: namespace -> (kind, what it prints).
REFERENCES = {"table": "tab", "figure": "fig", "cmoc": "cmoc"}

_PLACEHOLDER = re.compile(r"\{\{(.*?)\}\}")
_NAME = re.compile(r"^([A-Za-z][\w-]*)\.([\w-]+)$")
_CODE_SPAN = re.compile(r"`[^`]*`")
#: "follow-" at a line's end and "up" on the next is "follow-up", not "follow- up" (a soft break)
_LINE_END_HYPHEN = re.compile(r"(?<=[A-Za-z])-[ \t]*\r?\n[ \t]*(?=[a-z])")
_MARKER = re.compile(r"@@(fig|tab|anchor):([^@]+)@@")


@dataclass(frozen=True)
class Reference:
    """A numbered reference written in the narrative, kept with where it was written."""

    kind: str  # "fig" | "tab"
    key: str
    where: str  # "file, line N"


@dataclass
class Narrative:
    """Rendered narrative fragments (safe HTML) and what the checks found."""

    sections: dict[str, Markup] = field(default_factory=dict)
    areas: dict[str, Markup] = field(default_factory=dict)
    cmocs: dict[str, Markup] = field(default_factory=dict)
    abbreviations: list[tuple[str, str]] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    typed_numbers: list[dict] = field(default_factory=list)
    #: section files the folder does not have yet (printed as "not yet written")
    not_written: list[str] = field(default_factory=list)

    def items_not_written(self) -> set[int]:
        """RAMESES II item numbers whose narrative section is not written yet."""
        numbers = (re.match(r"item (\d+):", SECTIONS.get(name, "")) for name in self.not_written)
        return {int(m.group(1)) for m in numbers if m}


def count_values(counts: dict[str, dict[str, int]], totals: dict[str, int]) -> dict[str, object]:
    """The counts.* namespace: study-wide totals plus every group per wave."""
    values: dict[str, object] = dict(totals)
    for wave, own in counts.items():
        for group, key in wave_groups().items():
            values[f"{group}_{wave}"] = own[key]
    return values


def cmoc_values(
    summary_rows: list[dict], changes: dict[str, dict[str, str]]
) -> dict[str, dict[str, object]]:
    """The <CMOC id>.* namespaces from the summary table and the change over time (`changes`:
    per CMOC, 'change' first to last and 'change_<from>_<to>' per consecutive pair)."""
    values = {}
    for row in summary_rows:
        own = {name: row[name] for name in cmoc_value_names() if name in row and name != "area"}
        own["area"] = row["area_title"]
        own["change"] = "no evidence"  # one wave: nothing compared
        own.update(changes.get(row["cmoc_id"], {}))
        values[row["cmoc_id"]] = own
    return values


def not_yet_written(path: Path, what: str) -> Markup:
    """What the report prints where a narrative section file is still missing."""
    return Markup('<p class="not-yet-written">Not yet written ({}: <code>{}</code>).</p>').format(
        what, f"{path.parent.name}/{path.name}"
    )


def _where(path: Path, line: int) -> str:
    return f"{path}, line {line}"


def _suggest(name: str, options: list[str]) -> str:
    close = difflib.get_close_matches(name, options, n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


class _Resolver:
    """Turns one placeholder into safe HTML, or says exactly what is wrong with it."""

    def __init__(self, values: dict[str, dict[str, object]], cmoc_ids: list[str]) -> None:
        self.values = values
        self.cmoc_ids = cmoc_ids

    def resolve(self, expression: str, where: str) -> tuple[str, Reference | None]:
        """HTML for `{{ expression }}` and the numbered reference it makes, if any."""
        shown = "{{ " + expression + " }}"
        match = _NAME.match(expression)
        if not match:
            raise NarrativeError(
                f"{where}: {shown} is not a placeholder; write {{{{ counts.<name> }}}}, "
                "{{ <CMOC id>.<value> }}, {{ table.<key> }}, {{ figure.<name> }} or "
                "{{ cmoc.<CMOC id> }}"
            )
        space, name = match.groups()
        if space in REFERENCES:
            markup, reference = self._reference(REFERENCES[space], name, shown, where)
            return placeholder_span(expression, markup), reference
        if space not in self.values:
            options = sorted([*self.values, *REFERENCES])
            raise NarrativeError(
                f"{where}: unknown placeholder {shown}: '{space}' is neither counts, a CMOC id "
                f"nor a reference (table, figure, cmoc){_suggest(space, options)}"
            )
        own = self.values[space]
        if name not in own:
            raise NarrativeError(
                f"{where}: unknown placeholder {shown}: {space} has no value '{name}'"
                f"{_suggest(name, sorted(own))}; it has {', '.join(sorted(own))}"
            )
        return placeholder_span(expression, html.escape(str(own[name]))), None

    def _reference(
        self, kind: str, name: str, shown: str, where: str
    ) -> tuple[str, Reference | None]:
        if kind == "cmoc":
            if name not in self.cmoc_ids:
                raise NarrativeError(
                    f"{where}: {shown} refers to no CMOC{_suggest(name, self.cmoc_ids)}"
                )
            return f'<a class="xref" href="#{name}">{name}</a>', None
        if kind == "fig":
            link = f'<a class="xref" href="#fig-{name}">Figure @@fig:{name}@@</a>'
        else:
            link = f'<a class="xref" href="#@@anchor:{name}@@">Table @@tab:{name}@@</a>'
        return link, Reference(kind, name, where)


def placeholder_span(expression: str, shown: str) -> str:
    """A filled placeholder marked with its expression, so the Word edition can carry it as a
    bookmark and an edited Word file gives the placeholder back (docx_import)."""
    return f'<span class="computed" data-placeholder="{html.escape(expression)}">{shown}</span>'


def narrative_part(relative_path: str, markup: str) -> Markup:
    """One narrative file's rendered HTML marked with its path under the narrative folder (the
    Word edition's bookmark around each narrative part)."""
    return Markup(
        f'<div class="narrative-part" data-narrative="{html.escape(relative_path)}">\n'
        f"{markup}</div>\n"
    )


def _markdown() -> MarkdownIt:
    """CommonMark with tables and typographic quotes; raw HTML is escaped, never passed on."""
    return MarkdownIt("commonmark", {"html": False, "typographer": True}).enable(
        ["table", "replacements", "smartquotes"]
    )


_MD = _markdown()


def parse_markdown(text: str) -> list:
    """markdown-it tokens of a narrative file, parsed exactly as the report renders it."""
    return _MD.parse(text)


_MD_HTML = MarkdownIt("commonmark", {"html": True}).enable("table")  # only to find raw HTML


def refuse_html(text: str, path: Path) -> None:
    """Stop on the first raw HTML tag, naming file and line (the tag name only, no content)."""
    for token in _MD_HTML.parse(text):
        line = token.map[0] + 1 if token.map else 1
        found = token.content if token.type == "html_block" else None
        for child in token.children or []:
            if child.type in ("softbreak", "hardbreak"):
                line += 1
            if child.type == "html_inline" and found is None:
                found = child.content
                break
        if found:
            tag = re.match(r"</?\s*([A-Za-z][\w-]*)", found.strip())
            name = f"<{tag.group(1)}>" if tag else "an HTML comment or declaration"
            raise NarrativeError(
                f"{_where(path, line)}: raw HTML ({name}) is not allowed in the narrative; "
                "write Markdown (the report's styles come from its templates)"
            )


def render_markdown(
    text: str, path: Path, resolver: _Resolver, *, heading_offset: int = 0
) -> tuple[Markup, list[Reference]]:
    """One narrative file as safe HTML: placeholders checked line by line, then filled in."""
    refuse_html(text, path)
    found: list[tuple[str, str]] = []
    references: list[Reference] = []
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _PLACEHOLDER.finditer(line):
            expression = match.group(1).strip()
            markup, reference = resolver.resolve(expression, _where(path, number))
            found.append((expression, markup))
            references += [reference] if reference else []
    tokens = _MD.parse(_LINE_END_HYPHEN.sub("-", text))
    for token in tokens:
        if token.type in ("heading_open", "heading_close") and heading_offset:
            token.tag = f"h{min(6, int(token.tag[1]) + heading_offset)}"
    rendered = _MD.renderer.render(tokens, _MD.options, {})
    filled: list[str] = []

    def fill(match: re.Match[str]) -> str:
        index = len(filled)
        filled.append(match.group(0))
        expression = html.unescape(match.group(1)).strip()
        if index >= len(found) or found[index][0] != expression:
            raise NarrativeError(
                f"{path}: the placeholder {{{{ {expression} }}}} is split by Markdown formatting; "
                "keep each placeholder whole on one line"
            )
        return found[index][1]

    result = _PLACEHOLDER.sub(fill, rendered)
    if len(filled) != len(found):
        raise NarrativeError(
            f"{path}: {len(found) - len(filled)} placeholder(s) were lost inside Markdown syntax "
            "(a link target or code block?); keep placeholders in running text"
        )
    return Markup(result), references


def typed_numbers(
    text: str, path: Path, values: dict[str, dict[str, object]], own_cmoc: str | None
) -> list[dict]:
    """Numbers typed in prose that equal what a placeholder computes for the same thing."""
    cmoc_ids = [key for key in values if key != "counts"]
    nouns = typed_number_nouns()
    number_noun = _number_noun(nouns)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        plain = _CODE_SPAN.sub("", _PLACEHOLDER.sub(" ", line))
        mentioned = [c for c in cmoc_ids if re.search(rf"\b{re.escape(c)}\b", line)]
        scope = [own_cmoc] if own_cmoc else []
        scope += [c for c in mentioned if c not in scope]
        for match in number_noun.finditer(plain):
            typed = int(match.group(1).replace(",", ""))
            noun = match.group(2).lower()
            for pattern in nouns[noun]:
                names = (
                    [pattern.format(cmoc=c) for c in scope] if "{cmoc}" in pattern else [pattern]
                )
                for name in names:
                    space, key = name.split(".")
                    if values.get(space, {}).get(key) == typed:
                        found.append(
                            {
                                "file": str(path),
                                "line": number,
                                "typed": match.group(0),
                                "placeholder": "{{ " + name + " }}",
                            }
                        )
    unique = {(f["file"], f["line"], f["typed"]): f for f in found}
    return list(unique.values())


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise NarrativeError(f"{path}: not UTF-8 text (byte {error.start})") from error


def narrative_files(folder: str | Path) -> list[str]:
    """Every file of a narrative folder (rule inputs: editing any of them rerenders)."""
    return sorted(str(p) for p in Path(folder).rglob("*") if p.is_file())


def load_abbreviations(path: Path) -> list[tuple[str, str]]:
    """The list of abbreviations: one Markdown list item per abbreviation, `TERM: meaning`."""
    rows = []
    for number, line in enumerate(_read(path).splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = re.match(r"^\s*[-*]\s+([^:]+?)\s*:\s*(.+?)\s*$", line)
        if not match:
            raise NarrativeError(
                f"{_where(path, number)}: write each abbreviation as '- TERM: meaning'"
            )
        rows.append((match.group(1), match.group(2)))
    return sorted(rows, key=lambda r: r[0].casefold())


def load_narrative(
    folder: str | Path,
    values: dict[str, dict[str, object]],
    *,
    area_ids: list[str],
    front_matter: list[str] = (),
    citations: Citations | None = None,
) -> Narrative:
    """Read, check and render a narrative folder (see the module docstring); `[@key]`
    citations are checked against the bibliography and left as markers (report.citations)."""
    root = Path(folder)
    citations = citations or Citations.load(None)
    cmoc_ids = [key for key in values if key != "counts"]
    resolver = _Resolver(values, cmoc_ids)
    narrative = Narrative()

    def render(path: Path, offset: int, own_cmoc: str | None = None) -> Markup:
        text = _read(path)
        citations.check_file(path)
        markup, references = render_markdown(
            citations.mark(text), path, resolver, heading_offset=offset
        )
        narrative.references.extend(references)
        narrative.typed_numbers.extend(typed_numbers(text, path, values, own_cmoc))
        return narrative_part(path.relative_to(root).as_posix(), markup)

    _render_sections(root, narrative, render, front_matter)
    _render_areas_and_cmocs(root, narrative, render, {"areas": area_ids, "cmocs": cmoc_ids})
    abbreviations = root / "abbreviations.md"
    if abbreviations.is_file():
        narrative.abbreviations = load_abbreviations(abbreviations)
    _log_narrative(narrative)
    return narrative


def _render_sections(
    root: Path, narrative: Narrative, render: Callable[..., Markup], front_matter: list[str]
) -> None:
    """The RAMESES sections and front matter: each file under sections/, or "not yet written"."""
    # front_matter: the switched-on FRONT_MATTER files and the configured NIHR parts
    # (report_options.front_parts / back_parts), each a file under sections/
    needed = {
        **SECTIONS,
        **{k: FRONT_MATTER.get(k, "a configured report part") for k in front_matter},
    }
    for name, what in needed.items():
        path = root / "sections" / f"{name}.md"
        if not path.is_file():
            log.warning("%s: not yet written (%s); the report says so", path, what)
            narrative.not_written.append(name)
            narrative.sections[name] = not_yet_written(path, what)
            continue
        narrative.sections[name] = render(path, 2)


def _render_areas_and_cmocs(
    root: Path, narrative: Narrative, render: Callable[..., Markup], known: dict[str, list[str]]
) -> None:
    """areas/<id>.md and cmocs/<id>.md, each named after a defined area or CMOC."""
    for kind, ids in known.items():
        for path in sorted((root / kind).glob("*.md")):
            if path.stem not in ids:
                raise NarrativeError(
                    f"{path}: there is no {kind[:-1]} '{path.stem}'{_suggest(path.stem, ids)}; "
                    f"name the file after one of: {', '.join(ids)}"
                )
            own = path.stem if kind == "cmocs" else None
            getattr(narrative, kind)[path.stem] = render(path, 2 if kind == "areas" else 3, own)


def _log_narrative(narrative: Narrative) -> None:
    """A warning per typed number the pipeline computes, and what the narrative holds."""
    for item in narrative.typed_numbers:
        log.warning(
            "%s, line %d: '%s' is typed, and the pipeline computes the same number: write %s "
            "so it cannot go stale",
            item["file"],
            item["line"],
            item["typed"],
            item["placeholder"],
        )
    log.info(
        "narrative: %d sections, %d areas, %d CMOCs, %d references, %d typed numbers flagged",
        len(narrative.sections),
        len(narrative.areas),
        len(narrative.cmocs),
        len(narrative.references),
        len(narrative.typed_numbers),
    )


def resolve_references(
    html_text: str, numbers: dict[str, dict[str, int]], anchors: dict[str, str]
) -> str:
    """Fill the narrative's reference markers with numbers and anchors from the placed captions."""

    def number(match: re.Match[str]) -> str:
        kind, key = match.groups()
        if kind == "anchor":
            return anchors[key]
        return str(numbers[kind][key])

    return _MARKER.sub(number, html_text)


def check_references(
    references: list[Reference], numbers: dict[str, dict[str, int]], anchors: dict[str, str]
) -> None:
    """Every table or figure the narrative refers to must be captioned in the report."""
    for ref in references:
        noun = "figure" if ref.kind == "fig" else "table"
        placed = numbers[ref.kind]
        if ref.key not in placed or (ref.kind == "tab" and ref.key not in anchors):
            options = sorted(anchors if ref.kind == "tab" else placed)
            raise NarrativeError(
                f"{ref.where}: {{{{ {'figure' if ref.kind == 'fig' else 'table'}.{ref.key} }}}} "
                f"refers to a {noun} the report does not have{_suggest(ref.key, options)}; "
                f"{noun}s: {', '.join(options)}"
            )
