"""Trace a report number back to its excerpts: ids, origin (file and row, or REFI-QDA GUID), text.

Run from a built working copy:

    python -m realist_report.audit.trace CMOC04                 # every supporting excerpt of CMOC04
    python -m realist_report.audit.trace CMOC04 --cell site=S03  # one cell of the evidence matrix
    python -m realist_report.audit.trace CMOC04 --quote 1        # the excerpts behind exemplar quote 1
    python -m realist_report.audit.trace --candidate 1            # candidate CMOC by rank (or its id)
    python -m realist_report.audit.trace --pair holding+wellbeing  # a code pair's co-occurrence

Text is passed through the privacy screen again before it is printed, so nothing the report
would not show leaves the tool.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

import pandas as pd
import yaml

from realist_report.core.errors import PipelineError
from realist_report.core.tables import read_csv, write_csv
from realist_report.core.vocabulary import use_design
from realist_report.privacy.attribution import (
    AttributionGroups,
    attribution,
    attribution_groups,
    attribution_size,
)

TRACE_COLUMNS = [
    "excerpt_id", "batch", "origin", "participant_id", "role", "site_id", "wave", "code", "text",
]  # fmt: skip
#: What trace prints: the speaker by the attribution rule (attribution.py), never by site alone.
PRINTED_COLUMNS = ["excerpt_id", "batch", "origin", "attribution", "code", "text"]


class TraceError(PipelineError):
    """The thing to trace does not exist in this build's results."""


def _ids(joined: object) -> list[str]:
    """Split a ';'-joined excerpt id list."""
    return [i for i in str(joined).split(";") if i] if isinstance(joined, str) else []


def excerpt_ids_for(
    results: Path, cmoc_id: str, cell: str | None = None, quote: int | None = None
) -> list[str]:
    """Excerpt ids behind a CMOC, one evidence-matrix cell ('site=S03') or one exemplar quote."""
    summary = read_csv(results / "cmoc_summary.csv", dtype=str, keep_default_na=False)
    if cmoc_id not in set(summary["cmoc_id"]):
        known = ", ".join(summary["cmoc_id"])
        raise TraceError(f"CMOC '{cmoc_id}' is not in {results}/cmoc_summary.csv (known: {known})")
    if quote is not None:
        quotes = read_csv(results / "exemplar_quotes.csv", dtype=str, keep_default_na=False)
        own = quotes[(quotes["cmoc_id"] == cmoc_id) & (quotes["quote_number"] == str(quote))]
        if own.empty:
            raise TraceError(f"{cmoc_id} has no exemplar quote number {quote}")
        return _ids(own.iloc[0]["excerpt_ids"])
    if cell is None:
        return _ids(summary.loc[summary["cmoc_id"] == cmoc_id, "excerpt_ids"].iloc[0])
    dimension, _, value = cell.partition("=")
    matrix = read_csv(results / "cmoc_evidence.csv", dtype=str, keep_default_na=False)
    dimension = dimension.strip().replace("_", " ")
    own = matrix[
        (matrix["cmoc_id"] == cmoc_id)
        & (matrix["dimension"] == dimension)
        & (matrix["value"] == value.strip())
    ]
    if own.empty:
        dims = ", ".join(sorted(set(matrix["dimension"])))
        raise TraceError(
            f"no evidence-matrix cell {cmoc_id} x {cell!r}; use DIMENSION=VALUE with a dimension "
            f"of {dims} and a value as in results/cmoc_evidence.csv (e.g. site=S03, wave=followup)"
        )
    return _ids(own.iloc[0]["excerpt_ids"])


def candidate_excerpt_ids(results: Path, candidate: str) -> list[str]:
    """Excerpt ids behind a candidate CMOC, named by its rank ('1') or its id
    ('context+mechanism+outcome'), as in results/candidate_cmocs.csv."""
    table = read_csv(results / "candidate_cmocs.csv", dtype=str, keep_default_na=False)
    own = table[(table["rank"] == candidate.strip()) | (table["candidate_id"] == candidate.strip())]
    if own.empty:
        raise TraceError(
            f"no candidate CMOC {candidate!r} in {results}/candidate_cmocs.csv ({len(table)} "
            "candidates); name one by its rank or its id (context+mechanism+outcome)"
        )
    return _ids(own.iloc[0]["excerpt_ids"])


def pair_excerpt_ids(results: Path, pair: str) -> list[str]:
    """Excerpt ids of a code pair's codings in the units where both codes occur ('a+b', either
    order), as in results/code_cooccurrence.csv."""
    codes = [code.strip() for code in pair.split("+")]
    if len(codes) != 2 or not all(codes):
        raise TraceError(
            f"a code pair is two code ids joined by '+', e.g. holding+wellbeing, not {pair!r}"
        )
    table = read_csv(results / "code_cooccurrence.csv", dtype=str, keep_default_na=False)
    a, b = codes
    own = table[
        ((table["code_a"] == a) & (table["code_b"] == b))
        | ((table["code_a"] == b) & (table["code_b"] == a))
    ]
    if own.empty:
        raise TraceError(
            f"codes {a!r} and {b!r} share no evidence unit in {results}/code_cooccurrence.csv "
            "(code ids as in config/codebook.yaml)"
        )
    return _ids(own.iloc[0]["excerpt_ids"])


def trace_excerpts(
    ids: list[str],
    clean_dir: Path,
    names: list[str],
    places: list[str] = (),
    groups: AttributionGroups | None = None,
) -> pd.DataFrame:
    """The excerpts with their origin, attribution (by the group-size rule; role alone without
    `groups`) and redacted text, in id order."""
    from realist_report.core.tables import read_parquets
    from realist_report.privacy.redact import redact

    paths = sorted(clean_dir.rglob("*.parquet"))  # batches in coded/ sub-folders too
    if not paths:
        raise TraceError(f"no excerpt tables in {clean_dir}; build the report first")
    clean = read_parquets(paths)
    found = clean[clean["excerpt_id"].isin(ids)].drop_duplicates("excerpt_id")
    missing = sorted(set(ids) - set(found["excerpt_id"]))
    if missing:
        raise TraceError(
            f"{len(missing)} excerpt id(s) are not in {clean_dir} (e.g. {missing[0]}); "
            "the results and the interim tables come from different builds: rebuild"
        )
    found = found[[c for c in TRACE_COLUMNS if c in found.columns]].sort_values("excerpt_id")
    found["attribution"] = [
        attribution(row.get("role"), row.get("site_id"), row.get("wave"), groups)
        for row in found.to_dict("records")
    ]
    found = found[[c for c in PRINTED_COLUMNS if c in found.columns]]
    # every printed field, not only the text: source, origin and ids pass the screen too
    return found.assign(
        **{
            column: [
                redact(v, names, places)[0] if isinstance(v, str) else v for v in found[column]
            ]
            for column in found.columns
        }
    )


@functools.cache
def build_config(workdir: Path) -> dict:
    """The built copy's config, read once per run (names, attribution size and design)."""
    return yaml.safe_load((workdir / "config" / "config.yaml").read_text(encoding="utf-8"))


def private_names(workdir: Path, key: str = "name_list") -> list[str]:
    """The optional private name (or place) list the build uses, so trace redacts as the
    report does."""
    from realist_report.privacy.redact import load_name_list

    name_list = (build_config(workdir).get("privacy") or {}).get(key)
    return load_name_list(workdir / name_list) if name_list else []


def registered_groups(workdir: Path) -> AttributionGroups | None:
    """The build's registers counted for the attribution rule, with its configured size."""
    from realist_report.core.tables import read_parquet

    registers = workdir / "data" / "interim" / "registers"
    if not (registers / "participants.parquet").is_file():
        return None
    privacy = {"min_cell_size": 5, **(build_config(workdir).get("privacy") or {})}
    sites = registers / "sites.parquet"
    return attribution_groups(
        read_parquet(registers / "participants.parquet"),
        read_parquet(sites) if sites.is_file() else None,
        attribution_size(privacy),
    )


def format_trace(table: pd.DataFrame) -> str:
    """Readable text: one block per excerpt with its origin line, then the redacted text."""
    blocks = []
    for row in table.to_dict("records"):
        blocks.append(
            f"{row['excerpt_id']}  batch {row['batch']}  origin {row['origin']}\n"
            f'  {row["attribution"]}; code {row["code"]}\n  "{row["text"]}"'
        )
    return "\n".join(blocks)


def main(argv: list[str] | None = None) -> int:
    """Command line: print (or write as CSV) the excerpts behind a CMOC, a cell or a quote."""
    parser = argparse.ArgumentParser(
        prog="python -m realist_report.audit.trace", description=__doc__.splitlines()[0]
    )
    parser.add_argument("cmoc", nargs="?", help="CMOC id, e.g. CMOC04")
    parser.add_argument("--cell", help="evidence-matrix cell as DIMENSION=VALUE, e.g. site=S03")
    parser.add_argument("--quote", type=int, help="exemplar quote number")
    parser.add_argument("--candidate", help="candidate CMOC: rank or id (candidate_cmocs.csv)")
    parser.add_argument("--pair", help="code pair as CODE_A+CODE_B (code_cooccurrence.csv)")
    parser.add_argument("--workdir", type=Path, default=Path("."), help="built working copy")
    parser.add_argument("--csv", type=Path, help="also write the trace as CSV here")
    args = parser.parse_args(argv)
    if sum(bool(x) for x in (args.cmoc, args.candidate, args.pair)) != 1:
        parser.error("name one of: a CMOC id, --candidate RANK_OR_ID, --pair CODE_A+CODE_B")
    results = args.workdir / "results"
    # attributions name roles and sites as the study's design does (vocabulary.use_design)
    use_design(build_config(args.workdir))
    try:
        if args.candidate:
            ids = candidate_excerpt_ids(results, args.candidate)
        elif args.pair:
            ids = pair_excerpt_ids(results, args.pair)
        else:
            ids = excerpt_ids_for(results, args.cmoc, args.cell, args.quote)
        table = trace_excerpts(
            ids,
            # the redact_batch tables (register names redacted too), screened again on print
            args.workdir / "data" / "interim" / "redacted",
            private_names(args.workdir),
            private_names(args.workdir, "place_list"),
            registered_groups(args.workdir),
        )
    except PipelineError as error:
        print(f"trace: {error}", file=sys.stderr)
        return 1
    if args.candidate or args.pair:
        what = f"candidate CMOC {args.candidate}" if args.candidate else f"code pair {args.pair}"
    else:
        what = args.cmoc + (f" cell {args.cell}" if args.cell else "")
        what += f" quote {args.quote}" if args.quote is not None else ""
    print(f"{what}: {len(table)} excerpts")
    print(format_trace(table))
    if args.csv:
        write_csv(table, args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
