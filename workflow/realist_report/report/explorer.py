"""The reviewers' evidence explorer: one offline HTML file in which every count opens its units.

A reviewer without a terminal opens `reports/evidence_explorer.html` by double-click and checks
any count of the report against the redacted excerpts behind it. The file carries its data as
one JSON block and plain JavaScript (no library, no request beyond the file itself); it is built
from the results CSVs and the redacted excerpt tables only, so it shows nothing the privacy
screen did not pass, and publish_report screens it again (`explorer_text`) before it is copied.

Counts are never copied into the file: the page counts the evidence units it carries, so the
end-to-end test that compares what the page shows with `results/cmoc_evidence.csv` and
`results/cmoc_summary.csv` checks the data the page opens, not a second copy of the numbers.
"""

from __future__ import annotations

import html as html_module
import json
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlencode

import jinja2
import pandas as pd
from markupsafe import Markup

from realist_report.core.vocabulary import ROLE_LABELS, WAVE_LABELS, current_design
from realist_report.privacy.attribution import (
    NOT_ATTRIBUTED,
    AttributionGroups,
    attribution_groups,
    published_place,
    register_key,
    source_labels,
)
from realist_report.privacy.screen import COLUMN_BREAK, html_visible_text

log = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).resolve().parents[2] / "templates" / "explorer"
#: The published file's name: deep links from the HTML edition and Methods name it.
EXPLORER_FILE = "evidence_explorer.html"
#: The role value of a unit without a participant (observation fieldnotes), as the matrix has it.
NO_ROLE = "(fieldnotes)"
#: Deep-link keys, in the order a link writes them (README "The evidence explorer").
LINK_KEYS = ("cmoc", "site", "role", "wave", "type", "stance", "view", "q")
_PAYLOAD = re.compile(
    r'<script type="application/json" id="explorer-data">(.*?)</script>', re.DOTALL
)
#: Summary columns the CMOC index shows (ids, words and counts; never excerpt id lists).
CMOC_COLUMNS = [
    "cmoc_id", "area", "area_title", "title", "if", "then", "because", "status", "confidence",
    "excerpts", "participants", "sites", "roles", "data_types", "direct", "partial", "refuting", "refining", "strength",
    "strength_rule", "count_strength", "refuting_rule", "rating_as_confidence",
    "judgement_disagrees",
]  # fmt: skip


def places(table: pd.DataFrame, groups: AttributionGroups | None, strings: Interner) -> dict:
    """Site and wave of each unit or excerpt as the attribution rule publishes them
    (attribution.published_place): a role with too few registered people at its site is keyed
    by the coarser place (region) or by none, in the matrix, the filters and on its card, so
    no cell, filter or card singles it out; without registers (`groups` None) by none."""
    shown = [
        published_place(r if isinstance(r, str) and r else None, s, w, groups)
        for s, r, w in zip(table["site_id"], table["role"], table["wave"], strict=True)
    ]
    return {"site": [strings(p.site) for p in shown], "wave": [strings(p.wave) for p in shown]}


def site_labels(values: Iterable[str], groups: AttributionGroups | None) -> dict[str, str]:
    """How the page prints each place a unit is keyed by: 'site 3', a region, 'not attributed'."""
    of_site = groups.places.get("site", {}) if groups is not None else {}
    return {v: "not attributed" if v == NOT_ATTRIBUTED else of_site.get(v, v) for v in values}


def people_counts(units: pd.DataFrame) -> dict[str, dict[str, int]]:
    """Per CMOC, the participants and sites its supporting units come from: counted here, as
    the page carries no participant id and no unit's own site."""
    support = units[units["counts_as"] == "support"]
    return {
        str(cmoc): {
            "participants": int(own["participant_id"].replace("", pd.NA).nunique()),
            "sites": int(own["site_id"].replace("", pd.NA).nunique()),
        }
        for cmoc, own in support.groupby("cmoc_id")
    }


def split_ids(value: object) -> list[str]:
    """A CSV cell of ';'-joined excerpt ids as a list ('' and NA are no ids)."""
    return [] if pd.isna(value) or value == "" else str(value).split(";")


def coder_numbers(coders: pd.Series) -> dict[str, int]:
    """Coders as neutral numbers 1, 2, ... in name order: a card never shows a coder's name."""
    names = sorted({str(c).strip() for c in coders.dropna() if str(c).strip()})
    return {name: number for number, name in enumerate(names, start=1)}


class Interner:
    """Repeated strings (texts, codes, batches) stored once in the file and referred to by
    index, so a text coded with five codes is carried once."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def __call__(self, value: object) -> int:
        text = "" if pd.isna(value) else str(value)
        if text not in self._index:
            self._index[text] = len(self.values)
            self.values.append(text)
        return self._index[text]


def excerpt_rows(
    excerpts: pd.DataFrame,
    wanted: set[str],
    strings: Interner,
    groups: AttributionGroups | None,
    sources: dict[str, str],
) -> dict:
    """Columns of the excerpts some view opens: text, code, coder number, origin and where from
    (the place by the attribution rule, a participant's source by its label, no participant).
    Participant subgroup attributes are not in the redacted table and so never reach a card."""
    rows = excerpts[excerpts["excerpt_id"].isin(wanted)].sort_values("excerpt_id")
    numbers = coder_numbers(excerpts["coder"])
    coder = rows["coder"].astype("string").str.strip()
    return {
        "id": rows["excerpt_id"].tolist(),
        "text": [strings(t) for t in rows["text"]],
        "code": [strings(c) for c in rows["code"]],
        "coder": [numbers.get(c, 0) if isinstance(c, str) else 0 for c in coder],
        "origin": rows["origin"].fillna("").tolist(),
        "batch": [strings(b) for b in rows["batch"]],
        "source": [strings(sources.get(str(s), s)) for s in rows["source_id"]],
        "role": [strings(r) for r in rows["role"].fillna(NO_ROLE)],
        **places(rows, groups, strings),
        "type": [strings(t) for t in rows["source_type"]],
    }


def unit_rows(
    units: pd.DataFrame, index: dict[str, int], strings: Interner, groups: AttributionGroups | None
) -> dict:
    """Columns of the evidence units: what every matrix cell counts, keyed by the place and
    wave results/cmoc_evidence_units.csv publishes (no participant id)."""
    return {
        "cmoc": units["cmoc_id"].tolist(),
        "id": units["unit_id"].tolist(),
        "as": units["counts_as"].tolist(),
        "stance": units["stance"].fillna("").tolist(),
        "role": [strings(r) for r in units["role"].replace("", pd.NA).fillna(NO_ROLE)],
        **places(units, groups, strings),
        "type": [strings(t) for t in units["source_type"]],
        "ex": [[index[i] for i in split_ids(ids) if i in index] for ids in units["excerpt_ids"]],
    }


def is_suppressed(value: object) -> bool:
    """A small "for whom" cell (cmoc_subgroups.csv `suppressed`): it must not open."""
    return str(value).strip().lower() == "true"


def id_lists(
    table: pd.DataFrame, columns: list[str], index: dict[str, int], ids_column: str = "excerpt_ids"
) -> list[dict]:
    """Rows of an analysis aid (candidates, pairs, disagreements, subgroups) with their ids; a
    suppressed row carries none, whatever its CSV cell holds."""
    rows = []
    for record in table.to_dict("records"):
        row = {c: ("" if pd.isna(record.get(c)) else record.get(c)) for c in columns}
        ids = [] if is_suppressed(record.get("suppressed")) else split_ids(record.get(ids_column))
        row["ex"] = [index[i] for i in ids if i in index]
        rows.append(row)
    return rows


def referenced_ids(tables: dict[str, pd.DataFrame]) -> set[str]:
    """Every excerpt id some view of the explorer can open."""
    columns = {
        "units": "excerpt_ids", "candidates": "excerpt_ids", "pairs": "excerpt_ids",
        "agreement": "disagreement_ids", "subgroups": "excerpt_ids",
    }  # fmt: skip
    found: set[str] = set()
    for name, column in columns.items():
        table = tables[name]
        if "suppressed" in table:
            table = table.loc[~table["suppressed"].map(is_suppressed).astype(bool)]
        for value in table[column]:
            found.update(split_ids(value))
    return found


def disagreements(agreement: pd.DataFrame) -> pd.DataFrame:
    """Agreement rows with codings the coders disagree on (one row per code and per source)."""
    rows = agreement[agreement["scope"].isin(["code", "source"])]
    return rows[rows["disagreement_ids"].fillna("") != ""]


def build_record(build_inputs: dict) -> dict:
    """Provenance the page prints: build id, git commit, input SHA-256 and software versions."""
    return {
        "build_id": build_inputs.get("build_id", ""),
        "commit": (build_inputs.get("git") or {}).get("commit", ""),
        "software": build_inputs.get("software", {}),
        "digests": build_inputs.get("digests", {}),
        "inputs": [
            {"file": f.get("file", ""), "sha256": f.get("sha256", ""), "rows": f.get("rows")}
            for f in build_inputs.get("inputs", [])
        ],
    }


#: Columns each analysis aid shows, and the column of its excerpt ids.
AID_COLUMNS = {
    "subgroups": (
        ["cmoc_id", "attribute", "value", "registered", "participants", "excerpts", "suppressed", "suppression"],
        "excerpt_ids",
    ),
    "candidates": (
        ["rank", "candidate_id", "context", "mechanism", "outcome", "units", "participants", "sites"],
        "excerpt_ids",
    ),
    "pairs": (
        ["code_a", "code_b", "role_a", "role_b", "units", "participants", "sites", "cmocs"],
        "excerpt_ids",
    ),
    "disagreements": (
        ["scope", "batch", "source_id", "code", "coders", "units", "alpha", "status"],
        "disagreement_ids",
    ),
}  # fmt: skip


def analysis_aids(
    tables: dict[str, pd.DataFrame], index: dict[str, int], labels: dict[str, str]
) -> dict[str, list]:
    """The for-whom cells, candidate CMOCs, code pairs and coder disagreements, with the
    positions of the excerpts each row opens; a disagreement names a participant's source
    by its label, as the cards do."""
    disagreed = disagreements(tables["agreement"])
    if "source_id" in disagreed.columns:
        disagreed = disagreed.assign(
            source_id=disagreed["source_id"].map(lambda s: labels.get(s, s))
        )
    sources = {**tables, "disagreements": disagreed}
    return {
        name: id_lists(sources[name], columns, index, ids)
        for name, (columns, ids) in AID_COLUMNS.items()
    }


def page_labels(units: dict, strings: Interner, groups: AttributionGroups | None) -> dict:
    """How the page prints roles, waves and the places units are keyed by."""
    unattributed = current_design().no_participant_label
    return {
        "role": {**ROLE_LABELS, NO_ROLE: unattributed},
        "wave": {**WAVE_LABELS, NOT_ATTRIBUTED: "not attributed"},
        "site": site_labels({strings.values[i] for i in units["site"]}, groups),
    }


def explorer_data(
    tables: dict[str, pd.DataFrame],
    excerpts: pd.DataFrame,
    build: dict,
    groups: AttributionGroups | None = None,
    sources: dict[str, str] | None = None,
) -> dict:
    """The JSON the page reads: CMOCs, units, excerpts, analysis aids, quarantine, provenance.
    `tables["units"]` is the unpublished unit table (with participants and sites): the page
    keys units and cards by the place the attribution rule allows for `groups` (none without
    registers), names a participant's source by its label (`sources`), and carries no
    participant id, only each CMOC's count of participants and sites."""
    strings = Interner()
    rows = excerpt_rows(excerpts, referenced_ids(tables), strings, groups, sources or {})
    index = {excerpt_id: i for i, excerpt_id in enumerate(rows["id"])}
    per_wave = [f"{wave}_excerpts" for wave in WAVE_LABELS]  # the design's waves
    summary = tables["summary"].reindex(columns=[*CMOC_COLUMNS, *per_wave])
    units = unit_rows(tables["units"], index, strings, groups)
    return {
        "build": build_record(build),
        "labels": page_labels(units, strings, groups),
        "cmocs": json.loads(summary.to_json(orient="records")),
        "people": people_counts(tables["units"]),
        "units": units,
        "excerpts": rows,
        "strings": strings.values,
        **analysis_aids(tables, index, sources or {}),
        "quarantine": json.loads(tables["quarantine"].fillna("").to_json(orient="records")),
        "quoted": quoted_labels(tables.get("quotes"), index),
    }


def quoted_labels(quotes: pd.DataFrame | None, index: dict[str, int]) -> dict[str, str]:
    """Excerpt id -> the short reference its quote carries in the report ('E3'), so the card of
    a quoted excerpt says where it is printed and the report's short label leads to its full id."""
    if quotes is None or "label" not in quotes:
        return {}
    pairs = zip(quotes["excerpt_id"], quotes["label"], strict=True)
    return {excerpt_id: label for excerpt_id, label in pairs if excerpt_id in index}


def embed_json(data: dict) -> str:
    """JSON safe inside a <script> block: no '<' can close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_explorer(data: dict, study: dict, template_dir: str | Path = TEMPLATE_DIR) -> str:
    """The self-contained page: template, its CSS and script inlined, the data as JSON."""
    folder = Path(template_dir)
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    return environment.get_template("explorer.html.j2").render(
        study=study,
        build=data["build"],
        css=Markup((folder / "explorer.css").read_text(encoding="utf-8")),
        script=Markup((folder / "explorer.js").read_text(encoding="utf-8")),
        payload=Markup(embed_json(data)),
    )


def explorer_link(value: object, **view: object) -> Markup:
    """Jinja filter for the report: a count that opens its view in the explorer.

    The report's print source keeps it a marked span (no link in the PDF or Word, whose
    relative link would resolve to a build machine's path); publish_report turns it into a
    link in the HTML edition (`link_report_counts`)."""
    keys = {k: str(v) for k, v in view.items() if k in LINK_KEYS and v not in (None, "")}
    fragment = html_module.escape(urlencode(keys), quote=True)
    return Markup('<span class="explore" data-explore="{}">{}</span>').format(
        Markup(fragment), value
    )


_MARKED_COUNT = re.compile(r'<span class="explore" data-explore="([^"]*)">(.*?)</span>')


def link_report_counts(report_html: str) -> str:
    """The HTML edition's marked counts as links to the explorer file beside it."""
    return _MARKED_COUNT.sub(
        lambda m: f'<a class="explore" href="{EXPLORER_FILE}#{m.group(1)}">{m.group(2)}</a>',
        report_html,
    )


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def payload(page: str) -> dict:
    """The data block of a built explorer page."""
    found = _PAYLOAD.search(page)
    if found is None:
        raise ValueError("the evidence explorer has no data block (id explorer-data)")
    return json.loads(found.group(1))


def explorer_text(path: str | Path) -> str:
    """Everything the explorer can show: its page text and every string of its data, each
    string apart, for the publish screen."""
    page = Path(path).read_text(encoding="utf-8")
    return COLUMN_BREAK.join([html_visible_text(page), *_strings(payload(page))])


def read_tables(inputs: dict[str, str]) -> dict[str, pd.DataFrame]:
    """The results CSVs the explorer shows, ids and words as text."""
    from realist_report.core.tables import read_csv, read_parquet

    names = ("summary", "subgroups", "candidates", "pairs", "agreement", "quarantine")
    tables = {n: read_csv(inputs[n], dtype=str, keep_default_na=False) for n in names}
    # the unpublished unit table (participant and site of every unit): the page keys them
    units = read_parquet(inputs["units"])
    tables["units"] = units.astype("string").fillna("").astype(object)
    if inputs.get("quotes"):
        tables["quotes"] = read_csv(inputs["quotes"], dtype=str, keep_default_na=False)
    summary = read_csv(inputs["summary"], keep_default_na=False)
    tables["summary"] = summary.astype({c: str for c in ("if", "then", "because")})
    return tables


def run_render_explorer(
    inputs: dict[str, str], excerpt_paths: list[str], study: dict, out: str, min_attribution: int
):
    """Rule adapter: read results/ and the redacted excerpts, write the explorer page; cards are
    attributed by the registers (inputs 'participants' and 'sites') at `min_attribution`."""
    from realist_report.core.tables import read_json, read_parquet, read_parquets

    participants = read_parquet(inputs["participants"])
    groups = attribution_groups(participants, read_parquet(inputs["sites"]), min_attribution)
    tables = read_tables(inputs)
    sources = source_labels(tables["units"], register_key(participants))
    data = explorer_data(
        tables, read_parquets(excerpt_paths), read_json(inputs["build"]), groups, sources
    )
    page = render_explorer(data, study)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(page, encoding="utf-8")
    log.info(
        "evidence explorer: %d CMOCs, %d units, %d excerpts, %.2f MB",
        len(data["cmocs"]), len(data["units"]["id"]), len(data["excerpts"]["id"]),
        len(page.encode("utf-8")) / 1e6,
    )  # fmt: skip
