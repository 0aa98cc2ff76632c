"""Rule draw_figures: every figure of the FIGURES registry and the rule graph, as SVG."""

from realist_report.report.figures import FIGURES, run_figures
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_figures(
        {
            "inputs": {k: v for k, v in snakemake.input.items() if k not in ("code", "rulegraph")},
            "needs": {name: list(keys) for name, keys in snakemake.params.needs.items()},
            "outputs": dict(zip(FIGURES, snakemake.output.figures, strict=True)),
            "theme_options": dict(snakemake.params.theme),
            "options": dict(snakemake.params.options),
        },
        {
            "dot": snakemake.input.rulegraph,
            "modules": dict(snakemake.params.modules),
            "svg": snakemake.output.rulegraph,
            "dot_out": snakemake.output.rulegraph_dot,
        },
    )
