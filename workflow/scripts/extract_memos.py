"""Rule extract_memos: every REFI-QDA batch's Notes and what they are attached to, and
the memo columns of table batches, screened."""

from realist_report.analysis.memos import run_extract_memos
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_extract_memos(
        list(snakemake.input.exports),
        list(snakemake.params.batches),
        snakemake.input.participants,
        snakemake.params.name_list,
        snakemake.params.place_list,
        out_memos=snakemake.output.memos,
        out_hits=snakemake.output.hits,
        table_paths=list(snakemake.input.tables),
    )
