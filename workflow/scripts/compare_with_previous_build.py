"""Rule compare_with_previous_build: snapshot this build's evidence, list what changed."""

from realist_report.audit.provenance import run_compare_with_previous_build
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_compare_with_previous_build(
        manifest=snakemake.input.manifest,
        summary=snakemake.input.summary,
        clean=list(snakemake.input.clean),
        evidence_snapshot_path=snakemake.input.evidence_snapshot,
        archive=snakemake.params.archive,
        strength=list(snakemake.params.strength),
        outputs=dict(snakemake.output.items()),
    )
