"""The per-format specs of config/formats.yaml: loaded and checked, so a new QDA tool is a
new entry, not code (see the comments there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from realist_report.core.definitions import SCHEMA_DIR, load_validated_yaml
from realist_report.core.errors import ConfigError
from realist_report.core.excerpt_table import EXCERPT_COLUMNS

MAX_TABLE_BYTES = 200 * 1024 * 1024
#: Exports may put a title or notes above the header row (ATLAS.ti "Tabela 1", NVivo reports).
HEADER_SEARCH_ROWS = 20
#: Extra columns ingest adds so clean can quarantine rows with a machine-readable reason.
PROBLEM_COLUMNS = ["problem", "problem_column", "problem_detail"]
ISO_DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[ T]00:00(?::00)?)?$")


@dataclass(frozen=True)
class IngestOptions:
    """Everything in config/formats.yaml: table formats, REFI-QDA defaults and size limits."""

    formats: dict[str, dict]
    qdpx: dict[str, Any] = field(default_factory=dict)
    max_table_bytes: int = MAX_TABLE_BYTES
    #: How a REFI-QDA project's metadata is screened as it is read (refi.MetadataScreen);
    #: the pipeline's ingest always sets one (run_ingest).
    screen: Any = None


# --------------------------------------------------------------------------- configuration


def as_list(value: object) -> list[str]:
    """A header given as one name or a list of alternatives (e.g. English and localised)."""
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def flatten_rules(rules: object) -> list[dict]:
    """Extract rules with YAML-alias lists (a shared naming convention) spliced in place."""
    if not isinstance(rules, list):
        return [rules] if rules else []  # type: ignore[list-item]
    flat: list[dict] = []
    for rule in rules:
        flat.extend(flatten_rules(rule) if isinstance(rule, list) else [rule])
    return flat


def _check_extract(where: str, rules: object) -> None:
    """Each extract rule needs a `from` column and a regex whose named groups are canonical."""
    if rules and not isinstance(rules, list):
        raise ConfigError(f"{where}: `extract` must be a list of {{from, pattern}} rules")
    for rule in flatten_rules(rules):
        if not isinstance(rule, dict) or not {"from", "pattern"} <= set(rule):
            raise ConfigError(f"{where}: every `extract` rule needs `from` and `pattern`")
        try:
            groups = set(re.compile(rule["pattern"]).groupindex)
        except re.error as error:
            raise ConfigError(f"{where}: bad regex {rule['pattern']!r} ({error})") from error
        unknown = groups - set(EXCERPT_COLUMNS)
        if not groups or unknown:
            raise ConfigError(
                f"{where}: pattern {rule['pattern']!r} must name groups after canonical "
                f"columns {EXCERPT_COLUMNS}; unknown or missing: {sorted(unknown) or 'no groups'}"
            )


def _check_value_map(where: str, value_map: object) -> None:
    """A value map is canonical column -> {export value: canonical value}."""
    if not isinstance(value_map, dict) or not all(isinstance(v, dict) for v in value_map.values()):
        raise ConfigError(f"{where}: `value_map` must map a column to {{export value: value}}")
    unknown = set(value_map) - set(EXCERPT_COLUMNS)
    if unknown:
        raise ConfigError(f"{where}: value_map names unknown columns {sorted(unknown)}")


def _check_spec(path: str | Path, name: str, spec: object) -> None:
    """Refuse a format entry with unknown canonical names or unusable regexes (its structure,
    keys included, is checked by workflow/schemas/formats.schema.yaml)."""
    where = f"{path}: format '{name}'"
    unknown = (set(spec.get("columns", {})) | set(spec.get("defaults", {}))) - set(EXCERPT_COLUMNS)
    if unknown:
        raise ConfigError(
            f"{where} maps unknown canonical columns {sorted(unknown)}; "
            f"expected some of {EXCERPT_COLUMNS}"
        )
    _check_extract(where, spec.get("extract", []))
    _check_value_map(where, spec.get("value_map", {}))
    for column, rule in (spec.get("join") or {}).items():
        if column not in EXCERPT_COLUMNS or not isinstance(rule, dict) or "columns" not in rule:
            raise ConfigError(f"{where}: `join` maps a canonical column to {{columns, separator}}")
    for rule in spec.get("reject", []):
        if not isinstance(rule, dict) or not {"from", "pattern", "reason"} <= set(rule):
            raise ConfigError(f"{where}: every `reject` rule needs `from`, `pattern` and `reason`")
    code_columns = spec.get("code_columns")
    if code_columns is not None and (
        not isinstance(code_columns, dict) or "pattern" not in code_columns
    ):
        raise ConfigError(f"{where}: `code_columns` needs a `pattern` with a (?P<code>) group")
    if code_columns is not None:
        try:
            groups = re.compile(code_columns["pattern"]).groupindex
        except re.error as error:
            raise ConfigError(f"{where}: bad code_columns pattern ({error})") from error
        if "code" not in groups:
            raise ConfigError(f"{where}: the code_columns pattern needs a (?P<code>...) group")
    if spec.get("split_codes_pattern"):
        try:
            re.compile(spec["split_codes_pattern"])
        except re.error as error:
            raise ConfigError(f"{where}: bad split_codes_pattern ({error})") from error


def load_ingest_options(path: str | Path) -> IngestOptions:
    """Read and check config/formats.yaml: formats, the `qdpx` section and `limits`; a misspelt
    or misplaced key anywhere is named with the file and where it is."""
    data = load_validated_yaml(Path(path), SCHEMA_DIR / "formats.schema.yaml")
    formats = data["formats"]
    for name, spec in formats.items():
        _check_spec(path, name, spec)
    qdpx = data.get("qdpx") or {}
    unknown = set(qdpx.get("defaults", {})) - set(EXCERPT_COLUMNS)
    if unknown:
        raise ConfigError(f"{path}: qdpx defaults name unknown columns {sorted(unknown)}")
    _check_extract(f"{path}: qdpx", qdpx.get("extract", []))
    _check_value_map(f"{path}: qdpx", qdpx.get("value_map", {}))
    limit_mb = (data.get("limits") or {}).get("max_table_mb")
    max_bytes = int(float(limit_mb) * 1024 * 1024) if limit_mb else MAX_TABLE_BYTES
    return IngestOptions(formats, qdpx, max_bytes)


def load_formats(path: str | Path) -> dict[str, dict]:
    """Read the export-format column mappings from config."""
    return load_ingest_options(path).formats
