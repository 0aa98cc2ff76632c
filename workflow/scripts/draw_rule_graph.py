"""Rule draw_rule_graph: the workflow's own rule graph as an SVG figure."""

from realist_report.figures import run_rule_graph
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_rule_graph(
        snakemake.input.snakefile,  # noqa: F821
        dict(snakemake.params.config_overrides),  # noqa: F821
        dict(snakemake.params.modules),  # noqa: F821
        dict(snakemake.params.theme),  # noqa: F821
        snakemake.output.svg,  # noqa: F821
        snakemake.output.dot,  # noqa: F821
    )
