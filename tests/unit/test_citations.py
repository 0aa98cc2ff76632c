"""Citations: [@key] checked against the bibliography and numbered by citeproc-py in reading order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from realist_report.report import context as R
from realist_report.report import narrative as N
from realist_report.report.citations import CitationError, Citations

REPO = Path(__file__).resolve().parents[2]
DEMO_BIB = REPO / "report" / "references.bib"

CSL_JSON = [
    {
        "id": "Pawson1997",
        "type": "book",
        "title": "Realistic Evaluation",
        "author": [{"family": "Pawson", "given": "Ray"}, {"family": "Tilley", "given": "Nick"}],
        "publisher": "Sage",
        "publisher-place": "London",
        "issued": {"date-parts": [[1997]]},
    }
]


def test_citations_are_numbered_in_reading_order_with_a_vancouver_reference_list() -> None:
    citations = Citations.load(DEMO_BIB)
    text = citations.mark(
        "<p>First [@lewin2018cerqual].</p><p>Then [@pawson1997realistic; @lewin2018cerqual].</p>"
        "<p>Again [@LEWIN2018CERQUAL].</p>@@bibliography@@"
    )
    html, listed = citations.resolve(text)
    assert listed == 2
    lewin = '<span class="citation computed" data-placeholder="@cite:lewin2018cerqual">(1)</span>'
    assert f"<p>First {lewin}.</p>" in html
    assert 'data-placeholder="@cite:pawson1997realistic;lewin2018cerqual">(1,2)</span>' in html
    assert f"<p>Again {lewin}.</p>" in html
    entries = html.split('<ol class="references">')[1]
    assert entries.startswith('<li value="1">Lewin S, Booth A, Glenton C')
    assert "Implementation Science. 2018;13(Suppl 1):2." in entries
    assert '<li value="2">Pawson R, Tilley N. Realistic Evaluation. London: Sage; 1997.' in entries
    assert "@@" not in html


def test_a_csl_json_bibliography_is_read_too(tmp_path: Path) -> None:
    path = tmp_path / "refs.json"
    path.write_text(json.dumps(CSL_JSON), encoding="utf-8")
    citations = Citations.load(path)
    html, listed = citations.resolve(citations.mark("See [@Pawson1997]. @@bibliography@@"))
    assert listed == 1 and "(1)" in html and "Pawson R, Tilley N." in html


def test_an_unknown_key_names_file_line_and_the_close_key(tmp_path: Path) -> None:
    path = tmp_path / "analysis.md"
    path.write_text("One line.\nAs shown [@pawson1997; @wong2016rameses].\n", encoding="utf-8")
    with pytest.raises(CitationError) as error:
        Citations.load(DEMO_BIB).check_file(path)
    message = str(error.value)
    assert f"{path}, line 2: unknown citation [@pawson1997]" in message
    assert "did you mean 'pawson1997realistic'?" in message


def test_a_citation_without_a_bibliography_stops_the_build(tmp_path: Path) -> None:
    path = tmp_path / "cmocs.yaml"
    path.write_text("because: it matters [@wong2016rameses]\n", encoding="utf-8")
    with pytest.raises(CitationError, match=r"line 1: .*no bibliography is configured"):
        Citations.load(None).check_file(path)


def test_a_cmoc_field_is_escaped_and_cited(tmp_path: Path) -> None:
    (tmp_path / "report.html.j2").write_text(
        "<p>{{ field | cite }}</p>@@bibliography@@", encoding="utf-8"
    )
    context = {
        "figures": {},
        "citations": Citations.load(DEMO_BIB),
        "field": "trust <grows> [@wong2016rameses]",
    }
    html = R.render_numbered(context, tmp_path)
    assert (
        '<p>trust &lt;grows&gt; <span class="citation computed" '
        'data-placeholder="@cite:wong2016rameses">(1)</span></p>'
    ) in html
    assert "RAMESES II reporting standards for realist evaluations" in html


def test_the_narrative_checks_its_citations_by_file_and_line(tmp_path: Path) -> None:
    sections = tmp_path / "sections"
    sections.mkdir()
    for name in N.SECTIONS:
        (sections / f"{name}.md").write_text("Team text.\n", encoding="utf-8")
    (sections / "literature.md").write_text("Shown before\n[@lipsky1980].\n", encoding="utf-8")
    values = {"counts": {}}
    with pytest.raises(CitationError, match=r"literature\.md, line 2: unknown citation"):
        N.load_narrative(tmp_path, values, area_ids=[], citations=Citations.load(DEMO_BIB))
    (sections / "literature.md").write_text("Shown [@lipsky1980street].\n", encoding="utf-8")
    narrative = N.load_narrative(tmp_path, values, area_ids=[], citations=Citations.load(DEMO_BIB))
    assert "Shown @@cite:lipsky1980street@@." in narrative.sections["literature"]
