# Realist evaluation report pipeline: coded qualitative data -> audited PDF report.
# Read as a table of contents; the steps live in workflow/rules/*.smk.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/clean.smk"
include: "workflow/rules/privacy.smk"
include: "workflow/rules/linking.smk"
include: "workflow/rules/evidence.smk"
include: "workflow/rules/candidates.smk"
include: "workflow/rules/memos.smk"
include: "workflow/rules/agreement.smk"
include: "workflow/rules/figures.smk"
include: "workflow/rules/audit.smk"
include: "workflow/rules/report.smk"
include: "workflow/rules/explorer.smk"
include: "workflow/rules/publish.smk"


rule all:
    default_target: True
    input:
        get_final_output(),
