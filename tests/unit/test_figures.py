"""Figures: each draws from small tables, bytes are reproducible, the rule graph has a fallback."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO
from realist_report.report import figures as F
from realist_report.report import rulegraph

DOT = """digraph snakemake_dag {
    graph[bgcolor=white, margin=0];
    0[label = "all", color = "0.00 0.6 0.85", style="rounded"];
    1[label = "render_report_pdf", color = "0.10 0.6 0.85", style="rounded"];
    2[label = "ingest_batch", color = "0.20 0.6 0.85", style="rounded"];
    3[label = "plot_figure", color = "0.30 0.6 0.85", style="rounded"];
    1 -> 0
    2 -> 3
    3 -> 1
}
"""
MODULES = {
    "all": "report",
    "render_report_pdf": "report",
    "ingest_batch": "ingest",
    "plot_figure": "figures",
}
THEME = {"base_size": 9, "font_family": "DejaVu Sans"}
STRENGTH = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))["strength"]


@pytest.fixture(scope="module")
def data() -> F.FigureData:
    """A two-CMOC, two-site miniature of every table the figures read."""
    summary = pd.DataFrame(
        {
            "cmoc_id": ["CMOC01", "CMOC02"],
            "area": ["a1", "a2"],
            "area_title": ["First area", "Second area"],
            "strength": ["strong", "tentative"],
            "baseline_excerpts": [5, 2],
            "followup_excerpts": [1, 3],
        }
    )
    matrix = pd.DataFrame(
        {
            "cmoc_id": ["CMOC01", "CMOC01", "CMOC02", "CMOC01", "CMOC02", "CMOC01", "CMOC02"],
            "dimension": ["site", "site", "site", "role", "role", "data type", "data type"],
            "value": ["S01", "S02", "S01", "patient", "(fieldnotes)", "interview", "observation"],
            "excerpts": [4, 2, 1, 5, 1, 5, 1],
        }
    )
    participants = pd.DataFrame(
        {
            "participant_id": ["P1", "P2", "LW1"],
            "site_id": ["S01", "S02", "S01"],
            "role": ["patient", "patient", "link_worker"],
            "waves": ["baseline;followup", "baseline", "baseline;followup"],
            "gender": ["Female", "Male", ""],
        }
    )
    subgroups = pd.DataFrame(
        {
            "cmoc_id": ["CMOC01", "CMOC01", "CMOC02"],
            "attribute": ["gender", "gender", "gender"],
            "value": ["Female", "Male", "Female"],
            "participants": [7, None, 6],
            "excerpts": [9, None, 8],
            "suppressed": [False, True, False],
        }
    )
    wave_change = pd.DataFrame(
        {
            "cmoc_id": ["CMOC01", "CMOC02"],
            "from_wave": ["baseline"] * 2,
            "to_wave": ["followup"] * 2,
            "consecutive": [True] * 2,
            "first_to_last": [True] * 2,
            "from_participants": [10, 2],
            "from_pool": [20, 20],
            "to_participants": [3, 4],
            "to_pool": [10, 10],
            "change": ["weakened", "strengthened"],
        }
    )
    parts = pd.DataFrame(
        {
            "cmoc_id": ["CMOC01"] * 3 + ["CMOC02"] * 3,
            "part": ["context", "mechanism", "outcome"] * 2,
            "code_id": ["c1", "m1", "o1", "c2", "m1", "o2"],
        }
    )
    codes = pd.DataFrame(
        {
            "code_id": ["c1", "c2", "m1", "o1", "o2"],
            "path": [
                "Context::Time",
                "Context::Team",
                "Mechanism::Judgement",
                "Outcome::Trust",
                "Outcome::Retention",
            ],
            "role": ["context", "context", "mechanism", "outcome", "outcome"],
        }
    )
    cooccurrence = pd.DataFrame(
        {
            "code_a": ["c1", "c1", "m1", "c2"],
            "code_b": ["m1", "o1", "o1", "o2"],
            "role_a": ["context", "context", "mechanism", "context"],
            "role_b": ["mechanism", "outcome", "outcome", "outcome"],
            "units": [12, 9, 10, 1],
        }
    )
    sites = pd.DataFrame({"site_id": ["S01", "S02"], "region": ["London", "North East"]})
    return {
        "cmoc_summary": summary,
        "evidence_matrix": matrix,
        "participants": participants,
        "sites": sites,
        "max_site_columns": 14,
        "strength": STRENGTH,
        "subgroups": subgroups,
        "wave_change": wave_change,
        "cmoc_parts": parts,
        "codes": codes,
        "cooccurrence": cooccurrence,
    }


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("name", list(F.FIGURES))
def test_every_figure_draws_the_same_bytes_twice(
    name: str, data: F.FigureData, tmp_path: Path
) -> None:
    first, second = tmp_path / "first.svg", tmp_path / "second.svg"
    F.draw_figure(name, data, first, THEME)
    F.draw_figure(name, data, second, THEME)
    svg = first.read_text(encoding="utf-8")
    assert svg.startswith("<?xml") and "<svg" in svg
    assert "<dc:date>" not in svg, "a date in the SVG metadata breaks byte-identical rebuilds"
    assert sha(first) == sha(second)


@pytest.mark.parametrize("name", list(F.FIGURES))
def test_no_axis_is_titled_with_a_column_name(
    name: str, data: F.FigureData, tmp_path: Path
) -> None:
    out = tmp_path / "figure.svg"
    F.draw_figure(name, data, out, THEME)
    svg = out.read_text(encoding="utf-8")
    for column in ("area_title", "area_label", "cmoc_id", "excerpts", "value", "share"):
        assert f">{column}<" not in svg, f"{name}: axis or legend titled '{column}'"


def test_every_figure_has_caption_alt_text_and_known_tables() -> None:
    known = {
        "participants",
        "sites",
        "cmoc_summary",
        "evidence_matrix",
        "definitions",
        "subgroups",
        "wave_change",
        "cooccurrence",
    }
    for name, figure in F.FIGURES.items():
        assert figure.caption.endswith(".") and len(figure.alt) > 40, name
        assert set(figure.needs) <= known, name
    assert F.figure_text("rulegraph")[0].startswith("The workflow")
    with pytest.raises(F.FigureError, match="unknown figure 'nope'"):
        F.figure_text("nope")


def test_programme_theory_links_each_cmoc_through_its_mechanism(data: F.FigureData) -> None:
    nodes, links = F.theory_layout(data["cmoc_parts"], data["codes"], data["cmoc_summary"])
    assert sorted(nodes["part"].value_counts().items()) == [
        ("context", 2),
        ("mechanism", 1),
        ("outcome", 2),
    ]
    assert len(links) == 4  # two CMOCs, each context->mechanism and mechanism->outcome
    assert set(links["strength"]) == {"strong", "tentative"}


def test_rulegraph_parse_and_dot_do_not_depend_on_node_numbering() -> None:
    rules, edges = F.parse_rulegraph(DOT)
    assert rules == ["all", "ingest_batch", "plot_figure", "render_report_pdf"]
    assert ("ingest_batch", "plot_figure") in edges
    renumbered = DOT.replace("0[", "9[").replace("1 -> 0", "1 -> 9")
    assert F.rulegraph_dot(
        *F.parse_rulegraph(renumbered), MODULES, "DejaVu Sans"
    ) == F.rulegraph_dot(rules, edges, MODULES, "DejaVu Sans")
    assert F.rule_layers(rules, edges) == {
        "ingest_batch": 0,
        "plot_figure": 1,
        "render_report_pdf": 2,
        "all": 3,
    }


def test_rulegraph_without_graphviz_is_drawn_with_plotnine(tmp_path: Path) -> None:
    out = tmp_path / "rulegraph.svg"
    assert F.draw_rule_graph(DOT, MODULES, out, THEME, dot_binary=None) == "plotnine"
    assert "report_pdf" in out.read_text(encoding="utf-8")  # labels wrap after the verb


@pytest.mark.skipif(shutil.which("dot") is None, reason="missing system package: graphviz (dot)")
def test_rulegraph_with_graphviz_is_reproducible(tmp_path: Path) -> None:
    first, second = tmp_path / "a.svg", tmp_path / "b.svg"
    assert F.draw_rule_graph(DOT, MODULES, first, THEME) == "graphviz"
    F.draw_rule_graph(DOT, MODULES, second, THEME)
    assert sha(first) == sha(second)
    assert "plot_figure" in first.read_text(encoding="utf-8")


def test_empty_rulegraph_output_is_a_clear_error() -> None:
    with pytest.raises(rulegraph.RuleGraphError, match="printed no rules"):
        rulegraph.parse_rulegraph("digraph {}")


def test_traced_rulegraph_is_canonical_whatever_snakemake_numbered() -> None:
    """trace_rule_graph keeps the DOT in one form: the same graph renumbered, same bytes."""
    renumbered = DOT.replace("0[", "9[").replace("1 -> 0", "1 -> 9")
    kept = rulegraph.canonical_rulegraph(DOT)
    assert kept == rulegraph.canonical_rulegraph(renumbered)
    assert rulegraph.parse_rulegraph(kept) == rulegraph.parse_rulegraph(DOT)
    assert "color" not in kept


def test_all_figures_in_one_call_match_figures_drawn_alone(
    data: F.FigureData, tmp_path: Path
) -> None:
    """draw_figures (one job for the registry) gives each figure only its own tables and the
    same bytes as drawing it alone, and reads each table file once."""
    tables = tmp_path / "tables"
    tables.mkdir()
    inputs = {}
    for key in (
        "participants",
        "sites",
        "cmoc_summary",
        "evidence_matrix",
        "subgroups",
        "wave_change",
    ):
        inputs[key] = str(tables / f"{key}.parquet")
        data[key].to_parquet(inputs[key])
    inputs["codebook"] = str(REPO / "config" / "codebook.yaml")
    inputs["cmocs"] = str(REPO / "config" / "cmocs.yaml")
    needs = {"participants": ["participants", "sites"], "strength_by_area": ["cmoc_summary"]}
    together = {name: str(tmp_path / f"{name}.svg") for name in needs}
    options = {"max_site_columns": 14, "strength": STRENGTH}
    F.draw_figures(inputs, needs, together, THEME, options)
    for name, keys in needs.items():
        alone = tmp_path / f"{name}-alone.svg"
        F.draw_figure(name, F.load_figure_data({k: inputs[k] for k in keys}, options), alone, THEME)
        assert sha(alone) == sha(Path(together[name])), name
    with pytest.raises(F.FigureError, match="unknown figure"):
        F.draw_figures(inputs, needs, {"nope": str(tmp_path / "nope.svg")}, THEME, options)


def test_importing_the_figures_module_does_not_import_plotnine() -> None:
    """The Snakefile reads FIGURES at every start: plotnine (about 1.5 s) loads on first use."""
    code = (
        "import sys, realist_report.report.figures as F; F.FIGURES; F.figure_text('participants'); "
        "print(type(sys.modules['plotnine']).__name__, 'matplotlib.pyplot' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(REPO / "workflow")},
    )
    assert result.stdout.split() == ["_LazyModule", "False"]


def many_sites(n: int) -> F.FigureData:
    """n sites in three regions, each with one patient and one excerpt for CMOC01."""
    ids = [f"S{i:03d}" for i in range(1, n + 1)]
    regions = ["London", "North East", "South West"]
    return {
        "sites": pd.DataFrame({"site_id": ids, "region": [regions[i % 3] for i in range(n)]}),
        "participants": pd.DataFrame(
            {"participant_id": ids, "site_id": ids, "role": "patient", "waves": "baseline"}
        ),
        "evidence_matrix": pd.DataFrame(
            {"cmoc_id": "CMOC01", "dimension": "site", "value": ids, "excerpts": 1}
        ),
        "cmoc_summary": pd.DataFrame({"cmoc_id": ["CMOC01"]}),
        "max_site_columns": 14,
    }


@pytest.mark.parametrize("name", ["participants", "evidence_heatmap"])
def test_site_figures_draw_regions_when_sites_are_many(name: str, tmp_path: Path) -> None:
    out = tmp_path / "figure.svg"
    F.draw_figure(name, many_sites(60), out, THEME)
    svg = out.read_text(encoding="utf-8")
    assert "South West" in svg and "site 1<" not in svg
    few = many_sites(6)
    F.draw_figure(name, few, out, THEME)
    svg = out.read_text(encoding="utf-8")
    assert "site 6" in svg and "South West" not in svg


def test_heatmap_cells_sum_the_sites_of_a_region() -> None:
    plot = F.plot_evidence_heatmap(many_sites(60), F.report_theme())
    assert sorted(plot.data["excerpts"]) == [20, 20, 20]
    assert list(plot.data["site"].cat.categories) == ["London", "North East", "South West"]


def test_captions_name_the_site_axis() -> None:
    caption, alt = F.figure_text("evidence_heatmap", "region")
    assert caption == "Supporting excerpts for each CMOC by region."
    assert "regions as columns" in alt and "{site}" not in F.figure_text("participants")[0]


def _with_sites(data: F.FigureData, ids: list[str], regions: list[str]) -> F.FigureData:
    """The miniature with its two sites renamed (registers, matrix and participants agree)."""
    rename = dict(zip(["S01", "S02"], ids, strict=True))
    return {
        **data,
        "sites": pd.DataFrame({"site_id": ids, "region": regions}),
        "participants": data["participants"].assign(
            site_id=data["participants"]["site_id"].map(rename)
        ),
        "evidence_matrix": data["evidence_matrix"].assign(
            value=data["evidence_matrix"]["value"].replace(rename)
        ),
    }


@pytest.mark.parametrize("name", ["participants", "evidence_heatmap"])
def test_site_ids_with_the_same_digits_keep_their_own_labels(
    name: str, data: F.FigureData, tmp_path: Path
) -> None:
    """NE1 and NW1 were both 'site 1': 'Categorical categories must be unique'."""
    out = tmp_path / "figure.svg"
    F.draw_figure(name, _with_sites(data, ["NE1", "NW1"], ["North East", "North West"]), out, THEME)
    svg = out.read_text(encoding="utf-8")
    assert ">NE1<" in svg and ">NW1<" in svg


@pytest.mark.parametrize("name", ["participants", "evidence_heatmap"])
def test_dollar_signs_in_region_names_are_printed_not_typeset(name: str, tmp_path: Path) -> None:
    """'Costs $5 to $10' was drawn as 'Costs 5to10'; '$\\x$' stopped the build in mathtext."""
    many = many_sites(30)
    many["sites"]["region"] = ["Costs $5 to $10", "North $\\x$ East", "South West"] * 10
    out = tmp_path / "figure.svg"
    F.draw_figure(name, many, out, THEME)
    svg = out.read_text(encoding="utf-8")
    assert "Costs $5 to $10" in svg and "North $\\x$ East" in svg


def test_data_type_figure_draws_the_matrix_data_type_rows(data: F.FigureData) -> None:
    """The figure added the README's way (one FIGURES entry, one function, section='results')."""
    plot = F.FIGURES["evidence_by_data_type"].draw(data, F.report_theme())
    drawn = plot.data.set_index(["cmoc_id", "value"])["excerpts"].astype(int).to_dict()
    # drawn under the design's labels, never the keys
    assert drawn == {("CMOC01", "Interview"): 5, ("CMOC02", "Observation fieldnote"): 1}
    assert F.FIGURES["evidence_by_data_type"].section == "results"
