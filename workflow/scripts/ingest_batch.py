"""Rule ingest_batch: one export file -> canonical excerpt table."""

from realist_report.ingest import run_ingest
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_ingest(
        snakemake.input.export,  # noqa: F821
        snakemake.wildcards.batch,  # noqa: F821
        snakemake.input.formats,  # noqa: F821
        snakemake.output.excerpts,  # noqa: F821
        snakemake.params.offset_units,  # noqa: F821
    )
