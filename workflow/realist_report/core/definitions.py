"""Codebook and CMOC definitions: load, validate against JSON schemas, check cross-references."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import pandas as pd
import yaml

from realist_report.core.errors import ConfigError, PipelineError
from realist_report.core.vocabulary import RATIONALE_COMPONENTS

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
PARTS = ("context", "mechanism", "outcome")
DIRECT_CODE_PREFIX = "CMOC::"
STANCES = ("refutes", "refines")
HISTORY_COLUMNS = ("cmoc_id", "date", "text")


@dataclass(frozen=True)
class Definitions:
    """The validated codebook and CMOCs, as tables the pipeline joins against."""

    areas: pd.DataFrame  # area_id, area_title
    codes: pd.DataFrame  # code_id, path, role, area, direct_cmoc
    cmocs: pd.DataFrame  # cmoc_id, area, title, if, then, because, quotes (pinned ids, ';')
    cmoc_parts: pd.DataFrame  # cmoc_id, part, code_id
    lookup: dict[str, str]  # normalised path or alias -> code_id
    markers: dict[str, str]  # code_id of a stance marker -> 'refutes' | 'refines'
    #: The team's dated refinement entries: cmoc_id, date, text (oldest first per CMOC).
    history: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame(columns=list(HISTORY_COLUMNS))
    )


def normalise_code(label: str) -> str:
    """Fold case, spacing and the separators tools use for hierarchy ('\\', '/', '>', ':')."""
    # Whitespace runs become one space first, so the separator rule never rescans a long run
    # of spaces (quadratic before: 50,000 spaces took 17 s).
    label = " ".join(str(label).split())
    return re.sub(r" ?(?:::|\\|/|>|:) ?", "::", label).casefold()


def schema_problems(data: object, schema_path: Path) -> list[tuple[str, str]]:
    """Every way `data` breaks its JSON schema, as (where, what) in key order; a failed 'any of'
    says which part failed, and an unexpected key is named."""
    schema = yaml.safe_load(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft202012Validator(schema)
    problems = []
    for problem in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path))):
        while problem.context:
            problem = jsonschema.exceptions.best_match(problem.context)
        where = "/".join(str(p) for p in problem.absolute_path) or "top level"
        problems.append((where, problem.message))
    return list(dict.fromkeys(problems))


def config_problems(config: dict, schema_path: Path, files: list[str]) -> str:
    """The Snakemake config's schema problems, each with the config file that holds the key
    ('--config' when no file does), e.g. 'config/config.yaml: at quotes: ... ('per_cmcc' was
    unexpected)'."""
    texts = {}
    for name in files:
        try:
            texts[name] = yaml.safe_load(Path(name).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            texts[name] = {}
    lines = []
    for where, message in schema_problems(config, schema_path):
        keys = [] if where == "top level" else where.split("/")
        unexpected = re.findall(r"'([^']+)' (?:was|were) unexpected", message)
        keys += unexpected[:1]
        holders = [name for name, data in texts.items() if _holds(data, keys)]
        lines.append(f"{' and '.join(holders) or '--config'}: at {where}: {message}")
    return "\n".join(lines)


def _holds(data: object, keys: list[str]) -> bool:
    """Whether nested mappings/lists hold the path of keys."""
    for key in keys:
        if isinstance(data, dict) and key in data:
            data = data[key]
        elif isinstance(data, list) and key.isdigit() and int(key) < len(data):
            data = data[int(key)]
        else:
            return False
    return True


def load_validated_yaml(
    path: Path, schema_path: Path, error: type[PipelineError] = ConfigError
) -> dict:
    """A YAML settings file checked against its JSON schema; problems name the file and key."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as problem:
        raise error(f"{path}: cannot read ({problem})") from problem
    problems = schema_problems(data, schema_path)
    if problems:
        raise error(f"{path}: {'; '.join(f'at {where}: {message}' for where, message in problems)}")
    return data


def load_codebook(codebook_path: str | Path) -> dict:
    """The codebook checked on its own: schema, unique ids, known areas, unambiguous labels."""
    codebook = load_validated_yaml(Path(codebook_path), SCHEMA_DIR / "codebook.schema.yaml")
    _require_unique(pd.Series([a["id"] for a in codebook["areas"]]), f"{codebook_path}: area id")
    _require_unique(pd.Series([c["id"] for c in codebook["codes"]]), f"{codebook_path}: code id")
    _check_codes(codebook["codes"], {a["id"] for a in codebook["areas"]}, codebook_path)
    _build_lookup(codebook["codes"], pd.DataFrame({"code_id": [], "path": []}), codebook_path)
    return codebook


def load_definitions(codebook_path: str | Path, cmocs_path: str | Path) -> Definitions:
    """Read both files; any reference to an undefined area or code is a configuration error."""
    codebook = load_codebook(codebook_path)
    cmoc_data = load_validated_yaml(Path(cmocs_path), SCHEMA_DIR / "cmocs.schema.yaml")
    areas = pd.DataFrame(
        [{"area_id": a["id"], "area_title": a["title"]} for a in codebook["areas"]]
    )
    area_ids = set(areas["area_id"])
    codes = pd.DataFrame(
        [
            {
                "code_id": c["id"],
                "path": c["path"],
                "role": c["role"],
                "area": c.get("area"),
                "direct_cmoc": None,
            }
            for c in codebook["codes"]
        ]
    )
    markers = _check_codes(codebook["codes"], area_ids, codebook_path)
    cmocs = _cmoc_table(cmoc_data["cmocs"])
    history = _history_table(cmoc_data["cmocs"])
    _require_unique(cmocs["cmoc_id"], f"{cmocs_path}: CMOC id")
    roles = dict(zip(codes["code_id"], codes["role"], strict=True))
    part_rows = [
        row for cmoc in cmoc_data["cmocs"] for row in _cmoc_parts(cmoc, area_ids, roles, cmocs_path)
    ]
    direct = _direct_codes(cmocs)
    codes = pd.concat([codes, direct], ignore_index=True)
    lookup = _build_lookup(codebook["codes"], direct, codebook_path)
    return Definitions(areas, codes, cmocs, pd.DataFrame(part_rows), lookup, markers, history)


def _cmoc_table(cmocs: list[dict]) -> pd.DataFrame:
    """One row per CMOC: its area, title, if/then/because narrative, pinned quotes, judgement."""
    return pd.DataFrame(
        [
            {
                "cmoc_id": m["id"],
                "area": m["area"],
                "title": m["title"],
                "if": m["narrative"]["if"],
                "then": m["narrative"]["then"],
                "because": m["narrative"]["because"],
                "quotes": ";".join(m.get("quotes", [])),
                **judgement_fields(m),
            }
            for m in cmocs
        ]
    )


def _history_table(cmocs: list[dict]) -> pd.DataFrame:
    """Each CMOC's dated history entries, oldest first."""
    return pd.DataFrame(
        [
            {"cmoc_id": m["id"], "date": entry["date"], "text": entry["text"]}
            for m in cmocs
            for entry in sorted(m.get("history", []), key=lambda e: e["date"])
        ],
        columns=list(HISTORY_COLUMNS),
    )


def _cmoc_parts(
    cmoc: dict, area_ids: set[str], roles: dict[str, str], cmocs_path: str | Path
) -> list[dict[str, str]]:
    """One CMOC's context, mechanism and outcome codes, each checked against the codebook."""
    if cmoc["area"] not in area_ids:
        raise ConfigError(
            f"{cmocs_path}: CMOC '{cmoc['id']}' names area '{cmoc['area']}', "
            f"which the codebook does not define"
        )
    rows = []
    for part in PARTS:
        repeated = sorted({c for c in cmoc[part] if cmoc[part].count(c) > 1})
        if repeated:
            raise ConfigError(
                f"{cmocs_path}: CMOC '{cmoc['id']}' lists {repeated} more than once in its {part}"
            )
        for code_id in cmoc[part]:
            if code_id not in roles:
                raise ConfigError(
                    f"{cmocs_path}: CMOC '{cmoc['id']}' {part} refers to code '{code_id}', "
                    "which is not in the codebook"
                )
            if roles[code_id] != part:
                raise ConfigError(
                    f"{cmocs_path}: CMOC '{cmoc['id']}' uses '{code_id}' as its {part}, "
                    f"but the codebook tags it as {roles[code_id]}"
                )
            rows.append({"cmoc_id": cmoc["id"], "part": part, "code_id": code_id})
    return rows


def _direct_codes(cmocs: pd.DataFrame) -> pd.DataFrame:
    """A code per CMOC ("cmoc_<id>") for excerpts coded to the CMOC itself."""
    return pd.DataFrame(
        {
            "code_id": [f"cmoc_{m}" for m in cmocs["cmoc_id"]],
            "path": [f"{DIRECT_CODE_PREFIX}{m}" for m in cmocs["cmoc_id"]],
            "role": "none",
            "area": cmocs["area"],
            "direct_cmoc": cmocs["cmoc_id"],
        }
    )


def judgement_fields(cmoc: dict) -> dict[str, str | None]:
    """The team's optional status, confidence and CERQual rationale of one CMOC as flat
    columns (None when not given), so they reach results/cmoc_summary.csv with the counts."""
    rationale = cmoc.get("rationale", {})
    return {
        "status": cmoc.get("status"),
        "confidence": cmoc.get("confidence"),
        **{f"rationale_{part}": rationale.get(part) for part in RATIONALE_COMPONENTS},
    }


def _check_codes(codes: list[dict], area_ids: set[str], source: object) -> dict[str, str]:
    """Areas must exist and only role-none codes may mark a stance; returns the stance markers."""
    markers: dict[str, str] = {}
    for code in codes:
        if code.get("area") is not None and code["area"] not in area_ids:
            raise ConfigError(
                f"{source}: code '{code['id']}' names area '{code['area']}', "
                f"which is not among the areas {sorted(area_ids)}"
            )
        stance = code.get("stance")
        if stance is not None and code["role"] != "none":
            raise ConfigError(
                f"{source}: code '{code['id']}' marks evidence as '{stance}' but has role "
                f"'{code['role']}'; stance markers must have role none"
            )
        if stance is not None:
            markers[code["id"]] = stance
    return markers


def _require_unique(values: pd.Series, what: str) -> None:
    repeated = sorted(values[values.duplicated()].unique())
    if repeated:
        raise ConfigError(f"{what}s must be unique; repeated: {repeated}")


def _build_lookup(codes: list[dict], direct: pd.DataFrame, source: object) -> dict[str, str]:
    lookup: dict[str, str] = {}
    entries = [(c["id"], label) for c in codes for label in [c["path"], *c.get("aliases", [])]]
    entries += list(zip(direct["code_id"], direct["path"], strict=True))
    for code_id, label in entries:
        key = normalise_code(label)
        if lookup.get(key, code_id) != code_id:
            raise ConfigError(
                f"{source}: '{label}' would mean both '{lookup[key]}' and '{code_id}'"
            )
        lookup[key] = code_id
    return lookup
