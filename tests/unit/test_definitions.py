"""Codebook and CMOC definitions: the demo loads, and every kind of bad reference is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from realist_report.core.definitions import load_definitions, normalise_code
from realist_report.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[2]
CODEBOOK = REPO / "config" / "codebook.yaml"
CMOCS = REPO / "config" / "cmocs.yaml"


def demo_yaml() -> tuple[dict, dict]:
    """Fresh copies of the demo codebook and CMOC definitions to break one thing at a time."""
    return yaml.safe_load(CODEBOOK.read_text()), yaml.safe_load(CMOCS.read_text())


def load(tmp_path: Path, codebook: dict, cmocs: dict):
    """Write both files and load them as the pipeline does."""
    (tmp_path / "codebook.yaml").write_text(yaml.safe_dump(codebook, sort_keys=False))
    (tmp_path / "cmocs.yaml").write_text(yaml.safe_dump(cmocs, sort_keys=False))
    return load_definitions(tmp_path / "codebook.yaml", tmp_path / "cmocs.yaml")


def code(codebook: dict, code_id: str) -> dict:
    return next(c for c in codebook["codes"] if c["id"] == code_id)


def test_demo_definitions_load_with_parts_direct_codes_and_markers(definitions):
    assert len(definitions.cmocs) == 12
    assert set(definitions.areas["area_id"]) == set(definitions.cmocs["area"])
    cmoc01 = definitions.cmoc_parts[definitions.cmoc_parts["cmoc_id"] == "CMOC01"]
    assert sorted(zip(cmoc01["part"], cmoc01["code_id"], strict=True)) == [
        ("context", "flexible_appointments"),
        ("mechanism", "micro_discretion"),
        ("outcome", "connections_patients"),
    ]
    assert definitions.lookup[normalise_code("CMOC::CMOC07")] == "cmoc_CMOC07"
    assert definitions.codes.set_index("code_id").at["cmoc_CMOC07", "direct_cmoc"] == "CMOC07"
    assert definitions.markers == {"refutes": "refutes", "refines": "refines"}


@pytest.mark.parametrize(
    "label",
    [
        "Context::Flexible appointments",
        "context / flexible appointments",
        "CONTEXT\\Flexible   appointments",
        "Context > Flexible appointments ",
        "C - flexible appointments",
    ],
)
def test_aliases_match_after_case_separator_and_space_folding(definitions, label):
    assert definitions.lookup[normalise_code(label)] == "flexible_appointments"


def test_cmoc_part_naming_an_undefined_code_is_an_error(tmp_path):
    codebook, cmocs = demo_yaml()
    cmocs["cmocs"][3]["mechanism"] = ["demonstrating_effect", "staff_enthusiasm"]
    with pytest.raises(
        ConfigError, match=r"CMOC '?CMOC04'? mechanism refers to code 'staff_enthusiasm'"
    ):
        load(tmp_path, codebook, cmocs)


def test_cmoc_in_an_undefined_area_is_an_error(tmp_path):
    codebook, cmocs = demo_yaml()
    cmocs["cmocs"][0]["area"] = "workforce"
    with pytest.raises(ConfigError, match="CMOC 'CMOC01' names area 'workforce'"):
        load(tmp_path, codebook, cmocs)


def test_code_in_an_undefined_area_is_an_error(tmp_path):
    codebook, cmocs = demo_yaml()
    code(codebook, "holding")["area"] = "person_centered"
    with pytest.raises(ConfigError, match="code 'holding' names area 'person_centered'"):
        load(tmp_path, codebook, cmocs)


def test_code_used_in_the_wrong_role_is_an_error(tmp_path):
    codebook, cmocs = demo_yaml()
    cmocs["cmocs"][0]["context"] = ["micro_discretion"]
    with pytest.raises(
        ConfigError,
        match="uses 'micro_discretion' as its context, but the codebook tags it as mechanism",
    ):
        load(tmp_path, codebook, cmocs)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda cb, cm: cb["codes"].append(
                dict(code(cb, "holding"), path="Other::Holding", aliases=[])
            ),
            r"code ids must be unique; repeated: \['holding'\]",
        ),
        (
            lambda cb, cm: cm["cmocs"].append(dict(cm["cmocs"][0])),
            r"CMOC ids must be unique; repeated: \['CMOC01'\]",
        ),
        (
            lambda cb, cm: cb["areas"].append({"id": "boundaries", "title": "Again"}),
            r"area ids must be unique; repeated: \['boundaries'\]",
        ),
        (
            lambda cb, cm: cm["cmocs"][1]["outcome"].append("connections_vcse"),
            r"CMOC 'CMOC02' lists \['connections_vcse'\] more than once in its outcome",
        ),
    ],
    ids=["code", "cmoc", "area", "code-within-cmoc"],
)
def test_duplicates_are_errors(tmp_path, mutate, message):
    codebook, cmocs = demo_yaml()
    mutate(codebook, cmocs)
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, codebook, cmocs)


def test_alias_that_means_two_codes_is_an_error(tmp_path):
    codebook, cmocs = demo_yaml()
    code(codebook, "holding")["aliases"].append("context :: complex needs")
    with pytest.raises(ConfigError, match="would mean both 'complex_needs' and 'holding'"):
        load(tmp_path, codebook, cmocs)


def test_alias_clashing_with_a_direct_cmoc_code_is_an_error(tmp_path):
    codebook, cmocs = demo_yaml()
    code(codebook, "buy_in")["aliases"].append("CMOC::CMOC04")
    with pytest.raises(
        ConfigError, match="'CMOC::CMOC04' would mean both 'buy_in' and 'cmoc_CMOC04'"
    ):
        load(tmp_path, codebook, cmocs)


def test_stance_marker_must_have_role_none(tmp_path):
    codebook, cmocs = demo_yaml()
    code(codebook, "dependency")["stance"] = "refutes"
    with pytest.raises(
        ConfigError, match="code 'dependency' marks evidence as 'refutes' but has role 'outcome'"
    ):
        load(tmp_path, codebook, cmocs)


@pytest.mark.parametrize(
    ("mutate", "where"),
    [
        (
            lambda cb, cm: cm["cmocs"][2].pop("narrative"),
            "cmocs.yaml: at cmocs/2: 'narrative' is a required property",
        ),
        (
            lambda cb, cm: code(cb, "holding").update(role="resource"),
            "codebook.yaml: at codes/13/role: 'resource' is not one of",
        ),
        (
            lambda cb, cm: code(cb, "refines").update(stance="nuances"),
            "codebook.yaml: at codes/28/stance",
        ),
        (
            lambda cb, cm: cm["cmocs"][0].update(outcome=[]),
            "cmocs.yaml: at cmocs/0/outcome: [] should be non-empty",
        ),
    ],
    ids=["missing-narrative", "unknown-role", "unknown-stance", "empty-part"],
)
def test_schema_violations_name_file_and_place(tmp_path, mutate, where):
    codebook, cmocs = demo_yaml()
    mutate(codebook, cmocs)
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, codebook, cmocs)
    assert where in str(caught.value)


def test_unreadable_yaml_is_a_config_error(tmp_path):
    (tmp_path / "codebook.yaml").write_text("areas: [unclosed\n")
    with pytest.raises(ConfigError, match="codebook.yaml: cannot read"):
        load_definitions(tmp_path / "codebook.yaml", CMOCS)


def test_marker_codes_are_optional(tmp_path):
    codebook, cmocs = demo_yaml()
    for marker in ("refutes", "refines"):
        code(codebook, marker).pop("stance")
    assert load(tmp_path, codebook, cmocs).markers == {}
