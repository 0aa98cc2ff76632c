"""Report: prepare a context of computed numbers, render jinja2 HTML, print to PDF with WeasyPrint.

Templates never compute: every number they show is prepared here from the pipeline's tables.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from pathlib import Path

import jinja2
import pandas as pd

from realist_report.cmo import ROLE_LABELS, WAVE_LABELS, site_label
from realist_report.figures import FIGURES

log = logging.getLogger(__name__)
TEMPLATE_DIR = Path(__file__).resolve().parents[1] / "templates"
STRENGTH_ORDER = ["strong", "moderate", "tentative", "unsupported"]


def svg_data_uri(path: str | Path) -> str:
    """Embed an SVG as a data URI so the HTML edition is self-contained and ids never clash."""
    return "data:image/svg+xml;base64," + base64.b64encode(Path(path).read_bytes()).decode("ascii")


def figure_entries(figure_paths: dict[str, str]) -> list[dict]:
    """Numbered figures in FIGURES order, with caption, alt text and embedded image."""
    entries = []
    for number, name in enumerate([n for n in FIGURES if n in figure_paths], start=1):
        _, caption, alt = FIGURES[name]
        entries.append(
            {
                "name": name,
                "number": number,
                "caption": caption,
                "alt": alt,
                "src": svg_data_uri(figure_paths[name]),
            }
        )
    return entries


def participant_counts(participants: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Registered participants per wave and role, e.g. counts['baseline']['patient'] == 61."""
    waves = participants.assign(wave=participants["waves"].str.split(";")).explode("wave")
    counts: dict[str, dict[str, int]] = {}
    for wave in WAVE_LABELS:
        own = waves[waves["wave"] == wave]
        counts[wave] = {role: int((own["role"] == role).sum()) for role in ROLE_LABELS}
        counts[wave]["professionals"] = int((own["role"] != "patient").sum())
        counts[wave]["total"] = len(own)
    return counts


def participants_table(participants: pd.DataFrame, sites: pd.DataFrame) -> dict:
    """Methods table: participants by role and wave (rows) and site (columns), with totals."""
    waves = participants.assign(wave=participants["waves"].str.split(";")).explode("wave")
    site_ids = list(sites["site_id"])
    rows = []
    for wave, wave_label in WAVE_LABELS.items():
        for role, role_label in ROLE_LABELS.items():
            own = waves[(waves["wave"] == wave) & (waves["role"] == role)]
            if own.empty:
                continue
            by_site = own["site_id"].value_counts()
            rows.append(
                {
                    "wave": wave_label,
                    "role": role_label,
                    "cells": [int(by_site.get(site, 0)) for site in site_ids],
                    "total": len(own),
                }
            )
    return {"sites": [site_label(s) for s in site_ids], "rows": rows}


def sites_table(sites: pd.DataFrame) -> list[dict]:
    """Site characteristics as the report lists them."""
    return [
        {
            "site": site_label(row.site_id),
            "region": row.region,
            "employer_type": row.employer_type,
            "setting": row.setting,
            "team_model": row.team_model,
            "observation_hours": int(row.observation_hours),
        }
        for row in sites.itertuples(index=False)
    ]


def cmoc_sections(summary: pd.DataFrame, quotes: pd.DataFrame, areas: list[dict]) -> list[dict]:
    """Results grouped by programme-theory area: each CMOC with its numbers and quotes."""
    quotes_by_cmoc = {cmoc: group.to_dict("records") for cmoc, group in quotes.groupby("cmoc_id")}
    sections = []
    for area in areas:
        own = summary[summary["area"] == area["area_id"]]
        cmocs = []
        for row in own.to_dict("records"):
            row["quotes"] = quotes_by_cmoc.get(row["cmoc_id"], [])
            row["excerpt_id_count"] = (
                len(row["excerpt_ids"].split(";")) if row["excerpt_ids"] else 0
            )
            cmocs.append(row)
        sections.append({"id": area["area_id"], "title": area["area_title"], "cmocs": cmocs})
    return sections


def site_matrix(matrix: pd.DataFrame, summary: pd.DataFrame, sites: pd.DataFrame) -> dict:
    """Appendix table: supporting excerpts per CMOC (rows) and site (columns)."""
    cells = matrix[matrix["dimension"] == "site"].pivot_table(
        index="cmoc_id", columns="value", values="excerpts", aggfunc="sum", fill_value=0
    )
    site_ids = list(sites["site_id"])
    rows = []
    for cmoc_id in summary["cmoc_id"]:
        values = [
            int(cells.at[cmoc_id, s]) if cmoc_id in cells.index and s in cells.columns else 0
            for s in site_ids
        ]
        rows.append({"cmoc_id": cmoc_id, "cells": values, "total": sum(values)})
    return {"sites": [site_label(s) for s in site_ids], "rows": rows}


FIXED_TABLES = 3  # summary, sites, participants


def table_numbers(summary: pd.DataFrame, *, has_reasons: bool) -> dict[str, int]:
    """Table numbers in reading order: fixed tables, one per CMOC, then the appendices."""
    numbers = {cmoc: FIXED_TABLES + i for i, cmoc in enumerate(summary["cmoc_id"], start=1)}
    following = FIXED_TABLES + len(summary)
    for key in ["quality", *(["reasons"] if has_reasons else []), "matrix"]:
        following += 1
        numbers[key] = following
    return numbers


def table_of_contents(sections: list[dict]) -> list[dict]:
    """Contents entries (anchor id, title, level); page numbers come from CSS target-counter."""
    entries = [
        {"id": "summary", "title": "Summary", "level": 1},
        {"id": "methods", "title": "Methods", "level": 1},
        {"id": "sites", "title": "Sites", "level": 2},
        {"id": "participants", "title": "Participants", "level": 2},
        {"id": "analysis", "title": "Data analysis", "level": 2},
        {"id": "results", "title": "Results", "level": 1},
    ]
    entries += [{"id": f"area-{s['id']}", "title": s["title"], "level": 2} for s in sections]
    entries += [
        {"id": "appendix-quality", "title": "Appendix A. Data quality", "level": 1},
        {"id": "appendix-matrix", "title": "Appendix B. Evidence matrix", "level": 1},
    ]
    return entries


def build_id(paths: list[str | Path]) -> str:
    """A short content digest of the build's inputs: same data and settings, same id."""
    digest = hashlib.sha256()
    for path in sorted(str(p) for p in paths):
        digest.update(Path(path).name.encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]


def build_context(
    *,
    study: dict,
    participants: pd.DataFrame,
    sites: pd.DataFrame,
    summary: pd.DataFrame,
    matrix: pd.DataFrame,
    quotes: pd.DataFrame,
    quality: pd.DataFrame,
    quarantine: pd.DataFrame,
    figure_paths: dict[str, str],
    settings: dict,
    snapshot_date: str,
    build: str,
) -> dict:
    """Everything the template prints, computed from the pipeline's tables."""
    areas = summary[["area", "area_title"]].drop_duplicates().rename(columns={"area": "area_id"})
    strength_counts = summary["strength"].value_counts()
    totals = quality[quality["batch"] == "all batches"].iloc[0].to_dict()
    reasons = quarantine["reason"].value_counts().sort_index()
    sections = cmoc_sections(summary, quotes, areas.to_dict("records"))
    return {
        "toc": table_of_contents(sections),
        "table_numbers": table_numbers(summary, has_reasons=bool(len(reasons))),
        "study": study,
        "snapshot_date": snapshot_date,
        "build_id": build,
        "counts": participant_counts(participants),
        "n_sites": len(sites),
        "sites": sites_table(sites),
        "participants_table": participants_table(participants, sites),
        "n_cmocs": len(summary),
        "strength_counts": {s: int(strength_counts.get(s, 0)) for s in STRENGTH_ORDER},
        "strength_order": STRENGTH_ORDER,
        "areas": sections,
        "summary_rows": summary.to_dict("records"),
        "site_matrix": site_matrix(matrix, summary, sites),
        "figures": {entry["name"]: entry for entry in figure_entries(figure_paths)},
        "figure_list": figure_entries(figure_paths),
        "quality_rows": quality.to_dict("records"),
        "quality_totals": {k: (int(v) if not isinstance(v, str) else v) for k, v in totals.items()},
        "quarantine_reasons": [{"reason": r, "rows": int(n)} for r, n in reasons.items()],
        "settings": settings,
        "n_supporting_excerpts": int(summary["excerpts"].sum()),
    }


def render_html(
    context: dict, template_dir: str | Path = TEMPLATE_DIR, template: str = "report.html.j2"
) -> str:
    """Render the report HTML from the prepared context."""
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(template_dir)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["site"] = site_label
    return environment.get_template(template).render(**context)


def write_pdf(html_path: str | Path, pdf_path: str | Path, identifier: str) -> int:
    """Print the HTML to PDF; the PDF identifier comes from the build id, dates from the HTML meta."""
    from weasyprint import HTML

    document = HTML(filename=str(html_path), base_url=str(Path(html_path).parent)).render()
    document.write_pdf(
        str(pdf_path), pdf_identifier=identifier.encode("ascii"), custom_metadata=False
    )
    return len(document.pages)


def run_render_html(
    inputs: dict[str, str], figure_paths: dict[str, str], settings: dict, study: dict, out: str
) -> None:
    """Rule adapter: gather the tables, build the context and write the HTML edition."""
    from realist_report.tables import _atomic_write, read_json, read_parquet

    context = build_context(
        study=study,
        participants=read_parquet(inputs["participants"]),
        sites=read_parquet(inputs["sites"]),
        summary=read_parquet(inputs["summary"]),
        matrix=read_parquet(inputs["matrix"]),
        quotes=pd.read_csv(inputs["quotes"], dtype=str, keep_default_na=False),
        quality=pd.read_csv(inputs["quality"]),
        quarantine=pd.read_csv(inputs["quarantine"], dtype=str, keep_default_na=False),
        figure_paths=figure_paths,
        settings=settings,
        snapshot_date=str(read_json(inputs["snapshot"])["snapshot_date"]),
        build=build_id([*inputs.values(), *settings.get("config_files", [])]),
    )
    html = render_html(context)
    _atomic_write(Path(out), lambda tmp: tmp.write_text(html, encoding="utf-8"))
    log.info(
        "report HTML: %d characters, %d figures, build %s",
        len(html),
        len(figure_paths),
        context["build_id"],
    )


def run_render_pdf(html_path: str, pdf_path: str) -> None:
    """Rule adapter: print the HTML to PDF with an identifier derived from its content."""
    from realist_report.tables import _atomic_write

    identifier = hashlib.sha256(Path(html_path).read_bytes()).hexdigest()[:32]
    pages: list[int] = []
    _atomic_write(Path(pdf_path), lambda tmp: pages.append(write_pdf(html_path, tmp, identifier)))
    log.info("report PDF: %d pages", pages[0])
