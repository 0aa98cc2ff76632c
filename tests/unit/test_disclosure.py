"""Complementary suppression against arithmetic: an attacker's integer programme, written here
apart from realist_report.privacy.disclosure, solves for every suppressed number from what a reader
sees (the published cmoc_subgroups table, each CMOC's participant and excerpt totals, the
register total) and fails when one is pinned, shown zero or shown full."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from realist_report.analysis import evidence
from realist_report.analysis.clean import clean_batch
from realist_report.analysis.coders import counted_codings
from realist_report.analysis.linking import link_evidence
from realist_report.core.definitions import load_definitions
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_formats
from realist_report.report import context as report
from scipy.optimize import Bounds, LinearConstraint, milp

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "data" / "demo"
SUBGROUPS = {
    "attributes": ["age_band", "gender", "ethnicity", "long_term_condition"],
    "roles": ["patient"],
}


def _vector(size: int, terms: dict[int, float]) -> np.ndarray:
    line = np.zeros(size)
    for column, coefficient in terms.items():
        line[column] += coefficient
    return line


def attack(published: pd.DataFrame, excerpt_totals: dict, register_total: int) -> list[str]:
    """Every suppressed number of the published table that a reader can work out."""
    leaks = []
    for attribute, own in published.groupby("attribute"):
        own = own[own["cmoc_participants"] > 0]  # rows the report prints
        var: dict[tuple, int] = {}
        for row in own.itertuples():
            if row.suppressed:
                var[("x", row.cmoc_id, row.value)] = len(var)
                var[("e", row.cmoc_id, row.value)] = len(var)
        values = own.drop_duplicates("value")
        for value in values.loc[values["registered"].isna(), "value"]:
            var[("r", value)] = len(var)
        if not var:
            continue
        lines: list[tuple[np.ndarray, float, float]] = []
        size = len(var)

        def constrain(terms: dict[int, float], low: float, high: float, n=size, out=lines):
            out.append((_vector(n, terms), low, high))

        for cmoc_id, cells in own.groupby("cmoc_id"):
            hidden = cells[cells["suppressed"]]
            left = int(cells["cmoc_participants"].iloc[0]) - cells["participants"].sum()
            constrain({var[("x", cmoc_id, v)]: 1 for v in hidden["value"]}, left, left)
            left_e = excerpt_totals[cmoc_id] - cells["excerpts"].sum()
            constrain({var[("e", cmoc_id, v)]: 1 for v in hidden["value"]}, left_e, left_e)
        rest = register_total - values["registered"].sum()
        constrain({c: 1 for k, c in var.items() if k[0] == "r"}, rest, rest)
        upper = np.full(len(var), float(register_total + max(excerpt_totals.values())))
        lower = np.zeros(len(var))
        for key, column in var.items():
            if key[0] == "r":
                shown = own.loc[(own["value"] == key[1]) & ~own["suppressed"], "participants"]
                lower[column] = max([1, *shown.astype(int)])
            if key[0] == "x":
                e = var[("e", *key[1:])]
                constrain({e: 1, column: -1}, 0, np.inf)
                constrain({e: 1, column: -1e4}, -np.inf, 0)
                registered = values.set_index("value")["registered"][key[2]]
                if pd.isna(registered):
                    constrain({column: 1, var[("r", key[2])]: -1}, -np.inf, 0)
                else:
                    upper[column] = registered
        problem = {
            "integrality": np.ones(len(var)),
            "bounds": Bounds(lower, upper),
            "constraints": [
                LinearConstraint(*(np.array(part) for part in zip(*lines, strict=True)))
            ],
        }

        def extreme(terms: dict[int, float], sense: int, n=size, given=problem) -> float:
            result = milp(sense * _vector(n, terms), **given)
            assert result.status == 0, result.message
            return sense * result.fun

        for key, column in var.items():
            if key[0] == "e":
                continue
            low, high = extreme({column: 1}, 1), extreme({column: 1}, -1)
            where = f"{attribute} {key}"
            if low == high:
                leaks.append(f"{where} pinned to {low:g}")
            elif key[0] == "x" and high == 0:
                leaks.append(f"{where} shown zero")
            elif key[0] == "x":
                r = var.get(("r", key[2]))
                registered = values.set_index("value")["registered"][key[2]]
                gap = extreme({r: 1, column: -1}, -1) if r is not None else registered - low
                if gap == 0:
                    leaks.append(f"{where} shown full")
    return leaks


def table(rows: list[tuple[str, str, int, int, int]]) -> pd.DataFrame:
    """A raw subgroup table from (cmoc, value, registered, participants, excerpts) rows."""
    frame = pd.DataFrame(
        rows, columns=["cmoc_id", "value", "registered", "participants", "excerpts"]
    ).assign(attribute="ethnicity", excerpt_ids="e")
    totals = frame.groupby("cmoc_id")["participants"].transform("sum")
    return frame.assign(cmoc_participants=totals)


def published_totals(raw: pd.DataFrame) -> tuple[dict, int]:
    """What results/cmoc_evidence.csv and the register tables print: excerpt totals per CMOC
    and the registered total."""
    one = raw[raw["attribute"] == raw["attribute"].iloc[0]]
    excerpts = one.groupby("cmoc_id")["excerpts"].sum().astype(int).to_dict()
    return excerpts, int(one.drop_duplicates("value")["registered"].sum())


# The issue's CMOC07 by ethnicity: two groups of 3, both of whose patients all gave evidence;
# hiding the two small cells alone leaves 54 - 6 - 42 = 6 = 3 + 3, so both are full.
LEAKY = [
    ("CMOC07", "Asian", 3, 3, 4), ("CMOC07", "Black", 3, 3, 3),
    ("CMOC07", "Mixed", 10, 6, 9), ("CMOC07", "White", 50, 42, 60),
    ("CMOC08", "Asian", 3, 1, 1), ("CMOC08", "Black", 3, 0, 0),
    ("CMOC08", "Mixed", 10, 2, 2), ("CMOC08", "White", 50, 20, 31),
]  # fmt: skip


def test_the_attack_finds_the_issues_leak_in_primary_suppression_alone() -> None:
    raw = table(LEAKY)
    naive = raw.assign(suppressed=raw["participants"].between(1, 4) | (raw["registered"] < 5))
    naive = naive.assign(
        participants=raw["participants"].mask(naive["suppressed"], 0),
        excerpts=raw["excerpts"].mask(naive["suppressed"], 0),
        registered=raw["registered"].astype("Int64").mask(raw["registered"] < 5),
    )
    leaks = attack(naive, *published_totals(raw))
    assert any("CMOC07" in leak and "full" in leak for leak in leaks), leaks


def test_suppression_leaves_no_derivable_cell_in_a_table_built_to_leak() -> None:
    raw = table(LEAKY)
    safe = evidence.suppress_small_cells(raw, 5)
    published = safe.assign(
        participants=safe["participants"].fillna(0), excerpts=safe["excerpts"].fillna(0)
    )
    assert attack(published, *published_totals(raw)) == []
    assert safe.loc[safe["registered"].isna(), "value"].nunique() >= 2


@pytest.fixture(scope="module")
def demo_subgroups(registers) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The demo's raw and suppressed 'for whom' table, built as the pipeline builds it."""
    sites, participants = registers
    definitions = load_definitions(
        REPO / "config" / "codebook.yaml", REPO / "config" / "cmocs.yaml"
    )
    formats = load_formats(REPO / "config" / "formats.yaml")
    clean = pd.concat(
        [
            clean_batch(
                ingest_batch(path, path.stem, formats), participants, sites, definitions
            ).clean
            for path in sorted((DEMO / "coded").iterdir())
        ],
        ignore_index=True,
    )
    links = link_evidence(counted_codings(clean), definitions, window="segment")
    raw = evidence.subgroup_evidence(links, participants, definitions, **SUBGROUPS)
    return raw, evidence.suppress_small_cells(raw, 5)


def test_no_suppressed_demo_cell_can_be_worked_out(demo_subgroups) -> None:
    raw, safe = demo_subgroups
    published = safe.assign(
        participants=safe["participants"].fillna(0), excerpts=safe["excerpts"].fillna(0)
    )
    assert attack(published, *published_totals(raw)) == []
    assert safe["suppressed"].any()


def test_the_report_counts_suppressed_cells_in_the_tables_it_prints(demo_subgroups) -> None:
    _, safe = demo_subgroups
    view = report.for_whom_view(safe, 5)
    printed = [cell for t in view["tables"] for row in t["rows"] for cell in row["cells"]]
    assert view["suppressed_cells"] == printed.count("*") > 0
    assert view["cells"] == len(printed)
    shown_rows = safe[safe["cmoc_participants"] > 0]
    assert view["suppressed_cells"] == int(shown_rows["suppressed"].sum())
    assert not safe.loc[safe["cmoc_participants"] == 0, "suppressed"].any()
