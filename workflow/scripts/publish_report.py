"""Rule publish_report: screen the rendered HTML, PDF and Word editions and the
evidence explorer, then publish them."""

from realist_report.report.publish import run_publish_report
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    editions = ("html", "pdf", "docx", "explorer")
    run_publish_report(
        {key: snakemake.input[key] for key in editions},
        snakemake.input.participants,
        snakemake.params.name_list,
        list(snakemake.params.allowed),
        {key: snakemake.output[key] for key in editions},
        snakemake.params.place_list,
    )
