"""Rule record_build_inputs: checksum the inputs, digest settings and code, derive the build id."""

from realist_report.audit.provenance import run_record_build_inputs
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_record_build_inputs(
        dataset=snakemake.params.dataset,
        registers=[snakemake.input.sites, snakemake.input.participants],
        batches=dict(snakemake.params.batches),
        quality=snakemake.input.quality,
        definitions={
            "codebook": snakemake.input.codebook,
            "cmocs": snakemake.input.cmocs,
            "formats": snakemake.input.formats,
        },
        config=dict(snakemake.params.config),
        code=list(snakemake.input.code),
        out=snakemake.output.manifest,
        dataset_manifest=snakemake.input.dataset_manifest,
    )
