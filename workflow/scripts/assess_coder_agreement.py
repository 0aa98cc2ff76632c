"""Rule assess_coder_agreement: every batch's codings -> agreement per code, source and overall."""

from realist_report.analysis.agreement import run_assess_agreement
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_assess_agreement(
        list(snakemake.input.clean),
        snakemake.input.codebook,
        snakemake.input.cmocs,
        window=str(snakemake.params.window),
        coders=str(snakemake.params.coders),
        out=snakemake.output.table,
    )
