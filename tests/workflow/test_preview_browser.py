"""Live preview (make preview): what you preview is what gets built, problems show in the page,
the PDF goes to preview/ only, and a real browser (Debian's chromium) reloads by itself."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_workflow, run_snakemake
from realist_report.report import preview as P
from realist_report.report.explorer import link_report_counts

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("preview")]

CMOC_FILE = Path("report/narrative/cmocs/CMOC04.md")
BUILT_HTML = Path("data/interim/report/evaluation_report.html")
CHROMIUM = Path("/usr/bin/chromium")
#: How long the browser test waits for a save to show. The issue's goal is 2 s; timing goals are
#: measured by `make bench` (edit -> preview updated), not asserted, so a loaded machine cannot
#: fail this test: it proves the page updates by itself and prints how long it took.
SHOWS_WITHIN_MS = 10_000


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built once in a copy this module may edit."""
    workdir = copy_workflow(tmp_path_factory.mktemp("preview") / "workflow")
    run_snakemake(workdir)
    return workdir


@pytest.fixture
def session(project: Path, monkeypatch: pytest.MonkeyPatch) -> P.Session:
    """A preview session in the built copy, rendered once (paths are the project's, relative)."""
    monkeypatch.chdir(project)
    own = P.Session(config_path=Path("config/config.yaml"))
    P.refresh(own, reload_build=True)
    assert own.problems == [] and own.good_html is not None
    return own


def append(path: Path, text: str) -> str:
    """Append a paragraph to a file and give back its old content (to restore)."""
    old = path.read_text(encoding="utf-8")
    path.write_text(old + "\n" + text + "\n", encoding="utf-8")
    return old


def test_preview_equals_the_built_html_after_a_narrative_edit(project: Path, session: P.Session):
    append(CMOC_FILE, "Preview sentence: {{ CMOC04.sites }} sites, byte for byte.")
    P.refresh(session, reload_build=False)
    page = P.preview_page(session)
    assert "Preview sentence:" in page and P.PREVIEW_BEGIN in page
    run_snakemake(project)  # the build reruns the rendering steps for the edit
    built = (project / BUILT_HTML).read_text(encoding="utf-8")
    assert "Preview sentence:" in built
    assert P.strip_preview(page) == built  # the preview's block is the only difference
    # publish_report's one change to the HTML edition: counts become links to the explorer
    reports = project / "reports" / "evaluation_report.html"
    assert reports.read_text(encoding="utf-8") == link_report_counts(built)


def test_problems_show_in_the_page_above_the_last_good_render(session: P.Session):
    good = session.good_html
    cases = [
        (CMOC_FILE, "Typo {{ CMOC04.participnts }} here.", r"CMOC04\.md, line \d+: unknown.*did you mean 'participants'"),
        (CMOC_FILE, "Raw <span>HTML</span> here.", r"CMOC04\.md, line \d+: raw HTML \(<span>\)"),
    ]  # fmt: skip
    for path, text, expected in cases:
        old = append(path, text)
        P.refresh(session, reload_build=False)
        assert session.problems and re.search(expected, session.problems[0]), session.problems
        assert session.good_html == good  # the last good render stays beneath
        assert "preview-problem" in P.preview_page(session)
        path.write_text(old, encoding="utf-8")
        P.refresh(session, reload_build=False)
        assert session.problems == []


def test_a_pinned_quote_that_does_not_exist_names_file_line_and_nearest_id(session: P.Session):
    cmocs = Path("config/cmocs.yaml")
    old = cmocs.read_text(encoding="utf-8")
    pinned = re.search(r"quotes: \[(\w+),", old)
    wrong = pinned.group(1)[:-1] + ("0" if pinned.group(1)[-1] != "0" else "1")
    cmocs.write_text(old.replace(pinned.group(1), wrong, 1), encoding="utf-8")
    line = next(n for n, text in enumerate(old.splitlines(), 1) if pinned.group(1) in text)
    try:
        P.refresh(session, reload_build=False)
        assert len(session.problems) == 1
        problem = session.problems[0]
        assert problem.startswith(f"config/cmocs.yaml, line {line}: ")
        assert wrong in problem and f"nearest supporting id: {pinned.group(1)}" in problem
        cmocs.write_text(
            old.replace("cmocs:\n", "cmocs:\n  - id: [unclosed\n", 1), encoding="utf-8"
        )
        P.refresh(session, reload_build=False)
        assert re.match(r"config/cmocs\.yaml, line \d+: not valid YAML", session.problems[0])
    finally:
        cmocs.write_text(old, encoding="utf-8")
    P.refresh(session, reload_build=False)
    assert session.problems == []


def test_a_config_yaml_error_is_shown_and_the_process_keeps_its_last_page(session: P.Session):
    config = Path("config/config.yaml")
    old = config.read_text(encoding="utf-8")
    good = session.good_html
    config.write_text(old.replace("report_options:", "report_options: [\n", 1), encoding="utf-8")
    try:
        P.refresh(session, reload_build=True)
        assert re.match(r"config/config\.yaml, line \d+: not valid YAML", session.problems[0])
        assert session.good_html == good
    finally:
        config.write_text(old, encoding="utf-8")
    P.refresh(session, reload_build=True)
    assert session.problems == []


def test_the_privacy_screen_of_the_build_shows_a_hit_in_a_banner(session: P.Session):
    phone = " ".join(["07700", "900" + "123"])  # built here: no tracked file holds a phone
    old = append(CMOC_FILE, f"Call the team on {phone} for details.")
    try:
        P.refresh(session, reload_build=False)
        assert session.privacy and "1 PHONE" in session.privacy
        assert phone[-6:] not in session.privacy  # the banner never shows the value
        assert "preview-privacy" in P.preview_page(session)
    finally:
        CMOC_FILE.write_text(old, encoding="utf-8")
    P.refresh(session, reload_build=False)
    assert session.privacy is None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def served(project: Path):
    """`python -m realist_report.report.preview` in the built copy on a free port; its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "realist_report.report.preview", "--port", str(free_port())],
        cwd=project,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip().removeprefix("Preview: ")
    assert url.startswith("http://127.0.0.1:"), url
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="missing system package: chromium")
def test_a_browser_shows_an_edit_without_a_reload_by_hand(project: Path, served: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    narrative = project / CMOC_FILE
    reports_before = {p.name: p.stat().st_mtime_ns for p in (project / "reports").iterdir()}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
            ],
        )  # fmt: skip
        page = browser.new_page()
        page.goto(served)
        expect(page.locator("#preview-bar")).to_be_visible()
        old = append(narrative, "A sentence the browser must show by itself.")
        saved = time.perf_counter()
        expect(page.get_by_text("A sentence the browser must show by itself.")).to_be_visible(
            timeout=SHOWS_WITHIN_MS
        )
        print(f"edit shown in the browser after {time.perf_counter() - saved:.2f} s")
        append(narrative, "Broken {{ CMOC04.participnts }} placeholder.")
        problem = page.locator(".preview-problem")
        expect(problem).to_contain_text("did you mean 'participants'", timeout=SHOWS_WITHIN_MS)
        expect(page.get_by_text("A sentence the browser must show by itself.")).to_be_visible()
        page.screenshot(path=str(project / "preview-problem.png"))
        narrative.write_text(old + "\nFixed again.\n", encoding="utf-8")
        expect(page.get_by_text("Fixed again.")).to_be_visible(timeout=SHOWS_WITHIN_MS)
        expect(page.locator(".preview-problem")).to_have_count(0)
        page.click("#preview-pdf")
        expect(page.locator("#preview-pdf-status a")).to_be_visible(timeout=120_000)
        page.screenshot(path=str(project / "preview-fixed.png"))
        browser.close()
    narrative.write_text(old, encoding="utf-8")
    assert (project / "preview" / "evaluation_report.pdf").stat().st_size > 100_000
    assert {p.name: p.stat().st_mtime_ns for p in (project / "reports").iterdir()} == reports_before
