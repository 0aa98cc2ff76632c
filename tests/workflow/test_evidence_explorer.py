"""The evidence explorer in a real browser: the Debian chromium, driven by Playwright.

Every count the page shows is compared with the results CSVs of the same build, on the demo,
which has double coding, refuting evidence and quarantined rows (checked first). Any console
error, page error or request other than the file itself fails the test. Screenshots of every
view, at 100% and 200% zoom, are written to EXPLORER_SCREENSHOTS (default: the test's tmp dir).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from playwright.sync_api import expect
from realist_report.core.tables import read_csv
from realist_report.report.explorer import payload

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
FIELDNOTES = "(fieldnotes)"
# a card names no participant: the attribution rule keys its site, its source has a keyed label
CARD_FACTS = {"Role", "Site", "Wave", "Data type", "Batch", "Source"}
VIEWS = ("index", "search", "candidates", "pairs", "disagreements", "quarantine", "provenance")


def csv(built: Path, name: str) -> pd.DataFrame:
    return read_csv(built / "results" / name, dtype=str, keep_default_na=False)


def ids(cell: str) -> list[str]:
    return [i for i in cell.split(";") if i]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is not installed: run sh workflow/setup_system.sh test")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page that records console errors, page errors and every request it makes."""

    def __init__(self, browser: object, explorer: Path, **context: object) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.explorer = explorer
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url.split("#")[0]))

    def open(self, fragment: str = "") -> object:
        """Load the file afresh at a fragment (a fragment change alone would not reload it)."""
        self.page.goto("about:blank")
        self.page.goto(f"{self.explorer.as_uri()}#{fragment}")
        self.page.wait_for_selector("html[data-ready=true]")
        return self.page

    def check(self, own_files: set[str]) -> None:
        assert self.problems == []
        assert set(self.requests) <= own_files, "the page requested something beyond its files"
        self.context.close()


@pytest.fixture
def watched(browser: object, built_workflow: Path) -> Iterator[Watched]:
    explorer = built_workflow / "reports" / "evidence_explorer.html"
    page = Watched(browser, explorer, viewport={"width": 1280, "height": 900})
    yield page
    page.check(
        {explorer.as_uri(), (built_workflow / "reports" / "evaluation_report.html").as_uri()}
    )


def open_all_cards(page: object) -> None:
    while page.locator("button.show-all:visible").count():
        page.locator("button.show-all:visible").first.click()


def support_cards(page: object) -> int:
    open_all_cards(page)
    return page.locator(".stance-support article.card").count()


def test_demo_has_double_coding_refuting_evidence_and_quarantined_rows(built_workflow) -> None:
    """The browser tests below run on data with all three, or they would prove less."""
    agreement = csv(built_workflow, "coder_agreement.csv")
    assert int(agreement.loc[agreement["scope"] == "overall", "coders"].iloc[0]) >= 2
    assert (csv(built_workflow, "cmoc_evidence_units.csv")["counts_as"] == "refutes").any()
    assert len(csv(built_workflow, "quarantine.csv")) > 0


def test_cmoc_index_counts_equal_the_summary(watched, built_workflow) -> None:
    page = watched.open("view=index")
    summary = csv(built_workflow, "cmoc_summary.csv")
    for row in summary.itertuples():
        for column in ("excerpts", "partial", "refuting", "participants", "sites"):
            shown = page.locator(f'tr[data-cmoc="{row.cmoc_id}"] td[data-count="{column}"]')
            assert shown.inner_text().strip() == getattr(row, column), (row.cmoc_id, column)
    page.locator('button.sort[data-key="excerpts"]').click()
    page.locator('button.sort[data-key="excerpts"]').click()  # second click: largest first
    first = page.locator("table.cmoc-index tbody tr").first.get_attribute("data-cmoc")
    assert first == summary.loc[summary["excerpts"].astype(int).idxmax(), "cmoc_id"]
    page.fill("#cmoc-filter", summary["title"].iloc[0])
    assert page.locator("table.cmoc-index tbody tr").count() == 1


def marginal(page: object, dimension: str, value: str) -> object:
    """The explorer's cell that the CSV row (dimension, value) counts."""
    if dimension == "site":
        return page.locator(f'#matrix button[data-site="{value}"]:not([data-role])')
    if dimension == "role":
        return page.locator(f'#matrix button[data-role="{value}"]:not([data-site])')
    key = "wave" if dimension == "wave" else "type"
    return page.locator(f'#by-{key} button[data-{key}="{value}"]')


def test_every_matrix_cell_opens_as_many_units_as_the_csv_counts(watched, built_workflow) -> None:
    matrix = csv(built_workflow, "cmoc_evidence.csv")
    for cmoc, rows in matrix.groupby("cmoc_id", sort=False):
        page = watched.open(f"cmoc={cmoc}")
        for row in rows.itertuples():
            cell = marginal(page, row.dimension, row.value)
            assert cell.get_attribute("data-support") == row.excerpts, (cmoc, row.value)
            cell.click()
            assert support_cards(page) == int(row.excerpts), (cmoc, row.dimension, row.value)
            page.locator("#clear-filters").click()


def test_a_cell_shows_supporting_partial_and_refuting_units_apart(watched, built_workflow) -> None:
    units = csv(built_workflow, "cmoc_evidence_units.csv")
    refuted = units[units["counts_as"] == "refutes"].iloc[0]
    site, cmoc = refuted["site_id"], refuted["cmoc_id"]
    page = watched.open(f"cmoc={cmoc}&site={site}")
    own = units[(units["cmoc_id"] == cmoc) & (units["site_id"] == site)]
    for stance in ("support", "partial", "refutes"):
        part = page.locator(f'[data-stance="{stance}"]')
        assert part.get_attribute("data-count") == str((own["counts_as"] == stance).sum())
    open_all_cards(page)
    shown = page.locator('[data-stance="refutes"] article.card').evaluate_all(
        "cards => cards.map(c => c.dataset.unit)"
    )
    assert sorted(shown) == sorted(own.loc[own["counts_as"] == "refutes", "unit_id"])
    card = page.locator('[data-stance="refutes"] article.card').first
    facts = set(card.locator("dt").all_inner_texts())
    assert facts == CARD_FACTS  # no subgroup attribute on a card
    assert "coder " in card.inner_text()


def test_filters_and_search_narrow_the_units(watched, built_workflow) -> None:
    units = csv(built_workflow, "cmoc_evidence_units.csv")
    page = watched.open("cmoc=CMOC01")
    page.select_option('select[name="site"]', "S03")
    page.select_option('select[name="stance"]', "partial")
    expected = units[
        (units["cmoc_id"] == "CMOC01")
        & (units["site_id"] == "S03")
        & (units["counts_as"] == "partial")
    ]
    assert page.locator('[data-stance="partial"]').get_attribute("data-count") == str(len(expected))
    assert page.locator('[data-stance="support"]').get_attribute("data-count") == "0"
    assert "site=S03" in page.url and "stance=partial" in page.url
    data = payload(watched.explorer.read_text(encoding="utf-8"))
    word = "signpost"
    matching = sum(word in data["strings"][t].lower() for t in data["excerpts"]["text"])
    assert matching > 0
    page = watched.open("view=search")
    page.fill('input[name="q"]', word)
    expect(page.locator("#units-heading")).to_contain_text(word)
    assert page.locator("#units-heading").get_attribute("data-count") == str(matching)


def test_analysis_aids_and_quarantine_open_what_the_csvs_list(watched, built_workflow) -> None:
    tables = {
        "candidates": csv(built_workflow, "candidate_cmocs.csv")["excerpt_ids"],
        "pairs": csv(built_workflow, "code_cooccurrence.csv")["excerpt_ids"],
    }
    agreement = csv(built_workflow, "coder_agreement.csv")
    disagreeing = agreement[agreement["scope"].isin(["code", "source"])]
    tables["disagreements"] = disagreeing.loc[
        disagreeing["disagreement_ids"] != "", "disagreement_ids"
    ]
    for view, cells in tables.items():
        page = watched.open(f"view={view}")
        buttons = page.locator(f"#aid-{view} button.cell")
        assert buttons.all_inner_texts() == [str(len(ids(c))) for c in cells if ids(c)], view
        buttons.last.click()
        open_all_cards(page)
        assert page.locator("article.card").count() == len(ids(cells.iloc[-1])), view
    page = watched.open("view=quarantine")
    quarantine = csv(built_workflow, "quarantine.csv")
    assert page.locator("#quarantine tbody tr").count() == len(quarantine)
    assert (
        page.locator("#quarantine tbody tr").first.inner_text().split("\t")[3]
        == quarantine["reason"].iloc[0]
    )


def test_suppressed_for_whom_cells_do_not_open(watched, built_workflow) -> None:
    subgroups = csv(built_workflow, "cmoc_subgroups.csv")
    suppressed = subgroups[subgroups["suppressed"] == "True"]
    assert len(suppressed), "the demo has small for-whom cells"
    cmoc = suppressed["cmoc_id"].iloc[0]
    own = subgroups[subgroups["cmoc_id"] == cmoc]
    page = watched.open(f"cmoc={cmoc}")
    page.locator("details summary").click()
    opened = own[(own["suppressed"] != "True") & (own["excerpt_ids"] != "")]
    assert page.locator("table.subgroups button").count() == len(opened)
    assert (
        page.locator("table.subgroups .suppressed").count() == (own["suppressed"] == "True").sum()
    )
    page.locator("table.subgroups button").first.click()
    open_all_cards(page)
    assert page.locator("article.card").count() == len(ids(opened["excerpt_ids"].iloc[0]))
    assert "not shown in a for-whom view" in page.locator("article.card").first.inner_text()


def test_a_deep_link_from_the_html_edition_opens_its_cell(watched, built_workflow) -> None:
    report = built_workflow / "reports" / "evaluation_report.html"
    page = watched.page
    page.goto(report.as_uri())
    page.locator(
        'a.explore[href="evidence_explorer.html#cmoc=CMOC04&site=S03&stance=support"]'
    ).click()
    page.wait_for_selector("html[data-ready=true]")
    assert "evidence_explorer.html#cmoc=CMOC04" in page.url
    matrix = csv(built_workflow, "cmoc_evidence.csv")
    row = matrix[
        (matrix["cmoc_id"] == "CMOC04")
        & (matrix["dimension"] == "site")
        & (matrix["value"] == "S03")
    ]
    assert support_cards(page) == int(row["excerpts"].iloc[0])
    page = watched.open("cmoc=CMOC04&site=S03&wave=followup")  # the README's example
    assert page.locator('select[name="wave"]').input_value() == "followup"


def test_keyboard_tab_to_a_cell_and_enter_opens_it(watched, built_workflow) -> None:
    page = watched.open("cmoc=CMOC01")
    for _ in range(200):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.classList.contains('cell')"):
            break
    else:
        pytest.fail("no matrix cell is reachable with Tab")
    expected = page.evaluate("document.activeElement.dataset.support")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "units-heading"
    assert support_cards(page) == int(expected)


def test_screenshots_of_every_view(browser, built_workflow, tmp_path) -> None:
    folder = Path(os.environ.get("EXPLORER_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    explorer = built_workflow / "reports" / "evidence_explorer.html"
    for zoom, viewport in ((1, {"width": 1280, "height": 900}), (2, {"width": 640, "height": 450})):
        watched = Watched(browser, explorer, viewport=viewport, device_scale_factor=zoom)
        for view in (
            *VIEWS,
            "cmoc=CMOC01",
            "cmoc=CMOC04&site=S03",
            "view=candidates&list=candidates:0",
        ):
            page = watched.open(view if "=" in view else f"view={view}")
            name = view.replace("=", "-").replace("&", "_").replace(":", "-")
            page.screenshot(path=str(folder / f"{name}@{zoom * 100}.png"), full_page=zoom == 1)
            assert (folder / f"{name}@{zoom * 100}.png").stat().st_size > 0
        watched.check({explorer.as_uri()})
