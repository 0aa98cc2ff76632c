"""Rule render_evidence_explorer: the reviewers' offline explorer of the evidence behind counts."""

from realist_report.report.explorer import run_render_explorer
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_render_explorer(
        {key: path for key, path in snakemake.input.items() if key != "excerpts"},
        list(snakemake.input.excerpts),
        snakemake.params.study,
        snakemake.output.html,
        snakemake.params.min_attribution,
    )
