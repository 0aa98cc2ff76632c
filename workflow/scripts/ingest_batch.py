"""Rule ingest_batch: one export file -> canonical excerpt table."""

from realist_report.ingest.batch import run_ingest
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_ingest(
        snakemake.input.export,
        snakemake.wildcards.batch,
        snakemake.input.formats,
        snakemake.output.excerpts,
        snakemake.params.offset_units,
        screening={
            "participants": snakemake.input.participants,
            "name_list": snakemake.params.name_list,
            "place_list": snakemake.params.place_list,
        },
        hits_out=snakemake.output.hits,
    )
