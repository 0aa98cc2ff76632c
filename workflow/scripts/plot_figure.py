"""Rule plot_figure: draw one named figure as SVG."""

from realist_report.figures import run_plot
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):
    run_plot(
        snakemake.wildcards.figure,
        {k: v for k, v in snakemake.input.items() if k != "code"},
        dict(snakemake.params.theme),
        snakemake.output.svg,
        dict(snakemake.params.options),
    )
