"""Rule link_site_evidence: link one batch's rows of one site group to CMOCs (one shard)."""

from realist_report.analysis.linking import run_link_shard
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_link_shard(
        snakemake.input.clean,
        snakemake.input.codebook,
        snakemake.input.cmocs,
        group=int(snakemake.wildcards.site_group),
        groups=int(snakemake.params.groups),
        linking=dict(snakemake.params.linking),
        out=snakemake.output.links,
    )
