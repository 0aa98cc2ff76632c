"""The synthetic demo data: deterministic, study-shaped, and identical to the committed copy."""

from __future__ import annotations

import filecmp
from pathlib import Path

import pandas as pd
import pytest
from realist_demo.generator import BASELINE_COUNTS, FOLLOWUP_PATIENTS, generate_demo, write_demo

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo():
    return generate_demo()


def test_committed_demo_matches_the_generator(tmp_path):
    written = write_demo(generate_demo(), tmp_path)
    committed = REPO / "data" / "demo"
    for path in written:
        relative = path.relative_to(tmp_path)
        assert filecmp.cmp(path, committed / relative, shallow=False), f"{relative} differs"
    committed_batches = sorted(p.name for p in (committed / "coded").iterdir())
    assert committed_batches == sorted(p.name for p in (tmp_path / "coded").iterdir())


def test_same_seed_gives_identical_files_and_other_seed_does_not(tmp_path):
    first = write_demo(generate_demo(seed=7), tmp_path / "a")
    second = write_demo(generate_demo(seed=7), tmp_path / "b")
    third = write_demo(generate_demo(seed=8), tmp_path / "c")
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, second, strict=True))
    assert any(a.read_bytes() != c.read_bytes() for a, c in zip(first, third, strict=True))


def test_participant_numbers_follow_the_study(demo):
    people = demo.participants
    assert demo.sites["site_id"].nunique() == 7
    assert people.groupby("role").size().to_dict() == BASELINE_COUNTS
    followup = people[people["waves"].str.contains("followup")]
    assert followup.groupby("role").size().to_dict() == {
        "patient": FOLLOWUP_PATIENTS,
        "link_worker": 7,
    }
    assert people.groupby("site_id")["role"].apply(lambda r: (r == "link_worker").sum()).eq(1).all()


def test_sites_vary_and_observation_covers_three_weeks(demo):
    sites = demo.sites
    for column in ["region", "employer_type", "setting", "team_model"]:
        assert sites[column].nunique() >= 2, column
    assert sites["observation_hours"].between(90, 130).all()
    fieldnotes = next(b for b in demo.batches if b.name == "observation_fieldnotes").excerpts
    assert fieldnotes.groupby("site_id")["source_id"].nunique().eq(15).all()


def test_batches_cover_waves_codes_and_cmocs(demo, definitions):
    excerpts = pd.concat([b.excerpts for b in demo.batches])
    assert set(excerpts["wave"]) >= {"baseline", "followup"}
    followup = next(b for b in demo.batches if b.name == "followup_interviews").excerpts
    assert set(followup["wave"]) == {"followup"}
    codes_per_segment = excerpts.groupby(["source_id", "start"])["code"].nunique()
    assert codes_per_segment.mean() >= 2.5
    lengths = excerpts["text"].str.len()
    assert lengths.min() < 150 < lengths.max()
    direct = excerpts["code"].str.startswith("CMOC::")
    assert direct.any() and len(definitions.cmocs) in range(10, 15)


def test_scale_factor_multiplies_sites_and_excerpts():
    small, large = generate_demo(scale=1), generate_demo(scale=3)
    assert len(large.sites) == 3 * len(small.sites)
    assert len(large.participants) == 3 * len(small.participants)
    rows = [sum(len(b.excerpts) for b in d.batches) for d in (small, large)]
    assert 2.5 < rows[1] / rows[0] < 3.5
