"""Rule render_report_docx: the Word edition of the report (pandoc, reference.docx styles)."""

from realist_report.office import run_render_docx
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_render_docx(
        snakemake.input.html,  # noqa: F821
        snakemake.input.reference,  # noqa: F821
        snakemake.input.snapshot,  # noqa: F821
        snakemake.output.docx,  # noqa: F821
    )
