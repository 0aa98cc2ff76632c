"""Rule write_evidence_workbook: results/evidence.xlsx, one sheet per evidence table."""

from realist_report.report.office import run_write_workbook
from realist_report.runner.rule_logging import rule_logging

with rule_logging(snakemake):
    tables = {
        name: path for name, path in snakemake.input.items() if name not in ("snapshot", "code")
    }
    run_write_workbook(tables, snakemake.input.snapshot, snakemake.output.workbook)
