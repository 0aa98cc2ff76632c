"""Double coding across exports: the demo's second coder moved into an export of their own
counts exactly as in one export (evidence and agreement); a project exported twice by one
coder is refused; sources that merely share a name are not paired."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest
import yaml
from realist_report.analysis.agreement import (
    PAIRED_BATCHES,
    agreement_summary,
    assess_agreement,
    run_assess_agreement,
)
from realist_report.analysis.clean import clean_batch
from realist_report.analysis.evidence import counted_across_batches, summarise_cmocs
from realist_report.analysis.linking import combine_links, link_shard
from realist_report.core.errors import InputFileError
from realist_report.core.tables import write_parquet
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.batch_pairs import find_batch_pairs
from realist_report.ingest.formats import load_formats

REPO = Path(__file__).resolve().parents[2]
DEMO_BATCH = REPO / "data" / "demo" / "coded" / "baseline_interviews.csv"
SECOND_CODER = "coder_d"  # demo.SECOND_CODER
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def _split_export(tmp_path: Path) -> tuple[Path, Path]:
    """The demo batch as two exports: every coder but the second, and the second coder's own."""
    with DEMO_BATCH.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    first, second = tmp_path / "baseline_interviews.csv", tmp_path / "baseline_second.csv"
    for path, keep in ((first, False), (second, True)):
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
            writer.writeheader()
            writer.writerows(r for r in rows if (r["coder"] == SECOND_CODER) == keep)
    return first, second


def _clean(path: Path, batch: str, registers, definitions) -> pd.DataFrame:
    raw = ingest_batch(path, batch, load_formats(REPO / "config" / "formats.yaml"))
    sites, participants = registers
    return clean_batch(raw, participants, sites, definitions).clean


def _evidence(cleans: list[pd.DataFrame], definitions, across: bool) -> pd.DataFrame:
    """CMOC summary as the workflow computes it: one link shard per batch, then aggregation."""
    links = combine_links([link_shard(c, definitions, 0, 1, CONFIG["linking"]) for c in cleans])
    if across:
        links = counted_across_batches(links, pd.concat(cleans, ignore_index=True), "reference")
    return summarise_cmocs(links, definitions, CONFIG["strength"], CONFIG["refuting"])


@pytest.fixture(scope="module")
def batches(tmp_path_factory, registers, definitions) -> dict[str, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("split")
    first, second = _split_export(folder)
    return {
        "single": _clean(DEMO_BATCH, "baseline_interviews", registers, definitions),
        "first": _clean(first, "baseline_interviews", registers, definitions),
        "second": _clean(second, "baseline_second", registers, definitions),
    }


def test_second_coder_in_own_export_counts_as_in_one_export(batches, definitions) -> None:
    single = _evidence([batches["single"]], definitions, across=False)
    split = [batches["first"], batches["second"]]
    assert len(batches["second"]) >= 100
    pd.testing.assert_frame_equal(_evidence(split, definitions, across=True), single)
    # without pairing the second coder's export adds evidence (the issue measured CMOC01
    # 108 -> 113 units): the test can fail
    naive = _evidence(split, definitions, across=False)
    assert (naive["excerpts"] > single["excerpts"]).sum() >= 5


def test_second_coder_in_own_export_is_assessed_as_in_one_export(batches, tmp_path) -> None:
    paths = []
    for name in ("first", "second"):
        paths.append(str(tmp_path / f"{name}.parquet"))
        write_parquet(batches[name], paths[-1])
    out = tmp_path / "agreement.csv"
    table = run_assess_agreement(
        paths, str(REPO / "config" / "codebook.yaml"), str(REPO / "config" / "cmocs.yaml"),
        CONFIG["linking"]["window"], str(out),
    )  # fmt: skip
    one = assess_agreement(batches["single"], CONFIG["linking"]["window"], {})
    overall = table[table["scope"] == "overall"].iloc[0]
    expected = one[one["scope"] == "overall"].iloc[0]
    for column in ("status", "coders", "sources", "units", "percent_agreement", "alpha"):
        assert overall[column] == expected[column], column
    summary = agreement_summary(table)
    assert summary["paired_batches"] == ["baseline_interviews + baseline_second"]
    assert table.loc[table["scope"] == "batch_group", "status"].tolist() == [PAIRED_BATCHES]


def test_a_project_exported_twice_by_one_coder_is_refused(batches) -> None:
    again = batches["first"].assign(batch="baseline_again")
    with pytest.raises(InputFileError, match="exported twice.*same coder|same coder.*twice"):
        find_batch_pairs(pd.concat([batches["first"], again], ignore_index=True))


def test_sources_sharing_only_a_name_are_not_paired(batches) -> None:
    other = batches["second"].assign(
        batch="other_study", text="a different study's passage", start=10_000, end=10_020
    )
    pairs = find_batch_pairs(pd.concat([batches["first"], other], ignore_index=True))
    assert pairs.empty
