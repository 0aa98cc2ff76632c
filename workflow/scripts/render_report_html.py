"""Rule render_report_html: computed context -> jinja2 -> HTML edition of the report."""

from realist_report.report.context import render_request, run_render_html, write_render_request
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    request = render_request(dict(snakemake.input.items()), snakemake.params.narrative)
    run_render_html(
        request.tables,
        request.figures,
        dict(snakemake.params.settings),
        dict(snakemake.params.study),
        snakemake.output.html,
        checks_out=snakemake.output.checks,
        narrative_dir=request.narrative_dir,
        narrative_paths=list(snakemake.input.narrative),
        options=dict(snakemake.params.options),
    )
    write_render_request(request, snakemake.output.request)
