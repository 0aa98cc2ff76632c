# CMOC linking sharded by batch and site group: -c N runs N shards at once, a cluster fans out.
from realist_report.shards import shard_names

SITE_GROUPS = int(config["sharding"]["site_groups"])


wildcard_constraints:
    site_group=r"\d+",


def link_shards() -> list[str]:
    return expand(
        rules.link_site_evidence.output.links,
        batch=sorted(BATCHES),
        site_group=shard_names(SITE_GROUPS),
    )


rule link_site_evidence:
    input:
        # redacted text: the links carry the excerpt text that quotes are chosen from
        clean=rules.redact_batch.output.redacted,
        codebook=config["codebook"],
        cmocs=config["cmocs"],
    output:
        links=f"{INTERIM}/links/{{batch}}/{{site_group}}.parquet",
    log:
        "logs/link_site_evidence/{batch}/{site_group}.log",
    benchmark:
        "benchmarks/link_site_evidence/{batch}/{site_group}.tsv"
    params:
        groups=SITE_GROUPS,
        linking=config["linking"],
    script:
        "../scripts/link_site_evidence.py"
