"""The canonical excerpt table every ingest path produces, and its pandera schemas."""

from __future__ import annotations

import pandera.pandas as pa

from realist_report.core.vocabulary import current_design

#: Columns of the canonical excerpt table, one row per coding of one text span.
EXCERPT_COLUMNS: list[str] = [
    "excerpt_id",  # stable: QDA GUID, or hash of batch + source + offsets + code
    "batch",  # export batch name (file stem under coded/)
    "source_id",  # document / transcript / fieldnote identifier
    "source_type",  # a design.source_types id
    "participant_id",  # pseudonym; null for unattributed fieldnotes
    "role",  # filled from the participant register at clean time
    "site_id",
    "wave",  # a design.waves id
    "collected_on",  # ISO date string or null
    "code",  # full code path, e.g. "Mechanism::micro-discretion"
    "text",
    "start",  # offset in the source text in code points (REFI units converted; nullable)
    "end",  # exclusive end offset (nullable)
    "coder",
    "origin",  # "file.csv:row 12" or "project.qdpx#GUID" for audit
]

#: What ingest must hand to clean: every canonical column present, values still unchecked.
RAW_EXCERPTS = pa.DataFrameSchema(
    {name: pa.Column(nullable=True, required=True) for name in EXCERPT_COLUMNS},
    strict=False,
    name="ingested excerpts",
)


def clean_excerpts_schema() -> pa.DataFrameSchema:
    """What clean guarantees to everything downstream, for the design in use."""
    design = current_design()
    return pa.DataFrameSchema(
        {
            "excerpt_id": pa.Column(str, unique=True),
            "batch": pa.Column(str),
            "source_id": pa.Column(str),
            "source_type": pa.Column(str, pa.Check.isin([t.id for t in design.source_types])),
            "participant_id": pa.Column(str, nullable=True),
            "role": pa.Column(str, pa.Check.isin(list(design.role_labels)), nullable=True),
            "site_id": pa.Column(str),
            "wave": pa.Column(str, pa.Check.isin(design.wave_ids)),
            "collected_on": pa.Column(str, nullable=True),
            "code": pa.Column(str),
            "text": pa.Column(str, pa.Check.str_length(min_value=1)),
            "start": pa.Column("Int64", nullable=True),
            "end": pa.Column("Int64", nullable=True),
            "coder": pa.Column(str, nullable=True),
            "origin": pa.Column(str),
        },
        strict=False,
        coerce=True,
        name="clean excerpts",
    )
