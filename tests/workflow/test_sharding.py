"""Sharded linking (per batch and site group) gives exactly the links of whole-data-set linking."""

from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd
import pytest
from conftest import DEMO, REPO, copy_workflow, run_snakemake
from realist_report.analysis.clean import clean_batch
from realist_report.analysis.coders import evidence_codings
from realist_report.analysis.linking import (
    WINDOWS,
    combine_links,
    link_evidence,
    link_shard,
    rows_in_group,
    site_group,
)
from realist_report.ingest.batch import ingest_batch
from realist_report.ingest.formats import load_formats


@pytest.fixture(scope="module")
def clean_batches(registers, definitions) -> dict[str, pd.DataFrame]:
    """Every demo batch, ingested and cleaned, by batch name."""
    sites, participants = registers
    formats = load_formats(REPO / "config" / "formats.yaml")
    batches = {}
    for path in sorted((DEMO / "coded").iterdir()):
        raw = ingest_batch(path, path.stem, formats)
        batches[path.stem] = clean_batch(raw, participants, sites, definitions).clean
    return batches


@pytest.mark.parametrize("window", WINDOWS)
@pytest.mark.parametrize("groups", [1, 3])
def test_shards_combine_to_whole_data_set_links(clean_batches, definitions, window, groups):
    linking = {"window": window, "count_partial": True}
    # a double-coded source counts once, by its reference coder (coders.evidence_codings)
    every_row = pd.concat(clean_batches.values(), ignore_index=True)
    whole = link_evidence(evidence_codings(every_row), definitions, **linking)
    shards = [
        link_shard(clean, definitions, group, groups, linking)
        for clean in clean_batches.values()
        for group in range(groups)
    ]
    assert len(whole) > 0
    pd.testing.assert_frame_equal(combine_links(shards), whole, check_dtype=False)


def test_every_row_lands_in_exactly_one_group(clean_batches):
    clean = clean_batches["baseline_interviews"]
    parts = [rows_in_group(clean, group, 4) for group in range(4)]
    assert sum(len(part) for part in parts) == len(clean)
    assert sorted(pd.concat(parts).index) == sorted(clean.index)
    assert sum(len(part) > 0 for part in parts) > 1


def test_a_source_naming_two_sites_stays_in_one_shard(clean_batches):
    clean = clean_batches["observation_fieldnotes"]
    source = clean["source_id"].iloc[0]
    rows = clean["source_id"] == source
    other_site = next(
        s for s in clean["site_id"].unique() if s != clean.loc[rows, "site_id"].iloc[0]
    )
    mixed = clean.copy()
    mixed.loc[mixed.index[rows][-1], "site_id"] = other_site
    holding = [
        group for group in range(5) if (rows_in_group(mixed, group, 5)["source_id"] == source).any()
    ]
    assert len(holding) == 1
    assert (rows_in_group(mixed, holding[0], 5)["source_id"] == source).sum() == rows.sum()


def test_site_groups_do_not_depend_on_the_python_hash_seed():
    code = "from realist_report.analysis.linking import site_group; print([site_group(f'S{i:03d}', 8) for i in range(50)])"
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={"PYTHONHASHSEED": seed, "PATH": ""},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
    assert outputs == {str([site_group(f"S{i:03d}", 8) for i in range(50)]) + "\n"}


def test_site_group_count_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        site_group("S01", 0)


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e")
def test_the_dag_has_one_linking_job_per_batch_and_site_group(tmp_path):
    workdir = copy_workflow(tmp_path / "workflow")
    scenario = ".test/config_sharded/config.yaml"  # sharding: {site_groups: 3}
    batches = len(list((DEMO / "coded").iterdir()))
    result = run_snakemake(workdir, "-n", "--quiet", "rules", "--configfile", scenario)
    counts = dict(re.findall(r"^(\w+)\s+(\d+)$", result.stdout, flags=re.MULTILINE))
    assert int(counts["link_site_evidence"]) == batches * 3
    assert int(counts["aggregate_cmoc_evidence"]) == 1
