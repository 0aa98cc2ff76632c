"""Rule trace_rule_graph: the workflow's rule graph from Snakemake, kept as canonical DOT."""

from realist_report.report.rulegraph import run_trace_rule_graph
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_trace_rule_graph(
        snakemake.input.snakefile,
        dict(snakemake.params.config_overrides),
        snakemake.output.dot,
    )
