"""Report figures drawn with plotnine, saved as deterministic SVG (fixed date and id salt)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import matplotlib

matplotlib.use("svg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import plotnine as p9  # noqa: E402

from realist_report.cmo import ROLE_LABELS, WAVE_LABELS, site_label  # noqa: E402

#: Okabe-Ito palette: distinguishable with the common colour-vision deficiencies.
OKABE_ITO = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000"]
STRENGTH_COLOURS = {
    "strong": "#0072B2",
    "moderate": "#56B4E9",
    "tentative": "#E69F00",
    "unsupported": "#BBBBBB",
}
FigureData = dict[str, pd.DataFrame]


def report_theme(base_size: float = 9, font_family: str = "DejaVu Sans") -> p9.theme:
    """One print theme for every figure: light grid, readable at A4 text width."""
    return p9.theme_bw(base_size=base_size, base_family=font_family) + p9.theme(
        panel_grid_minor=p9.element_blank(),
        legend_position="bottom",
        legend_title=p9.element_text(size=base_size),
        strip_background=p9.element_rect(fill="#EEEEEE"),
        figure_size=(6.3, 3.6),
    )


def plot_participants(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Participants by site, role and wave: who the evidence comes from."""
    table = data["participants"].copy()
    table = table.assign(wave=table["waves"].str.split(";")).explode("wave")
    table["site"] = table["site_id"].map(site_label)
    table["role"] = pd.Categorical(
        table["role"].map(ROLE_LABELS), categories=list(ROLE_LABELS.values())
    )
    table["wave"] = pd.Categorical(
        table["wave"].map(WAVE_LABELS), categories=list(WAVE_LABELS.values())
    )
    return (
        p9.ggplot(table, p9.aes("site", fill="role"))
        + p9.geom_bar()
        + p9.facet_wrap("~wave")
        + p9.scale_fill_manual(values=OKABE_ITO)
        + p9.labs(x=None, y="Participants interviewed", fill="Role")
        + theme
        + p9.theme(axis_text_x=p9.element_text(rotation=45, ha="right"))
    )


def plot_evidence_heatmap(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """CMOC x site heat map of supporting excerpts: where each configuration is seen."""
    matrix = data["evidence_matrix"]
    cells = matrix[matrix["dimension"] == "site"].copy()
    cells["site"] = cells["value"].map(site_label)
    order = list(data["cmoc_summary"]["cmoc_id"])[::-1]
    cells["cmoc_id"] = pd.Categorical(cells["cmoc_id"], categories=order)
    return (
        p9.ggplot(cells, p9.aes("site", "cmoc_id", fill="excerpts"))
        + p9.geom_tile(colour="white")
        + p9.geom_text(p9.aes(label="excerpts"), size=7)
        + p9.scale_fill_gradient(low="#F7FBFF", high="#2171B5")
        # rectangles keep the SVG small: a smooth gradient bar becomes thousands of elements
        + p9.guides(fill=p9.guide_colorbar(display="rectangles", nbin=12))
        + p9.scale_y_discrete(drop=False)
        + p9.labs(x=None, y=None, fill="Supporting excerpts")
        + theme
        + p9.theme(figure_size=(6.3, 4.2), panel_grid_major=p9.element_blank())
    )


def plot_triangulation(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Supporting excerpts per CMOC by role group: how far each is triangulated."""
    matrix = data["evidence_matrix"]
    rows = matrix[matrix["dimension"].isin(["role"])].copy()
    rows["group"] = rows["value"].map(ROLE_LABELS).fillna("Observation fieldnote")
    order = list(data["cmoc_summary"]["cmoc_id"])[::-1]
    rows["cmoc_id"] = pd.Categorical(rows["cmoc_id"], categories=order)
    return (
        p9.ggplot(rows, p9.aes("cmoc_id", "excerpts", fill="group"))
        + p9.geom_col()
        + p9.coord_flip()
        + p9.scale_fill_manual(values=OKABE_ITO)
        + p9.labs(x=None, y="Supporting excerpts", fill="Source")
        + theme
        + p9.theme(figure_size=(6.3, 4.2))
    )


def plot_strength_by_area(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """CMOCs per programme-theory area by strength rating."""
    summary = data["cmoc_summary"].copy()
    summary["strength"] = pd.Categorical(summary["strength"], categories=list(STRENGTH_COLOURS))
    summary["area_title"] = summary["area_title"].str.wrap(22)
    return (
        p9.ggplot(summary, p9.aes("area_title", fill="strength"))
        + p9.geom_bar()
        + p9.scale_fill_manual(values=STRENGTH_COLOURS, drop=False)
        + p9.labs(x=None, y="CMOCs", fill="Strength")
        + theme
    )


def plot_wave_change(data: FigureData, theme: p9.theme) -> p9.ggplot:
    """Supporting excerpts per CMOC at baseline and at follow-up."""
    summary = data["cmoc_summary"]
    long = summary[["cmoc_id", "baseline_excerpts", "followup_excerpts"]].melt(
        id_vars="cmoc_id",
        value_vars=["baseline_excerpts", "followup_excerpts"],
        var_name="wave",
        value_name="excerpts",
    )
    long["wave"] = pd.Categorical(
        long["wave"].map({"baseline_excerpts": "baseline", "followup_excerpts": "follow-up"}),
        categories=["baseline", "follow-up"],
    )
    long["cmoc_id"] = pd.Categorical(long["cmoc_id"], categories=list(summary["cmoc_id"])[::-1])
    return (
        p9.ggplot(long, p9.aes("cmoc_id", "excerpts", fill="wave"))
        + p9.geom_col(position="dodge")
        + p9.coord_flip()
        + p9.scale_fill_manual(values=[OKABE_ITO[4], OKABE_ITO[0]])
        + p9.labs(x=None, y="Supporting excerpts", fill="Wave")
        + theme
        + p9.theme(figure_size=(6.3, 4.2))
    )


#: Figure name -> (function, caption, alt text). The report numbers them in this order.
FIGURES: dict[str, tuple[Callable[[FigureData, p9.theme], p9.ggplot], str, str]] = {
    "participants": (
        plot_participants,
        "Participants interviewed by site, role and wave.",
        "Stacked bar charts, one per wave, showing how many participants of each role were "
        "interviewed at each site.",
    ),
    "evidence_heatmap": (
        plot_evidence_heatmap,
        "Supporting excerpts for each CMOC at each site.",
        "Heat map with CMOCs as rows and sites as columns; darker cells hold more supporting "
        "excerpts, and each cell is labelled with its count.",
    ),
    "triangulation": (
        plot_triangulation,
        "Triangulation: supporting excerpts for each CMOC by source group.",
        "Horizontal stacked bars per CMOC, split by participant role and observation fieldnotes.",
    ),
    "strength_by_area": (
        plot_strength_by_area,
        "Strength of evidence for the CMOCs in each programme-theory area.",
        "Stacked bars counting CMOCs per programme-theory area, coloured by strength rating.",
    ),
    "wave_change": (
        plot_wave_change,
        "Supporting excerpts for each CMOC at baseline and at follow-up.",
        "Paired horizontal bars per CMOC comparing baseline and follow-up supporting excerpts.",
    ),
}


def save_svg(plot: p9.ggplot, path: str | Path) -> None:
    """Write an SVG whose bytes depend only on the plot: no date, fixed element-id salt."""
    with matplotlib.rc_context({"svg.hashsalt": "realist-report", "svg.fonttype": "none"}):
        figure = plot.draw()
        figure.savefig(path, format="svg", metadata={"Date": None, "Creator": None})
        plt.close(figure)


def draw_figure(name: str, data: FigureData, path: str | Path, theme_options: dict) -> None:
    """Draw one named figure with the configured theme and save it as SVG."""
    function = FIGURES[name][0]
    save_svg(function(data, report_theme(**theme_options)), path)


def run_plot(name: str, inputs: dict[str, str], theme_options: dict, out: str) -> None:
    """Rule adapter: read the summary tables and draw one figure."""
    from realist_report.tables import read_parquet

    data = {key: read_parquet(path) for key, path in inputs.items()}
    draw_figure(name, data, out, theme_options)
