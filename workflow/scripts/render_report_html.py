"""Rule render_report_html: computed context -> jinja2 -> HTML edition of the report."""

from pathlib import Path

from realist_report.report import run_render_html
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    tables = {
        name: path
        for name, path in snakemake.input.items()  # noqa: F821
        if name not in ("figures", "rulegraph", "templates", "code", "narrative")
    }
    figure_files = [*snakemake.input.figures, snakemake.input.rulegraph]  # noqa: F821
    figures = {Path(path).stem: path for path in figure_files}
    run_render_html(
        tables,
        figures,
        dict(snakemake.params.settings),  # noqa: F821
        dict(snakemake.params.study),  # noqa: F821
        snakemake.output.html,  # noqa: F821
        narrative_dir=snakemake.params.narrative,  # noqa: F821
        narrative_paths=list(snakemake.input.narrative),  # noqa: F821
        options=dict(snakemake.params.options),  # noqa: F821
    )
