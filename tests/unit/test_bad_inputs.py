"""The bad-input corpus: each file ends in its recorded quarantine reason or a clear error."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
import yaml
from realist_report.analysis.clean import CleanResult, clean_batch
from realist_report.core.definitions import Definitions
from realist_report.core.errors import ConfigError, InputFileError
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_ingest_options

TESTS = Path(__file__).resolve().parents[1]
BAD = TESTS / "bad_inputs"
MANIFEST = yaml.safe_load((BAD / "expected.yaml").read_text(encoding="utf-8"))["cases"]
FORMATS = TESTS.parent / "config" / "formats.yaml"


def run_case(
    case: dict, definitions: Definitions, registers: tuple[pd.DataFrame, pd.DataFrame]
) -> CleanResult:
    """Ingest and clean one corpus file the way the workflow does."""
    options = load_ingest_options(FORMATS)
    if "max_table_mb" in case:
        options = dataclasses.replace(
            options, max_table_bytes=int(case["max_table_mb"] * 1024 * 1024)
        )
    path = BAD / case["file"]
    sites, participants = registers
    raw = ingest_batch(path, path.stem, options)
    return clean_batch(
        raw, participants, sites, definitions, on_invalid=case.get("on_invalid", "quarantine")
    )


def test_manifest_lists_every_corpus_file() -> None:
    listed = sorted(case["file"] for case in MANIFEST)
    present = sorted(
        str(p.relative_to(BAD))
        for p in BAD.rglob("*")
        if p.is_file() and p.suffix not in {".md", ".yaml"}
    )
    assert listed == present
    assert len(listed) >= 30


@pytest.mark.parametrize("case", MANIFEST, ids=[case["file"] for case in MANIFEST])
def test_bad_input(
    case: dict, definitions: Definitions, registers: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    if case["kind"] == "error":
        with pytest.raises((InputFileError, ConfigError)) as caught:
            run_case(case, definitions, registers)
        message = str(caught.value).casefold()
        for word in case["words"]:
            assert word.casefold() in message, f"{word!r} not in: {caught.value}"
        assert Path(case["file"]).name.casefold() in message  # the message names the file
        return
    result = run_case(case, definitions, registers)
    counts = result.counts
    assert (
        counts["rows_in"] == counts["clean"] + counts["quarantined"] + counts["duplicates_removed"]
    )
    for key in ("rows_in", "source_rows"):
        if key in case:
            assert counts[key] == case[key], (key, counts)
    texts = "\n".join(result.clean["text"])
    for text in case.get("text_has", []):
        assert text in texts, f"{text!r} not in the clean excerpts: {texts[:300]!r}"
    for text in case.get("text_lacks", []):
        assert text not in texts, f"{text!r} in the clean excerpts"
    if case["kind"] == "read":
        assert result.quarantine.empty, result.quarantine.to_dict("records")
        return
    if case["kind"] == "duplicate":
        assert counts["duplicates_removed"] == case["count"]
        assert result.quarantine.empty
        assert counts["clean"] >= 1
        return
    assert case["kind"] == "quarantine"
    assert set(result.quarantine["reason"]) == {case["reason"]}
    assert len(result.quarantine) == case.get("count", 1)
    assert counts["clean"] >= 1  # the good rows around a bad one survive
    quarantined = result.quarantine.iloc[0]
    assert quarantined["origin"] and quarantined["column"] and quarantined["detail"]
    assert Path(case["file"]).name in quarantined["origin"]
