from realist_report.report import html_options, html_settings


rule render_report_html:
    input:
        participants=rules.validate_registers.output.participants,
        sites=rules.validate_registers.output.sites,
        summary=rules.aggregate_cmoc_evidence.output.summary_parquet,
        matrix=rules.aggregate_cmoc_evidence.output.matrix_parquet,
        subgroups=rules.aggregate_cmoc_evidence.output.subgroups_parquet,
        wave_change=rules.aggregate_cmoc_evidence.output.wave_change_parquet,
        snapshot=rules.aggregate_cmoc_evidence.output.snapshot,
        quotes=rules.aggregate_cmoc_evidence.output.quotes,
        agreement=rules.assess_coder_agreement.output.table,
        quality=rules.collect_data_quality.output.quality,
        quarantine=rules.collect_data_quality.output.quarantine,
        memos=rules.attach_memos_to_cmocs.output.memos,
        cmoc_memos=rules.attach_memos_to_cmocs.output.cmoc_memos,
        # the CMOCs' dated history (config/cmocs.yaml: history)
        codebook=config["codebook"],
        cmocs=config["cmocs"],
        build_inputs=rules.record_build_inputs.output.manifest,
        changes=rules.compare_with_previous_build.output.summary,
        candidates=rules.find_candidate_cmocs.output.candidates,
        candidates_summary=rules.find_candidate_cmocs.output.summary,
        figures=rules.draw_figures.output.figures,
        rulegraph=rules.draw_figures.output.rulegraph,
        narrative=narrative_files(config["narrative"]),
        templates=TEMPLATE_FILES,
        code=package_modules("report", "cooccurrence"),
    output:
        # screened by publish_report (publish.smk) before it is copied to reports/
        html=f"{INTERIM}/report/evaluation_report.html",
        # the input paths above by name, so the live preview (make preview) reads what this read
        request=f"{INTERIM}/report/render_request.json",
    log:
        "logs/render_report_html/report.log",
    benchmark:
        "benchmarks/render_report_html/report.tsv"
    params:
        design=config["design"],
        # the folder the narrative files (inputs above) are read from
        narrative=lambda wildcards: config["narrative"],
        # what the HTML prints (report.html_options, html_settings; the live preview, make
        # preview, reads config through the same two functions)
        options=html_options(config),
        study=config["study"],
        settings=html_settings(config),
    script:
        "../scripts/render_report_html.py"


rule render_report_pdf:
    input:
        html=rules.render_report_html.output.html,
        code=package_modules("report"),
    output:
        pdf=f"{INTERIM}/report/evaluation_report.pdf",
    log:
        "logs/render_report_pdf/report.log",
    benchmark:
        "benchmarks/render_report_pdf/report.tsv"
    script:
        "../scripts/render_report_pdf.py"


rule render_report_docx:
    input:
        html=rules.render_report_html.output.html,
        reference=project_or_workflow_file(config["report_options"]["docx_reference"]),
        snapshot=rules.aggregate_cmoc_evidence.output.snapshot,
        lua=WORD_FILTER,
        code=package_modules("office"),
    output:
        docx=f"{INTERIM}/report/evaluation_report.docx",
    log:
        "logs/render_report_docx/report.log",
    benchmark:
        "benchmarks/render_report_docx/report.tsv"
    script:
        "../scripts/render_report_docx.py"


rule write_evidence_workbook:
    input:
        summary=rules.aggregate_cmoc_evidence.output.summary,
        matrix=rules.aggregate_cmoc_evidence.output.matrix,
        evidence_units=rules.aggregate_cmoc_evidence.output.evidence_units,
        quotes=rules.aggregate_cmoc_evidence.output.quotes,
        subgroups=rules.aggregate_cmoc_evidence.output.subgroups,
        wave_change=rules.aggregate_cmoc_evidence.output.wave_change,
        quarantine=rules.collect_data_quality.output.quarantine,
        snapshot=rules.aggregate_cmoc_evidence.output.snapshot,
        code=package_modules("office"),
    output:
        workbook=report(
            "results/evidence.xlsx",
            caption="../report/evidence_workbook.rst",
            category="Evidence",
        ),
    log:
        "logs/write_evidence_workbook/workbook.log",
    benchmark:
        "benchmarks/write_evidence_workbook/workbook.tsv"
    script:
        "../scripts/write_evidence_workbook.py"
