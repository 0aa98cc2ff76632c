"""End to end: planted identifiers are redacted before any output, or the report is refused.

Two builds of the demo data in temporary copies of the workflow:
- identifiers planted in the excerpt texts of one batch, in a private name list and in a
  register name column: the build succeeds, every one is redacted, none reaches reports/,
  results/ or the interim report, and the hit log counts them by kind;
- an identifier in sites.csv (the region column is printed in the report's methods table,
  so no excerpt redaction can catch it): publish_report stops the build with a clear message
  and leaves no report in reports/, not even one from an earlier build.
The same planted build checks small-number suppression in the "for whom" tables.
"""

from __future__ import annotations

import csv
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import DEMO, copy_workflow, run_snakemake
from openpyxl import load_workbook
from realist_report.office import docx_text
from realist_report.privacy import (
    COLUMN_BREAK,
    PLACEHOLDERS,
    find_identifiers,
    html_visible_text,
    is_valid_nhs_number,
    pdf_text,
)

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PLANTED_BATCH = "baseline_interviews"
LISTED_NAME = "Margaret Okafor"  # in the private name list file
REGISTER_NAME = "Kwame Mensah"  # in a participant_name column of participants.csv
NHS_NUMBER = "943 476 5919"

# (kind, value, sentence that carries it), appended in turn to the batch's excerpt texts.
PLANTS: list[tuple[str, str, str]] = [
    ("NHS NUMBER", NHS_NUMBER, f"My NHS number is {NHS_NUMBER}."),
    ("PHONE", "07700 900982", "Ring me on 07700 900982 any time."),
    ("POSTCODE", "LS1 4AP", "I moved to LS1 4AP last year."),
    ("EMAIL", "m.okafor@example.org", "Email m.okafor@example.org for the form."),
    ("DATE OF BIRTH", "14/02/1958", "I was born on 14/02/1958, so I'm no spring chicken."),
    ("ADDRESS", "17 Albion Street", "She came round to Flat 2, 17 Albion Street."),
    ("NAME", LISTED_NAME, f"{LISTED_NAME} sorted it all out for me."),
    ("NAME", REGISTER_NAME, f"{REGISTER_NAME} rang the surgery for me."),
]
NAMES = [LISTED_NAME, REGISTER_NAME]
SITE_POSTCODE = "NE1 7RU"


def plant_identifiers(dataset: Path) -> dict[str, int]:
    """Append one identifier sentence to every distinct excerpt text; return texts per kind."""
    path = dataset / "coded" / f"{PLANTED_BATCH}.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts = sorted(set(table["text"]))
    planted = {text: i % len(PLANTS) for i, text in enumerate(texts)}
    table["text"] = [f"{t} {PLANTS[planted[t]][2]}" if t else t for t in table["text"]]
    table.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    participants = pd.read_csv(dataset / "participants.csv", dtype=str, keep_default_na=False)
    participants["participant_name"] = ""
    participants.loc[0, "participant_name"] = REGISTER_NAME
    participants.to_csv(dataset / "participants.csv", index=False, lineterminator="\n")
    per_kind: dict[str, int] = {}
    for index in planted.values():
        per_kind[PLANTS[index][0]] = per_kind.get(PLANTS[index][0], 0) + 1
    return per_kind


def output_files(workdir: Path) -> list[Path]:
    """Everything a build publishes or could publish: reports, results, the interim report."""
    roots = [workdir / "reports", workdir / "results", workdir / "data" / "interim" / "report"]
    return sorted(p for root in roots if root.is_dir() for p in root.rglob("*") if p.is_file())


def readable_text(path: Path) -> str:
    """The text a reader of this output sees: PDF text, HTML visible text, the Word file's text,
    the workbook's cells, or the file itself."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".docx":
        return docx_text(path, COLUMN_BREAK)
    if path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        cells = (v for sheet in book for row in sheet.iter_rows(values_only=True) for v in row)
        return COLUMN_BREAK.join(str(v) for v in cells if v is not None)
    raw = path.read_text(encoding="utf-8")
    return html_visible_text(raw) if path.suffix == ".html" else raw


def digits(text: str) -> str:
    """Only the digits, so a number cannot hide behind changed spacing."""
    return re.sub(r"\D", "", text)


@pytest.fixture(scope="module")
def planted_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    """The demo built with identifiers planted in a batch, the name list and the register."""
    root = tmp_path_factory.mktemp("planted")
    dataset = root / "dataset"
    shutil.copytree(DEMO, dataset)
    per_kind = plant_identifiers(dataset)
    workdir = copy_workflow(root / "workflow", dataset)
    (workdir / "config" / "private_names.txt").write_text(
        f"# invented names for the test\n{LISTED_NAME}\n", encoding="utf-8"
    )
    run_snakemake(workdir)
    return workdir, per_kind


def test_plants_are_valid_identifiers() -> None:
    assert is_valid_nhs_number(digits(NHS_NUMBER))
    for kind, value, sentence in PLANTS:
        hits = find_identifiers(sentence, NAMES)
        assert [h.kind for h in hits] == [kind], sentence
        assert value in sentence[hits[0].start : hits[0].end]


def test_no_planted_identifier_reaches_any_output(planted_build) -> None:
    workdir, _ = planted_build
    files = output_files(workdir)
    assert workdir / "reports" / "evaluation_report.pdf" in files
    assert workdir / "data" / "interim" / "report" / "evaluation_report.html" in files
    leaks = []
    for path in files:
        raw = path.read_bytes().decode("utf-8", "replace") if path.suffix != ".pdf" else ""
        shown = readable_text(path)
        for kind, value, _ in PLANTS:
            for text in (raw, shown):
                if value.casefold() in text.casefold():
                    leaks.append(f"{path.relative_to(workdir)}: {kind}")
            if kind in ("NHS NUMBER", "PHONE") and digits(value) in digits(shown):
                leaks.append(f"{path.relative_to(workdir)}: {kind} digits")
        if path.suffix in (".pdf", ".html", ".csv", ".docx", ".xlsx"):
            hits = find_identifiers(shown, NAMES)
            leaks.extend(f"{path.relative_to(workdir)}: detected {h.kind}" for h in hits)
    assert leaks == []


def test_redacted_tables_hold_placeholders_not_values(planted_build) -> None:
    workdir, _ = planted_build
    redacted = pd.read_parquet(
        workdir / "data" / "interim" / "redacted" / f"{PLANTED_BATCH}.parquet"
    )
    text = "\n".join(redacted["text"].dropna())
    for kind, value, _ in PLANTS:
        assert value not in text
        assert PLACEHOLDERS[kind] in text
    quotes = pd.read_csv(workdir / "results" / "exemplar_quotes.csv", dtype=str)
    report = pdf_text(workdir / "reports" / "evaluation_report.pdf")
    # the planted batch supplies quotes, so the report shows placeholders, not values
    assert any(p in " ".join(quotes["text"]) for p in PLACEHOLDERS.values())
    assert any(p in report for p in PLACEHOLDERS.values())


def test_hit_log_counts_by_kind_without_values(planted_build) -> None:
    workdir, per_kind = planted_build
    hits = pd.read_csv(workdir / "results" / "privacy_hits.csv", dtype={"count": "int64"})
    assert list(hits.columns) == ["batch", "excerpt_id", "kind", "count"]
    assert set(hits["batch"]) == {PLANTED_BATCH}
    redacted = pd.read_parquet(
        workdir / "data" / "interim" / "redacted" / f"{PLANTED_BATCH}.parquet"
    )
    for kind in per_kind:
        logged = set(hits.loc[hits["kind"] == kind, "excerpt_id"])
        has_placeholder = set(
            redacted.loc[
                redacted["text"].str.contains(PLACEHOLDERS[kind], regex=False), "excerpt_id"
            ]
        )
        assert logged == has_placeholder, kind
    log_text = (workdir / "results" / "privacy_hits.csv").read_text(encoding="utf-8")
    assert not any(value in log_text for _, value, _ in PLANTS)


class _SubgroupCells(HTMLParser):
    """Cell texts of the report's "for whom" tables (class="subgroups")."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self._depth = 0
        self._in_cell = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and "subgroups" in (dict(attrs).get("class") or "").split():
            self._depth += 1
        elif tag == "td" and self._depth:
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table" and self._depth:
            self._depth -= 1
        elif tag == "td":
            self._in_cell = False

    def handle_data(self, data: str) -> None:
        if self._in_cell:
            self.cells[-1] += data


def small_counts(values: list[str], k: int) -> list[str]:
    """The values that print a whole-number count from 1 to k-1: identifiable cells."""
    return [v for v in values if v.strip().isdigit() and 0 < int(v) < k]


def test_subgroup_cells_below_min_cell_size_are_suppressed(planted_build) -> None:
    workdir, _ = planted_build
    config = yaml.safe_load((workdir / "config" / "config.yaml").read_text(encoding="utf-8"))
    k = int(config["privacy"]["min_cell_size"])
    table = pd.read_csv(
        workdir / "results" / "cmoc_subgroups.csv", dtype=str, keep_default_na=False
    )
    assert len(table) > 0
    for column in ("registered", "participants"):
        assert small_counts(table[column].tolist(), k) == [], column
    assert (table["suppressed"] == "True").any(), "the demo register has subgroups below k"
    assert (table.loc[table["suppressed"] == "True", "excerpt_ids"] == "").all()
    parser = _SubgroupCells()
    parser.feed((workdir / "reports" / "evaluation_report.html").read_text(encoding="utf-8"))
    assert parser.cells, "the report has no 'for whom' table"
    assert small_counts(parser.cells, k) == []
    assert "*" in parser.cells
    text = " ".join(pdf_text(workdir / "reports" / "evaluation_report.pdf").split())
    assert f"fewer than {k} people is suppressed" in text


def test_identifier_in_a_register_stops_the_build_at_publish(tmp_path: Path) -> None:
    dataset = tmp_path / "dataset"
    shutil.copytree(DEMO, dataset)
    sites = pd.read_csv(dataset / "sites.csv", dtype=str, keep_default_na=False)
    sites.loc[0, "region"] = f"North East ({SITE_POSTCODE})"
    sites.to_csv(dataset / "sites.csv", index=False, lineterminator="\n")
    workdir = copy_workflow(tmp_path / "workflow", dataset)
    # a report left by an earlier build must not survive a refused one
    (workdir / "reports").mkdir(exist_ok=True)
    for suffix in ("pdf", "html"):
        (workdir / "reports" / f"evaluation_report.{suffix}").write_text("earlier build")
    result = run_snakemake(workdir, check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert "Error in rule publish_report" in output
    assert re.search(r"possible identifier\(s\) would be printed \(\d+ POSTCODE\)", output)
    assert "no report was written" in output
    assert SITE_POSTCODE not in output
    log = (workdir / "logs" / "publish_report" / "report.log").read_text(encoding="utf-8")
    assert "the PDF report" in log or "the HTML report" in log
    assert SITE_POSTCODE not in log
    assert (workdir / "data" / "interim" / "report" / "evaluation_report.pdf").is_file()
    assert not (workdir / "reports" / "evaluation_report.pdf").exists()
    assert not (workdir / "reports" / "evaluation_report.html").exists()
