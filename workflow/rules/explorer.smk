# The reviewers' evidence explorer: one offline HTML file in which every count opens the redacted
# excerpts behind it. Built from results/ and the redacted tables; publish_report screens it
# with the other editions before it reaches reports/.


rule render_evidence_explorer:
    input:
        summary=rules.aggregate_cmoc_evidence.output.summary,
        # every unit's participant and site (unpublished): the page keys them by the rule
        units=rules.aggregate_cmoc_evidence.output.evidence_units_parquet,
        subgroups=rules.aggregate_cmoc_evidence.output.subgroups,
        # a quoted excerpt's card names its short reference in the report (E1, E2...)
        quotes=rules.aggregate_cmoc_evidence.output.quotes,
        candidates=rules.find_candidate_cmocs.output.candidates,
        pairs=rules.find_candidate_cmocs.output.pairs,
        agreement=rules.assess_coder_agreement.output.table,
        quarantine=rules.collect_data_quality.output.quarantine,
        build=rules.record_build_inputs.output.manifest,
        # cards name a site only where the role has enough registered people (attribution.py)
        participants=rules.validate_registers.output.participants,
        sites=rules.validate_registers.output.sites,
        excerpts=per_batch(rules.redact_batch.output.redacted),
        templates=EXPLORER_FILES,
        code=package_modules("report.explorer"),
    output:
        # screened by publish_report (publish.smk) before it is copied to reports/
        html=f"{INTERIM}/report/evidence_explorer.html",
    log:
        "logs/render_evidence_explorer/explorer.log",
    benchmark:
        "benchmarks/render_evidence_explorer/explorer.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        study=config["study"],
        min_attribution=attribution_size(config["privacy"]),
    script:
        "../scripts/render_evidence_explorer.py"
