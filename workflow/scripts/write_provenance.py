"""Rule write_provenance: checksum every output into results/provenance.json, archive the build."""

from realist_report.audit.provenance import run_write_provenance
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_write_provenance(
        manifest=snakemake.input.manifest,
        snapshot=snakemake.input.snapshot,
        outputs=list(snakemake.input.outputs),
        archive=snakemake.params.archive,
        out=snakemake.output.provenance,
    )
