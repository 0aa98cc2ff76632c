"""One source for every name: rating names and their order come from config.yaml (strength),
'for whom' attributes from for_whom.attributes, everywhere the report and figures print them."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import copy_workflow, run_snakemake
from realist_report.core.vocabulary import UNSUPPORTED, strength_order


def test_strength_order_follows_the_config_and_ends_with_unsupported() -> None:
    rules = [{"rating": "strong"}, {"rating": "emerging"}, {"rating": UNSUPPORTED}]
    assert strength_order(rules) == ["strong", "emerging", "unsupported"]
    assert strength_order([{"rating": "b"}, {"rating": "a"}]) == ["b", "a", "unsupported"]


@pytest.mark.e2e
def test_a_renamed_rating_and_a_new_for_whom_attribute_reach_report_and_figures(
    tmp_path: Path,
) -> None:
    """Renaming 'tentative' once dropped those CMOCs from the discussion's list by strength and
    from the strength figure, and an attribute the figure module did not list never got a panel."""
    workdir = copy_workflow(tmp_path / "wf")
    config_path = workdir / "config" / "config.yaml"
    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    assert [rule["rating"] for rule in config["strength"]][-1] == "tentative"
    config["strength"][-1]["rating"] = "emerging"
    config["for_whom"]["attributes"].append("lives_alone")
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    register = workdir / "data" / "demo" / "participants.csv"
    with register.open(encoding="utf-8", newline="") as handle:
        people = list(csv.DictReader(handle))
    for number, person in enumerate(people):
        patient = person["role"] == "patient"
        person["lives_alone"] = ("Yes" if number % 2 else "No") if patient else ""
    with register.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(people[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(people)
    # the team's prose names the rating too: its placeholder follows the rename
    summary_md = workdir / "report" / "narrative" / "sections" / "scientific_summary.md"
    prose = summary_md.read_text(encoding="utf-8")
    summary_md.write_text(
        prose.replace(
            "{{ counts.tentative }} with tentative", "{{ counts.emerging }} with emerging"
        ),
        encoding="utf-8",
    )
    figures = ["results/figures/strength_by_area.svg", "results/figures/for_whom.svg"]
    run_snakemake(workdir, "reports/evaluation_report.html", *figures)

    with (workdir / "results" / "cmoc_summary.csv").open(encoding="utf-8") as handle:
        rated = Counter(row["strength"] for row in csv.DictReader(handle))
    assert rated["emerging"] > 0 and "tentative" not in rated, rated
    html = (workdir / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    listed = re.findall(
        r'<dd><span class="strength strength-rank-3">emerging</span>: ([^<]*)', html
    )
    # the summary and the Discussion both list the CMOCs by rating
    assert (
        len({cmoc for group in listed for cmoc in re.findall(r"CMOC\d+", group)})
        == rated["emerging"]
    )
    text = re.sub(r"<[^>]+>", "", html)  # computed values are marked for the Word round trip
    assert f"{rated['emerging']} with emerging evidence" in text
    assert "tentative" not in html
    # a figure with a section is printed at its end without a template line of its own
    assert html.count('id="fig-evidence_by_data_type"') == 1
    assert 'id="tab-for-whom-lives_alone"' in html and "by lives alone</caption>" in html
    strength_svg = (workdir / figures[0]).read_text(encoding="utf-8")
    assert "emerging" in strength_svg and "tentative" not in strength_svg
    assert "Lives alone" in (workdir / figures[1]).read_text(encoding="utf-8")
