"""Rule plot_figure: draw one named figure as SVG."""

from realist_report.figures import run_plot
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_plot(
        snakemake.wildcards.figure,  # noqa: F821
        {k: v for k, v in snakemake.input.items() if k != "code"},  # noqa: F821
        dict(snakemake.params.theme),  # noqa: F821
        snakemake.output.svg,  # noqa: F821
        dict(snakemake.params.options),  # noqa: F821
    )
