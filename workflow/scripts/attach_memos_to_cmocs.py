"""Rule attach_memos_to_cmocs: screened memos for reviewers, and each CMOC's memos."""

from realist_report.analysis.memos import run_attach_memos
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_attach_memos(
        snakemake.input.memos,
        snakemake.input.codebook,
        snakemake.input.cmocs,
        out_memos=snakemake.output.memos,
        out_cmoc_memos=snakemake.output.cmoc_memos,
    )
