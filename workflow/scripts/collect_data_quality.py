"""Rule collect_data_quality: every batch's quarantine and row accounting as reviewer CSVs."""

from realist_report.clean import run_collect_quality
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_collect_quality(
        list(snakemake.input.counts),  # noqa: F821
        list(snakemake.input.quarantine),  # noqa: F821
        snakemake.output.quarantine,  # noqa: F821
        snakemake.output.quality,  # noqa: F821
    )
