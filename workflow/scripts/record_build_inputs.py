"""Rule record_build_inputs: checksum the inputs, digest settings and code, derive the build id."""

from realist_report.audit import run_record_build_inputs
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_record_build_inputs(
        dataset=snakemake.params.dataset,  # noqa: F821
        registers=[snakemake.input.sites, snakemake.input.participants],  # noqa: F821
        batches=dict(snakemake.params.batches),  # noqa: F821
        quality=snakemake.input.quality,  # noqa: F821
        definitions={
            "codebook": snakemake.input.codebook,  # noqa: F821
            "cmocs": snakemake.input.cmocs,  # noqa: F821
            "formats": snakemake.input.formats,  # noqa: F821
        },
        config=dict(snakemake.params.config),  # noqa: F821
        code=list(snakemake.input.code),  # noqa: F821
        out=snakemake.output.manifest,  # noqa: F821
        dataset_manifest=snakemake.input.dataset_manifest,  # noqa: F821
    )
