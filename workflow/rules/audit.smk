# Audit trail: what went in (checksums, settings, code, software), what changed since the
# previous different build, and what came out. Archived builds live in ARCHIVE (git-ignored
# state across builds); no rule declares it as input, so a no-op rebuild stays a no-op.
ARCHIVE = "archive"
CODE_FILES = sorted(
    {
        workflow_path("Snakefile"),
        *workflow_files("workflow/realist_report", "**/*.py"),
        *workflow_files("workflow/realist_demo", "*.py"),
        *workflow_files("workflow/scripts", "*.py"),
        *workflow_files("workflow/rules", "*.smk"),
        *TEMPLATE_FILES,
        *EXPLORER_FILES,
        WORD_FILTER,
    }
)


rule record_build_inputs:
    input:
        sites=DATASET / "sites.csv",
        participants=DATASET / "participants.csv",
        batches=[BATCHES[name] for name in sorted(BATCHES)],
        dataset_manifest=FINGERPRINTS["dataset"],
        quality=rules.collect_data_quality.output.quality,
        codebook=config["codebook"],
        cmocs=config["cmocs"],
        formats=rules.ingest_batch.input.formats,
        code=CODE_FILES,
    output:
        manifest=f"{INTERIM}/audit/build_inputs.json",
    log:
        "logs/record_build_inputs/manifest.log",
    benchmark:
        "benchmarks/record_build_inputs/manifest.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        # the data set folder, from the input paths: inputs are labelled relative to it
        dataset=lambda wildcards, input: os.path.dirname(input.sites),
        batches={name: str(path) for name, path in BATCHES.items()},
        config={key: value for key, value in config.items() if key != "dataset"},
    script:
        "../scripts/record_build_inputs.py"


rule compare_with_previous_build:
    input:
        manifest=rules.record_build_inputs.output.manifest,
        summary=rules.aggregate_cmoc_evidence.output.summary_parquet,
        evidence_snapshot=rules.aggregate_cmoc_evidence.output.snapshot,
        clean=per_batch(rules.clean_batch.output.clean),
        code=package_modules("audit.provenance"),
    output:
        snapshot=f"{INTERIM}/audit/evidence_snapshot.json",
        summary=f"{INTERIM}/audit/changes.json",
        changes=report(
            "results/changes.csv",
            caption="../report/changes.rst",
            category="Audit",
        ),
    log:
        "logs/compare_with_previous_build/changes.log",
    benchmark:
        "benchmarks/compare_with_previous_build/changes.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        archive=ARCHIVE,
        strength=config["strength"],
    script:
        "../scripts/compare_with_previous_build.py"


rule write_provenance:
    input:
        manifest=rules.record_build_inputs.output.manifest,
        snapshot=rules.compare_with_previous_build.output.snapshot,
        # a function: evaluated once every rule file (report.smk too) has been read
        outputs=lambda wildcards: audited_outputs(),
        code=package_modules("audit.provenance"),
    output:
        provenance=report(
            "results/provenance.json",
            caption="../report/provenance.rst",
            category="Audit",
        ),
    log:
        "logs/write_provenance/provenance.log",
    benchmark:
        "benchmarks/write_provenance/provenance.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        archive=ARCHIVE,
    script:
        "../scripts/write_provenance.py"
