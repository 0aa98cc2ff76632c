"""Site and participant registers: read and validate; file-level faults stop the build."""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from realist_report.core.errors import InputFileError
from realist_report.core.vocabulary import current_design
from realist_report.privacy.redact import (
    find_identifiers,
    kind_counts,
    names_from_registers,
    redact,
)

#: Sites: only `site_id` is required (`region` too when sites are printed by region); every
#: other column is a site attribute; `observation_hours`, when present, is a number.
SITES = pa.DataFrameSchema(
    {
        "site_id": pa.Column(str, unique=True, checks=pa.Check.str_length(min_value=1)),
        "observation_hours": pa.Column(
            float, pa.Check.in_range(0, 1000), coerce=True, required=False
        ),
    },
    strict=False,
    name="sites.csv",
)


def participants_schema() -> pa.DataFrameSchema:
    """participants.csv for the design in use: roles and waves are design.roles / design.waves."""
    design = current_design()
    roles, waves = list(design.role_labels), design.wave_ids
    return pa.DataFrameSchema(
        {
            "participant_id": pa.Column(str, unique=True, checks=pa.Check.str_length(min_value=1)),
            "site_id": pa.Column(str),
            "role": pa.Column(
                str, pa.Check.isin(roles, error=f"one of design.roles: {', '.join(roles)}")
            ),
            "waves": pa.Column(
                str,
                pa.Check(
                    lambda s: s.str.split(";").map(lambda given: set(given) <= set(waves)),
                    element_wise=False,
                    error=f"semicolon-separated waves from design.waves: {', '.join(waves)}",
                ),
            ),
        },
        strict=False,
        name="participants.csv",
    )


def _read_register(path: Path) -> pd.DataFrame:
    """A register as strings, read like the coded tables: UTF-8 (BOM or not), Windows-1252 or
    UTF-16, with comma, semicolon or tab separators; a header without rows is refused."""
    from realist_report.ingest.readers import read_text_records

    if not path.exists():
        raise InputFileError(path, "register not found: the data set folder must contain it")
    records = [r for r in read_text_records(path) if any(cell.strip() for cell in r)]
    header = [cell.strip().lstrip("\ufeff") for cell in records[0]] if records else []
    if len(records) < 2:
        raise InputFileError(
            path, "the register has a header row but no rows below it", row=1 if records else None
        )
    width = len(header)
    long = next((n for n, r in enumerate(records[1:], start=2) if len(r) > width), None)
    if long is not None and any(c.strip() for c in records[long - 1][width:]):
        raise InputFileError(
            path, f"the row has more cells than the header's {width} columns", row=long
        )
    rows = [(r + [""] * width)[:width] for r in records[1:]]
    table = pd.DataFrame(rows, columns=header, dtype=str)
    return table.apply(lambda column: column.str.strip())


def _validate(table: pd.DataFrame, schema: pa.DataFrameSchema, path: Path) -> pd.DataFrame:
    """Validate a register: a missing column names the columns found; a bad value names its
    row, column and what is allowed, never the value (it may be an identifier)."""
    missing = [
        name for name, column in schema.columns.items() if column.required and name not in table
    ]
    if missing:
        raise InputFileError(
            path,
            f"missing column(s) {', '.join(missing)}; columns found: "
            + (", ".join(redact(str(c))[0] for c in table.columns) or "none"),
        )
    try:
        return schema.validate(table, lazy=True)
    except SchemaErrors as errors:
        cases = errors.failure_cases.head(5)
        details = []
        for case in cases.itertuples(index=False):
            row = "" if pd.isna(case.index) else f"row {int(case.index) + 2}, "
            details.append(f"{row}column '{case.column}': expected {_expected(case.check)}")
        raise InputFileError(
            path, "invalid register: " + "; ".join(dict.fromkeys(details))
        ) from None


def _expected(check: object) -> str:
    """A pandera check as what the value should be."""
    text = str(check)
    named = {"field_uniqueness": "a value no other row has", "str_length(1, None)": "a value"}
    return named.get(text, text)


def check_region(sites: pd.DataFrame, max_columns: int, path: Path) -> None:
    """More sites than fit as columns are printed by region, so the register must have one."""
    if len(sites) > max_columns and "region" not in sites:
        raise InputFileError(
            path,
            f"{len(sites)} sites are more than report_layout.max_site_columns ({max_columns}), "
            "so by-site tables print one column per region: add a 'region' column",
            column="region",
        )


#: Register columns printed as they are (report tables, results/, trace): pseudonyms only.
PRINTED_ID_COLUMNS = ("participant_id", "site_id")


def refuse_identifiers_in_ids(table: pd.DataFrame, path: Path, names: list[str]) -> None:
    """Stop the build if a participant or site id is an identifier (an NHS number, a listed
    name): ids cannot be redacted in place, so the message names file, row and column only."""
    for column in (c for c in PRINTED_ID_COLUMNS if c in table.columns):
        for row, value in enumerate(table[column].tolist(), start=2):
            hits = find_identifiers(str(value), names)
            if hits:
                raise InputFileError(
                    path,
                    f"the id looks like a personal identifier ({kind_counts(hits)}); ids are "
                    "printed in the report and results, so use a pseudonym such as P017 or S03",
                    row=row,
                    column=column,
                )


def register_sizes(dataset: str | Path) -> tuple[int | None, int | None]:
    """Sites and participants the registers list, for the rating check when the build starts;
    None for a register that cannot be read (its own check reports why when the build runs)."""
    sizes: list[int | None] = []
    for name, column in (("sites.csv", "site_id"), ("participants.csv", "participant_id")):
        try:
            table = _read_register(Path(dataset) / name)
        except (InputFileError, OSError, ValueError):
            sizes.append(None)
            continue
        ids = table[column].replace("", pd.NA).dropna() if column in table else None
        sizes.append(None if ids is None else int(ids.nunique()))
    return sizes[0], sizes[1]


def load_registers(
    dataset: str | Path,
    private_names: Collection[str] = (),
    max_site_columns: int | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Read sites.csv and participants.csv from a data set folder and check they agree; ids
    are checked against the register's name columns and the private name list."""
    dataset = Path(dataset)
    sites = _validate(_read_register(dataset / "sites.csv"), SITES, dataset / "sites.csv")
    if max_site_columns is not None:
        check_region(sites, max_site_columns, dataset / "sites.csv")
    path = dataset / "participants.csv"
    participants = _validate(_read_register(path), participants_schema(), path)
    names = sorted({*names_from_registers(participants), *private_names})
    refuse_identifiers_in_ids(sites, dataset / "sites.csv", names)
    refuse_identifiers_in_ids(participants, path, names)
    unknown = ~participants["site_id"].isin(sites["site_id"])
    if unknown.any():
        first = participants.index[unknown][0]
        raise InputFileError(
            path,
            # an unknown id is not quoted: it may be anything, a name included
            "the site id is not in sites.csv (compare the two files at this row)",
            row=int(first) + 2,
            column="site_id",
        )
    return sites.reset_index(drop=True), participants.reset_index(drop=True)


def run_validate_registers(
    dataset: str | Path,
    out_sites: str | Path,
    out_participants: str | Path,
    max_site_columns: int | None = None,
    name_list: str | None = None,
) -> None:
    """Rule adapter: validate both registers and store them as parquet."""
    from realist_report.core.tables import write_parquet
    from realist_report.privacy.redact import load_name_list

    sites, participants = load_registers(dataset, load_name_list(name_list), max_site_columns)
    write_parquet(sites, out_sites)
    write_parquet(participants, out_participants)
