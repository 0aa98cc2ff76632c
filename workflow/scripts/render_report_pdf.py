"""Rule render_report_pdf: print the HTML report to PDF with WeasyPrint."""

from realist_report.report.context import run_render_pdf
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_render_pdf(snakemake.input.html, snakemake.output.pdf)
