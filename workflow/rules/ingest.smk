rule validate_registers:
    input:
        sites=DATASET / "sites.csv",
        participants=DATASET / "participants.csv",
        manifest=FINGERPRINTS["registers"],
        code=package_modules("registers"),
    output:
        sites=f"{INTERIM}/registers/sites.parquet",
        participants=f"{INTERIM}/registers/participants.parquet",
    log:
        "logs/validate_registers/registers.log",
    benchmark:
        "benchmarks/validate_registers/registers.tsv"
    script:
        "../scripts/validate_registers.py"


rule ingest_batch:
    input:
        export=batch_file,
        manifest=batch_fingerprint,
        formats=config["formats"],
        code=package_modules("ingest"),
    output:
        excerpts=f"{INTERIM}/ingested/{{batch}}.parquet",
    log:
        "logs/ingest_batch/{batch}.log",
    benchmark:
        "benchmarks/ingest_batch/{batch}.tsv"
    params:
        offset_units=config["qdpx"]["offset_units"],
    script:
        "../scripts/ingest_batch.py"
