"""Rule link_site_evidence: link one batch's rows of one site group to CMOCs (one shard)."""

from realist_report.linking import run_link_shard
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_link_shard(
        snakemake.input.clean,  # noqa: F821
        snakemake.input.codebook,  # noqa: F821
        snakemake.input.cmocs,  # noqa: F821
        group=int(snakemake.wildcards.site_group),  # noqa: F821
        groups=int(snakemake.params.groups),  # noqa: F821
        linking=dict(snakemake.params.linking),  # noqa: F821
        out=snakemake.output.links,  # noqa: F821
    )
