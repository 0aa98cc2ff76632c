# Memos: the analysts' REFI-QDA Notes, screened like excerpts, then tied to the CMOCs whose codes
# they discuss (report appendix "How the programme theory was refined").


rule extract_memos:
    input:
        exports=[BATCHES[name] for name in refi_batches()],
        manifests=[FINGERPRINTS[f"batch:{name}"] for name in refi_batches()],
        # table batches write memos in columns beside their codings (ingest's `memo`)
        tables=expand(
            rules.ingest_batch.output.excerpts,
            batch=[name for name in sorted(BATCHES) if name not in refi_batches()],
        ),
        participants=rules.validate_registers.output.participants,
        name_list=private_name_list(),
        code=package_modules("analysis.memos"),
    output:
        memos=f"{INTERIM}/memos/memos.parquet",
        hits=f"{INTERIM}/memos/privacy_hits.csv",
    log:
        "logs/extract_memos/memos.log",
    benchmark:
        "benchmarks/extract_memos/memos.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        batches=refi_batches(),
        name_list=config["privacy"].get("name_list"),
        place_list=config["privacy"].get("place_list"),
    script:
        "../scripts/extract_memos.py"


rule attach_memos_to_cmocs:
    input:
        memos=rules.extract_memos.output.memos,
        codebook=config["codebook"],
        cmocs=config["cmocs"],
        code=package_modules("analysis.memos"),
    output:
        memos=report(
            "results/memos.csv",
            caption="../report/memos.rst",
            category="Evidence",
        ),
        cmoc_memos=report(
            "results/cmoc_memos.csv",
            caption="../report/cmoc_memos.rst",
            category="Evidence",
        ),
    log:
        "logs/attach_memos_to_cmocs/memos.log",
    benchmark:
        "benchmarks/attach_memos_to_cmocs/memos.tsv"
    conda:
        "../envs/realist-report.yaml"
    script:
        "../scripts/attach_memos_to_cmocs.py"
