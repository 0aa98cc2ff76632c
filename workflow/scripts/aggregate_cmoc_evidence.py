"""Rule aggregate_cmoc_evidence: link excerpts to CMOCs; count, rate, break down and quote."""

from realist_report.evidence import run_aggregate
from realist_report.rule_logging import rule_logging

with rule_logging(snakemake):  # noqa: F821
    run_aggregate(
        list(snakemake.input.clean),  # noqa: F821
        snakemake.input.participants,  # noqa: F821
        snakemake.input.codebook,  # noqa: F821
        snakemake.input.cmocs,  # noqa: F821
        linking=dict(snakemake.params.linking),  # noqa: F821
        strength=list(snakemake.params.strength),  # noqa: F821
        quotes=dict(snakemake.params.quotes),  # noqa: F821
        for_whom=dict(snakemake.params.for_whom),  # noqa: F821
        min_cell_size=int(snakemake.params.min_cell_size),  # noqa: F821
        change_thresholds=dict(snakemake.params.wave_change),  # noqa: F821
        outputs=dict(snakemake.output.items()),  # noqa: F821
        link_paths=list(snakemake.input.links),  # noqa: F821
        quarantine_paths=list(snakemake.input.quarantine),  # noqa: F821
    )
