# Coder agreement (percentage agreement, Krippendorff's alpha) over the linking window's units,
# where two or more coders coded the same sources; the report's Methods print it.
rule assess_coder_agreement:
    input:
        clean=per_batch(rules.redact_batch.output.redacted),
        codebook=config["codebook"],
        cmocs=config["cmocs"],
        code=package_modules("analysis.agreement"),
    output:
        table=report(
            "results/coder_agreement.csv",
            caption="../report/coder_agreement.rst",
            category="Evidence",
        ),
    log:
        "logs/assess_coder_agreement/agreement.log",
    benchmark:
        "benchmarks/assess_coder_agreement/agreement.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        window=config["linking"]["window"],
        coders=config["linking"]["coders"],
    script:
        "../scripts/assess_coder_agreement.py"
