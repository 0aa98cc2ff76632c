"""Rule redact_batch: typed placeholders over identifiers in one batch; hit log without values."""

from realist_report.privacy import run_redact_batch
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_redact_batch(
        snakemake.input.clean,  # noqa: F821
        snakemake.input.participants,  # noqa: F821
        snakemake.params.name_list,  # noqa: F821
        snakemake.output.redacted,  # noqa: F821
        snakemake.output.hits,  # noqa: F821
        snakemake.params.place_list,  # noqa: F821
    )
