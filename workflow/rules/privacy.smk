# Privacy screen: identifiers in excerpt text become typed placeholders before anything that can
# be printed (links, quotes, tables) reads the text; hits are logged by type and excerpt id only.


rule redact_batch:
    input:
        clean=rules.clean_batch.output.clean,
        participants=rules.validate_registers.output.participants,
        name_list=private_name_list(),
        code=package_modules("privacy.redact"),
    output:
        redacted=f"{INTERIM}/redacted/{{batch}}.parquet",
        hits=f"{INTERIM}/privacy/{{batch}}.csv",
    log:
        "logs/redact_batch/{batch}.log",
    benchmark:
        "benchmarks/redact_batch/{batch}.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        name_list=config["privacy"].get("name_list"),
        place_list=config["privacy"].get("place_list"),
    script:
        "../scripts/redact_batch.py"


rule collect_privacy_hits:
    input:
        # memo hits (memos.smk) follow the batches' hits
        hits=[
            *per_batch(rules.ingest_batch.output.hits),
            *per_batch(rules.redact_batch.output.hits),
            f"{INTERIM}/memos/privacy_hits.csv",
        ],
        code=package_modules("privacy.redact"),
    output:
        hits=report(
            "results/privacy_hits.csv",
            caption="../report/privacy_hits.rst",
            category="Data quality",
        ),
    log:
        "logs/collect_privacy_hits/hits.log",
    benchmark:
        "benchmarks/collect_privacy_hits/hits.tsv"
    conda:
        "../envs/realist-report.yaml"
    script:
        "../scripts/collect_privacy_hits.py"
