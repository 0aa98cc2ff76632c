"""Report assembly: numbering follows placement, cross-references resolve, RAMESES II is covered."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from realist_report.core.vocabulary import site_columns
from realist_report.report import context as R
from realist_report.report import narrative as N
from realist_report.report.citations import Citations

REPO = Path(__file__).resolve().parents[2]

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
    assert {r["reported"] for r in rows} == {"Y", "not yet reported"}
    gaps = {3: "sections/rationale.md: empty"}
    rows = R.rameses_checklist('<h2 id="rationale">x</h2><section id="title-page"></section>', gaps)
    assert {r["number"] for r in rows if r["reported"] == "Y"} == {1}
    assert rows[2]["why"] == "sections/rationale.md: empty"


def test_every_rameses_anchor_is_in_the_templates() -> None:
    templates = "".join(p.read_text() for p in (REPO / "workflow" / "templates").rglob("*.j2"))
    missing = [a for _, _, _, a in R.RAMESES_ITEMS if f'id="{a}"' not in templates]
    assert not missing, f"RAMESES anchors without a section: {missing}"


NARRATIVE = REPO / "report" / "narrative"


@pytest.fixture
def demo_values() -> dict:
    """Placeholder values as the report computes them, from the demo's committed summary numbers."""
    counts = {
        wave: {"total": 10, "patient": 6, "professionals": 4, "link_worker": 1,
               "primary_care_staff": 1, "vcse": 1, "other_link_worker": 1}
        for wave in ("baseline", "followup")
    }  # fmt: skip
    ratings = ["strong", "moderate", "tentative", "unsupported"]  # config.yaml's, as counted
    totals = {name: 3 for name in [*N.COUNT_VALUES, *ratings]}
    rows = [
        {"cmoc_id": f"CMOC{i:02d}", "area_title": "Area", "title": "t", "strength": "strong",
         "excerpts": 40 + i, "participants": 12, "sites": 5, "roles": 3, "data_types": 2,
         "baseline_excerpts": 1, "followup_excerpts": 2, "direct": 3, "partial": 4,
         "refuting": 5, "refining": 6}
        for i in range(1, 13)
    ]  # fmt: skip
    return {"counts": N.count_values(counts, totals), **N.cmoc_values(rows, {})}


DEMO_CITATIONS = Citations.load(REPO / "report" / "references.bib")
AREAS = ["micro_discretions", "integration", "person_centred", "boundaries"]


def narrative_copy(tmp_path: Path) -> Path:
    target = tmp_path / "narrative"
    shutil.copytree(NARRATIVE, target)
    return target


def test_demo_narrative_renders_every_section_area_and_some_cmocs(demo_values) -> None:
    narrative = N.load_narrative(
        NARRATIVE,
        demo_values,
        area_ids=AREAS,
        front_matter=list(N.FRONT_MATTER),
        citations=DEMO_CITATIONS,
    )
    assert set(narrative.sections) == {*N.SECTIONS, *N.FRONT_MATTER}
    assert "@@cite:wong2016rameses@@" in narrative.sections["analysis"]
    assert set(narrative.areas) == set(AREAS)
    assert len(narrative.cmocs) >= 3
    cmoc04 = str(narrative.cmocs["CMOC04"])
    assert cmoc04.startswith('<div class="narrative-part" data-narrative="cmocs/CMOC04.md">')
    assert '<span class="computed" data-placeholder="CMOC04.participants">12</span>' in cmoc04
    shown = re.sub(r'<span class="computed" data-placeholder="[^"]+">(.*?)</span>', r"\1", cmoc04)
    assert "<strong>strong</strong>" in shown
    assert "from 12 participants at 5 sites" in " ".join(shown.split())
    assert '<a class="xref" href="#CMOC05">CMOC05</a>' in shown
    assert {(r.kind, r.key) for r in narrative.references} >= {
        ("tab", "CMOC04"),
        ("tab", "summary"),
    }
    assert "<li>" in narrative.sections["recommendations"]
    assert ("CMOC", "context-mechanism-outcome configuration") in narrative.abbreviations
    assert not narrative.typed_numbers


def test_a_placeholder_typo_stops_the_build_naming_file_and_line(tmp_path, demo_values) -> None:
    folder = narrative_copy(tmp_path)
    path = folder / "cmocs" / "CMOC04.md"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] += " It drew on {{ CMOC04.participant }} people."
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(N.NarrativeError) as error:
        N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)
    assert str(error.value).startswith(
        f"{path}, line 3: unknown placeholder {{{{ CMOC04.participant }}}}: CMOC04 has no value "
        "'participant' (did you mean 'participants'?)"
    )


@pytest.mark.parametrize(
    ("placeholder", "message"),
    [
        ("{{ CMOC99.sites }}", "unknown placeholder {{ CMOC99.sites }}: 'CMOC99' is neither"),
        ("{{ counts.patients }}", "counts has no value 'patients' (did you mean"),
        ("{{ cmoc.CMOC13 }}", "{{ cmoc.CMOC13 }} refers to no CMOC"),
        ("{{ participants }}", "{{ participants }} is not a placeholder"),
    ],
)
def test_every_kind_of_bad_placeholder_is_named(tmp_path, demo_values, placeholder, message):
    folder = narrative_copy(tmp_path)
    path = folder / "areas" / "boundaries.md"
    path.write_text("First line.\n\nSee " + placeholder + ".\n", encoding="utf-8")
    with pytest.raises(N.NarrativeError) as error:
        N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)
    assert str(error.value).startswith(f"{path}, line 3: ")
    assert message in str(error.value)


def test_raw_html_in_markdown_is_refused_with_file_and_line(tmp_path, demo_values) -> None:
    folder = narrative_copy(tmp_path)
    path = folder / "sections" / "rationale.md"
    path.write_text(
        "The role was new.\nIt was <span style='color:red'>funded</span> nationally.\n",
        encoding="utf-8",
    )
    with pytest.raises(N.NarrativeError) as error:
        N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)
    assert str(error.value) == (
        f"{path}, line 2: raw HTML (<span>) is not allowed in the narrative; write Markdown "
        "(the report's styles come from its templates)"
    )
    path.write_text("Intro.\n\n<script>alert(1)</script>\n", encoding="utf-8")
    with pytest.raises(N.NarrativeError, match=r"line 3: raw HTML \(<script>\)"):
        N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)


def test_markdown_text_is_escaped_and_values_are_filled_in(demo_values) -> None:
    resolver = N._Resolver(demo_values, [k for k in demo_values if k != "counts"])
    markup, refs = N.render_markdown(
        "A & B < C: *{{ CMOC04.participants }}* of {{ counts.patients_baseline }} in "
        "{{ figure.evidence_heatmap }}",
        Path("x.md"),
        resolver,
    )
    assert markup == (
        "<p>A &amp; B &lt; C: <em>"
        '<span class="computed" data-placeholder="CMOC04.participants">12</span></em> of '
        '<span class="computed" data-placeholder="counts.patients_baseline">6</span> in '
        '<span class="computed" data-placeholder="figure.evidence_heatmap">'
        '<a class="xref" href="#fig-evidence_heatmap">Figure @@fig:evidence_heatmap@@</a>'
        "</span></p>\n"
    )
    assert refs == [N.Reference("fig", "evidence_heatmap", "x.md, line 1")]


def test_an_unknown_cmoc_file_stops_and_a_missing_section_is_not_yet_written(
    tmp_path, demo_values
) -> None:
    folder = narrative_copy(tmp_path)
    (folder / "cmocs" / "CMOC4.md").write_text("Typo in the name.\n", encoding="utf-8")
    with pytest.raises(N.NarrativeError, match="there is no cmoc 'CMOC4' \\(did you mean"):
        N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)
    (folder / "cmocs" / "CMOC4.md").unlink()
    before = N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)
    (folder / "sections" / "ethics.md").unlink()
    narrative = N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)
    assert set(narrative.not_written) - set(before.not_written) == {"ethics"}
    assert narrative.items_not_written() - before.items_not_written() == {6}
    assert "Not yet written (item 6: ethical approval: <code>sections/ethics.md</code>)" in str(
        narrative.sections["ethics"]
    )


def test_a_typed_number_the_pipeline_computes_is_flagged(tmp_path, demo_values, caplog) -> None:
    folder = narrative_copy(tmp_path)
    path = folder / "cmocs" / "CMOC10.md"
    path.write_text(
        "Link workers told us about it: 12 participants at 5 sites, 43 supporting excerpts.\n"
        "In CMOC04, 12 participants agreed; 7 participants is a number nobody computes.\n",
        encoding="utf-8",
    )
    narrative = N.load_narrative(folder, demo_values, area_ids=AREAS, citations=DEMO_CITATIONS)
    found = [(t["line"], t["typed"], t["placeholder"]) for t in narrative.typed_numbers]
    assert (1, "12 participants", "{{ CMOC10.participants }}") in found
    assert (1, "5 sites", "{{ CMOC10.sites }}") in found
    assert (2, "12 participants", "{{ CMOC04.participants }}") in found
    assert not [f for f in found if f[1].startswith("7 ")]
    assert "write {{ CMOC10.participants }} so it cannot go stale" in caplog.text


def test_a_reference_to_a_table_the_report_lacks_names_file_and_line() -> None:
    ref = N.Reference("tab", "sumary", "report/narrative/areas/x.md, line 4")
    with pytest.raises(N.NarrativeError) as error:
        N.check_references([ref], {"tab": {"summary": 1}, "fig": {}}, {"summary": "tab-summary"})
    assert str(error.value).startswith(
        "report/narrative/areas/x.md, line 4: {{ table.sumary }} refers to a table the report "
        "does not have (did you mean 'summary'?)"
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
    # the demo's ethics and conflicts texts are placeholders, 8 CMOCs have no team text yet and
    # the abstract has no conclusion of its own (sections/abstract_conclusion.md)
    assert html.count("<td>Y</td>") == 16, "RAMESES II items the demo team has written"
    assert html.count("<td>not yet reported (") == 4


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_demo_report_prints_authored_prose_pinned_quotes_and_no_near_copies(
    built_workflow: Path,
) -> None:
    from rapidfuzz import fuzz, utils

    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    summary = pd.read_csv(built_workflow / "results" / "cmoc_summary.csv").set_index("cmoc_id")
    areas = re.findall(r'<h2 id="area-(\w+)">[^<]*</h2>\n<div class="narrative">', html)
    assert len(areas) == summary["area"].nunique() == 4, "every area has authored prose"
    authored = []
    for chunk in html.split('<h3 id="')[1:]:
        cmoc_id, body = chunk.split('"', 1)
        prose = re.search(r'</table>\n<div class="narrative">(.*?)</div>', body, flags=re.DOTALL)
        if prose:
            authored.append((cmoc_id, prose.group(1)))
    assert len(authored) >= 3
    for cmoc_id, prose in authored:
        row = summary.loc[cmoc_id]
        words = " ".join(re.sub(r"<[^>]+>", "", prose).split())  # values carry Word markers
        assert f"{row['participants']} participants" in words, cmoc_id
        assert f"<strong>{row['strength']}</strong>" in prose or row["strength"] in prose
    quotes = pd.read_csv(built_workflow / "results" / "exemplar_quotes.csv", dtype=str)
    team = quotes[quotes["chosen_by"] == "team"]
    assert team["cmoc_id"].nunique() >= 2
    for row in team.itertuples():
        # a short reference in the text; the full id in the appendix table of quoted excerpts
        assert f'<a href="#ref-{row.label}">{row.label}</a>, chosen by the team' in html
        assert f'<span id="ref-{row.label}">' in html and row.excerpt_id in html
    texts = quotes["text"].tolist()
    worst = max(
        fuzz.ratio(a, b, processor=utils.default_process)
        for i, a in enumerate(texts)
        for b in texts[i + 1 :]
    )
    assert worst < 70, f"a near-duplicate quote pair is printed ({worst:.0f}% similar)"
    assert "@@" not in html and "{{" not in html


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


@pytest.mark.e2e
@pytest.mark.xdist_group("built_workflow")
def test_demo_report_shows_refinement_memos_redacted_and_the_team_judgement(
    built_workflow: Path,
) -> None:
    """Memos from the link workers' .qdpx reach Appendix G redacted, dated and attributed; the
    team's confidence sits beside the count rating and CMOC07's two-step gap is flagged."""
    html = (built_workflow / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    appendix = html.split('<h1 id="appendix-refinement">')[1]
    assert appendix.startswith("Appendix G. How the programme theory was refined</h1>")
    assert "5 of the 7 memos read are shown here" in appendix
    consent = appendix[appendix.index("Check consent before quoting") - 300 :][:800]
    assert (
        "2021-04-21" in consent
        and "Memo by coder_b on a passage coded Connections with patients (outcome)" in consent
    )
    assert "the GP, Dr [NAME], and reads out her mobile, [PHONE]," in consent
    written = [html, *(p.read_text(encoding="utf-8") for p in built_workflow.glob("logs/*/*.log"))]
    written += [(built_workflow / "results" / n).read_text(encoding="utf-8") for n in ("memos.csv", "cmoc_memos.csv", "privacy_hits.csv")]  # fmt: skip
    for text in written:
        assert "Priya" not in text and "900461" not in text  # the demo memo's GP and phone
    hits = pd.read_csv(built_workflow / "results" / "privacy_hits.csv")
    assert sorted(hits.loc[hits["field"] == "memo text", "kind"]) == ["PHONE", "TITLED NAME"]
    memos = pd.read_csv(built_workflow / "results" / "memos.csv")
    assert memos["memo_id"].nunique() == 7
    cmoc07 = html.split('<h3 id="CMOC07">')[1].split("</table>")[0]
    assert '<span class="confidence">high</span>' in cmoc07
    cerqual = html.split('<caption id="tab-cerqual">')[1].split("</table>")[0]
    assert "<em>Methodological limitations:</em> Only patients speak to it" in cerqual
    assert "Only patients speak to it" not in cmoc07, "the team's reasons are printed once"
    assert "(tentative, read as low confidence) are 2 steps apart" in cmoc07
    cmoc10 = html.split('<h3 id="CMOC10">')[1].split("</table>")[0]
    assert "confidence" in cmoc10 and "steps apart" not in cmoc10, "one step is not flagged"
    assert '<th>Status</th><td>refined (<a href="#refinement-CMOC10">' in cmoc10
    assert "Initial theory" not in cmoc10 and "Initial theory" in appendix
    assert "more than 25% of its supporting units" in html
    assert "<strong>strong</strong> as high, <strong>moderate</strong> as moderate" in html
    summary = pd.read_csv(built_workflow / "results" / "cmoc_summary.csv").set_index("cmoc_id")
    assert not summary["lowered_by_refuting"].any(), "no demo CMOC has 25% refuting units"
    assert (summary["count_strength"] == summary["strength"]).all()
    assert summary["judgement_disagrees"].sum() == 1 and summary.at["CMOC07", "confidence_gap"] == 2


def test_a_word_hyphenated_across_lines_prints_whole(demo_values) -> None:
    resolver = N._Resolver(demo_values, ["CMOC04"])
    markup, _ = N.render_markdown(
        "Fewer at follow-\nup, and a well-\n  known gap - \nAnd more.", Path("x.md"), resolver
    )
    assert "<p>Fewer at follow-up, and a well-known gap -\nAnd more.</p>" in markup
