"""Rule collect_data_quality: every batch's quarantine and row accounting as reviewer CSVs."""

from realist_report.analysis.clean import run_collect_quality
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_collect_quality(
        list(snakemake.input.counts),
        list(snakemake.input.quarantine),
        snakemake.output.quarantine,
        snakemake.output.quality,
    )
