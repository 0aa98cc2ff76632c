"""Rule aggregate_cmoc_evidence: link excerpts to CMOCs; count, rate, break down and quote."""

from realist_report.analysis.evidence import run_aggregate
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_aggregate(
        list(snakemake.input.clean),
        snakemake.input.participants,
        snakemake.input.codebook,
        snakemake.input.cmocs,
        linking=dict(snakemake.params.linking),
        strength=list(snakemake.params.strength),
        refuting=dict(snakemake.params.refuting),
        quotes=dict(snakemake.params.quotes),
        for_whom=dict(snakemake.params.for_whom),
        min_cell_size=int(snakemake.params.min_cell_size),
        change_thresholds=dict(snakemake.params.wave_change),
        outputs=dict(snakemake.output.items()),
        link_paths=list(snakemake.input.links),
        quarantine_paths=list(snakemake.input.quarantine),
        sites_path=snakemake.input.sites,
        min_attribution=snakemake.params.min_attribution,
        suppressed_marker=snakemake.params.suppressed_marker,
    )
