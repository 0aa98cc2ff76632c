"""Rule clean_batch: validate one batch; clean rows, quarantine and row accounting."""

from realist_report.clean import run_clean
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_clean(
        snakemake.input.excerpts,  # noqa: F821
        snakemake.input.sites,  # noqa: F821
        snakemake.input.participants,  # noqa: F821
        snakemake.input.codebook,  # noqa: F821
        snakemake.input.cmocs,  # noqa: F821
        snakemake.params.on_invalid,  # noqa: F821
        snakemake.output.clean,  # noqa: F821
        snakemake.output.quarantine,  # noqa: F821
        snakemake.output.counts,  # noqa: F821
    )
