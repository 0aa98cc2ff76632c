# Analysis aids, never findings: code co-occurrence per evidence unit (linking.window) and
# candidate CMOCs (code triads no configured CMOC covers), each traceable to excerpt ids.
rule find_candidate_cmocs:
    input:
        # redacted text: the same rows CMOC linking reads
        clean=per_batch(rules.redact_batch.output.redacted),
        codebook=config["codebook"],
        cmocs=config["cmocs"],
        code=package_modules("analysis.cooccurrence"),
    output:
        pairs_parquet=f"{INTERIM}/candidates/code_cooccurrence.parquet",
        summary=f"{INTERIM}/candidates/candidates.json",
        pairs=report(
            "results/code_cooccurrence.csv",
            caption="../report/code_cooccurrence.rst",
            category="Analysis aids",
        ),
        candidates=report(
            "results/candidate_cmocs.csv",
            caption="../report/candidate_cmocs.rst",
            category="Analysis aids",
        ),
    log:
        "logs/find_candidate_cmocs/candidates.log",
    benchmark:
        "benchmarks/find_candidate_cmocs/candidates.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        window=config["linking"]["window"],
        coders=config["linking"]["coders"],
        candidates=config["candidates"],
    script:
        "../scripts/find_candidate_cmocs.py"
