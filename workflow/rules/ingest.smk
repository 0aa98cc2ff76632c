rule validate_registers:
    input:
        sites=DATASET / "sites.csv",
        participants=DATASET / "participants.csv",
    output:
        sites=f"{INTERIM}/registers/sites.parquet",
        participants=f"{INTERIM}/registers/participants.parquet",
    log:
        "logs/validate_registers/registers.log",
    script:
        "../scripts/validate_registers.py"


rule ingest_batch:
    input:
        export=batch_file,
        formats="config/formats.yaml",
    output:
        excerpts=f"{INTERIM}/ingested/{{batch}}.parquet",
    log:
        "logs/ingest_batch/{batch}.log",
    script:
        "../scripts/ingest_batch.py"
