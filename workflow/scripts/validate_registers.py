"""Rule validate_registers: check sites.csv and participants.csv, store them as parquet."""

from pathlib import Path

from realist_report.ingest.registers import run_validate_registers
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    run_validate_registers(
        Path(snakemake.input.sites).parent,
        snakemake.output.sites,
        snakemake.output.participants,
        name_list=snakemake.params.name_list,
        max_site_columns=int(snakemake.params.max_site_columns),
    )
