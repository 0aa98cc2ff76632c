"""Rule publish_report: screen the rendered HTML, PDF and Word editions, then publish them."""

from realist_report.publish import run_publish_report
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    editions = ("html", "pdf", "docx")
    run_publish_report(
        {key: snakemake.input[key] for key in editions},  # noqa: F821
        snakemake.input.participants,  # noqa: F821
        snakemake.params.name_list,  # noqa: F821
        list(snakemake.params.allowed),  # noqa: F821
        {key: snakemake.output[key] for key in editions},  # noqa: F821
        snakemake.params.place_list,  # noqa: F821
    )
