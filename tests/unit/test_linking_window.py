"""linking.window warns when a batch cannot give co-coded evidence under it (issue 24)."""

from __future__ import annotations

import pandas as pd
from realist_report.analysis.linking import window_warning


def codings(codes: list[str], segments: list[str], starts: list[object]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "batch": "taguette",
            "source_id": "doc1",
            "segment_id": segments,
            "code": codes,
            "start": pd.array(starts, dtype="Int64"),
            "end": pd.array([s + 10 if s is not None else None for s in starts], dtype="Int64"),
        }
    )


def test_one_code_per_highlight_without_positions_names_the_source_window() -> None:
    """Taguette's shape: every highlight one tag, no offsets: only 'source' can link."""
    batch = codings(["C1", "M1", "O1"], ["s1", "s2", "s3"], [None, None, None])
    for window in ("segment", "overlap"):
        message = window_warning(batch, window)
        assert message is not None and "linking.window 'source' would link them" in message
        assert "no positions" in message
    assert window_warning(batch, "source") is None


def test_positions_suggest_overlap_and_co_coded_segments_give_no_warning() -> None:
    positioned = codings(["C1", "M1", "O1"], ["s1", "s2", "s3"], [0, 5, 40])
    assert "linking.window 'overlap'" in window_warning(positioned, "segment")
    co_coded = codings(["C1", "M1", "O1"], ["s1", "s1", "s2"], [0, 0, 40])
    assert window_warning(co_coded, "segment") is None
