"""Rule ingest_batch: one export file -> canonical excerpt table."""

from realist_report.ingest import run_ingest
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):
    run_ingest(
        snakemake.input.export,
        snakemake.wildcards.batch,
        snakemake.input.formats,
        snakemake.output.excerpts,
        snakemake.params.offset_units,
    )
