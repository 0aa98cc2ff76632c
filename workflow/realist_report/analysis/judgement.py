"""The team's GRADE-CERQual judgement where readers look: beside every count rating, and a
summary of qualitative findings table over all CMOCs.

The count rating says what the coded data show; the team's confidence says how far the finding
can be trusted. A reader who sees only one of them misreads the other, so every place that prints
a rating prints the confidence beside it, and "not assessed" where the team has not judged.
"""

from __future__ import annotations

import pandas as pd

from realist_report.core.vocabulary import CONFIDENCE_LEVELS, RATIONALE_COMPONENTS
from realist_report.report.design_text import counted

NOT_ASSESSED = "not assessed"


def confidence_of(row: dict) -> str:
    """The team's confidence in one CMOC, or 'not assessed'."""
    value = row.get("confidence")
    return value if isinstance(value, str) and value else NOT_ASSESSED


def cerqual_rows(summary: pd.DataFrame) -> list[dict]:
    """One row per CMOC for the summary of qualitative findings table (GRADE-CERQual layout:
    finding, the evidence behind it, the confidence and its explanation by component)."""
    rows = []
    for row in summary.to_dict("records"):
        explanation = [
            {"component": part.replace("_", " ").capitalize(), "text": row[f"rationale_{part}"]}
            for part in RATIONALE_COMPONENTS
            if isinstance(row.get(f"rationale_{part}"), str) and row[f"rationale_{part}"]
        ]
        rows.append(
            {
                "cmoc_id": row["cmoc_id"],
                "finding": row["title"],
                "if": row["if"],
                "then": row["then"],
                "because": row["because"],
                "evidence": (
                    f"{counted(int(row['participants']), 'participant')} at "
                    f"{counted(int(row['sites']), 'site')}, "
                    f"{counted(int(row['roles']), 'role group')}; "
                    f"{int(row['refuting'])} refuting"
                ),
                "strength": row["strength"],
                "confidence": confidence_of(row),
                "explanation": explanation,
            }
        )
    return rows


def confidence_counts(summary: pd.DataFrame) -> dict:
    """How many CMOCs the team judged at each level, for the summaries and the Discussion."""
    levels = [confidence_of(row) for row in summary.to_dict("records")]
    judged = [level for level in CONFIDENCE_LEVELS if level in levels]
    return {
        "judged": sum(level != NOT_ASSESSED for level in levels),
        "total": len(levels),
        "levels": [{"level": level, "count": levels.count(level)} for level in judged],
        "not_assessed": levels.count(NOT_ASSESSED),
    }
