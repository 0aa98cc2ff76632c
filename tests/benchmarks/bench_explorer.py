"""Measure the evidence explorer in headless Chromium: file size, time to interactive and the
time to open its largest cell (figures printed, never asserted).

Run: .venv/bin/python tests/benchmarks/bench_explorer.py reports/evidence_explorer.html
(`make bench` runs it on every scale's build). Targets (issue 27): demo file <= 3 MB and
interactive within 1 s; a cell of 1,000 excerpts opens within 1 s at any scale.
"""

from __future__ import annotations

import argparse
import statistics
from collections import Counter
from pathlib import Path

from realist_report.report.explorer import payload

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
MAX_DEMO_MB = 3.0
MAX_INTERACTIVE_MS = 1000.0
MAX_CELL_MS = 1000.0
LOADS = 3
#: Click the cell, then wait for the frame that paints its cards.
OPEN_CELL = """selector => new Promise(done => {
  const cell = document.querySelector(selector);
  const started = performance.now();
  cell.click();
  requestAnimationFrame(() => setTimeout(() => done(performance.now() - started), 0));
})"""


def largest_cmoc(explorer: Path) -> tuple[str, int]:
    """The CMOC with the most evidence units: its all-sites, all-roles cell is the largest."""
    counts = Counter(payload(explorer.read_text(encoding="utf-8"))["units"]["cmoc"])
    return counts.most_common(1)[0]


def measure_explorer(explorer: Path) -> dict[str, float]:
    """Size in MB, median time to interactive over LOADS loads, and largest-cell open time."""
    from playwright.sync_api import sync_playwright

    cmoc, units = largest_cmoc(explorer)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        ready = []
        for _ in range(LOADS):
            page.goto("about:blank")
            page.goto(explorer.as_uri())
            page.wait_for_selector("html[data-ready=true]", timeout=120_000)
            ready.append(page.evaluate("window.explorerReadyMs"))
        page.goto("about:blank")
        page.goto(f"{explorer.as_uri()}#cmoc={cmoc}")
        page.wait_for_selector("html[data-ready=true]", timeout=120_000)
        cell_ms = page.evaluate(OPEN_CELL, "#matrix button.cell:not([data-site]):not([data-role])")
        browser.close()
    return {
        "mb": explorer.stat().st_size / 1e6,
        "interactive_ms": statistics.median(ready),
        "cell_units": float(units),
        "cell_ms": float(cell_ms),
    }


def explorer_lines(figures: dict[str, float], demo: bool) -> list[str]:
    """The bench table rows for the explorer."""
    size_target = f"<= {MAX_DEMO_MB:.0f} MB: " + (
        "met" if figures["mb"] <= MAX_DEMO_MB else "NOT met"
    )
    return [
        "| evidence explorer | value | target |",
        "|---|---:|---|",
        f"| file size MB | {figures['mb']:.2f} | {size_target if demo else 'one file'} |",
        f"| time to interactive ms (headless Chromium) | {figures['interactive_ms']:.0f} | "
        f"{'< 1000: ' + ('met' if figures['interactive_ms'] < MAX_INTERACTIVE_MS else 'NOT met') if demo else '-'} |",
        f"| open the largest cell ({figures['cell_units']:.0f} units) ms | {figures['cell_ms']:.0f} | "
        f"< 1000: {'met' if figures['cell_ms'] < MAX_CELL_MS else 'NOT met'} |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("explorer", type=Path)
    args = parser.parse_args()
    print("\n".join(explorer_lines(measure_explorer(args.explorer.resolve()), demo=True)))


if __name__ == "__main__":
    main()
