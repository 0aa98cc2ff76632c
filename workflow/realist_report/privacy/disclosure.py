"""Complementary suppression that holds against arithmetic.

A "for whom" table hides cells counting fewer than k people, but a reader also sees the other
cells, each CMOC's participant and excerpt totals (results CSVs), the registered count of each
subgroup and the register's total. From those, a hidden cell may follow by subtraction (the
issue's 54 - 6 - 42 = 6). `exposed` plays the attacker: an integer linear programme
(scipy.optimize.milp, HiGHS) over every hidden number, bounded by all that is published, finds
each hidden participant count's least and greatest possible value. A hidden cell is exposed
when it is pinned to one value, shown to be zero, or shown to be full (every registered member
of the subgroup gave evidence), and a hidden register count when it is pinned. `protect` hides
further cells (the smallest non-zero shown cell in the row of an exposed one, else a register
count) until nothing is exposed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

from realist_report.core.errors import PrivacyError

__all__ = ["Breakdown", "exposed", "inherent", "protect"]

log = logging.getLogger(__name__)


@dataclass
class Breakdown:
    """One published table: rows are CMOCs, columns subgroups; True marks a hidden number."""

    cells: np.ndarray  # participants, rows x columns (true values)
    excerpts: np.ndarray  # excerpts behind each cell (true values)
    registered: np.ndarray  # registered people per column (true values)
    hidden: np.ndarray  # rows x columns, bool
    register_hidden: np.ndarray  # columns, bool


class _Programme:
    """The attacker's unknowns (hidden cells, their excerpts, hidden registers) and constraints."""

    def __init__(self, t: Breakdown) -> None:
        rows, cols = t.cells.shape
        self.x = {(i, j): n for n, (i, j) in enumerate(zip(*np.nonzero(t.hidden), strict=True))}
        self.e = {key: len(self.x) + n for n, key in enumerate(self.x)}
        start = 2 * len(self.x)
        self.r = {int(j): start + n for n, j in enumerate(np.flatnonzero(t.register_hidden))}
        self.size = start + len(self.r)
        total, excerpts = int(t.registered.sum()), int(t.excerpts.sum())
        lower, upper = np.zeros(self.size), np.full(self.size, float(total))
        for col in self.r.values():
            lower[col] = 1  # a subgroup is listed because someone registered has that value
        for col in self.e.values():
            upper[col] = excerpts
        rows_a, lo, hi = [], [], []

        def add(coefficients: dict[int, float], low: float, high: float) -> None:
            row = np.zeros(self.size)
            for col, value in coefficients.items():
                row[col] += value
            rows_a.append(row)
            lo.append(low)
            hi.append(high)

        for i in range(rows):  # row totals of participants and of excerpts are published
            shown = ~t.hidden[i]
            add({self.x[(i, j)]: 1 for j in range(cols) if t.hidden[i, j]},
                *[int(t.cells[i].sum() - t.cells[i, shown].sum())] * 2)  # fmt: skip
            add({self.e[(i, j)]: 1 for j in range(cols) if t.hidden[i, j]},
                *[int(t.excerpts[i].sum() - t.excerpts[i, shown].sum())] * 2)  # fmt: skip
        shown_total = int(t.registered[~t.register_hidden].sum())
        add({col: 1 for col in self.r.values()}, total - shown_total, total - shown_total)
        for (i, j), col in self.x.items():
            add({self.e[(i, j)]: 1, col: -1}, 0, np.inf)  # each person gave an excerpt
            add({self.e[(i, j)]: 1, col: -float(excerpts)}, -np.inf, 0)  # none: no excerpts
            if j in self.r:
                add({col: 1, self.r[j]: -1}, -np.inf, 0)
            else:
                upper[col] = min(upper[col], float(t.registered[j]))
        for j in self.r:  # a shown cell is a floor under its hidden register count
            shown = t.cells[~t.hidden[:, j], j]
            lower[self.r[j]] = max(lower[self.r[j]], float(shown.max()) if len(shown) else 0.0)
        self.bounds = Bounds(lower, upper)
        self.constraints = LinearConstraint(np.array(rows_a), lo, hi) if rows_a else None

    def extreme(self, coefficients: dict[int, float], sense: int) -> float:
        """The least (sense 1) or greatest (sense -1) value of a sum of unknowns."""
        c = np.zeros(self.size)
        for col, value in coefficients.items():
            c[col] = sense * value
        result = milp(
            c,
            integrality=np.ones(self.size),
            bounds=self.bounds,
            constraints=[self.constraints] if self.constraints else [],
        )
        if result.status != 0:
            raise PrivacyError(f"the disclosure check could not solve a table ({result.message})")
        return sense * float(result.fun)


def exposed(table: Breakdown) -> list[tuple[str, int, int]]:
    """Hidden numbers a reader can derive: ('cell', row, column) or ('register', -1, column)."""
    if not table.hidden.any() and not table.register_hidden.any():
        return []
    p = _Programme(table)
    found: list[tuple[str, int, int]] = []
    for (i, j), col in p.x.items():
        low, high = p.extreme({col: 1}, 1), p.extreme({col: 1}, -1)
        # full: every registered member of the subgroup gave evidence
        full = p.extreme({p.r[j]: 1, col: -1}, -1) == 0 if j in p.r else low == table.registered[j]
        if low == high or high == 0 or full:
            found.append(("cell", int(i), int(j)))
    for j, col in p.r.items():
        if p.extreme({col: 1}, 1) == p.extreme({col: 1}, -1):
            found.append(("register", -1, j))
    return found


def _next_to_hide(table: Breakdown, kind: str, row: int, col: int) -> tuple[int, int] | None:
    """The cell to hide next: the smallest shown non-zero cell in the exposed cell's row (a
    zero one if none), else None (the register row must give way)."""
    if kind == "cell":
        shown = np.flatnonzero(~table.hidden[row])
        if len(shown):
            order = sorted(shown, key=lambda j: (table.cells[row, j] == 0, table.cells[row, j], j))
            return row, int(order[0])
    return None


def inherent(table: Breakdown) -> set[tuple[str, int, int]]:
    """What the totals alone give away, with every cell and register count hidden (a CMOC
    whose evidence came from every registered person): no suppression in this table helps."""
    everything = Breakdown(
        table.cells,
        table.excerpts,
        table.registered,
        np.ones_like(table.hidden, dtype=bool),
        np.ones_like(table.register_hidden, dtype=bool),
    )
    return set(exposed(everything))


def protect(table: Breakdown) -> Breakdown:
    """Hide further cells, then register counts, until `exposed` finds nothing beyond what the
    totals printed elsewhere give away on their own (`inherent`, logged)."""
    table = Breakdown(
        table.cells,
        table.excerpts,
        table.registered,
        np.array(table.hidden, dtype=bool),  # own copies: these grow
        np.array(table.register_hidden, dtype=bool),
    )
    given_away: set[tuple[str, int, int]] | None = None
    while True:
        found = exposed(table)
        if found and given_away is None:
            given_away = inherent(table)
            if given_away:
                log.warning(
                    "%d suppressed number(s) of a 'for whom' table follow from the totals alone "
                    "(evidence from every registered member of a subgroup)",
                    len(given_away),
                )
        found = [f for f in found if f not in (given_away or set())]
        if not found:
            return table
        kind, row, col = found[0]
        target = _next_to_hide(table, kind, row, col)
        if target is not None:
            table.hidden[target] = True
            continue
        shown = np.flatnonzero(~table.register_hidden)
        j = int(sorted(shown, key=lambda j: (table.registered[j], j))[0])
        table.register_hidden[j] = True
        table.hidden[:, j] = True  # a hidden register hides its column
