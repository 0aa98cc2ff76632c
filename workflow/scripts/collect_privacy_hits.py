"""Rule collect_privacy_hits: every batch's redaction log in results/privacy_hits.csv."""

from realist_report.privacy.redact import run_collect_hits
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_collect_hits(list(snakemake.input.hits), snakemake.output.hits)
