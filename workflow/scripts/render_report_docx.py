"""Rule render_report_docx: the Word edition of the report (pandoc, reference.docx styles)."""

from realist_report.report.office import run_render_docx
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_render_docx(
        snakemake.input.html,
        snakemake.input.reference,
        snakemake.input.snapshot,
        snakemake.output.docx,
        build_inputs=snakemake.input.build_inputs,
        narrative_dir=snakemake.params.narrative,
        study_title=snakemake.params.study_title,
        paper=snakemake.params.paper,
    )
