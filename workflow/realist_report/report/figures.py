"""Report figures drawn with plotnine, saved as deterministic SVG (fixed date and id salt).

Each figure is a small function over the pipeline's tables; FIGURES names them with their caption,
alt text and the tables they need. One job (draw_figures) draws every figure of the registry and
the workflow's rule graph, so the build pays one plotnine import, not one per figure. The rule
graph is drawn from the DOT that `trace_rule_graph` keeps (see rulegraph.py) by Graphviz when it
is installed and by plotnine otherwise.

plotnine and matplotlib are imported on first use: the Snakefile reads FIGURES at every start
(a dry run, a no-op, every rebuild) and must not pay their ~1.5 s import.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, NamedTuple

import pandas as pd

from realist_report.analysis.judgement import NOT_ASSESSED, confidence_of
from realist_report.core.errors import PipelineError
from realist_report.core.vocabulary import (
    CONFIDENCE_LEVELS,
    ROLE_LABELS,
    SUPPORTING_MATCHES,
    SUPPRESSED,
    UNSUPPORTED,
    WAVE_LABELS,
    SiteColumns,
    attribute_label,
    current_design,
    site_columns,
    strength_order,
    with_coarser_places,
)
from realist_report.report.design_text import capitalised
from realist_report.report.rulegraph import parse_rulegraph

if TYPE_CHECKING:
    import plotnine as p9


def lazy_module(name: str) -> ModuleType:
    """A module whose code runs on first attribute access (importlib.util.LazyLoader)."""
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:
        raise ModuleNotFoundError(f"no module named {name!r}")
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


if not TYPE_CHECKING:
    p9 = lazy_module("plotnine")

#: Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
#: Fill colours of the configured ratings, strongest first (config.yaml: strength), by rank, so
#: a renamed rating keeps its colour; 'unsupported' is grey.
RATING_COLOURS = ["#0072B2", "#56B4E9", "#E69F00", "#CC79A7", "#009E73", "#D55E00"]
UNSUPPORTED_COLOUR = "#BBBBBB"
#: Line widths for programme-theory links, by rank of the rating as colours are.
RATING_WIDTHS = [1.6, 1.0, 0.55, 0.45, 0.4, 0.35]
UNSUPPORTED_WIDTH = 0.3
TEXT_WIDTH_IN = 6.3
log = logging.getLogger(__name__)
FigureData = dict[str, pd.DataFrame]


class FigureError(PipelineError):
    """A figure cannot be drawn from the tables it was given."""


def report_theme(base_size: float = 9, font_family: str = "DejaVu Sans") -> p9.theme:
    """One print theme for every figure: light grid, readable at A4 text width."""
    return p9.theme_bw(base_size=base_size, base_family=font_family) + p9.theme(
        panel_grid_minor=p9.element_blank(),
        panel_border=p9.element_rect(colour="#888888"),
        legend_position="bottom",
        legend_title=p9.element_text(size=base_size),
        legend_text=p9.element_text(size=base_size - 1),
        legend_key_size=10,
        strip_background=p9.element_rect(fill="#EEEEEE", colour="#888888"),
        strip_text=p9.element_text(size=base_size),
        figure_size=(TEXT_WIDTH_IN, 3.2),
    )


def strength_scale(data: FigureData, values: list, unsupported: object) -> dict[str, object]:
    """A colour or width per configured rating (by rank, strongest first), then 'unsupported'."""
    rated = strength_order(data["strength"])[:-1]
    scale = {name: values[min(rank, len(values) - 1)] for rank, name in enumerate(rated)}
    return {**scale, UNSUPPORTED: unsupported}


def _no_axis_title(axis: str) -> p9.theme:
    """Drop an axis title whose meaning the tick labels already carry."""
    return p9.theme(**{f"axis_title_{axis}": p9.element_blank()})


def _tile_layout(figure_size: tuple[float, float], x_text_size: float, **extra: object) -> p9.theme:
    """A labelled-tile figure's layout: no axis titles, no grid, x labels turned upright."""
    return (
        _no_axis_title("x")
        + _no_axis_title("y")
        + p9.theme(
            figure_size=figure_size,
            panel_grid_major=p9.element_blank(),
            axis_text_x=p9.element_text(rotation=90, size=x_text_size),
            **extra,
        )
    )


def _cmoc_order(summary: pd.DataFrame) -> list[str]:
    """CMOC ids top to bottom in definition order (plotnine draws categories bottom-up)."""
    return list(summary["cmoc_id"])[::-1]


def supporting_links(links: pd.DataFrame) -> pd.DataFrame:
    """Evidence units that support a CMOC: the same rule the CMOC summary counts by."""
    return links[links["match"].isin(SUPPORTING_MATCHES) & (links["stance"] != "refutes")]


def site_axis(data: FigureData) -> SiteColumns:
    """Sites, or regions when sites are too many to read as one axis (see vocabulary.site_columns)."""
    return site_columns(data["sites"], int(data["max_site_columns"]))


def _slanted_labels(axis: SiteColumns) -> p9.theme:
    """Region names are long: slant them so neighbours do not overlap."""
    if axis.heading == "site":
        return p9.theme()
    return p9.theme(axis_text_x=p9.element_text(rotation=30, ha="right"))


def plot_participants(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Participants by site, role and wave: who the evidence comes from."""
    table = data["participants"].copy()
    table = table.assign(wave=table["waves"].str.split(";")).explode("wave")
    axis = site_axis(data)
    table["site"] = pd.Categorical(
        table["site_id"].astype(str).map(axis.of_site), categories=axis.labels
    )
    table["role"] = pd.Categorical(
        table["role"].map(ROLE_LABELS), categories=list(ROLE_LABELS.values())
    )
    table["wave"] = pd.Categorical(
        table["wave"].map(WAVE_LABELS).str.capitalize(),
        categories=[w.capitalize() for w in WAVE_LABELS.values()],
    )
    return (
        p9.ggplot(table, p9.aes("site", fill="role"))
        + p9.geom_bar(colour="white", size=0.2)
        + p9.facet_wrap("~wave")
        + p9.scale_fill_manual(values=palette(len(ROLE_LABELS)), drop=False)
        + p9.labs(y="Participants interviewed", fill="Role")
        + theme
        + _no_axis_title("x")
        + p9.theme(
            axis_text_x=p9.element_text(rotation=45, ha="right"), figure_size=(TEXT_WIDTH_IN, 3.1)
        )
    )


def _count_tiles(
    cells: pd.DataFrame, count: str, tile_size: float, text_size: float
) -> tuple[pd.DataFrame, list]:
    """Blue heat-map tiles labelled with their count (white ink on the darkest cells), with a
    compact colour bar: the cells with their ink column, and the layers to add."""
    high = cells[count].max() if len(cells) else 0
    cells = cells.assign(ink=(cells[count] > high * 0.6).map({True: "light", False: "dark"}))
    layers = [
        p9.geom_tile(colour="white", size=tile_size),
        p9.geom_text(p9.aes(label=count, colour="ink"), size=text_size, show_legend=False),
        p9.scale_colour_manual(values={"light": "white", "dark": "#1a1a1a"}, guide=None),
        p9.scale_fill_gradient(low="#EFF5FB", high="#08306B"),
        # rectangles keep the SVG small: a smooth gradient bar becomes thousands of elements
        p9.guides(fill=p9.guide_colorbar(display="rectangles", nbin=12)),
    ]
    return cells, layers


def plot_evidence_heatmap(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """CMOC x site heat map of supporting excerpts: where each configuration is seen."""
    matrix = data["evidence_matrix"]
    by_site = matrix[matrix["dimension"] == "site"]
    axis = with_coarser_places(site_axis(data), by_site["value"])  # a region, not attributed
    cells = by_site.assign(site=lambda m: m["value"].astype(str).map(axis.of_site))
    cells = cells.groupby(["cmoc_id", "site"], as_index=False)["excerpts"].sum()
    cells["site"] = pd.Categorical(cells["site"], categories=axis.labels)
    cells["cmoc_id"] = pd.Categorical(
        cells["cmoc_id"], categories=_cmoc_order(data["cmoc_summary"])
    )
    cells, tiles = _count_tiles(cells, "excerpts", tile_size=0.6, text_size=7)
    return (
        p9.ggplot(cells, p9.aes("site", "cmoc_id", fill="excerpts"))
        + tiles
        + p9.scale_y_discrete(drop=False)
        + p9.labs(fill="Supporting excerpts")
        + theme
        + _no_axis_title("x")
        + _no_axis_title("y")
        + p9.theme(
            figure_size=(TEXT_WIDTH_IN, 3.9),
            panel_grid_major=p9.element_blank(),
            # a long bar so four-digit counts at national scale do not run into each other
            legend_key_width=120,
        )
        + _slanted_labels(axis)
    )


def _excerpts_by_cmoc(
    rows: pd.DataFrame, data: FigureData, fill: str, legend: str, theme: p9.theme
) -> p9.ggplot:
    """Stacked bars of supporting excerpts per CMOC, split by one evidence-matrix dimension."""
    rows = rows.assign(
        cmoc_id=pd.Categorical(rows["cmoc_id"], categories=_cmoc_order(data["cmoc_summary"]))
    )
    return (
        p9.ggplot(rows, p9.aes("cmoc_id", "excerpts", fill=fill))
        + p9.geom_col(colour="white", size=0.2)
        + p9.coord_flip()
        + p9.scale_fill_manual(values=palette(len(rows[fill].cat.categories)), drop=False)
        + p9.labs(y="Supporting excerpts", fill=legend)
        + theme
        + _no_axis_title("y")
        + p9.theme(figure_size=(TEXT_WIDTH_IN, 3.7))
    )


def plot_triangulation(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Supporting excerpts per CMOC by role group: how far each is triangulated."""
    matrix = data["evidence_matrix"]
    rows = matrix[matrix["dimension"] == "role"].copy()
    unattributed = unattributed_group()
    groups = [*ROLE_LABELS.values(), unattributed]
    rows["group"] = pd.Categorical(
        rows["value"].map(ROLE_LABELS).fillna(unattributed), categories=groups
    )
    return _excerpts_by_cmoc(rows, data, "group", "Source", theme)


def unattributed_group() -> str:
    """How evidence without a participant is named: the first source type that needs none."""
    return current_design().no_participant_label


def palette(n: int) -> list[str]:
    """Okabe-Ito while it lasts (colour-blind safe); beyond eight groups, matplotlib's tab20."""
    if n <= len(OKABE_ITO):
        return OKABE_ITO
    from matplotlib import colormaps, colors

    tab20 = colormaps["tab20"].colors
    return [colors.to_hex(tab20[i % len(tab20)]) for i in range(n)]


def plot_evidence_by_data_type(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Supporting excerpts per CMOC by data type: interview, observation or document."""
    matrix = data["evidence_matrix"]
    rows = matrix[matrix["dimension"] == "data type"].copy()
    # the design's labels (a legend shows labels, never keys), in the design's order
    labels = current_design().source_type_labels
    shown = rows["value"].map(lambda v: capitalised(labels.get(v, str(v))))
    order = [capitalised(labels[t]) for t in labels if t in set(rows["value"])]
    rows["value"] = pd.Categorical(shown, categories=[*order, *sorted(set(shown) - set(order))])
    return _excerpts_by_cmoc(rows, data, "value", "Data type", theme)


#: Fills of the team's GRADE-CERQual confidence (highest first), then 'not assessed'.
CONFIDENCE_COLOURS = ["#004D40", "#26A69A", "#B2DFDB", "#F2E3A0"]
NOT_ASSESSED_COLOUR = "#FFFFFF"


def plot_strength_by_area(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """CMOCs per programme-theory area: by count rating, and beside it by the team's confidence
    (GRADE-CERQual, 'not assessed' where the team has not judged)."""
    summary = data["cmoc_summary"].copy()
    ratings = strength_scale(data, RATING_COLOURS, UNSUPPORTED_COLOUR)
    # "moderate" is a rating and a confidence level: the confidence panel says "confidence"
    confidence = {
        f"{level} confidence": colour
        for level, colour in zip(CONFIDENCE_LEVELS, CONFIDENCE_COLOURS, strict=True)
    }
    colours = {**ratings, **confidence, NOT_ASSESSED: NOT_ASSESSED_COLOUR}
    summary["confidence_text"] = [
        level if level == NOT_ASSESSED else f"{level} confidence"
        for level in (confidence_of(r) for r in summary.to_dict("records"))
    ]
    panels = ["Count rating", "Team's confidence"]
    long = pd.concat(
        [
            summary.assign(panel=panels[0], level=summary["strength"]),
            summary.assign(panel=panels[1], level=summary["confidence_text"]),
        ]
    )
    long["panel"] = pd.Categorical(long["panel"], categories=panels)
    long["level"] = pd.Categorical(long["level"], categories=list(colours))
    long["level"] = long["level"].cat.remove_unused_categories()  # the legend shows what is drawn
    titles = list(dict.fromkeys(long["area_title"].str.wrap(30)))
    long["area_label"] = pd.Categorical(long["area_title"].str.wrap(30), categories=titles[::-1])
    return (
        p9.ggplot(long, p9.aes("area_label", fill="level"))
        + p9.geom_bar(colour="#555555", size=0.3, width=0.7)
        + p9.coord_flip()
        + p9.facet_wrap("panel", ncol=2)
        + p9.scale_fill_manual(values=colours, drop=True)
        + p9.guides(fill=p9.guide_legend(ncol=3))
        + p9.scale_y_continuous(breaks=range(0, 1 + int(summary["area"].value_counts().max())))
        + p9.labs(y="CMOCs", fill="Rating or confidence")
        + theme
        + _no_axis_title("y")
        + p9.theme(figure_size=(TEXT_WIDTH_IN, 3.0))
    )


def _wave_change_panels(changes: pd.DataFrame) -> pd.DataFrame:
    """One panel per compared pair of waves (every consecutive pair, then first to last), with
    each wave's share of its interviewees who gave supporting evidence."""
    if "consecutive" in changes:
        keep = changes["consecutive"].astype(bool) | changes["first_to_last"].astype(bool)
        changes = changes[keep].copy()
    ids = current_design().wave_ids
    changes["from_wave"] = changes.get("from_wave", ids[0])
    changes["to_wave"] = changes.get("to_wave", ids[-1])
    titles = {w: capitalised(WAVE_LABELS.get(w, w)) for w in ids}
    changes["from_title"] = changes["from_wave"].map(titles)
    changes["to_title"] = changes["to_wave"].map(titles)
    changes["panel"] = changes["from_title"] + " to " + changes["to_wave"].map(WAVE_LABELS)
    changes["from_share"] = 100 * changes["from_participants"] / changes["from_pool"].clip(lower=1)
    changes["to_share"] = 100 * changes["to_participants"] / changes["to_pool"].clip(lower=1)
    changes["panel"] = pd.Categorical(changes["panel"], categories=changes["panel"].unique())
    return changes


def plot_wave_change(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Share of each wave's interviewees supporting each CMOC: the first wave against the last,
    and with more than two waves one panel per consecutive pair and one first to last.

    Shares, not counts: fewer people may be interviewed later (the aggregation step's
    cmoc_wave_change table holds the counts, pools and change rule). One wave: nothing to draw.
    """
    if data["wave_change"].empty:
        return nothing_to_draw("One wave: no change over time to draw", theme)
    changes = _wave_change_panels(data["wave_change"].copy())
    order = _cmoc_order(data["cmoc_summary"])
    changes["cmoc_id"] = pd.Categorical(changes["cmoc_id"], categories=order)
    points = pd.concat(
        [
            changes.assign(wave=changes["from_title"], share=changes["from_share"]),
            changes.assign(wave=changes["to_title"], share=changes["to_share"]),
        ]
    )
    waves = [capitalised(label) for label in WAVE_LABELS.values()]
    points["wave"] = pd.Categorical(points["wave"], categories=waves)
    panels = changes["panel"].nunique()
    colours = [OKABE_ITO[4], OKABE_ITO[0], *OKABE_ITO[1:4], *OKABE_ITO[5:]]
    plot = (
        p9.ggplot(points, p9.aes("share", "cmoc_id"))
        + p9.geom_segment(
            p9.aes(x="from_share", xend="to_share", y="cmoc_id", yend="cmoc_id"),
            data=changes,
            colour="#999999",
            size=0.8,
        )
        + p9.geom_point(p9.aes(fill="wave", shape="wave"), size=2.8, colour="#1a1a1a", stroke=0.3)
        + p9.geom_text(
            p9.aes(x=105, y="cmoc_id", label="change"),
            data=changes,
            size=6.5,
            ha="left",
            colour="#333333",
        )
        + p9.scale_fill_manual(values=colours[: len(waves)], drop=True)
        + p9.scale_shape_manual(values=["o", "D", "s", "^", "v", "p", "h", "X"][: len(waves)])
        + p9.scale_x_continuous(limits=(0, 135), breaks=[0, 25, 50, 75, 100])
        + p9.labs(
            x="Interviewees with supporting evidence (% of those interviewed at the wave)",
            fill="Wave",
            shape="Wave",
        )
        + theme
        + _no_axis_title("y")
    )
    if panels == 1:
        return plot + p9.theme(figure_size=(TEXT_WIDTH_IN, 3.5))
    height = min(9.0, 0.8 + panels * (0.5 + 0.18 * len(order)))
    return plot + p9.facet_wrap("panel", ncol=1) + p9.theme(figure_size=(TEXT_WIDTH_IN, height))


def nothing_to_draw(reason: str, theme: p9.theme) -> p9.ggplot:
    """A small panel stating why a figure has nothing to show (its output file still exists)."""
    note = pd.DataFrame({"x": [0.0], "y": [0.0], "label": [reason]})
    return (
        p9.ggplot(note, p9.aes("x", "y", label="label"))
        + p9.geom_text(size=9)
        + theme
        + p9.theme_void()
        + p9.theme(figure_size=(TEXT_WIDTH_IN, 1.0))
    )


def plot_for_whom(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Participants (config for_whom.roles) supporting each CMOC by subgroup: for whom each
    configuration is evidenced. Without subgroups, a panel that says so (the report leaves the
    figure out and says why)."""
    table = data["subgroups"].copy()
    if table.empty:
        return nothing_to_draw("No subgroup attributes recorded for the configured roles", theme)
    attributes = list(dict.fromkeys(table["attribute"]))  # as configured (for_whom.attributes)
    labels = {a: textwrap.fill(attribute_label(a), 12) for a in attributes}
    table["panel"] = pd.Categorical(
        table["attribute"].map(labels), categories=[labels[a] for a in attributes]
    )
    table["shown"] = table["participants"].where(~table["suppressed"].astype(bool))
    table["label"] = table["shown"].map(lambda n: "" if pd.isna(n) else str(int(n)))
    marker = str(data.get("suppressed_marker", SUPPRESSED))
    table.loc[table["suppressed"].astype(bool), "label"] = marker
    table["cmoc_id"] = pd.Categorical(
        table["cmoc_id"], categories=_cmoc_order(data["cmoc_summary"])
    )
    return (
        p9.ggplot(table, p9.aes("value", "cmoc_id", fill="shown"))
        + p9.geom_tile(colour="white", size=0.5)
        + p9.geom_text(p9.aes(label="label"), size=6)
        + p9.facet_grid(". ~ panel", scales="free_x", space="free_x")
        + p9.scale_fill_gradient(low="#FDF1DC", high="#B35900", na_value="#DDDDDD")
        + p9.guides(fill=p9.guide_colorbar(display="rectangles", nbin=10))
        + p9.labs(fill=f"Participants with supporting evidence (grey {marker}: suppressed cell)")
        + theme
        + _tile_layout((TEXT_WIDTH_IN, 4.2), 7, legend_title_position="top")
    )


def code_label(path: str, width: int = 24) -> str:
    """'Context::Flexible appointment length' -> wrapped last segment, as a diagram node."""
    return textwrap.fill(str(path).split("::")[-1], width)


def theory_layout(
    parts: pd.DataFrame, codes: pd.DataFrame, summary: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Nodes (one per C, M or O code in three columns) and links (one per CMOC step)."""
    columns = {"context": 0.0, "mechanism": 1.0, "outcome": 2.0}
    area_of = dict(zip(summary["cmoc_id"], summary["area_title"], strict=True))
    strength_of = dict(zip(summary["cmoc_id"], summary["strength"], strict=True))
    paths = dict(zip(codes["code_id"], codes["path"], strict=False))
    nodes = []
    for part, x in columns.items():
        own = list(dict.fromkeys(parts.loc[parts["part"] == part, "code_id"]))
        for i, code in enumerate(own):
            y = 1.0 - (i + 0.5) / len(own)
            nodes.append(
                {
                    "code_id": code,
                    "part": part,
                    "x": x,
                    "y": y,
                    "label": code_label(paths.get(code, code)),
                }
            )
    node_frame = pd.DataFrame(nodes)
    at = {(n["part"], n["code_id"]): (n["x"], n["y"]) for n in nodes}
    links = []
    for cmoc_id, own in parts.groupby("cmoc_id", sort=False):
        by_part = {p: list(g["code_id"]) for p, g in own.groupby("part")}
        for left, right in (("context", "mechanism"), ("mechanism", "outcome")):
            for a in by_part.get(left, []):
                for b in by_part.get(right, []):
                    (x, y), (xend, yend) = at[(left, a)], at[(right, b)]
                    links.append(
                        {
                            "cmoc_id": cmoc_id, "x": x, "y": y, "xend": xend, "yend": yend,
                            "area": area_of.get(cmoc_id, ""), "strength": strength_of.get(cmoc_id, UNSUPPORTED),
                        }
                    )  # fmt: skip
    return node_frame, pd.DataFrame(links)


def plot_programme_theory(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Programme-theory diagram: context codes -> mechanisms -> outcomes, one path per CMOC."""
    nodes, links = theory_layout(data["cmoc_parts"], data["codes"], data["cmoc_summary"])
    if nodes.empty:
        raise FigureError("the CMOC definitions name no context, mechanism or outcome codes")
    areas = list(dict.fromkeys(data["cmoc_summary"]["area_title"]))
    links["area"] = pd.Categorical(links["area"], categories=areas)
    widths = strength_scale(data, RATING_WIDTHS, UNSUPPORTED_WIDTH)
    links["strength"] = pd.Categorical(links["strength"], categories=list(widths))
    headers = pd.DataFrame(
        {"x": [0.0, 1.0, 2.0], "y": [1.06] * 3, "label": ["Context", "Mechanism", "Outcome"]}
    )
    return (
        p9.ggplot()
        + p9.geom_segment(
            p9.aes("x", "y", xend="xend", yend="yend", colour="area", size="strength"),
            data=links,
            alpha=0.85,
        )
        + p9.geom_label(
            p9.aes("x", "y", label="label"),
            data=nodes,
            size=6.3,
            fill="white",
            label_size=0.4,
            label_padding=0.3,
            lineheight=1.0,
        )
        + p9.geom_text(p9.aes("x", "y", label="label"), data=headers, size=8.5, fontweight="bold")
        + p9.scale_colour_manual(
            values=[OKABE_ITO[i] for i in (4, 0, 2, 5, 6, 1, 3, 7)], drop=False
        )
        + p9.scale_size_manual(values=widths, drop=False)
        + p9.scale_x_continuous(limits=(-0.45, 2.45), expand=(0, 0))
        + p9.scale_y_continuous(limits=(-0.03, 1.1), expand=(0, 0))
        + p9.labs(colour="Programme-theory area", size="Strength of evidence")
        + theme
        + p9.theme(
            figure_size=(TEXT_WIDTH_IN, 4.7),
            axis_text=p9.element_blank(),
            axis_ticks=p9.element_blank(),
            axis_title=p9.element_blank(),
            panel_grid=p9.element_blank(),
            panel_border=p9.element_blank(),
            legend_box="vertical",
            legend_position="bottom",
            legend_title_position="top",
        )
        + p9.guides(colour=p9.guide_legend(ncol=2), size=p9.guide_legend(nrow=1))
    )


#: Facet titles of the realist roles, in the order the co-occurrence figure groups codes.
ROLE_TITLES = {"context": "Context", "mechanism": "Mechanism", "outcome": "Outcome"}


def plot_code_cooccurrence(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Evidence units in which each pair of C, M and O codes co-occurs, codes grouped by role:
    where the coded data hold configurations, written down or not."""
    pairs = data["cooccurrence"]
    if pairs.empty:
        raise FigureError("no two context, mechanism or outcome codes share an evidence unit")
    codes = data["codes"]
    order = list(codes["code_id"])
    roles = dict(zip(codes["code_id"], codes["role"], strict=True))
    shown = [c for c in order if c in set(pairs["code_a"]) | set(pairs["code_b"])]
    shown.sort(key=lambda code: (list(ROLE_TITLES).index(roles[code]), order.index(code)))
    labels = {
        code: textwrap.shorten(str(path).split("::")[-1], 30, placeholder="\u2026")
        for code, path in zip(codes["code_id"], codes["path"], strict=True)
    }
    both = pd.concat(
        [
            pairs.rename(columns={"code_a": "row", "code_b": "column"}),
            pairs.rename(columns={"code_b": "row", "code_a": "column"}),
        ],
        ignore_index=True,
    )
    names = [labels[code] for code in shown]
    both["row_label"] = pd.Categorical(both["row"].map(labels), categories=names[::-1])
    both["column_label"] = pd.Categorical(both["column"].map(labels), categories=names)
    titles = list(ROLE_TITLES.values())
    both["row_role"] = pd.Categorical(both["row"].map(roles).map(ROLE_TITLES), categories=titles)
    both["column_role"] = pd.Categorical(
        both["column"].map(roles).map(ROLE_TITLES), categories=titles
    )
    both, tiles = _count_tiles(both, "units", tile_size=0.3, text_size=4.5)
    return (
        p9.ggplot(both, p9.aes("column_label", "row_label", fill="units"))
        + tiles
        + p9.facet_grid("row_role ~ column_role", scales="free", space="free")
        + p9.labs(fill="Evidence units with both codes")
        + theme
        + _tile_layout(
            (TEXT_WIDTH_IN, 7.4), 6, axis_text_y=p9.element_text(size=6), legend_key_width=120
        )
    )


class Figure(NamedTuple):
    """A report figure: how to draw it, its caption and alt text, and the tables it needs."""

    draw: Callable[[FigureData, p9.theme], p9.ggplot]
    caption: str
    alt: str
    needs: tuple[str, ...]
    #: the report section whose end prints it ('results'); None: a template places it by name
    section: str | None = None


#: Figure name -> Figure. Numbers come from where the report places them, not from this order.
FIGURES: dict[str, Figure] = {
    "programme_theory": Figure(
        plot_programme_theory,
        "Programme theory: the contexts, mechanisms and outcomes linked by the CMOCs. Line colour "
        "shows the programme-theory area, line width the strength of evidence.",
        "Diagram with three columns of boxes, contexts on the left, mechanisms in the middle and "
        "outcomes on the right; coloured lines join the codes that each CMOC links, thicker lines "
        "for CMOCs with stronger evidence.",
        ("cmoc_summary", "definitions"),
    ),
    "participants": Figure(
        plot_participants,
        "Participants interviewed by {site}, role and wave.",
        "Stacked bar charts, one per wave, showing how many participants of each role were "
        "interviewed at each {site}.",
        ("participants", "sites"),
    ),
    "evidence_heatmap": Figure(
        plot_evidence_heatmap,
        "Supporting excerpts for each CMOC by {site}.",
        "Heat map with CMOCs as rows and {site}s as columns; darker cells hold more supporting "
        "excerpts, and each cell is labelled with its count.",
        ("cmoc_summary", "evidence_matrix", "sites"),
    ),
    "triangulation": Figure(
        plot_triangulation,
        "Triangulation: supporting excerpts for each CMOC by role group and observation "
        "fieldnotes.",
        "Horizontal stacked bars per CMOC, split by participant role and observation fieldnotes.",
        ("cmoc_summary", "evidence_matrix"),
    ),
    "evidence_by_data_type": Figure(
        plot_evidence_by_data_type,
        "Data types: supporting excerpts for each CMOC from interviews, observation fieldnotes "
        "and documents.",
        "Horizontal stacked bars per CMOC, split by the type of data the excerpts come from.",
        ("cmoc_summary", "evidence_matrix"),
        section="results",
    ),
    "strength_by_area": Figure(
        plot_strength_by_area,
        "The CMOCs of each programme-theory area by the count rating of their evidence (left) "
        "and by the team's GRADE-CERQual confidence in them (right; white: not assessed).",
        "Two panels of horizontal stacked bars counting CMOCs per programme-theory area: on the "
        "left coloured by strength rating, on the right by the team's confidence level.",
        ("cmoc_summary",),
    ),
    "wave_change": Figure(
        plot_wave_change,
        "{First} versus {last}: the share of each wave's interviewees (roles interviewed at "
        "both waves) who gave supporting evidence for each CMOC, with the change rating.",
        "Dot plot with one row per CMOC: a circle for the {first} share and a diamond for the "
        "{last} share, joined by a grey line, and the change rating written at the right.",
        ("cmoc_summary", "wave_change"),
    ),
    "for_whom": Figure(
        plot_for_whom,
        "For whom: participants with supporting evidence for each CMOC by subgroup. Cells with "
        "fewer participants than the disclosure threshold are suppressed.",
        "Heat map panels, one per subgroup attribute of the participant register, with CMOCs as "
        "rows and subgroup values as columns; darker cells hold more participants and "
        "suppressed cells are grey and marked as in the tables.",
        ("cmoc_summary", "subgroups"),
    ),
    "code_cooccurrence": Figure(
        plot_code_cooccurrence,
        "Code co-occurrence: evidence units (as CMOC linking counts them) in which each pair of context, mechanism "
        "and outcome codes is coded together, codes grouped by realist role. An aid for finding "
        "configurations, not evidence for one.",
        "Heat map of codes against codes in nine panels (context, mechanism and outcome codes "
        "against each other); darker cells are pairs coded together in more evidence units, and "
        "each cell is labelled with its count.",
        ("cooccurrence", "definitions"),
    ),
}

#: Figures not in the registry (the rule graph, drawn from trace_rule_graph's DOT): name ->
#: (caption, alt text).
EXTERNAL_FIGURES: dict[str, tuple[str, str]] = {
    "rulegraph": (
        "The workflow that built this report: each box is a Snakemake rule, arrows show which "
        "outputs feed which rule, colours show the workflow step (ingest, clean, linking, evidence, "
        "figures, report).",
        "Directed graph of the pipeline's rules from ingesting export batches through cleaning, "
        "aggregation and figures to the rendered report.",
    ),
}


def wave_markers(waves: list[str]) -> dict[str, str]:
    """What the wave markers of a caption print: the first and the last wave, and with more than
    two waves every consecutive pair before them (one panel each)."""
    first, last = waves[0], waves[-1]
    markers = {}  # whole phrases first: they hold the shorter markers
    if len(waves) > 2:
        steps = ", ".join(f"{a} to {b}" for a, b in zip(waves, waves[1:], strict=False))
        markers["{First} versus {last}"] = (
            f"Each wave against the next ({steps}) and {first} against {last}, one panel each"
        )
        markers["a circle for the {first} share and a diamond for the {last} share"] = (
            "one marker shape per wave for the earlier and the later wave's share"
        )
    return markers | {"{first}": first, "{last}": last, "{First}": capitalised(first)}


def figure_text(name: str, site: str = "site") -> tuple[str, str]:
    """Caption and alt text of any report figure, naming the site axis ('site' or 'region')
    and the design's first and last waves."""
    if name in FIGURES:
        figure = FIGURES[name]
        names = {"{site}": site}
        if "{last}" in figure.caption + figure.alt:  # only these read the design's waves
            names |= wave_markers(list(WAVE_LABELS.values()))
        caption, alt = figure.caption, figure.alt
        for marker, value in names.items():
            caption, alt = caption.replace(marker, value), alt.replace(marker, value)
        return caption, alt
    if name in EXTERNAL_FIGURES:
        return EXTERNAL_FIGURES[name]
    raise FigureError(f"unknown figure '{name}'; known: {', '.join([*FIGURES, *EXTERNAL_FIGURES])}")


def save_svg(plot: p9.ggplot, path: str | Path) -> None:
    """Write an SVG whose bytes depend only on the plot: no date, fixed element-id salt."""
    import matplotlib

    matplotlib.use("svg")
    import matplotlib.pyplot as plt

    # labels come from the data (region and site names): '$' is a dollar, never mathtext
    settings = {"svg.hashsalt": "realist-report", "svg.fonttype": "none", "text.parse_math": False}
    with matplotlib.rc_context(settings):
        figure = plot.draw()
        figure.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(figure)


def draw_figure(name: str, data: FigureData, path: str | Path, theme_options: dict) -> None:
    """Draw one named figure with the configured theme and save it as SVG."""
    save_svg(FIGURES[name].draw(data, report_theme(**theme_options)), path)


def load_figure_data(
    inputs: dict[str, str], options: dict, cache: dict[str, object] | None = None
) -> FigureData:
    """Read a figure's input tables; CMOC definitions come as cmoc_parts and codes tables.

    With a cache (one dict shared by the figures of one job), each table is read once.
    """
    from realist_report.core.definitions import load_definitions
    from realist_report.core.tables import read_parquet

    cache = {} if cache is None else cache
    data: FigureData = {}
    for key, path in inputs.items():
        if key in ("codebook", "cmocs"):
            continue
        if path not in cache:
            cache[path] = read_parquet(path)
        data[key] = cache[path]
    if "codebook" in inputs and "cmocs" in inputs:
        pair = f"definitions:{inputs['codebook']}:{inputs['cmocs']}"
        if pair not in cache:
            cache[pair] = load_definitions(inputs["codebook"], inputs["cmocs"])
        data["cmoc_parts"] = cache[pair].cmoc_parts
        data["codes"] = cache[pair].codes
    for option in ("max_site_columns", "strength", "suppressed_marker"):
        if option in options:
            data[option] = options[option]
    return data


def draw_figures(
    inputs: dict[str, str],
    needs: dict[str, list[str]],
    outputs: dict[str, str],
    theme_options: dict,
    options: dict,
) -> None:
    """Draw every named figure in one process, each from only the tables it needs (inputs keys
    in needs[name]); every table is read once."""
    unknown = sorted(set(outputs) - set(FIGURES))
    if unknown:
        raise FigureError(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
    cache: dict[str, object] = {}
    for name, out in outputs.items():
        started = time.perf_counter()
        data = load_figure_data({key: inputs[key] for key in needs[name]}, options, cache)
        draw_figure(name, data, out, theme_options)
        log.info("figure %s drawn in %.2f s", name, time.perf_counter() - started)


def run_figures(figures: dict, rulegraph: dict) -> None:
    """Rule adapter: every figure of the registry (figures: draw_figures' arguments by name),
    then the rule graph from the traced DOT (rulegraph: dot, modules, svg and dot_out)."""
    draw_figures(**figures)
    theme_options = figures["theme_options"]
    dot_text = Path(rulegraph["dot"]).read_text(encoding="utf-8")
    rules, edges = parse_rulegraph(dot_text)
    font = theme_options.get("font_family", "DejaVu Sans")
    dot = rulegraph_dot(rules, edges, rulegraph["modules"], font)
    Path(rulegraph["dot_out"]).write_text(dot, encoding="utf-8")
    engine = draw_rule_graph(dot_text, rulegraph["modules"], rulegraph["svg"], theme_options)
    log.info("rule graph: %d rules, %d edges, drawn with %s", len(rules), len(edges), engine)


# ---- the workflow's rule graph ---------------------------------------------------------------

#: Colours for the workflow modules (the .smk file a rule lives in).
MODULE_COLOURS = {
    "ingest": OKABE_ITO[1],
    "clean": OKABE_ITO[2],
    "evidence": OKABE_ITO[0],
    "figures": OKABE_ITO[6],
    "report": OKABE_ITO[4],
    "audit": OKABE_ITO[5],
    "linking": OKABE_ITO[3],
    "candidates": OKABE_ITO[7],
}


def rulegraph_dot(
    rules: list[str], edges: list[tuple[str, str]], modules: dict[str, str], font: str
) -> str:
    """Our own DOT for the rule graph: sorted, themed, coloured by module, so bytes are stable."""
    lines = [
        "digraph workflow {",
        f'  graph [rankdir=TB, bgcolor="white", margin=0, nodesep=0.15, ranksep=0.28, fontname="{font}"];',
        f'  node [shape=box, style="rounded,filled", fontname="{font}", fontsize=9, penwidth=1.2, height=0.3];',
        '  edge [color="#777777", arrowsize=0.6, penwidth=0.9];',
    ]
    for rule in rules:
        colour = MODULE_COLOURS.get(modules.get(rule, ""), "#DDDDDD")
        lines.append(f'  "{rule}" [color="{colour}", fillcolor="{colour}33"];')
    lines += [f'  "{a}" -> "{b}";' for a, b in edges]
    lines.append("}")
    return "\n".join(lines) + "\n"


def rule_layers(rules: list[str], edges: list[tuple[str, str]]) -> dict[str, int]:
    """Longest-path layer of each rule from the sources: the columns of the fallback drawing."""
    layer = {rule: 0 for rule in rules}
    for _ in rules:
        changed = False
        for a, b in edges:
            if layer[b] < layer[a] + 1:
                layer[b], changed = layer[a] + 1, True
        if not changed:
            break
    return layer


def plot_rulegraph(
    rules: list[str], edges: list[tuple[str, str]], modules: dict[str, str], theme: p9.theme
) -> p9.ggplot:
    """The rule graph drawn with plotnine, for machines without Graphviz."""
    layer = rule_layers(rules, edges)
    positions: dict[str, tuple[float, float]] = {}
    for column in sorted(set(layer.values())):
        own = sorted(r for r in rules if layer[r] == column)
        for i, rule in enumerate(own):
            positions[rule] = (float(column), -(i - (len(own) - 1) / 2))
    nodes = pd.DataFrame(
        [
            {
                "rule": r,
                "x": positions[r][0],
                "y": positions[r][1],
                "module": modules.get(r, "other"),
            }
            for r in rules
        ]
    )
    links = pd.DataFrame(
        [
            {
                "x": positions[a][0],
                "y": positions[a][1],
                "xend": positions[b][0],
                "yend": positions[b][1],
            }
            for a, b in edges
        ],
        columns=["x", "y", "xend", "yend"],
    )
    nodes["label"] = nodes["rule"].str.replace("_", "_\n", n=1, regex=False)
    palette = {m: c for m, c in MODULE_COLOURS.items() if m in set(nodes["module"])}
    palette.update({m: "#DDDDDD" for m in set(nodes["module"]) - set(palette)})
    return (
        p9.ggplot()
        + p9.geom_segment(p9.aes("x", "y", xend="xend", yend="yend"), data=links, colour="#777777")
        + p9.geom_label(
            p9.aes("x", "y", label="label", fill="module"), data=nodes, size=6, alpha=0.9
        )
        + p9.scale_fill_manual(values=palette)
        + p9.labs(fill="Module")
        + theme
        + p9.theme(
            figure_size=(TEXT_WIDTH_IN, 2.8),
            axis_text=p9.element_blank(),
            axis_ticks=p9.element_blank(),
            axis_title=p9.element_blank(),
            panel_grid=p9.element_blank(),
            panel_border=p9.element_blank(),
        )
    )


def draw_rule_graph(
    dot_text: str,
    modules: dict[str, str],
    out: str | Path,
    theme_options: dict,
    dot_binary: str | None = "dot",
) -> str:
    """Draw the rule graph as SVG with Graphviz if available, else with plotnine; say which."""
    rules, edges = parse_rulegraph(dot_text)
    executable = shutil.which(dot_binary) if dot_binary else None
    if executable:
        source = rulegraph_dot(
            rules, edges, modules, theme_options.get("font_family", "DejaVu Sans")
        )
        svg = subprocess.run(
            [executable, "-Tsvg"], input=source, capture_output=True, text=True, check=True
        ).stdout
        Path(out).write_text(svg, encoding="utf-8")
        return "graphviz"
    save_svg(plot_rulegraph(rules, edges, modules, report_theme(**theme_options)), out)
    return "plotnine"
