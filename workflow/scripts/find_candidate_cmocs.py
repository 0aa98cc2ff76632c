"""Rule find_candidate_cmocs: code co-occurrence per evidence unit and candidate CMOCs."""

from realist_report.analysis.cooccurrence import run_cooccurrence
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_cooccurrence(
        list(snakemake.input.clean),
        snakemake.input.codebook,
        snakemake.input.cmocs,
        window=str(snakemake.params.window),
        coders=str(snakemake.params.coders),
        candidates=dict(snakemake.params.candidates),
        outputs=dict(snakemake.output.items()),
    )
