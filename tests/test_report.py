"""Report assembly: numbering follows placement, cross-references resolve, RAMESES II is covered."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
import yaml
from realist_report import report as R
from realist_report.cmo import site_columns

REPO = Path(__file__).resolve().parents[1]

TEMPLATE = """{% macro fig(name) %}<figure id="fig-{{ name }}"><figcaption>Figure {{ figures[name].number }}. x</figcaption></figure>{% endmacro %}
<h1 id="intro">Intro &amp; aims</h1><p>See <a href="#fig-b">Figure {{ figures.b.number }}</a> and Table {{ table_numbers.second }}.</p>
{{ fig('b') }}
<table><caption id="t1">Table {{ table_numbers.first }}. One</caption></table>
<h2 id="more">More</h2>
{{ fig('a') }}
<table><caption>Table {{ table_numbers.second }}. Two</caption></table>
{% for item in rameses %}<span>{{ item.number }}{{ item.reported }}</span>{% endfor %}
{% for entry in toc %}<li>{{ entry.title }}</li>{% endfor %}
"""


def render(tmp_path: Path, template: str, figures: tuple[str, ...] = ("a", "b")) -> str:
    (tmp_path / "report.html.j2").write_text(template, encoding="utf-8")
    context = {
        "figures": {name: {"name": name} for name in figures},
        "table_numbers": {},
        "toc": [],
    }
    return R.render_numbered(context, tmp_path)


def test_numbers_follow_placement_and_forward_references_resolve(tmp_path: Path) -> None:
    html = render(tmp_path, TEMPLATE)
    assert 'See <a href="#fig-b">Figure 1</a> and Table 2.' in html
    assert "Figure 1. x</figcaption></figure>" in html.split('id="fig-b"')[1][:60]
    assert "Figure 2. x" in html.split('id="fig-a"')[1][:60]
    assert "Table 1. One" in html and "Table 2. Two" in html
    assert "<li>Intro &amp; aims</li><li>More</li>" in html
    assert "@@" not in html


def test_a_reference_to_an_uncaptioned_table_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(R.ReportError, match="table 'ghost' but no table caption defines it"):
        render(tmp_path, TEMPLATE + "Table {{ table_numbers.ghost }}")


def test_a_figure_drawn_but_never_placed_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(R.ReportError, match="not placed in the report: c"):
        render(tmp_path, TEMPLATE, figures=("a", "b", "c"))


def test_a_table_captioned_twice_is_an_error(tmp_path: Path) -> None:
    twice = TEMPLATE + "<table><caption>Table {{ table_numbers.first }}. Again</caption></table>"
    with pytest.raises(R.ReportError, match="captioned twice"):
        render(tmp_path, twice)


def test_rameses_checklist_has_all_twenty_items_marked_by_presence() -> None:
    rows = R.rameses_checklist('<h2 id="rationale">x</h2><section id="title-page"></section>')
    assert [r["number"] for r in rows] == list(range(1, 21))
    reported = {r["number"] for r in rows if r["reported"] == "Y"}
    assert reported == {1, 3}
    assert {r["reported"] for r in rows} == {"Y", "N"}


def test_every_rameses_anchor_is_in_the_templates() -> None:
    templates = "".join(p.read_text() for p in (REPO / "workflow" / "templates").rglob("*.j2"))
    missing = [a for _, _, _, a in R.RAMESES_ITEMS if f'id="{a}"' not in templates]
    assert not missing, f"RAMESES anchors without a section: {missing}"


def test_demo_narrative_is_valid_and_a_missing_item_is_named(tmp_path: Path) -> None:
    narrative = R.load_narrative(REPO / "config" / "narrative.yaml")
    assert narrative["questions"]["question"].startswith("When implementing link workers")
    del narrative["ethics"]
    broken = tmp_path / "narrative.yaml"
    broken.write_text(yaml.safe_dump(narrative), encoding="utf-8")
    with pytest.raises(R.ReportError, match="'ethics' is a required property"):
        R.load_narrative(broken)


def test_narrative_holds_no_counts_that_the_data_should_give() -> None:
    text = (REPO / "config" / "narrative.yaml").read_text(encoding="utf-8")
    prose = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    assert not re.search(
        r"\b\d+\s+(sites?|patients|participants|CMOCs|interviews|excerpts)\b", prose
    )


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_built_html_edition_reads_in_a_browser(built_workflow: Path) -> None:
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    assert '<style media="screen">' in html and '<style media="print">' in html
    numbers = [int(n) for n in re.findall(r"<figcaption>Figure (\d+)\.", html)]
    assert numbers == list(range(1, len(numbers) + 1)) and len(numbers) >= 8
    tables = [int(n) for n in re.findall(r"<caption[^>]*>Table (\d+)\.", html)]
    assert tables == list(range(1, len(tables) + 1))
    for xref in re.findall(r'<a class="xref" href="#([^"]+)">', html):
        assert f'id="{xref}"' in html, f"cross-reference to missing #{xref}"
    assert html.count("<td>Y</td>") == 20, "every RAMESES II item is reported"


def register(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n sites over three regions, each with two patients (one followed up)."""
    ids = [f"S{i:02d}" for i in range(1, n + 1)]
    regions = ["London", "North East", "South West"]
    sites = pd.DataFrame(
        {
            "site_id": ids,
            "region": [regions[i % 3] for i in range(n)],
            "employer_type": ["GP practice" if i % 2 else "Local authority" for i in range(n)],
            "setting": "Urban",
            "team_model": "Lone link worker",
            "observation_hours": 100,
        }
    )
    participants = pd.DataFrame(
        {
            "participant_id": [f"P{i:03d}" for i in range(2 * n)],
            "site_id": ids * 2,
            "role": "patient",
            "waves": ["baseline;followup"] * n + ["baseline"] * n,
        }
    )
    return sites, participants


def test_site_columns_switch_to_regions_above_the_limit() -> None:
    sites, _ = register(7)
    columns = site_columns(sites, 14)
    assert columns.heading == "site" and columns.labels[:2] == ["site 1", "site 2"]
    sites, _ = register(20)
    columns = site_columns(sites, 14)
    assert columns.heading == "region"
    assert columns.labels == ["London", "North East", "South West"]
    assert columns.of_site["S01"] == "London" and columns.of_site["S02"] == "North East"


@pytest.mark.parametrize("n", [7, 20])
def test_by_site_tables_keep_every_count_whether_by_site_or_region(n: int) -> None:
    sites, participants = register(n)
    columns = site_columns(sites, 14)
    table = R.participants_table(participants, columns)
    for row in table["rows"]:
        assert sum(row["cells"]) == row["total"]
        assert len(row["cells"]) == len(columns.labels)
    assert [r["total"] for r in table["rows"]] == [2 * n, n]
    described = R.sites_table(sites, columns)
    assert sum(r["sites"] for r in described["rows"]) == n
    assert sum(r["observation_hours"] for r in described["rows"]) == 100 * n
    matrix = pd.DataFrame(
        {"cmoc_id": "CMOC01", "dimension": "site", "value": list(sites["site_id"]), "excerpts": 2}
    )
    summary = pd.DataFrame({"cmoc_id": ["CMOC01", "CMOC02"]})
    grid = R.site_matrix(matrix, summary, columns)
    assert [row["total"] for row in grid["rows"]] == [2 * n, 0]


def test_region_rows_count_the_kinds_of_site() -> None:
    sites, _ = register(20)
    london = R.sites_table(sites, site_columns(sites, 14))["rows"][0]
    assert london["name"] == "London" and london["sites"] == 7
    assert london["employer_type"] == "GP practice 3; Local authority 4"
