"""A strict config contract: every key has a default, and a misspelt key anywhere in
config.yaml is named with its file and place before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import REPO, SCENARIOS, copy_workflow, run_snakemake
from realist_report.core.definitions import config_problems, schema_problems

SCHEMA = REPO / "workflow" / "schemas" / "config.schema.yaml"
CONFIG = yaml.safe_load((REPO / "config" / "config.yaml").read_text(encoding="utf-8"))


def misspelt(tmp_path: Path, change) -> tuple[dict, str]:
    """The demo config with one change, written to a file of its own."""
    config = yaml.safe_load(yaml.safe_dump(CONFIG))
    change(config)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return config, str(path)


@pytest.mark.parametrize(
    ("change", "where", "key"),
    [
        (lambda c: c.update(qoutes=c.pop("quotes")), "top level", "qoutes"),
        (lambda c: c["quotes"].update(per_cmcc=c["quotes"].pop("per_cmoc")), "quotes", "per_cmcc"),
        (lambda c: c["figures"]["theme"].update(base_sise=9), "figures/theme", "base_sise"),
        (lambda c: c["strength"][1].update(min_site=2), "strength/1", "min_site"),
        (lambda c: c["privacy"].update(name_lists="x.txt"), "privacy", "name_lists"),
    ],
)
def test_a_misspelt_key_anywhere_names_the_file_and_the_key(
    tmp_path: Path, change, where: str, key: str
) -> None:
    config, path = misspelt(tmp_path, change)
    message = config_problems(config, SCHEMA, ["config/other.yaml", path])
    # a renamed required key is also reported missing ('per_cmoc' is a required property)
    assert (
        f"{path}: at {where}: Additional properties are not allowed ('{key}' was unexpected)"
        in message.splitlines()
    )
    assert "config/other.yaml" not in message


def test_every_config_key_has_a_default_but_the_study_itself() -> None:
    """Walk the schema: an object's keys each carry a default (the study's title, authors and
    keywords, and its design's roles and waves, are the team's own and have none); every object
    refuses unknown keys."""
    schema = yaml.safe_load(SCHEMA.read_text(encoding="utf-8"))
    missing, open_objects = [], []

    def walk(node: dict, where: str) -> None:
        if node.get("type") == "object" and "properties" in node:
            if node.get("additionalProperties") is not False:
                open_objects.append(where)
            for key, child in node["properties"].items():
                own = "study" in (where, key) or f"{where}/{key}" in (
                    "/design",
                    "design/roles",
                    "design/waves",
                )
                if "default" not in child and not own:
                    missing.append(f"{where}/{key}")
                walk(child, f"{where}/{key}" if where else key)

    walk(schema, "")
    assert missing == [] and open_objects == []
    assert schema["required"] == ["study", "design"]


@pytest.mark.e2e
def test_a_misspelt_key_stops_snakemake_with_one_line_naming_it(tmp_path: Path) -> None:
    workdir = copy_workflow(tmp_path / "wf")
    extra = workdir / "config" / "local.yaml"
    extra.write_text("linking:\n  window: segment\n  count_partial: true\n  windw: x\n", "utf-8")
    result = run_snakemake(
        workdir, "-n", "--configfile", "config/config.yaml", "config/local.yaml", check=False
    )
    assert result.returncode != 0
    output = result.stdout + result.stderr
    assert (
        "config/local.yaml: at linking: Additional properties are not allowed "
        "('windw' was unexpected)" in output
    )
    assert "Failed validating" not in output  # not Snakemake's dump of the whole schema


@pytest.mark.parametrize("case", SCENARIOS)
def test_each_scenario_config_fits_the_schema_over_the_demo_config(case: str) -> None:
    """.test/config_<case>/config.yaml overrides the demo config; the merge must be valid."""
    assert set(SCENARIOS) >= {"sharded", "overlap", "strict_cleaning"}
    scenario = yaml.safe_load((REPO / ".test" / f"config_{case}" / "config.yaml").read_text())
    merged = yaml.safe_load(yaml.safe_dump(CONFIG))
    for key, value in scenario.items():
        merged[key] = {**merged[key], **value} if isinstance(value, dict) else value
    assert schema_problems(merged, SCHEMA) == []


@pytest.mark.e2e
def test_a_one_role_design_is_warned_about_when_the_workflow_starts(tmp_path: Path) -> None:
    """The default rules ask for 2 and 3 role groups: a one-role study hears it once, at the
    start of a dry run, naming the rating, what it needs and what the study has."""
    workdir = copy_workflow(tmp_path / "wf")
    extra = workdir / "config" / "one_role.yaml"
    extra.write_text(
        "design:\n  roles:\n    - {id: patient, label: Patient, plural: patients}\n"
        "  followed_roles: []\nfor_whom:\n  roles: [patient]\n",
        "utf-8",
    )
    result = run_snakemake(workdir, "-n", "--configfile", "config/config.yaml", str(extra))
    output = result.stdout + result.stderr
    for rating, roles in [("strong", 3), ("moderate", 2)]:
        warning = (
            f"WARNING: rating '{rating}' needs {roles} role groups; the design has 1 role, "
            f"so no CMOC can be rated '{rating}'"
        )
        assert output.count(warning) == 1, output[-3000:]
    assert "needs 2 role groups" not in run_snakemake(workdir, "-n").stderr  # the demo: 5 roles
