"""Rule compare_with_previous_build: snapshot this build's evidence, list what changed."""

from realist_report.audit import run_compare_with_previous_build
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_compare_with_previous_build(
        manifest=snakemake.input.manifest,  # noqa: F821
        summary=snakemake.input.summary,  # noqa: F821
        clean=list(snakemake.input.clean),  # noqa: F821
        evidence_snapshot_path=snakemake.input.evidence_snapshot,  # noqa: F821
        archive=snakemake.params.archive,  # noqa: F821
        strength=list(snakemake.params.strength),  # noqa: F821
        outputs=dict(snakemake.output.items()),  # noqa: F821
    )
