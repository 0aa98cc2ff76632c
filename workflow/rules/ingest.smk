rule validate_registers:
    input:
        sites=DATASET / "sites.csv",
        participants=DATASET / "participants.csv",
        manifest=FINGERPRINTS["registers"],
        # ids are checked against the private name list too: a new entry rechecks them
        name_list=private_name_list(),
        code=package_modules("ingest.registers"),
    output:
        sites=f"{INTERIM}/registers/sites.parquet",
        participants=f"{INTERIM}/registers/participants.parquet",
    log:
        "logs/validate_registers/registers.log",
    benchmark:
        "benchmarks/validate_registers/registers.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        design=config["design"],
        max_site_columns=config["report_layout"]["max_site_columns"],
        name_list=config["privacy"].get("name_list"),
    script:
        "../scripts/validate_registers.py"


rule ingest_batch:
    input:
        export=batch_file,
        manifest=batch_fingerprint,
        formats=config["formats"],
        # a REFI-QDA project's names are screened as they are read (qdpx.MetadataScreen)
        participants=rules.validate_registers.output.participants,
        name_list=private_name_list(),
        code=package_modules("ingest.batch"),
    output:
        excerpts=f"{INTERIM}/ingested/{{batch}}.parquet",
        # identifiers screened out of a REFI-QDA project's metadata, by kind (no values)
        hits=f"{INTERIM}/ingested/{{batch}}.hits.csv",
    log:
        "logs/ingest_batch/{batch}.log",
    benchmark:
        "benchmarks/ingest_batch/{batch}.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        offset_units=config["qdpx"]["offset_units"],
        name_list=config["privacy"].get("name_list"),
        place_list=config["privacy"].get("place_list"),
    script:
        "../scripts/ingest_batch.py"
