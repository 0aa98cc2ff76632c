"""Every value placeholder a narrative may use for the current config, with what it prints:

    python -m realist_report.report.placeholders [--config study/config.yaml]   (make placeholders)

The config is read as Snakemake reads it: config/config.yaml, then the given file on top.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from realist_report.core.definitions import load_definitions
from realist_report.core.vocabulary import strength_order, use_design
from realist_report.report.narrative import REFERENCES, placeholder_list

DEFAULT_CONFIG = Path("config/config.yaml")


def merged(base: dict, override: dict) -> dict:
    """Snakemake's --configfile rule: mappings merge key by key, anything else is replaced."""
    out = dict(base)
    for key, value in override.items():
        both = isinstance(value, dict) and isinstance(out.get(key), dict)
        out[key] = merged(out[key], value) if both else value
    return out


def read_config(path: Path | None) -> dict:
    """config/config.yaml (when present) with the study's own config file on top."""
    config = (
        yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
        if DEFAULT_CONFIG.exists()
        else {}
    )
    if path is not None:
        config = merged(config, yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return config


def placeholder_lines(config: dict) -> list[str]:
    """One line per placeholder: '{{ name }}' and what it prints, then the reference kinds."""
    use_design(config)
    cmoc_ids = load_definitions(config["codebook"], config["cmocs"]).cmocs["cmoc_id"].tolist()
    rows = placeholder_list(cmoc_ids, strength_order(config["strength"]))
    width = max(len(name) for name, _ in rows) + 6
    lines = [f"{'{{ ' + name + ' }}':<{width}} {what}" for name, what in rows]
    lines += [
        f"{'{{ ' + kind + '.<name> }}':<{width}} numbered {kind} reference" for kind in REFERENCES
    ]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m realist_report.report.placeholders", description=__doc__
    )
    parser.add_argument("--config", type=Path, help="the study's config file (as for --configfile)")
    args = parser.parse_args(argv)
    print("\n".join(placeholder_lines(read_config(args.config))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
