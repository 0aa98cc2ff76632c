"""Live preview pieces that need no build: the page's own block, pinned-quote checks, reloads.
(tests/workflow/test_preview_browser.py runs the preview on a built demo and in Chromium.)"""

from __future__ import annotations

from pathlib import Path

from realist_report.report import preview as P

BUILT = '<!DOCTYPE html>\n<html lang="en-GB"><head><title>R</title></head>\n<body class="report">\n<h1>Report</h1></body></html>\n'


def test_the_page_is_the_built_html_plus_one_block_that_strips_off() -> None:
    session = P.Session(config_path=Path("config.yaml"), good_html=BUILT)
    session.problems = ["a.md, line 3: unknown placeholder <script>alert(1)</script>"]
    session.privacy = "the previewed report: 1 possible identifier(s) (1 PHONE)"
    page = P.preview_page(session)
    assert page.startswith(BUILT[: BUILT.index("\n<h1>")] + P.PREVIEW_BEGIN)
    assert "&lt;script&gt;alert(1)" in page and "<script>alert(1)" not in page
    assert "preview-privacy" in page and 'new EventSource("/events")' in page
    assert P.strip_preview(page) == BUILT


def test_before_a_good_render_the_page_shows_the_problem_alone() -> None:
    session = P.Session(config_path=Path("config.yaml"), problems=["run `make report` first"])
    page = P.preview_page(session)
    assert "run `make report` first" in page and "<h1>" not in page


def cmocs_file(tmp_path: Path, pins: str) -> Path:
    path = tmp_path / "cmocs.yaml"
    path.write_text(
        "cmocs:\n  - id: CMOC01\n    title: One\n" + f"    quotes: [{pins}]\n"
        "  - id: CMOC02\n    title: Two\n",
        encoding="utf-8",
    )
    return path


SUMMARY = [
    {"cmoc_id": "CMOC01", "excerpt_ids": "38e02a70da86cfd7;630457754096deea"},
    {"cmoc_id": "CMOC02", "excerpt_ids": ""},
]


def test_a_pin_not_among_the_supporting_excerpts_names_file_line_and_nearest(
    tmp_path: Path,
) -> None:
    path = cmocs_file(tmp_path, "38e02a70da86cfd7, 630457754096deeb")
    (problem,) = P.check_pins(path, SUMMARY)
    assert problem.startswith(f"{path}, line 4: CMOC01 pins the quote 630457754096deeb")
    assert problem.endswith("nearest supporting id: 630457754096deea")
    assert P.check_pins(cmocs_file(tmp_path, "630457754096deea"), SUMMARY) == []


def test_a_yaml_error_in_the_cmoc_file_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "cmocs.yaml"
    path.write_text("cmocs:\n  - id: CMOC01\n    quotes: [a, b\n  - id: CMOC02\n", "utf-8")
    try:
        P.check_pins(path, SUMMARY)
    except P.PreviewProblem as problem:
        assert str(problem).startswith(f"{path}, line 4: not valid YAML")
    else:
        raise AssertionError("a YAML error was not reported")


def test_changed_pins_are_told_apart_from_the_printed_quotes(tmp_path: Path) -> None:
    printed = [
        {"cmoc_id": "CMOC01", "excerpt_id": "38e02a70da86cfd7", "chosen_by": "team"},
        {"cmoc_id": "CMOC02", "excerpt_id": "aaaa", "chosen_by": "rule"},
    ]
    assert not P.pins_changed(cmocs_file(tmp_path, "38e02a70da86cfd7"), printed)
    assert P.pins_changed(cmocs_file(tmp_path, "630457754096deea"), printed)


def test_only_config_and_build_outputs_reload_the_tables(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    session = P.Session(
        config_path=Path("config/config.yaml"),
        config={"narrative": "report/narrative", "cmocs": "config/cmocs.yaml"},
    )
    narrative = (tmp_path / "report/narrative/cmocs/CMOC01.md").resolve()
    template = P.TEMPLATE_DIR / "report.html.j2"
    assert not P.needs_build_reload({narrative, template}, session)
    assert not P.needs_build_reload({(tmp_path / "config/cmocs.yaml").resolve()}, session)
    for other in ("config/config.yaml", "results/cmoc_summary.csv", "data/interim/report/x.json"):
        assert P.needs_build_reload({narrative, (tmp_path / other).resolve()}, session)
