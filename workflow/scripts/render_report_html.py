"""Rule render_report_html: computed context -> jinja2 -> HTML edition of the report."""

from pathlib import Path

from realist_report.report import run_render_html
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):
    tables = {
        name: path
        for name, path in snakemake.input.items()
        if name not in ("figures", "rulegraph", "templates", "code", "narrative")
    }
    figure_files = [*snakemake.input.figures, snakemake.input.rulegraph]
    figures = {Path(path).stem: path for path in figure_files}
    run_render_html(
        tables,
        figures,
        dict(snakemake.params.settings),
        dict(snakemake.params.study),
        snakemake.output.html,
        checks_out=snakemake.output.checks,
        narrative_dir=snakemake.params.narrative,
        narrative_paths=list(snakemake.input.narrative),
        options=dict(snakemake.params.options),
    )
