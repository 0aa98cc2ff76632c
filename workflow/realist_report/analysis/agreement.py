"""Coder agreement where two or more coders coded the same sources.

**Units.** Agreement is measured over the evidence units of `linking.window`, cut by
`linking.assign_units` from the codings of every coder of a source together: with `segment`
a unit is one coded span (two coders who mark the same span share the unit, a shifted boundary
makes two units), with `overlap` spans that overlap chain into one unit whoever coded them, with
`source` the whole source is the unit.

**Data layout (unit by coder, per code).** A source is double-coded when its codings carry two
or more named coders (a coding whose export names no coder is left out). For every unit of every
double-coded source, every code applied anywhere in the double-coded sources, and every coder of
that unit's source, the value is 1 when the coder applied the code to a coding in the unit and 0
when not; coders of other sources have no value (missing, as Krippendorff's alpha allows). A
unit exists because some coder coded there, so a 0 for every coder ("neither applied this code
here") is agreement too: percentage agreement is therefore high for rare codes, and
`percent_agreement_where_coded` (only the units where at least one coder applied the code) and
alpha (chance-corrected) are printed beside it.

**Figures.** Percentage agreement is the share of agreeing coder pairs over all pairs of coders
with a value in a unit (for two coders: the share of units where both agree). Krippendorff's
alpha is nominal (the `krippendorff` package). Per code the units are that code's values; per
source and overall they are the (unit, code) pairs pooled. Every figure says how many units it
rests on; a source one coder coded is "not assessed", and so is everything when no source is
double-coded. Alpha is undefined when every value is the same (no variation to agree on).

Whose codings count as evidence when several coders coded a source is `coders.py`'s rule (one
reference coder per source); here every coder's codings are compared. Coders are numbered, never
named, in everything this module returns.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Iterable

import krippendorff
import numpy as np
import pandas as pd

from realist_report.analysis.coders import (
    SOURCE,
    coder_keys,
    coders_per_source,
    counted_codings,
)
from realist_report.analysis.linking import assign_units
from realist_report.core.definitions import PARTS
from realist_report.ingest.batch_pairs import find_batch_pairs, group_batches

log = logging.getLogger(__name__)

#: How a figure was reached: assessed, or why not (one vocabulary for the CSV and the report).
ASSESSED = "assessed"
ONE_CODER = "not assessed: one coder"
ONLY_SINGLE_CODED = "not assessed: applied only in sources one coder coded"
NO_DOUBLE_CODING = "not assessed: no source was coded by two or more coders"
NO_VARIATION = "alpha undefined: every value the same"
PAIRED_BATCHES = "batches paired: the same sources double-coded in each coder's own export"
NOT_ASSESSED = (ONE_CODER, ONLY_SINGLE_CODED, NO_DOUBLE_CODING)
AGREEMENT_COLUMNS = [
    "scope", "batch", "source_id", "code", "code_path", "coders", "sources", "units",
    "unit_codes", "units_coded", "percent_agreement", "percent_agreement_where_coded", "alpha",
    "status", "codings_set_aside", "excerpt_ids", "disagreement_ids",
]  # fmt: skip
COUNT_COLUMNS = ["coders", "sources", "units", "unit_codes", "units_coded", "codings_set_aside"]
FIGURE_COLUMNS = ["percent_agreement", "percent_agreement_where_coded", "alpha"]


def reliability_data(clean: pd.DataFrame, window: str) -> pd.DataFrame:
    """The unit-by-coder layout of the module docstring, long: one row per (batch, source_id,
    unit_id, code, coder) of the double-coded sources, `value` 1 (applied) or 0 (not), and the
    `excerpt_ids` of the codings behind a 1. `coder` is a neutral number (1, 2, ...), never a
    name."""
    columns = [*SOURCE, "unit_id", "code", "coder", "value", "excerpt_ids"]
    counts = coders_per_source(clean)
    double = counts.loc[counts["coders"] >= 2, SOURCE]
    rows = clean.merge(double, on=SOURCE)
    rows = rows[coder_keys(rows) != ""]  # a coding no coder is named for is nobody's to compare
    if rows.empty:
        return pd.DataFrame(columns=columns)
    names = coder_keys(rows)
    number = {name: i for i, name in enumerate(sorted(set(names)), start=1)}
    rows = rows.assign(unit_id=assign_units(rows, window), coder=names.map(number))
    units = rows[[*SOURCE, "unit_id"]].drop_duplicates()
    source_coders = rows[[*SOURCE, "coder"]].drop_duplicates()
    codes = pd.DataFrame({"code": sorted(rows["code"].unique())})
    grid = units.merge(source_coders, on=SOURCE).merge(codes, how="cross")
    keys = [*SOURCE, "unit_id", "code", "coder"]
    applied = rows.groupby(keys)["excerpt_id"].agg(_join).rename("excerpt_ids").reset_index()
    grid = grid.merge(applied.assign(value=1), on=keys, how="left")
    grid["value"] = grid["value"].fillna(0).astype("int64")
    grid["excerpt_ids"] = grid["excerpt_ids"].fillna("")
    return grid[columns].sort_values(keys).reset_index(drop=True)


def _join(ids: Iterable[str]) -> str:
    """Sorted, distinct ';'-joined excerpt ids (empty entries skipped)."""
    return ";".join(sorted({i for value in ids if value for i in str(value).split(";")}))


def percent_agreement(matrix: np.ndarray) -> float:
    """Agreeing coder pairs over all pairs with values in a unit (coders x units, NaN missing)."""
    agreeing = pairs = 0
    for unit in matrix.T:
        values = unit[~np.isnan(unit)]
        for first, second in itertools.combinations(values, 2):
            pairs += 1
            agreeing += int(first == second)
    return agreeing / pairs if pairs else float("nan")


def nominal_alpha(matrix: np.ndarray) -> float:
    """Krippendorff's alpha, nominal, over coders x units (NaN missing); NaN when every value is
    the same (alpha is undefined without variation) or no unit has two values."""
    pairable = matrix[:, (~np.isnan(matrix)).sum(axis=0) >= 2]
    if len(np.unique(pairable[~np.isnan(pairable)])) < 2:
        return float("nan")
    return float(krippendorff.alpha(reliability_data=pairable, level_of_measurement="nominal"))


def _matrix(data: pd.DataFrame) -> np.ndarray:
    """Coders x units from long reliability data; a unit is (batch, source, unit, code)."""
    wide = data.pivot_table(
        index="coder", columns=[*SOURCE, "unit_id", "code"], values="value", aggfunc="max"
    )
    return wide.to_numpy(dtype=float)


def _figures(data: pd.DataFrame) -> dict:
    """Units, coded units, both agreement percentages and alpha of one slice of the data."""
    keys = [*SOURCE, "unit_id", "code"]
    units = data.groupby(keys)["value"].max().rename("any_coder").reset_index()
    coded = units[units["any_coder"] == 1]
    matrix = _matrix(data)
    where_coded = data.merge(coded[keys], on=keys)
    alpha = nominal_alpha(matrix)
    spread = data.groupby(keys)["value"].agg(["min", "max"])
    differ = spread[spread["min"] != spread["max"]].index
    disagreeing = data.set_index(keys).loc[lambda frame: frame.index.isin(differ)]
    return {
        "coders": int(data["coder"].nunique()),
        "sources": int(data[SOURCE].drop_duplicates().shape[0]),
        "units": int(len(units[[*SOURCE, "unit_id"]].drop_duplicates())),
        "unit_codes": int(len(units)),
        "units_coded": int(len(coded)),
        "percent_agreement": round(100 * percent_agreement(matrix), 1),
        "percent_agreement_where_coded": (
            round(100 * percent_agreement(_matrix(where_coded)), 1) if len(coded) else None
        ),
        "alpha": None if np.isnan(alpha) else round(alpha, 3),
        "status": NO_VARIATION if np.isnan(alpha) else ASSESSED,
        "excerpt_ids": _join(data["excerpt_ids"]),
        "disagreement_ids": _join(disagreeing["excerpt_ids"]),
    }


def assess_agreement(
    clean: pd.DataFrame, window: str, code_paths: dict[str, str], coders: str = "reference"
) -> pd.DataFrame:
    """Overall, per code and per source: agreement figures, or "not assessed" and why.

    Per code, the units are every unit of the double-coded sources (the code's presence per
    coder); per source and overall the (unit, code) pairs pooled. Codes applied only in
    single-coded sources and single-coded sources are listed as not assessed. With
    `linking.coders` 'reference', `codings_set_aside` counts the codings that serve agreement
    only (not the reference coder's), per source and overall.
    """
    data = reliability_data(clean, window)
    counted = counted_codings(clean, coders)
    set_aside = clean[SOURCE].drop(counted.index).value_counts()
    rows: list[dict] = []
    if data.empty:
        rows.append({"scope": "overall", "status": NO_DOUBLE_CODING, "sources": 0})
    else:
        rows.append({"scope": "overall", **_figures(data)})
    rows[0]["codings_set_aside"] = int(set_aside.sum())
    by_code = dict(iter(data.groupby("code")))
    for code in sorted(set(clean["code"])):
        if code in by_code:
            rows.append({"scope": "code", "code": code, **_figures(by_code[code])})
        else:
            status = ONLY_SINGLE_CODED if by_code else NO_DOUBLE_CODING
            rows.append({"scope": "code", "code": code, "status": status})
    by_source = dict(iter(data.groupby(SOURCE)))
    for source in coders_per_source(clean).itertuples(index=False):
        key = {"batch": source.batch, "source_id": source.source_id}
        if source.coders >= 2:
            mine = by_source[(source.batch, source.source_id)]
            aside = int(set_aside.get((source.batch, source.source_id), 0))
            rows.append({"scope": "source", **key, **_figures(mine), "codings_set_aside": aside})
        else:
            rows.append({"scope": "source", **key, "coders": source.coders, "status": ONE_CODER})
    table = pd.DataFrame(rows).reindex(columns=AGREEMENT_COLUMNS)
    table["code_path"] = table["code"].map(code_paths)
    return table.astype(dict.fromkeys(COUNT_COLUMNS, "Int64"))


def code_groups(rows: list[dict]) -> list[dict]:
    """Per-code rows as the report lists them: context, mechanism and outcome codes first (in
    that order, then by label), the marker codes (direct CMOC codes, refuting and refining
    markers) apart after them, sorted too; each row gains its kind and label."""
    groups: dict[str, list[dict]] = {"parts": [], "markers": []}
    for row in rows:
        kind, _, label = str(row["code_path"] or row["code"]).partition("::")
        part = kind.casefold() in PARTS
        rank = PARTS.index(kind.casefold()) if part else len(PARTS)
        entry = {**row, "kind": kind if label else "", "label": label or kind, "rank": rank}
        groups["parts" if part else "markers"].append(entry)
    titles = {"parts": "Context, mechanism and outcome codes", "markers": "Marker codes"}
    return [
        {
            "title": titles[name],
            "rows": sorted(own, key=lambda r: (r["rank"], r["kind"], r["label"])),
        }
        for name, own in groups.items()
        if own
    ]


def agreement_summary(table: pd.DataFrame) -> dict:
    """What the report's Methods print: the overall row, the per-code rows that were assessed
    and how many sources were and were not double-coded (numbers only, no names)."""
    printable = table.astype(object).where(table.notna(), None)
    overall = printable[printable["scope"] == "overall"].iloc[0].to_dict()
    codes = printable[printable["scope"] == "code"]
    assessed = ~codes["status"].isin(NOT_ASSESSED)
    double = ~table.loc[table["scope"] == "source", "status"].isin(NOT_ASSESSED)
    return {
        "assessed": overall["status"] != NO_DOUBLE_CODING,
        "overall": overall,
        "codes": codes[assessed].to_dict("records"),
        "code_groups": code_groups(codes[assessed].to_dict("records")),
        "codes_not_assessed": int((~assessed).sum()),
        "sources_double_coded": int(double.sum()),
        "sources_single_coded": int((~double).sum()),
        "paired_batches": printable.loc[printable["scope"] == "batch_group", "batch"].tolist(),
    }


def report_context(path: str) -> dict:
    """The report's `coder_agreement` entry, from results/coder_agreement.csv."""
    from realist_report.core.tables import read_csv

    text = {c: "string" for c in AGREEMENT_COLUMNS if c not in COUNT_COLUMNS + FIGURE_COLUMNS}
    table = read_csv(path, dtype={**text, **dict.fromkeys(COUNT_COLUMNS, "Int64")})
    return {"coder_agreement": agreement_summary(table)}


def run_assess_agreement(
    clean_paths: list[str],
    codebook_path: str,
    cmocs_path: str,
    window: str,
    out: str,
    coders: str = "reference",
) -> pd.DataFrame:
    """Rule adapter: every batch's redacted codings -> results/coder_agreement.csv."""
    from realist_report.core.definitions import load_definitions
    from realist_report.core.tables import write_csv

    # what units, coders, ids and the pairing of batches (overlapping text) need
    columns = [*SOURCE, "segment_id", "start", "end", "code", "coder", "excerpt_id", "text"]
    clean = pd.concat(
        [pd.read_parquet(path, columns=columns) for path in clean_paths], ignore_index=True
    )
    # batches double-coding the same sources in their own exports are compared as one
    pairs = find_batch_pairs(clean) if clean["batch"].nunique() > 1 else None
    groups = {} if pairs is None else dict(zip(pairs["batch"], pairs["group"], strict=True))
    clean = group_batches(clean, groups).drop(columns="text")
    definitions = load_definitions(codebook_path, cmocs_path)
    paths = dict(zip(definitions.codes["code_id"], definitions.codes["path"], strict=True))
    table = assess_agreement(clean, window, paths, coders)
    paired = [
        {"scope": "batch_group", "batch": group, "status": PAIRED_BATCHES}
        for group in sorted(set(groups.values()))
    ]
    table = pd.concat([table, pd.DataFrame(paired, columns=table.columns)], ignore_index=True)
    summary = agreement_summary(table)
    log.info(
        "coder agreement (%s window): %d source(s) double-coded, %d coded by one coder; "
        "overall: %s over %s unit(s), percentage agreement %s, alpha %s",
        window, summary["sources_double_coded"], summary["sources_single_coded"],
        summary["overall"]["status"], summary["overall"]["units"], summary["overall"]["percent_agreement"],
        summary["overall"]["alpha"],
    )  # fmt: skip
    write_csv(table, out)
    return table
