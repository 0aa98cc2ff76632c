rule plot_figure:
    input:
        participants=rules.validate_registers.output.participants,
        cmoc_summary=rules.aggregate_cmoc_evidence.output.summary_parquet,
        evidence_matrix=rules.aggregate_cmoc_evidence.output.matrix_parquet,
    output:
        svg=report(
            "results/figures/{figure}.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        "logs/plot_figure/{figure}.log",
    params:
        theme=config["figures"]["theme"],
    script:
        "../scripts/plot_figure.py"
