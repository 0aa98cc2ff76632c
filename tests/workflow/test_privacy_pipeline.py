"""End to end: planted identifiers are redacted before any output, or the build stops.

Builds of the demo data in temporary copies of the workflow:
- identifiers planted in the excerpt texts of one batch (in every separator and Unicode
  spelling), in its source names, coder names and rejected cells, in a REFI-QDA project's
  user, source and case names, code descriptions and notes, in private name and place lists
  and in a register name column: the build succeeds, every one is redacted, none reaches
  reports/, results/, logs/, the interim report or `trace` output, and the hit log counts
  them by kind;
- identifiers that cannot be redacted in place (a participant id, a batch file name, a cell
  quoted by an `on_invalid: fail` error, the first row of a file that is not an export): the
  build stops with a message that names the file and row but not the value;
- an identifier in sites.csv (the region column is printed in the report's methods table,
  so no excerpt redaction can catch it): publish_report stops the build with a clear message
  and leaves no report in reports/, not even one from an earlier build.
The same planted build checks small-number suppression in the "for whom" tables.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import DEMO, copy_workflow, run_snakemake
from openpyxl import load_workbook
from realist_report.audit.trace import main as trace_main
from realist_report.privacy.redact import (
    PLACEHOLDERS,
    find_identifiers,
    is_valid_nhs_number,
    matching_form,
)
from realist_report.privacy.screen import COLUMN_BREAK, html_visible_text, pdf_text
from realist_report.report.office import docx_text

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("e2e")]

PLANTED_BATCH = "baseline_interviews"
LISTED_NAME = "Margaret Okafor"  # in the private name list file
REGISTER_NAME = "Kwame Mensah"  # in a participant_name column of participants.csv
NFD_NAME = "Zoe\u0308 Hart"  # decomposed in the text, composed in the name list
LISTED_PLACE = "Ashgrove Surgery"  # in the private place list file
NHS_NUMBER = "943 476 5919"

# (kind, value, sentence that carries it), appended in turn to the batch's excerpt texts.
PLANTS: list[tuple[str, str, str]] = [
    ("NHS NUMBER", NHS_NUMBER, f"My NHS number is {NHS_NUMBER}."),
    ("NHS NUMBER", "943.476.5919", "It's 943.476.5919 on the hospital letter."),
    ("NHS NUMBER", "401\u2013023\u20132137", "She read out 401\u2013023\u20132137 from the card."),
    ("NHS NUMBER", "943\n476 5919", "The number is 943\n476 5919, she said."),
    ("NHS NUMBER", "401\u200b023\u200b2137", "Pasted from the portal: 401\u200b023\u200b2137."),
    ("PHONE", "07700.900.983", "Text me on 07700.900.983 when you get there."),
    ("PHONE", "07700\u2013900984", "Her daughter is on 07700\u2013900984."),
    ("EMAIL", "z.hart\uff20example.org", "Write to z.hart\uff20example.org about it."),
    ("POSTCODE", "NE1\u00a07RU", "She lives near NE1\u00a07RU now."),
    ("NAME", NFD_NAME, f"I told {NFD_NAME} about the walking group."),
    ("NI NUMBER", "JG 10 37 28 D", "For the PIP form her NI number is JG 10 37 28 D."),
    ("TITLED NAME", "Holloway", "Mrs Holloway rang to say she'd be late."),
    ("PLACE", LISTED_PLACE, f"We met at {LISTED_PLACE} on the Tuesday."),
    ("PHONE", "07700 900982", "Ring me on 07700 900982 any time."),
    ("POSTCODE", "LS1 4AP", "I moved to LS1 4AP last year."),
    ("EMAIL", "m.okafor@example.org", "Email m.okafor@example.org for the form."),
    ("DATE OF BIRTH", "14/02/1958", "I was born on 14/02/1958, so I'm no spring chicken."),
    ("ADDRESS", "17 Albion Street", "She came round to Flat 2, 17 Albion Street."),
    ("NAME", LISTED_NAME, f"{LISTED_NAME} sorted it all out for me."),
    ("NAME", REGISTER_NAME, f"{REGISTER_NAME} rang the surgery for me."),
]
NAMES = [LISTED_NAME, REGISTER_NAME, "Zo\u00eb Hart"]
PLACES = [LISTED_PLACE]
SITE_POSTCODE = "NE1 7RU"
# Identifiers in fields other than excerpt text: (field, value).
SOURCE_NAMES = (  # the first two redact alike and must stay two sources
    "Interview NHS 943 476 5919",
    "Interview NHS 401 023 2137",
    "INT-PAT-040-BL NHS 943 476 5919 dob 03/03/1961",
)
CODER_NAME = "Dr Chaudhry"
QUARANTINED = {  # canonical column -> a rejected cell holding an identifier
    "code": "she said my NHS number is 943 476 5919",
    "participant_id": "Jane Smith 07700 900985",
    "collected_on": "DOB 03/03/1961",
}
REFI_PLANTS = {
    "user name": "Dr Adeyemi",
    "source name": "INT-LW-01-BL NHS 401 023 2137",
    "case name": "9434765919",
    "code description": "Ring Mrs Okoro on 0113 496 0555",
    "note": "NI AB 12 34 56 C, called 07700 900461",
}
REFI_BATCH = "baseline_link_workers"
#: A case named after a person whose name no list knows (only the phone number is an
#: identifier the screen can see), the same name in its source's name, a note title and the
#: project's description: the reader screens them all as it reads (qdpx.MetadataScreen).
HOSTILE_CASE = "Jane Doe 07700 900123"
HOSTILE_REFI = {
    "case name": HOSTILE_CASE,
    "source name": "Jane Doe interview",
    "note title": f"Call back {HOSTILE_CASE}",
    "project description": f"Interviews with {HOSTILE_CASE}",
}


def field_values() -> list[str]:
    """Every value planted outside excerpt text, and the parts a leak check must look for."""
    return [
        *SOURCE_NAMES, "943 476 5919", "401 023 2137", "03/03/1961", CODER_NAME, "Chaudhry",
        *QUARANTINED.values(), "07700 900985", *REFI_PLANTS.values(), "Adeyemi", "Okoro",
        "0113 496 0555", "AB 12 34 56 C", "07700 900461", "9434765919", "Jane Doe",
        "07700 900123",
    ]  # fmt: skip


def plant_identifiers(dataset: Path) -> dict[str, int]:
    """Append one identifier sentence to every distinct excerpt text; return texts per kind."""
    path = dataset / "coded" / f"{PLANTED_BATCH}.csv"
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    texts = sorted(set(table["text"]))
    planted = {text: i % len(PLANTS) for i, text in enumerate(texts)}
    table["text"] = [f"{t} {PLANTS[planted[t]][2]}" if t else t for t in table["text"]]
    sources = sorted(set(table["source_id"]))
    # a coder codes whole sources: a name on every third row would be a second coder of nearly
    # every source, whose codings serve coder agreement only (linking.coders: reference)
    table.loc[table["source_id"].isin(sources[::3]), "coder"] = CODER_NAME
    renamed = dict(zip(sources, SOURCE_NAMES, strict=False))
    table["source_id"] = table["source_id"].replace(renamed)
    rejected = []
    for number, (column, value) in enumerate(QUARANTINED.items()):
        row = table.iloc[0].copy()
        row[column] = value
        row["text"] = f"A rejected row, number {number + 1}."
        rejected.append(row)
    table = pd.concat([table, pd.DataFrame(rejected)], ignore_index=True)
    table.to_csv(path, index=False, quoting=csv.QUOTE_MINIMAL, lineterminator="\n")
    plant_refi(dataset / "coded" / f"{REFI_BATCH}.qdpx")
    participants = pd.read_csv(dataset / "participants.csv", dtype=str, keep_default_na=False)
    participants["participant_name"] = ""
    participants.loc[0, "participant_name"] = REGISTER_NAME
    participants.to_csv(dataset / "participants.csv", index=False, lineterminator="\n")
    per_kind: dict[str, int] = {}
    for index in planted.values():
        per_kind[PLANTS[index][0]] = per_kind.get(PLANTS[index][0], 0) + 1
    return per_kind


def plant_refi(path: Path) -> None:
    """Put identifiers in a REFI-QDA project's user, source and case names, a code
    description and a project note (the archive is rewritten, sources unchanged)."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    xml = members["project.qde"].decode("utf-8")
    user = re.search(r'<User guid="[^"]+" name="([^"]+)"', xml).group(1)
    xml = xml.replace(f'name="{user}"', f'name="{REFI_PLANTS["user name"]}"', 1)
    xml = xml.replace('name="INT-LW-01-BL"', f'name="{REFI_PLANTS["source name"]}"', 1)
    xml = xml.replace('name="LW-02">', f'name="{REFI_PLANTS["case name"]}">', 1)
    xml = xml.replace('name="LW-03">', f'name="{HOSTILE_REFI["case name"]}">', 1)
    xml = xml.replace('name="INT-LW-03-BL"', f'name="{HOSTILE_REFI["source name"]}"', 1)
    xml = re.sub(
        r"(<Project [^>]*>)",
        rf"\1<Description>{HOSTILE_REFI['project description']}</Description>",
        xml,
        count=1,
    )
    xml = re.sub(
        r'(<Code guid="[^"]+" name="CMOC01" isCodable="true") />',
        rf"\1><Description>{REFI_PLANTS['code description']}</Description></Code>",
        xml,
        count=1,
    )
    note = (
        '<Notes><Note guid="0B1C2D3E-0000-4000-8000-000000000001" name="call log">'
        f"<PlainTextContent>{REFI_PLANTS['note']}</PlainTextContent></Note>"
        f'<Note guid="0B1C2D3E-0000-4000-8000-000000000002" name="{HOSTILE_REFI["note title"]}">'
        "<PlainTextContent>Rang back, no answer.</PlainTextContent></Note></Notes>"
    )
    xml = xml.replace("</Project>", f"{note}</Project>")
    members["project.qde"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def output_files(workdir: Path) -> list[Path]:
    """Everything a build publishes, logs or could publish: reports, results, logs (the rules'
    and Snakemake's own), the interim report."""
    roots = [
        workdir / "reports",
        workdir / "results",
        workdir / "logs",
        workdir / ".snakemake" / "log",
        workdir / "data" / "interim" / "report",
    ]
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
        f"# invented names for the test\n{LISTED_NAME}\nZo\u00eb Hart\n", encoding="utf-8"
    )
    (workdir / "config" / "private_places.txt").write_text(f"{LISTED_PLACE}\n", encoding="utf-8")
    run_snakemake(workdir)
    return workdir, per_kind


def leaks_in(text: str, where: str, values: list[str]) -> list[str]:
    """Which values a text shows, in any spelling (matching form, case) or as bare digits;
    the report names the value's position in the list, never the value."""
    shown = matching_form(text).casefold()
    text_digits = digits(text)
    found = []
    for number, value in enumerate(values):
        if matching_form(value).casefold() in shown:
            found.append(f"{where}: planted value {number}")
        elif len(digits(value)) >= 10 and digits(value) in text_digits:
            found.append(f"{where}: planted value {number} (digits)")
    return found


def all_planted_values() -> list[str]:
    return [value for _, value, _ in PLANTS] + field_values()


def test_plants_are_valid_identifiers() -> None:
    assert is_valid_nhs_number(digits(NHS_NUMBER))
    for kind, value, sentence in PLANTS:
        hits = find_identifiers(sentence, NAMES, PLACES)
        assert [h.kind for h in hits] == [kind], sentence
        assert value in sentence[hits[0].start : hits[0].end]
    whole = [*SOURCE_NAMES, CODER_NAME, *QUARANTINED.values(), *REFI_PLANTS.values()]
    for number, value in enumerate(whole):
        assert find_identifiers(value, NAMES, PLACES), f"field value {number}"


def test_no_planted_identifier_reaches_any_output(planted_build) -> None:
    workdir, _ = planted_build
    files = output_files(workdir)
    assert workdir / "reports" / "evaluation_report.pdf" in files
    assert workdir / "data" / "interim" / "report" / "evaluation_report.html" in files
    assert workdir / "logs" / "ingest_batch" / f"{REFI_BATCH}.log" in files
    values = all_planted_values()
    leaks = []
    for path in files:
        where = str(path.relative_to(workdir))
        raw = path.read_bytes().decode("utf-8", "replace") if path.suffix != ".pdf" else ""
        shown = readable_text(path)
        leaks += leaks_in(raw, where, values) + leaks_in(shown, where, values)
        if path.suffix in (".pdf", ".html", ".csv", ".docx", ".xlsx"):
            hits = find_identifiers(shown, NAMES, PLACES)
            leaks.extend(f"{where}: detected {h.kind}" for h in hits)
    assert leaks == []


def test_trace_output_holds_no_planted_identifier(planted_build, monkeypatch) -> None:
    workdir, _ = planted_build
    summary = pd.read_csv(workdir / "results" / "cmoc_summary.csv", dtype=str)
    quotes = pd.read_csv(workdir / "results" / "exemplar_quotes.csv", dtype=str)
    monkeypatch.chdir(workdir)
    printed = []
    requests = [[cmoc] for cmoc in summary["cmoc_id"]]
    requests += [[q.cmoc_id, "--quote", q.quote_number] for q in quotes.itertuples()]
    for request in requests:
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            assert trace_main([*request, "--workdir", str(workdir)]) == 0
        printed.append(out.getvalue())
    text = "\n".join(printed)
    assert any(p in text for p in set(PLACEHOLDERS.values())), "trace printed no planted excerpt"
    assert leaks_in(text, "trace", all_planted_values()) == []
    assert find_identifiers(text, NAMES, PLACES) == []


def test_other_fields_are_redacted_in_place_and_rejected_cells_quarantined(planted_build) -> None:
    workdir, _ = planted_build
    interim = workdir / "data" / "interim"
    clean = pd.read_parquet(interim / "clean" / f"{PLANTED_BATCH}.parquet")
    redacted = pd.read_parquet(interim / "redacted" / f"{PLANTED_BATCH}.parquet")
    # two document names that redact alike stay two sources, numbered
    assert {s for s in redacted["source_id"] if "[" in s} == {
        "Interview NHS [NHS NUMBER] #1",
        "Interview NHS [NHS NUMBER] #2",
        "INT-PAT-040-BL NHS [NHS NUMBER] dob [DATE OF BIRTH]",
    }
    assert redacted["source_id"].nunique() == clean["source_id"].nunique()
    assert "Dr [NAME]" in set(redacted["coder"].dropna())
    refi = pd.read_parquet(interim / "redacted" / f"{REFI_BATCH}.parquet")
    assert "INT-LW-01-BL NHS [NHS NUMBER]" in set(refi["source_id"])
    assert "Dr [NAME]" in set(refi["coder"].dropna())
    units = pd.read_csv(workdir / "results" / "cmoc_evidence_units.csv", dtype=str)
    # an interview's source id names its participant: the published table has its label
    assert "participant_id" not in units.columns
    assert not units["source_id"].str.contains("INT-", regex=False).any()
    quarantine = pd.read_csv(workdir / "results" / "quarantine.csv", dtype=str)
    planted = quarantine[quarantine["batch"] == PLANTED_BATCH]
    assert {"unknown_code", "unknown_participant", "date_not_recognised"} <= set(planted["reason"])
    assert any("[NHS NUMBER]" in d for d in planted["detail"])
    refi_rows = quarantine[quarantine["batch"] == REFI_BATCH]
    assert (refi_rows["reason"] == "unknown_participant").any()  # the case named by an NHS number
    # the case named after a person is named by its hash, as the reader left it
    unknown = refi_rows.loc[refi_rows["reason"] == "unknown_participant", "detail"]
    assert unknown.str.contains(r"#[0-9a-f]{8} \(a hash\)").all()
    hits = pd.read_csv(workdir / "results" / "privacy_hits.csv", dtype=str)
    assert {"text", "source_id", "coder"} <= set(hits["field"])
    assert {"NI NUMBER", "TITLED NAME", "PLACE"} <= set(hits["kind"])


def test_redacted_tables_hold_placeholders_not_values(planted_build) -> None:
    workdir, _ = planted_build
    redacted = pd.read_parquet(
        workdir / "data" / "interim" / "redacted" / f"{PLANTED_BATCH}.parquet"
    )
    text = "\n".join(redacted["text"].dropna())
    for kind, value, _ in PLANTS:
        assert matching_form(value) not in matching_form(text)
        assert PLACEHOLDERS[kind] in text
    quotes = pd.read_csv(workdir / "results" / "exemplar_quotes.csv", dtype=str)
    report = pdf_text(workdir / "reports" / "evaluation_report.pdf")
    # the planted batch supplies quotes, so the report shows placeholders, not values
    assert any(p in " ".join(quotes["text"]) for p in PLACEHOLDERS.values())
    assert any(p in report for p in PLACEHOLDERS.values())


def test_hit_log_counts_by_kind_without_values(planted_build) -> None:
    workdir, per_kind = planted_build
    hits = pd.read_csv(workdir / "results" / "privacy_hits.csv", dtype={"count": "int64"})
    assert list(hits.columns) == ["batch", "excerpt_id", "field", "kind", "count"]
    assert set(hits["batch"]) == {PLANTED_BATCH, REFI_BATCH}
    text_hits = hits[(hits["batch"] == PLANTED_BATCH) & (hits["field"] == "text")]
    redacted = pd.read_parquet(
        workdir / "data" / "interim" / "redacted" / f"{PLANTED_BATCH}.parquet"
    )
    for placeholder in set(PLACEHOLDERS.values()):
        kinds = {k for k, p in PLACEHOLDERS.items() if p == placeholder}
        logged = set(text_hits.loc[text_hits["kind"].isin(kinds), "excerpt_id"])
        has_placeholder = set(
            redacted.loc[redacted["text"].str.contains(placeholder, regex=False), "excerpt_id"]
        )
        if kinds & set(per_kind):
            assert logged == has_placeholder, placeholder
    log_text = (workdir / "results" / "privacy_hits.csv").read_text(encoding="utf-8")
    assert leaks_in(log_text, "privacy_hits.csv", all_planted_values()) == []


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


def failed_build(tmp_path: Path, change, *args: str, on_invalid: str = "") -> tuple[Path, str]:
    """Build a changed copy of the demo that must fail; return the copy and all it printed."""
    dataset = tmp_path / "dataset"
    shutil.copytree(DEMO, dataset)
    change(dataset)
    workdir = copy_workflow(tmp_path / "workflow", dataset)
    if on_invalid:
        path = workdir / "config" / "config.yaml"
        config = yaml.safe_load(path.read_text(encoding="utf-8"))
        config["cleaning"]["on_invalid"] = on_invalid
        path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    result = run_snakemake(workdir, *args, check=False)
    assert result.returncode != 0
    return workdir, result.stdout + result.stderr


def printed_and_logged(workdir: Path, output: str) -> str:
    """The terminal output plus every log and result file of a build."""
    texts = [output]
    for path in output_files(workdir):
        texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_identifiers_that_cannot_be_redacted_stop_the_build_without_the_value(tmp_path):
    """A participant id that is an NHS number, a headerless export whose first row quotes a
    phone number and a link to a system file: each stops with file and row, never the value."""

    def bad_register(dataset: Path) -> None:
        participants = pd.read_csv(dataset / "participants.csv", dtype=str, keep_default_na=False)
        participants.loc[3, "participant_id"] = "943 476 5919"
        participants.to_csv(dataset / "participants.csv", index=False, lineterminator="\n")

    def bad_exports(dataset: Path) -> None:
        (dataset / "coded" / "headerless.csv").write_text(
            "INT-9,interview,PAT-001,S01,baseline,2021-03-29,Context::Complex needs,"
            '"Ring Tom Hargreaves on 07700 900986, he said",0,10,coder_a\n',
            encoding="utf-8",
        )
        (dataset / "coded" / "system.csv").symlink_to("/etc/passwd")

    # ingest screens a project's metadata with the register, so a bad register stops first
    workdir, output = failed_build(tmp_path / "register", bad_register, "--keep-going")
    assert "participants.csv, row 5, column 'participant_id'" in output
    assert "looks like a personal identifier (1 NHS NUMBER)" in output
    everything = printed_and_logged(workdir, output)
    exports_dir, exports_output = failed_build(tmp_path / "exports", bad_exports, "--keep-going")
    assert "headerless.csv, row 1: unrecognised export format" in exports_output
    assert "system.csv, row 1: unrecognised export format" in exports_output
    everything += printed_and_logged(exports_dir, exports_output)
    values = ["943 476 5919", "07700 900986", "Tom Hargreaves", "root:x:0:0", "daemon:x:1:1"]
    assert leaks_in(everything, "build", values) == []
    assert not (workdir / "results" / "quarantine.csv").exists()
    assert not (exports_dir / "results" / "quarantine.csv").exists()


def test_identifying_batch_file_name_stops_before_any_job(tmp_path):
    def change(dataset: Path) -> None:
        coded = dataset / "coded"
        (coded / "followup_interviews.csv").rename(coded / "followup NHS 401 023 2137.csv")

    workdir, output = failed_build(tmp_path, change)
    assert "has a name that looks like a personal identifier (1 NHS NUMBER)" in output
    assert leaks_in(printed_and_logged(workdir, output), "build", ["401 023 2137"]) == []
    assert not (workdir / "logs").exists()


def test_on_invalid_fail_names_the_row_but_not_the_rejected_value(tmp_path):
    def change(dataset: Path) -> None:
        path = dataset / "coded" / f"{PLANTED_BATCH}.csv"
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table.loc[0, "code"] = QUARANTINED["code"]
        table.to_csv(path, index=False, lineterminator="\n")

    workdir, output = failed_build(tmp_path, change, on_invalid="fail")
    log = (workdir / "logs" / "clean_batch" / f"{PLANTED_BATCH}.log").read_text(encoding="utf-8")
    assert f"{PLANTED_BATCH}.csv:row 2" in log
    assert "unknown_code in column 'code': code 'she said my NHS number is [NHS NUMBER]'" in log
    everything = printed_and_logged(workdir, output)
    assert leaks_in(everything, "build", [QUARANTINED["code"], "943 476 5919"]) == []
