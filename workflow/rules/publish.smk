# Fail closed: the rendered report is screened for identifiers (HTML text, the PDF's extracted
# text, the Word file's text and the evidence explorer's data) and only then copied to reports/;
# a failed screen leaves no edition there.


rule publish_report:
    input:
        html=rules.render_report_html.output.html,
        pdf=rules.render_report_pdf.output.pdf,
        docx=rules.render_report_docx.output.docx,
        explorer=rules.render_evidence_explorer.output.html,
        participants=rules.validate_registers.output.participants,
        name_list=private_name_list(),
        code=package_modules("report.publish"),
    output:
        html=report(
            "reports/evaluation_report.html",
            caption="../report/report_html.rst",
            category="Report",
        ),
        pdf=report(
            "reports/evaluation_report.pdf",
            caption="../report/report_pdf.rst",
            category="Report",
        ),
        docx=report(
            "reports/evaluation_report.docx",
            caption="../report/report_docx.rst",
            category="Report",
        ),
        explorer=report(
            "reports/evidence_explorer.html",
            caption="../report/evidence_explorer.rst",
            category="Report",
        ),
    log:
        "logs/publish_report/report.log",
    benchmark:
        "benchmarks/publish_report/report.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        name_list=config["privacy"].get("name_list"),
        place_list=config["privacy"].get("place_list"),
        allowed=config["privacy"].get("allowed", []),
    script:
        "../scripts/publish_report.py"
