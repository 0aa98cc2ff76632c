"""Report: prepare a context of computed numbers, render jinja2 HTML, print to PDF with WeasyPrint.

Templates never compute: every number they show is prepared here from the pipeline's tables.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import jinja2
import pandas as pd
from markupsafe import Markup

from realist_report.analysis.contrasts import contrasts_view
from realist_report.analysis.evidence import first_to_last
from realist_report.analysis.judgement import cerqual_rows, confidence_counts, confidence_of
from realist_report.core.definitions import load_definitions
from realist_report.core.errors import PipelineError
from realist_report.core.vocabulary import (
    CHANGES,
    RATIONALE_COMPONENTS,
    REFUTES,
    ROLE_LABELS,
    SUPPRESSED,
    WAVE_LABELS,
    SiteColumns,
    attribute_label,
    current_design,
    rating_as_confidence,
    site_columns,
    site_label,
    strength_order,
    suppression_marker,
    unreachable_ratings,
    with_coarser_places,
)
from realist_report.privacy.attribution import attribution_size
from realist_report.report.citations import MARKER as CITATION_MARKER
from realist_report.report.citations import Citations
from realist_report.report.design_text import capitalised, counted, design_context, joined, plural
from realist_report.report.explorer import explorer_link
from realist_report.report.narrative import (
    FRONT_MATTER,
    check_references,
    cmoc_values,
    count_values,
    load_narrative,
    resolve_references,
)
from realist_report.report.rameses import NOT_YET_REPORTED, item_gaps
from realist_report.report.wordlimits import word_limit_lines

log = logging.getLogger(__name__)
TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates"


def svg_data_uri(path: str | Path) -> str:
    """Embed an SVG as a data URI so the HTML edition is self-contained and ids never clash."""
    return "data:image/svg+xml;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def figure_entries(figure_paths: dict[str, str], site: str = "site") -> dict[str, dict]:
    """Each figure with caption, alt text and embedded image; its number comes from placement."""
    # imported here, not at the top: the PDF job needs none of plotnine/matplotlib (about 1 s)
    from realist_report.report.figures import FIGURES, figure_text

    entries = {}
    for name in sorted(figure_paths):
        caption, alt = figure_text(name, site)
        entries[name] = {
            "name": name,
            "number": None,
            "caption": caption,
            "alt": alt,
            "src": svg_data_uri(figure_paths[name]),
            "section": FIGURES[name].section if name in FIGURES else None,
        }
    return entries


def participant_counts(participants: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Registered participants per wave and role, e.g. counts['t1']['pharmacist'] == 6;
    'professionals' are the design's staff roles."""
    waves = participants.assign(wave=participants["waves"].str.split(";")).explode("wave")
    staff = current_design().staff_roles
    counts: dict[str, dict[str, int]] = {}
    for wave in WAVE_LABELS:
        own = waves[waves["wave"] == wave]
        counts[wave] = {role: int((own["role"] == role).sum()) for role in ROLE_LABELS}
        counts[wave]["professionals"] = int(own["role"].isin(staff).sum())
        counts[wave]["total"] = len(own)
    return counts


def participants_table(participants: pd.DataFrame, columns: SiteColumns) -> dict:
    """Methods table: participants by role and wave (rows) and site or region (columns)."""
    waves = participants.assign(wave=participants["waves"].str.split(";")).explode("wave")
    waves["column"] = waves["site_id"].astype(str).map(columns.of_site)
    rows = []
    for wave, wave_label in WAVE_LABELS.items():
        for role, role_label in ROLE_LABELS.items():
            own = waves[(waves["wave"] == wave) & (waves["role"] == role)]
            if own.empty:
                continue
            by_column = own["column"].value_counts()
            rows.append(
                {
                    "wave": wave_label,
                    "role": role_label,
                    "cells": [int(by_column.get(label, 0)) for label in columns.labels],
                    "total": len(own),
                }
            )
    return {"heading": columns.heading, "columns": columns.labels, "rows": rows}


#: sites.csv columns that are not site attributes: the id, the grouping and the hours.
SITE_KEY_COLUMNS = ("site_id", "region", "observation_hours")


def site_attributes(sites: pd.DataFrame) -> list[str]:
    """Every other sites.csv column is a site attribute, printed in the site table."""
    return [c for c in sites.columns if c not in SITE_KEY_COLUMNS]


def observation_hours(sites: pd.DataFrame) -> int | None:
    """Hours of observation over all sites, or None when the register does not record them."""
    return int(sites["observation_hours"].sum()) if "observation_hours" in sites else None


def sites_table(sites: pd.DataFrame, columns: SiteColumns) -> dict:
    """Site characteristics: one row per site, or per region with counts when sites are many;
    `attributes` lists the columns (with labels), hours only when recorded."""
    attributes = site_attributes(sites)
    hours = "observation_hours" in sites
    labels = {key: attribute_label(key) for key in attributes}
    if columns.heading == "site":
        rows = [
            {
                "name": site_label(row["site_id"]),
                "region": row.get("region", ""),
                **{key: row[key] for key in attributes},
                "sites": 1,
                "observation_hours": int(row["observation_hours"]) if hours else None,
            }
            for row in sites.to_dict("records")
        ]
    else:
        rows = [
            {
                "name": str(region),
                **{
                    key: "; ".join(f"{v} {n}" for v, n in sorted(own[key].value_counts().items()))
                    for key in attributes
                },
                "sites": len(own),
                "observation_hours": observation_hours(own),
            }
            for region, own in sites.groupby("region", sort=True)
        ]
    return {
        "heading": columns.heading,
        "rows": rows,
        "attributes": labels,
        "has_region": "region" in sites,
        "has_hours": hours,
    }


def quote_entries(quotes: pd.DataFrame) -> dict[str, list[dict]]:
    """Each CMOC's printed quotes in order, a refuting one flagged (labelled when printed)."""
    entries: dict[str, list[dict]] = {}
    for row in quotes.to_dict("records"):
        row["refuting"] = row["stance"] == REFUTES
        entries.setdefault(row["cmoc_id"], []).append(row)
    return entries


def cmoc_sections(summary: pd.DataFrame, quotes: pd.DataFrame, areas: list[dict]) -> list[dict]:
    """Results grouped by programme-theory area: each CMOC with its numbers and quotes, and
    whether its refuting evidence (if any) is quoted."""
    quotes_by_cmoc = quote_entries(quotes)
    design = current_design()
    sections = []
    for area in areas:
        own = summary[summary["area"] == area["area_id"]]
        cmocs = []
        for row in own.to_dict("records"):
            row["quotes"] = quotes_by_cmoc.get(row["cmoc_id"], [])
            row["refuting_quoted"] = any(q["refuting"] for q in row["quotes"])
            row["role_group_text"] = labelled(row["role_groups"], design.role_plurals)
            row["data_type_text"] = labelled(row["data_type_names"], design.source_type_labels)
            cmocs.append(row)
        sections.append({"id": area["area_id"], "title": area["area_title"], "cmocs": cmocs})
    return sections


def labelled(ids: object, labels: dict[str, str]) -> str:
    """';'-joined ids ('team_lead;member') as the design names them ('team leads, members'):
    a table shows labels, never keys."""
    keys = [k for k in str(ids).split(";") if k] if isinstance(ids, str) else []
    return ", ".join(labels.get(k, k.replace("_", " ")) for k in keys)


def quoted_excerpts(quotes: pd.DataFrame) -> list[dict]:
    """The appendix list of quotes: short reference, CMOC, stance and the full excerpt id (the
    id the evidence explorer and `make trace` show)."""
    return [
        {
            "label": row["label"],
            "cmoc_id": row["cmoc_id"],
            "kind": "refuting" if row["stance"] == REFUTES else "supporting",
            "attribution": row["attribution"],
            "excerpt_id": row["excerpt_id"],
        }
        for row in quotes.to_dict("records")
    ]


def trace_rows(summary: pd.DataFrame) -> list[dict]:
    """Where each CMOC's counts can be traced (the audit appendix): the codings behind its
    supporting excerpts, listed in results/cmoc_summary.csv."""
    return [
        {
            "cmoc_id": row["cmoc_id"],
            "excerpts": int(row["excerpts"]),
            "codings": len(row["excerpt_ids"].split(";")) if row["excerpt_ids"] else 0,
        }
        for row in summary.to_dict("records")
    ]


def site_matrix(matrix: pd.DataFrame, summary: pd.DataFrame, columns: SiteColumns) -> dict:
    """Appendix table: supporting excerpts per CMOC (rows) and site or region (columns), plus
    the coarser places the attribution rule keys some units by (with_coarser_places)."""
    by_site = matrix[matrix["dimension"] == "site"]
    shown, columns = columns, with_coarser_places(columns, by_site["value"])
    cells = by_site.assign(column=lambda m: m["value"].astype(str).map(columns.of_site))
    totals = cells.groupby(["cmoc_id", "column"])["excerpts"].sum()
    rows = []
    for cmoc_id in summary["cmoc_id"]:
        values = [int(totals.get((cmoc_id, label), 0)) for label in columns.labels]
        rows.append({"cmoc_id": cmoc_id, "cells": values, "total": sum(values)})
    # the site each column opens in the evidence explorer (none when columns are regions)
    ids = {label: site for site, label in columns.of_site.items()}
    sites = [ids.get(label) if columns.heading == "site" else None for label in columns.labels]
    coarser = [label for label in columns.labels if label not in shown.labels]
    return {
        "heading": columns.heading, "columns": columns.labels, "rows": rows, "sites": sites,
        "coarser": coarser,
    }  # fmt: skip


def areas_by_strength(summary: pd.DataFrame, order: list[str]) -> list[dict]:
    """Discussion summary: per programme-theory area, its CMOCs grouped by strength rating."""
    rows = []
    for area_title, own in summary.groupby("area_title", sort=False):
        groups = [
            {
                "strength": s,
                "cmocs": [
                    f"{r['cmoc_id']} ({r['title']}; team's confidence: {confidence_of(r)})"
                    for r in own.to_dict("records")
                    if r["strength"] == s
                ],
            }
            for s in order
        ]
        rows.append({"title": area_title, "groups": [g for g in groups if g["cmocs"]]})
    return rows


# ---- report views: tables as the report prints them ----------------------------------------------


def for_whom_view(subgroups: pd.DataFrame, min_cell_size: int, marker: str = SUPPRESSED) -> dict:
    """The 'for whom' tables as the report prints them: one per attribute, CMOCs by subgroup.

    CMOCs without any evidence from these participants are listed by name instead of as rows
    of zeros.
    """
    totals = subgroups.drop_duplicates("cmoc_id").set_index("cmoc_id")["cmoc_participants"]
    evidenced = totals.gt(0)
    tables = []
    for attribute, own in subgroups.groupby("attribute", sort=False):
        values = list(dict.fromkeys(own["value"]))
        registered = own.drop_duplicates("value").set_index("value")["registered"]
        rows = []
        for cmoc_id, cells in own.groupby("cmoc_id", sort=False):
            if not evidenced[cmoc_id]:
                continue
            by_value = cells.set_index("value")
            rows.append(
                {
                    "cmoc_id": cmoc_id,
                    "cells": [
                        marker
                        if by_value.at[v, "suppressed"]
                        else str(by_value.at[v, "participants"])
                        for v in values
                    ],
                }
            )
        tables.append(
            {
                "attribute": attribute,
                "label": attribute_label(attribute).casefold(),
                "values": values,
                "registered": [
                    marker if pd.isna(registered[v]) else str(registered[v]) for v in values
                ],
                "rows": rows,
            }
        )
    return {
        "tables": tables,
        "without_evidence": [c for c, seen in evidenced.items() if not seen],
        "min_cell_size": int(min_cell_size),
        # counted in the tables as printed, so a reader can check the figure
        "suppressed_cells": sum(row["cells"].count(marker) for t in tables for row in t["rows"]),
        "cells": sum(len(row["cells"]) for t in tables for row in t["rows"]),
        "register_suppressed": sum(t["registered"].count(marker) for t in tables),
    }


def _share_text(count: int, pool: int) -> str:
    return f"{count}/{pool} ({count / pool:.0%})" if pool else f"{count}/0"


def _ratio_text(row: dict) -> str:
    b, f = row["from_participants"], row["to_participants"]
    if not (b and f and row["to_pool"]):
        return "\u2013"
    return f"{(f * row['from_pool']) / (row['to_pool'] * b):.2f}"


def _pair_view(changes: pd.DataFrame) -> dict:
    """One comparison (every CMOC's row for one pair of waves) as the report prints it."""
    plurals = current_design().role_plurals
    first = changes.iloc[0].to_dict() if len(changes) else {}
    compared = [r for r in str(first.get("compared_roles", "")).split(";") if r]
    from_label = WAVE_LABELS.get(str(first.get("from_wave")), "")
    to_label = WAVE_LABELS.get(str(first.get("to_wave")), "")
    return {
        "rows": [
            {
                **row,
                "from_text": _share_text(row["from_participants"], row["from_pool"]),
                "to_text": _share_text(row["to_participants"], row["to_pool"]),
                "ratio_text": _ratio_text(row),
            }
            for row in changes.to_dict("records")
        ],
        "counts": {c: int((changes["change"] == c).sum()) for c in CHANGES},
        "lw_counts": {c: int((changes["lw_change"] == c).sum()) for c in CHANGES},
        "compared_roles": [plurals.get(r, r) for r in compared],
        "compared_label": capitalised(" and ".join(plurals.get(r, r) for r in compared)),
        "from_label": from_label,
        "to_label": to_label,
        "from_title": capitalised(from_label),
        "to_title": capitalised(to_label),
        "from_pool": int(first.get("from_pool", 0)),
        "to_pool": int(first.get("to_pool", 0)),
    }


def change_view(changes: pd.DataFrame, thresholds: dict) -> dict:
    """The first wave against the last as the report prints it, and with more than two waves
    each consecutive pair (`steps`), CMOC by CMOC (`step_rows`)."""
    consecutive = changes[changes["consecutive"].astype(bool)]
    groups = consecutive.groupby(["from_wave", "to_wave"], sort=False)
    steps = [_pair_view(rows) for _, rows in groups]
    if len(steps) < 2:  # two waves: the one consecutive pair is the first against the last
        steps = []
    step_rows = [
        {"cmoc_id": row["cmoc_id"], "cells": [step["rows"][i] for step in steps]}
        for i, row in enumerate(steps[0]["rows"] if steps else [])
    ]
    return {
        **_pair_view(first_to_last(changes)),
        "steps": steps,
        "step_rows": step_rows,
        "thresholds": thresholds,
    }


def cmoc_changes(changes: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Each CMOC's change from the first wave to the last ('change') and between each
    consecutive pair ('change_<from id>_<to id>'): the narrative's {{ CMOC01.change... }}."""
    values: dict[str, dict[str, str]] = {}
    for row in changes.itertuples(index=False):
        own = values.setdefault(row.cmoc_id, {})
        if row.consecutive:
            own[f"change_{row.from_wave}_{row.to_wave}"] = row.change
        if row.first_to_last:
            own["change"] = row.change
    return values


# ---- narrative, RAMESES II items, numbering and contents ----------------------------------------

#: RAMESES II reporting items for realist evaluations (Wong et al. 2016): number, section of the
#: standard, item name, and the id of the element in this report where it is addressed.
RAMESES_ITEMS: list[tuple[int, str, str, str]] = [
    (1, "Title", "Title", "title-page"),
    (2, "Summary or abstract", "Summary or abstract", "summary"),
    (3, "Introduction", "Rationale for evaluation", "rationale"),
    (4, "Introduction", "Programme theory", "programme-theory"),
    (5, "Introduction", "Evaluation questions, objectives and focus", "questions"),
    (6, "Introduction", "Ethical approval", "ethics"),
    (7, "Methods", "Rationale for using realist evaluation", "realist-rationale"),
    (8, "Methods", "Environment surrounding the evaluation", "environment"),
    (9, "Methods", "Describe the programme, policy, initiative or product evaluated", "programme"),
    (10, "Methods", "Describe and justify the evaluation design", "design"),
    (11, "Methods", "Data collection methods", "data-collection"),
    (12, "Methods", "Recruitment process and sampling strategy", "recruitment"),
    (13, "Methods", "Data analysis", "analysis"),
    (14, "Results", "Details of participants", "participants"),
    (15, "Results", "Main findings", "results"),
    (16, "Discussion", "Summary of findings", "summary-of-findings"),
    (17, "Discussion", "Strengths, limitations and future research directions", "strengths"),
    (18, "Discussion", "Comparison with existing literature", "literature"),
    (19, "Discussion", "Conclusion and recommendations", "conclusion"),
    (20, "Discussion", "Funding and conflict of interest", "funding"),
]
_MARKER = re.compile(r"@@(fig|tab):([^@]+)@@")
_DEFINITION = re.compile(
    r"<(?:fig)?caption\b([^>]*)>\s*(?:Figure|Table)\s+@@(fig|tab):([^@]+)@@\.?\s*(.*?)</(?:fig)?caption>",
    re.DOTALL,
)
_HEADING = re.compile(r'<h([12])\b[^>]*\bid="([^"]+)"[^>]*>(.*?)</h\1>', re.DOTALL)
_ID = re.compile(r'\bid="([^"]+)"')
_TAG = re.compile(r"<[^>]+>")


class ReportError(PipelineError):
    """The report cannot be assembled: a broken cross-reference or a missing narrative."""


class _Markers(dict):
    """Pass one: any table or figure key yields a marker that pass two turns into its number."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def __missing__(self, key: str) -> str:
        return f"@@{self.kind}:{key}@@"


class _Numbers(dict):
    """Pass two: numbers in reading order; a key never captioned is a broken cross-reference."""

    def __init__(self, kind: str, numbers: dict[str, int]) -> None:
        super().__init__(numbers)
        self.kind = kind

    def __missing__(self, key: str) -> int:
        noun = "figure" if self.kind == "fig" else "table"
        raise ReportError(f"the report refers to {noun} '{key}' but no {noun} caption defines it")


def caption_order(html: str) -> dict[str, dict[str, int]]:
    """Figure and table numbers from where their captions appear in the pass-one HTML."""
    numbers: dict[str, dict[str, int]] = {"fig": {}, "tab": {}}
    for _, kind, key, _ in _DEFINITION.findall(html):
        if key in numbers[kind]:
            noun = "figure" if kind == "fig" else "table"
            raise ReportError(f"{noun} '{key}' is captioned twice in the report")
        numbers[kind][key] = len(numbers[kind]) + 1
    return numbers


def table_captions(html: str) -> list[dict]:
    """Every table caption of the pass-one HTML in reading order: key, anchor and title."""
    tables = []
    for attributes, kind, key, title in _DEFINITION.findall(html):
        anchor = _ID.search(attributes)
        if kind == "tab" and anchor:
            text = " ".join(_MARKER.sub("", _TAG.sub("", title)).split())
            tables.append({"key": key, "anchor": anchor.group(1), "title": Markup(text).unescape()})
    return tables


def contents_from_html(html: str, skip: tuple[str, ...] = ("contents",)) -> list[dict]:
    """Contents entries from the rendered h1/h2 headings, so every new section is listed."""
    entries = []
    for level, anchor, inner in _HEADING.findall(html):
        if anchor in skip:
            continue
        title = " ".join(_TAG.sub("", inner).split())
        entries.append({"id": anchor, "title": Markup(title).unescape(), "level": int(level)})
    return entries


def rameses_checklist(html: str, gaps: dict[int, str] | None = None) -> list[dict]:
    """The RAMESES II checklist: an item is reported (Y) when its section is in the document
    and the team has written it (`gaps`, from realist_report.report.rameses.item_gaps, says why not)."""
    present = set(_ID.findall(html))
    gaps = gaps or {}
    rows = []
    for number, section, name, anchor in RAMESES_ITEMS:
        why = gaps.get(number) or (None if anchor in present else "no section in the document")
        rows.append(
            {
                "number": number,
                "section": section,
                "name": name,
                "anchor": anchor,
                "reported": NOT_YET_REPORTED if why else "Y",
                "why": why,
            }
        )
    return rows


#: What a template writes for a figure the data leave nothing to show (macros.figure_left_out).
FIGURE_LEFT_OUT = re.compile(r"<!-- figure left out: (\w+) -->")


def render_numbered(context: dict, template_dir: str | Path = TEMPLATE_DIR) -> str:
    """Render twice: pass one finds captions, headings and sections; pass two prints numbers.

    Figure and table numbers, the contents and the RAMESES checklist all follow the order in
    which the templates place things, so moving a section never leaves a stale number.
    """
    figures = context["figures"]
    first = dict(context)
    first["table_numbers"] = _Markers("tab")
    first["figures"] = {k: {**v, "number": f"@@fig:{k}@@"} for k, v in figures.items()}
    first["figure_list"] = []
    first["table_list"] = []
    first["toc"] = []
    first["rameses"] = [{**item, "reported": ""} for item in rameses_checklist("")]
    draft = render_html(first, template_dir)
    numbers = caption_order(draft)
    unplaced = sorted(set(figures) - set(numbers["fig"]) - set(FIGURE_LEFT_OUT.findall(draft)))
    if unplaced:
        raise ReportError(f"figures drawn but not placed in the report: {', '.join(unplaced)}")
    tables = table_captions(draft)
    anchors = {t["key"]: t["anchor"] for t in tables}
    check_references(context.get("narrative_references", []), numbers, anchors)
    final = dict(context)
    final["table_numbers"] = _Numbers("tab", numbers["tab"])
    final["figures"] = {
        k: {**v, "number": numbers["fig"][k]} for k, v in figures.items() if k in numbers["fig"]
    }
    final["figure_list"] = sorted(final["figures"].values(), key=lambda f: f["number"])
    final["table_list"] = [{**t, "number": numbers["tab"][t["key"]]} for t in tables]
    final["toc"] = contents_from_html(draft)
    final["rameses"] = rameses_checklist(draft, context.get("rameses_gaps"))
    html = resolve_references(render_html(final, template_dir), numbers, anchors)
    if context.get("citations"):
        html, _ = context["citations"].resolve(html)
    leftover = sorted(set(_MARKER.findall(html)))
    if leftover:
        raise ReportError(f"unresolved cross-references in the report: {leftover}")
    return html


def judgement_view(row: dict) -> dict | None:
    """The team's confidence beside the count rating, for one CMOC's results table: the level,
    its rationale by component, and the sentence flagging a gap of more than one step."""
    if not isinstance(row.get("confidence"), str):
        return None
    rationale = [
        {"component": part.replace("_", " ").capitalize(), "text": row[f"rationale_{part}"]}
        for part in RATIONALE_COMPONENTS
        if isinstance(row.get(f"rationale_{part}"), str)
    ]
    flag = None
    if row["judgement_disagrees"]:
        gap = int(row["confidence_gap"])
        direction = "more" if gap > 0 else "less"
        flag = (
            f"The team's confidence ({row['confidence']}) and the count rating "
            f"({row['strength']}, read as {row['rating_as_confidence']} confidence) are "
            f"{abs(gap)} steps apart: the team is {direction} confident than the counts alone "
            "suggest, for the reasons given."
        )
    return {"confidence": row["confidence"], "rationale": rationale, "flag": flag}


def code_text(codes: object, paths: dict[str, str]) -> str:
    """';'-joined code ids as a reader knows them: 'Exercising micro-discretion (mechanism)'
    from the codebook path 'Mechanism::Exercising micro-discretion'; an unknown id as words."""
    names = []
    for code in str(codes or "").split(";"):
        kind, _, label = paths.get(code, code.replace("_", " ")).partition("::")
        if code:
            names.append(f"{label} ({kind.casefold()})" if label else kind)
    return ", ".join(names)


def refinement_view(
    summary: pd.DataFrame,
    history: pd.DataFrame,
    memos: pd.DataFrame,
    all_memos: int,
    code_paths: dict[str, str] | None = None,
) -> dict:
    """Per CMOC, in the summary's order: its status, dated history and memos as one timeline
    (oldest first; history before memos on the same day), for the CMOC tables and the appendix
    'How the programme theory was refined'. A memo on a code several CMOCs share is printed in
    full under the first and named under the others (`printed_under`); `all_memos` counts
    every memo read."""
    cmocs = {}
    first_shown: dict[str, str] = {}  # memo id -> the CMOC it is printed in full under
    for row in summary.to_dict("records"):
        cmoc_id = row["cmoc_id"]
        steps = [
            {"date": h["date"], "kind": "history", "text": h["text"]}
            for h in history[history["cmoc_id"] == cmoc_id].to_dict("records")
        ]
        own = memos[memos["cmoc_id"] == cmoc_id].to_dict("records")
        notes = [
            {
                "date": str(m["created"])[:10] if m["created"] else "undated",
                "kind": "memo",
                "text": m["text"],
                "title": m["title"] or "",
                "coder": m["coder"] or "coder not recorded",
                "via": m["via"],
                "codes": code_text(m["codes"], code_paths or {}),
                "printed_under": first_shown.setdefault(m["memo_id"], cmoc_id),
            }
            for m in own
        ]
        status = row["status"] if isinstance(row.get("status"), str) else None
        cmocs[cmoc_id] = {
            "title": row["title"],
            "status": status,
            "history": steps,
            "timeline": sorted(steps + notes, key=lambda e: (e["date"], e["kind"])),
            "judgement": judgement_view(row),
        }
    shown = {c: v for c, v in cmocs.items() if v["timeline"] or v["status"]}
    return {
        "cmocs": cmocs,
        "shown": shown,
        "memos_shown": int(memos["memo_id"].nunique()),
        "memos_read": all_memos,
    }


def study_totals(
    sites: pd.DataFrame,
    counts: dict[str, dict[str, int]],
    summary: pd.DataFrame,
    quality: pd.DataFrame,
    order: list[str],
) -> dict[str, int]:
    """The study-wide totals, counted once (`counts`: participant_counts): the narrative's
    counts.* placeholders and the numbers the templates print (totals_context) both read them."""
    ratings = summary["strength"].value_counts()
    hours = observation_hours(sites)
    return {
        "sites": len(sites),
        "cmocs": len(summary),
        "areas": int(summary["area"].nunique()),
        "batches": int((quality["batch"] != "all batches").sum()),
        "clean_codings": int(quality.loc[quality["batch"] == "all batches", "clean"].iloc[0]),
        **({"observation_hours": hours} if hours is not None else {}),
        "interviews": sum(counts[wave]["total"] for wave in counts),
        "supporting_excerpts": int(summary["excerpts"].sum()),
        **{s: int(ratings.get(s, 0)) for s in order},
    }


def totals_context(totals: dict[str, int]) -> dict:
    """The study-wide totals under the names the templates print them by."""
    names = ("sites", "cmocs", "batches", "interviews", "supporting_excerpts")
    return {
        "n_observation_hours": totals.get("observation_hours"),
        **{f"n_{name}": totals[name] for name in names},
    }


def quality_context(quality: pd.DataFrame, quarantine: pd.DataFrame) -> dict:
    """Appendix A: row accounting per batch, its totals and the quarantine reasons as words."""
    totals = quality[quality["batch"] == "all batches"].iloc[0].to_dict()
    reasons = quarantine["reason"].value_counts().sort_index()
    return {
        "quality_rows": quality.to_dict("records"),
        "quality_totals": {k: (int(v) if not isinstance(v, str) else v) for k, v in totals.items()},
        "quarantine_reasons": [
            {"reason": capitalised(str(r).replace("_", " ")), "rows": int(n)}
            for r, n in reasons.items()
        ],
    }


def narrative_context(
    narrative: object, summary: pd.DataFrame, history: pd.DataFrame, citations: Citations | None
) -> dict:
    """The narrative, its cross-references and citations, and the RAMESES II items it leaves
    unreported."""
    return {
        "narrative": narrative,
        "narrative_references": narrative.references,
        "citations": citations,
        "has_citations": has_citations(narrative, summary, history),
        "rameses_gaps": {
            **item_gaps(narrative.sections, narrative.cmocs, summary["cmoc_id"].tolist()),
            **dict.fromkeys(narrative.items_not_written(), "not yet written"),
        },
    }


def read_narrative(
    narrative_dir: str | Path,
    summary: pd.DataFrame,
    wave_change: pd.DataFrame,
    values: dict,
    options: dict,
    citations: Citations | None,
) -> object:
    """The team's narrative with its placeholders filled from `values` (counts.* and the
    CMOCs' own numbers and change over time)."""
    changes = cmoc_changes(wave_change)
    return load_narrative(
        narrative_dir,
        {"counts": values, **cmoc_values(summary.to_dict("records"), changes)},
        area_ids=list(dict.fromkeys(summary["area"])),
        front_matter=[
            *(name for name in FRONT_MATTER if options[name]),
            *options.get("front_parts", {}),
            *options.get("back_parts", {}),
        ],
        citations=citations,
    )


def strength_context(summary: pd.DataFrame, settings: dict) -> dict:
    """The ratings as the templates print them: order, counts, CSS classes and the reading on
    the confidence scale."""
    order = strength_order(settings["strength"])
    ratings = summary["strength"].value_counts()
    return {
        "strength_order": order,
        "strength_counts": {s: int(ratings.get(s, 0)) for s in order},
        # CSS classes by rank (strength-rank-1 strongest), so a renamed rating keeps its colour
        "strength_classes": {
            s: "strength-unsupported" if s == order[-1] else f"strength-rank-{rank}"
            for rank, s in enumerate(order, start=1)
        },
        "rating_as_confidence": rating_as_confidence(settings["strength"]),
        "areas_by_strength": areas_by_strength(summary, order),
    }


def for_whom_context(subgroups: pd.DataFrame, settings: dict) -> dict:
    """The 'for whom' tables and the people they are about, named by the design's plurals."""
    privacy = settings["privacy"]
    for_whom = for_whom_view(subgroups, privacy["min_cell_size"], suppression_marker(privacy))
    roles = settings.get("for_whom", {}).get("roles", [])
    for_whom["people"] = joined([current_design().role_plurals.get(r, r) for r in roles])
    for_whom["people_title"] = capitalised(for_whom["people"])
    return for_whom


def evidence_context(
    summary: pd.DataFrame,
    matrix: pd.DataFrame,
    sites: pd.DataFrame,
    participants: pd.DataFrame,
    quotes: pd.DataFrame,
    settings: dict,
) -> dict:
    """The Results views: CMOC sections with their quotes, summary and CERQual rows, context
    contrasts, the evidence matrix and where to trace each CMOC."""
    areas = summary[["area", "area_title"]].drop_duplicates()
    columns = site_columns(sites, settings["report_layout"]["max_site_columns"])
    return {
        "areas": cmoc_sections(
            summary, quotes, areas.rename(columns={"area": "area_id"}).to_dict("records")
        ),
        "quoted_excerpts": quoted_excerpts(quotes),
        "trace_rows": trace_rows(summary),
        "summary_rows": [
            {**row, "confidence_text": confidence_of(row)} for row in summary.to_dict("records")
        ],
        "cerqual_rows": cerqual_rows(summary),
        "context_contrasts": contrasts_view(
            matrix,
            sites,
            participants,
            summary["cmoc_id"].tolist(),
            settings["privacy"]["min_cell_size"],
        ),
        "confidence_counts": confidence_counts(summary),
        "site_matrix": site_matrix(matrix, summary, columns),
        "sites": sites_table(sites, columns),
        "participants_table": participants_table(participants, columns),
        "column_heading": columns.heading,
    }


def build_context(
    *,
    study: dict,
    participants: pd.DataFrame,
    sites: pd.DataFrame,
    summary: pd.DataFrame,
    matrix: pd.DataFrame,
    subgroups: pd.DataFrame,
    wave_change: pd.DataFrame,
    quotes: pd.DataFrame,
    quality: pd.DataFrame,
    quarantine: pd.DataFrame,
    figure_paths: dict[str, str],
    settings: dict,
    snapshot_date: str,
    narrative_dir: str | Path,
    options: dict,
    history: pd.DataFrame,
    memos: pd.DataFrame,
    memos_read: int,
    citations: Citations | None = None,
    code_paths: dict[str, str] | None = None,
) -> dict:
    """Everything the template prints, from the pipeline's tables (`history`, `memos`: the
    CMOCs' dated history and memos). Figure and table numbers, the contents and the RAMESES
    checklist are added by render_numbered from where the templates place things."""
    counts = participant_counts(participants)
    strength = strength_context(summary, settings)
    totals = study_totals(sites, counts, summary, quality, strength["strength_order"])
    narrative = read_narrative(
        narrative_dir, summary, wave_change, count_values(counts, totals), options, citations
    )
    evidence = evidence_context(summary, matrix, sites, participants, quotes, settings)
    return {
        **strength,
        **evidence,
        **totals_context(totals),
        **quality_context(quality, quarantine),
        **narrative_context(narrative, summary, history, citations),
        "refinement": refinement_view(summary, history, memos, memos_read, code_paths),
        **{"toc": [], "table_numbers": {}, "table_list": [], "figure_list": []},
        "options": options,
        "for_whom": for_whom_context(subgroups, settings),
        # attribution.py's group size, printed in Methods, and the one suppression marker
        "min_attribution": attribution_size(settings["privacy"]),
        "suppressed": suppression_marker(settings["privacy"]),
        "wave_change": change_view(wave_change, settings["wave_change"]),
        "study": study,
        "snapshot_date": snapshot_date,
        "counts": counts,
        "design": design_context(counts),
        "unreachable_ratings": unreachable_ratings(
            settings["strength"], current_design(), len(sites), len(participants)
        ),
        "figures": figure_entries(figure_paths, evidence["column_heading"]),
        "settings": settings,
    }


def has_citations(narrative: object, summary: pd.DataFrame, history: pd.DataFrame) -> bool:
    """Whether anything printed cites, so the report has a reference list."""
    from realist_report.report.citations import CITATION

    parts = [*narrative.sections.values(), *narrative.areas.values(), *narrative.cmocs.values()]
    if any(CITATION_MARKER.search(str(part)) for part in parts):
        return True
    fields = [summary.astype(str).to_numpy().ravel(), history.astype(str).to_numpy().ravel()]
    return any(CITATION.search(str(value)) for values in fields for value in values)


def render_html(
    context: dict, template_dir: str | Path = TEMPLATE_DIR, template: str = "report.html.j2"
) -> str:
    """Render the report HTML from the prepared context."""
    return template_environment(str(template_dir)).get_template(template).render(**context)


@functools.cache
def template_environment(template_dir: str) -> jinja2.Environment:
    """One jinja2 environment per template folder, so both passes of render_numbered (and every
    save in the live preview) reuse the compiled templates; an edited template is recompiled
    (jinja2's auto_reload checks each file's modification time)."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template_dir),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )
    environment.filters["site"] = site_label
    environment.filters["cite"] = cite_filter
    environment.filters["explore"] = explorer_link
    environment.filters["plural"] = plural
    environment.filters["counted"] = counted
    return environment


@jinja2.pass_context
def cite_filter(context: jinja2.runtime.Context, text: object) -> object:
    """`| cite`: [@key] in a CMOC field marked for numbering by the render's own bibliography
    (a filter of the shared, cached environment, so it reads the citations from the context)."""
    citations = context.get("citations") or Citations.load(None)
    return citations.mark_html(text)


#: WeasyPrint's PDF/UA-1 variant: a tagged PDF with a structure tree, language and title shown.
PDF_VARIANT = "pdf/ua-1"


PANGO_HINT = (
    "WeasyPrint cannot load its system libraries (Pango, HarfBuzz) or fonts. Install them with: "
    "sudo apt-get install -y libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 "
    "fonts-dejavu-core fonts-dejavu-extra   (or run: sh workflow/setup_system.sh report)"
)


def load_weasyprint() -> type:
    """Import WeasyPrint, turning a missing system library into one clear instruction."""
    try:
        from weasyprint import HTML
    except OSError as error:
        raise PipelineError(f"{PANGO_HINT}\n(cause: {error})") from error
    return HTML


def count_bookmarks(document: object) -> int:
    """PDF bookmarks WeasyPrint made from the headings: the outline a reader navigates by."""

    def count(tree: list) -> int:
        return sum(1 + count(entry[2]) for entry in tree)

    return count(document.make_bookmark_tree())


def write_pdf(
    html_path: str | Path, pdf_path: str | Path, identifier: str, variant: str | None = PDF_VARIANT
) -> int:
    """Print the HTML to a tagged PDF; identifier from the HTML digest, dates from its meta tags."""
    HTML = load_weasyprint()
    document = HTML(filename=str(html_path), base_url=str(Path(html_path).parent)).render()
    options: dict = {"pdf_identifier": identifier.encode("ascii"), "custom_metadata": False}
    if variant:
        options["pdf_variant"] = variant
    document.write_pdf(str(pdf_path), **options)
    log.info("PDF variant %s, %d bookmarks", variant or "plain", count_bookmarks(document))
    return len(document.pages)


#: Inputs of rule render_report_html that are not tables the report reads by name.
NOT_TABLES = ("figures", "rulegraph", "templates", "code", "narrative")


@dataclass(frozen=True)
class RenderRequest:
    """Where rule render_report_html read its tables and figures, recorded beside the HTML so
    the live preview (realist_report.report.preview) reads exactly the same files."""

    tables: dict[str, str]
    figures: dict[str, str]
    narrative_dir: str


def render_request(inputs: dict, narrative_dir: str) -> RenderRequest:
    """The rule's named inputs split into tables by name and figures by file stem."""
    tables = {name: str(path) for name, path in inputs.items() if name not in NOT_TABLES}
    figure_files = [*inputs["figures"], inputs["rulegraph"]]
    figures = {Path(path).stem: str(path) for path in figure_files}
    return RenderRequest(tables, figures, str(narrative_dir))


def write_render_request(request: RenderRequest, out: str | Path) -> None:
    """Record the request (stable JSON) for the live preview."""
    from realist_report.core.tables import write_json

    write_json(asdict(request), out)


def read_render_request(path: str | Path) -> RenderRequest:
    """The request the last build recorded (see write_render_request)."""
    from realist_report.core.tables import read_json

    data = read_json(path)
    return RenderRequest(dict(data["tables"]), dict(data["figures"]), str(data["narrative_dir"]))


#: Config sections the HTML edition reads (rule render_report_html's `settings`).
HTML_SETTINGS = (
    "linking", "strength", "refuting", "privacy", "wave_change", "for_whom", "report_layout",
    "quotes",
)  # fmt: skip


def html_settings(config: dict) -> dict:
    """The settings the HTML edition prints, from a validated config (rule params and preview)."""
    return {key: config[key] for key in HTML_SETTINGS}


def html_options(config: dict) -> dict:
    """What the HTML prints of report_options; the Word styles (docx_reference) and paper size
    are Word's alone, so changing them reruns only the Word edition."""
    word_only = ("docx_reference", "paper")
    return {key: value for key, value in config["report_options"].items() if key not in word_only}


def read_report_tables(inputs: dict[str, str]) -> dict:
    """Read every computed table the report prints once, so a live preview can keep them."""
    from realist_report.core.tables import read_csv, read_json, read_parquet

    return {
        "participants": read_parquet(inputs["participants"]),
        "sites": read_parquet(inputs["sites"]),
        "summary": read_parquet(inputs["summary"]),
        "matrix": read_parquet(inputs["matrix"]),
        "subgroups": read_parquet(inputs["subgroups"]),
        "wave_change": read_parquet(inputs["wave_change"]),
        "quotes": read_csv(inputs["quotes"], dtype=str, keep_default_na=False),
        "quality": read_csv(inputs["quality"]),
        "quarantine": read_csv(inputs["quarantine"], dtype=str, keep_default_na=False),
        "memos": read_csv(inputs["cmoc_memos"], dtype=str, keep_default_na=False),
        "memos_read": read_csv(inputs["memos"], dtype=str)["memo_id"].nunique(),
        "snapshot_date": str(read_json(inputs["snapshot"])["snapshot_date"]),
        "candidates": read_csv(inputs["candidates"], dtype=str, keep_default_na=False),
        "candidates_summary": read_json(inputs["candidates_summary"]),
        "build_inputs": read_json(inputs["build_inputs"]),
        "changes": read_json(inputs["changes"]),
    }


def report_context(
    tables: dict,
    inputs: dict[str, str],
    figure_paths: dict[str, str],
    settings: dict,
    study: dict,
    *,
    narrative_dir: str,
    narrative_paths: list[str],
    options: dict,
) -> dict:
    """The whole context the HTML edition is rendered from: the tables read by
    read_report_tables, the CMOCs' history and the narrative, read now (the audit appendix
    checksums every input file, narrative included)."""
    from realist_report.analysis.agreement import report_context as agreement_context
    from realist_report.analysis.cooccurrence import candidates_view
    from realist_report.audit.provenance import report_context as audit_context

    citations = Citations.load(inputs.get("bibliography") or None, inputs.get("csl") or None)
    citations.check_file(inputs["cmocs"])
    definitions = load_definitions(inputs["codebook"], inputs["cmocs"])
    context = build_context(
        citations=citations,
        study=study,
        **{key: tables[key] for key in BUILD_CONTEXT_TABLES},
        history=definitions.history,
        code_paths=dict(zip(definitions.codes["code_id"], definitions.codes["path"], strict=True)),
        figure_paths=figure_paths,
        settings=settings,
        narrative_dir=narrative_dir,
        options=options,
    )
    context.update(candidates_view(tables["candidates"], tables["candidates_summary"]))
    context.update(
        audit_context(
            tables["build_inputs"],
            tables["changes"],
            {**inputs, **figure_paths, **{path: path for path in narrative_paths}},
        )
    )
    context.update(agreement_context(inputs["agreement"]))
    return context


#: The tables read_report_tables gives that build_context takes by the same name.
BUILD_CONTEXT_TABLES = (
    "participants", "sites", "summary", "matrix", "subgroups", "wave_change", "quotes",
    "quality", "quarantine", "memos", "memos_read", "snapshot_date",
)  # fmt: skip


def run_render_html(
    inputs: dict[str, str],
    figure_paths: dict[str, str],
    settings: dict,
    study: dict,
    out: str,
    *,
    narrative_dir: str,
    narrative_paths: list[str],
    options: dict,
    checks_out: str | None = None,
) -> None:
    """Rule adapter: gather the tables, build the context and write the HTML edition (and, to
    `checks_out`, what the team has not yet written)."""
    from realist_report.core.tables import atomic_write

    context = report_context(
        read_report_tables(inputs),
        inputs,
        figure_paths,
        settings,
        study,
        narrative_dir=narrative_dir,
        narrative_paths=narrative_paths,
        options=options,
    )
    html = render_numbered(context)
    atomic_write(Path(out), lambda tmp: tmp.write_text(html, encoding="utf-8"))
    checks = word_limit_lines(
        html, options.get("word_limits", {}), strict=options.get("strict", False)
    )
    checks += unreported_lines(context["rameses_gaps"])
    for line in checks:
        log.warning("%s", line)
    if checks_out:
        text = "".join(f"{line}\n" for line in checks)
        atomic_write(Path(checks_out), lambda tmp: tmp.write_text(text, encoding="utf-8"))
    log.info(
        "report HTML: %d characters, %d figures, build %s",
        len(html),
        len(figure_paths),
        context["build_id"],
    )


def unreported_lines(gaps: dict[int, str]) -> list[str]:
    """The RAMESES II items the checklist prints as not yet reported, one line each and a total."""
    names = {number: name for number, _, name, _ in RAMESES_ITEMS}
    lines = [
        f"RAMESES II item {number} ({names[number]}) {NOT_YET_REPORTED}: {why}"
        for number, why in sorted(gaps.items())
    ]
    return [*lines, f"RAMESES II: {len(names) - len(gaps)} of {len(names)} items reported"]


def run_render_pdf(html_path: str, pdf_path: str) -> None:
    """Rule adapter: print the HTML to PDF with an identifier derived from its content."""
    from realist_report.core.tables import atomic_write

    identifier = hashlib.sha256(Path(html_path).read_bytes()).hexdigest()[:32]
    pages: list[int] = []
    atomic_write(Path(pdf_path), lambda tmp: pages.append(write_pdf(html_path, tmp, identifier)))
    log.info("report PDF: %d pages", pages[0])
