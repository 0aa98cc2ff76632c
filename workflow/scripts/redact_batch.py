"""Rule redact_batch: typed placeholders over identifiers in one batch; hit log without values."""

from realist_report.privacy.redact import run_redact_batch
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_redact_batch(
        snakemake.input.clean,
        snakemake.input.participants,
        snakemake.params.name_list,
        snakemake.output.redacted,
        snakemake.output.hits,
        snakemake.params.place_list,
    )
