# CMOC linking sharded by batch and site group: -c N runs N shards at once, a cluster fans out.
rule link_site_evidence:
    input:
        # redacted text: the links carry the excerpt text that quotes are chosen from
        clean=rules.redact_batch.output.redacted,
        codebook=config["codebook"],
        cmocs=config["cmocs"],
        code=package_modules("analysis.linking"),
    output:
        links=f"{INTERIM}/links/{{batch}}/{{site_group}}.parquet",
    log:
        "logs/link_site_evidence/{batch}/{site_group}.log",
    benchmark:
        "benchmarks/link_site_evidence/{batch}/{site_group}.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        groups=SITE_GROUPS,
        linking=config["linking"],
    script:
        "../scripts/link_site_evidence.py"
