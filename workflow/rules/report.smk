from realist_report.report.context import html_options, html_settings


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
        # works cited as [@key] and the CSL style they are printed in (realist_report.report.citations)
        bibliography=config["report_options"]["bibliography"] or [],
        csl=project_or_workflow_file(config["report_options"]["csl"]),
        templates=TEMPLATE_FILES,
        code=package_modules("report.context", "analysis.cooccurrence"),
    output:
        # screened by publish_report (publish.smk) before it is copied to reports/
        html=f"{INTERIM}/report/evaluation_report.html",
        # the input paths above by name, so the live preview (make preview) reads what this read
        request=f"{INTERIM}/report/render_request.json",
        # what the team has not yet written (RAMESES II items), printed at the end of the build
        checks=f"{INTERIM}/report/report_checks.txt",
    log:
        "logs/render_report_html/report.log",
    benchmark:
        "benchmarks/render_report_html/report.tsv"
    conda:
        "../envs/realist-report.yaml"
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
        code=package_modules("report.context"),
    output:
        pdf=f"{INTERIM}/report/evaluation_report.pdf",
    log:
        "logs/render_report_pdf/report.log",
    benchmark:
        "benchmarks/render_report_pdf/report.tsv"
    conda:
        "../envs/realist-report.yaml"
    script:
        "../scripts/render_report_pdf.py"


rule render_report_docx:
    input:
        html=rules.render_report_html.output.html,
        reference=project_or_workflow_file(config["report_options"]["docx_reference"]),
        snapshot=rules.aggregate_cmoc_evidence.output.snapshot,
        # the build id and narrative digests the Word file carries for make import-docx
        build_inputs=rules.record_build_inputs.output.manifest,
        narrative=narrative_files(config["narrative"]),
        lua=WORD_FILTER,
        code=package_modules("report.office"),
    output:
        docx=f"{INTERIM}/report/evaluation_report.docx",
    log:
        "logs/render_report_docx/report.log",
    benchmark:
        "benchmarks/render_report_docx/report.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        narrative=lambda wildcards: config["narrative"],
        study_title=config["study"]["title"],
        paper=config["report_options"]["paper"],
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
        code=package_modules("report.office"),
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
    conda:
        "../envs/realist-report.yaml"
    script:
        "../scripts/write_evidence_workbook.py"


onsuccess:
    # the report checks (RAMESES II items not yet reported) close the build log
    if Path(f"{INTERIM}/report/report_checks.txt").is_file():
        print(
            Path(f"{INTERIM}/report/report_checks.txt").read_text(encoding="utf-8"),
            end="",
        )
