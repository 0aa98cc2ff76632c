"""Rule publish_report: screen the rendered HTML and PDF for identifiers, then publish them."""

from realist_report.privacy import run_publish_report
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_publish_report(
        snakemake.input.html,  # noqa: F821
        snakemake.input.pdf,  # noqa: F821
        snakemake.input.participants,  # noqa: F821
        snakemake.params.name_list,  # noqa: F821
        list(snakemake.params.allowed),  # noqa: F821
        snakemake.output.html,  # noqa: F821
        snakemake.output.pdf,  # noqa: F821
        snakemake.params.place_list,  # noqa: F821
    )
