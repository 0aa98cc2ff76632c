"""Rule write_provenance: checksum every output into results/provenance.json, archive the build."""

from realist_report.audit import run_write_provenance
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_write_provenance(
        manifest=snakemake.input.manifest,  # noqa: F821
        snapshot=snakemake.input.snapshot,  # noqa: F821
        outputs=list(snakemake.input.outputs),  # noqa: F821
        archive=snakemake.params.archive,  # noqa: F821
        out=snakemake.output.provenance,  # noqa: F821
    )
