"""Rule clean_batch: validate one batch; clean rows, quarantine and row accounting."""

from realist_report.analysis.clean import run_clean
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_clean(
        snakemake.input.excerpts,
        snakemake.input.sites,
        snakemake.input.participants,
        snakemake.input.codebook,
        snakemake.input.cmocs,
        snakemake.params.on_invalid,
        snakemake.output.clean,
        snakemake.output.quarantine,
        snakemake.output.counts,
    )
