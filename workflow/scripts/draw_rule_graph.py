"""Rule draw_rule_graph: the workflow's own rule graph as an SVG figure."""

from realist_report.figures import run_rule_graph
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):
    run_rule_graph(
        snakemake.input.snakefile,
        dict(snakemake.params.config_overrides),
        dict(snakemake.params.modules),
        dict(snakemake.params.theme),
        snakemake.output.svg,
        snakemake.output.dot,
    )
