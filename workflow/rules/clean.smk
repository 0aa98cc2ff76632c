rule clean_batch:
    input:
        excerpts=rules.ingest_batch.output.excerpts,
        sites=rules.validate_registers.output.sites,
        participants=rules.validate_registers.output.participants,
        codebook=config["codebook"],
        cmocs=config["cmocs"],
        code=package_modules("analysis.clean"),
    output:
        clean=f"{INTERIM}/clean/{{batch}}.parquet",
        quarantine=f"{INTERIM}/quarantine/{{batch}}.parquet",
        counts=f"{INTERIM}/counts/{{batch}}.json",
    log:
        "logs/clean_batch/{batch}.log",
    benchmark:
        "benchmarks/clean_batch/{batch}.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        on_invalid=config["cleaning"]["on_invalid"],
        design=config["design"],
    script:
        "../scripts/clean_batch.py"


rule collect_data_quality:
    input:
        counts=per_batch(f"{INTERIM}/counts/{{batch}}.json"),
        quarantine=per_batch(f"{INTERIM}/quarantine/{{batch}}.parquet"),
        code=package_modules("analysis.clean"),
    output:
        quarantine=report(
            "results/quarantine.csv",
            caption="../report/quarantine.rst",
            category="Data quality",
        ),
        quality=report(
            "results/data_quality.csv",
            caption="../report/data_quality.rst",
            category="Data quality",
        ),
    log:
        "logs/collect_data_quality/quality.log",
    benchmark:
        "benchmarks/collect_data_quality/quality.tsv"
    conda:
        "../envs/realist-report.yaml"
    script:
        "../scripts/collect_data_quality.py"
