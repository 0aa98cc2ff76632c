import os

# Tables a figure may need, by the name FIGURES[...].needs uses; figures never re-read raw files.
SUBGROUPS = [
    p
    for p in rules.aggregate_cmoc_evidence.output
    if p.endswith("cmoc_subgroups.parquet")
]
FIGURE_TABLES = {
    "participants": {"participants": rules.validate_registers.output.participants},
    "cmoc_summary": {
        "cmoc_summary": rules.aggregate_cmoc_evidence.output.summary_parquet
    },
    "evidence_matrix": {
        "evidence_matrix": rules.aggregate_cmoc_evidence.output.matrix_parquet
    },
    "definitions": {"codebook": config["codebook"], "cmocs": config["cmocs"]},
    "wave_change": {
        "wave_change": rules.aggregate_cmoc_evidence.output.wave_change_parquet
    },
    # the aggregation step's subgroup table when it exists, else computed from the evidence links
    "subgroups": (
        {"subgroups": SUBGROUPS[0]}
        if SUBGROUPS
        else {
            "participants": rules.validate_registers.output.participants,
            "links": rules.aggregate_cmoc_evidence.output.links,
        }
    ),
}


def figure_inputs(wildcards) -> dict[str, str]:
    """Only the tables this figure is drawn from, so other tables changing leaves it alone."""
    inputs = {}
    for need in FIGURES[wildcards.figure].needs:
        inputs.update(FIGURE_TABLES[need])
    return inputs


rule plot_figure:
    input:
        unpack(figure_inputs),
    output:
        svg=report(
            "results/figures/{figure}.svg",
            caption="../report/figure.rst",
            category="Figures",
        ),
    log:
        "logs/plot_figure/{figure}.log",
    benchmark:
        "benchmarks/plot_figure/{figure}.tsv"
    params:
        theme=config["figures"]["theme"],
        options={"min_cell_size": config["privacy"]["min_cell_size"]},
    script:
        "../scripts/plot_figure.py"


rule draw_rule_graph:
    input:
        # relative paths: a copied or moved project must not look changed
        snakefile=os.path.relpath(workflow.main_snakefile),
        rules=sorted(
            os.path.relpath(p)
            for p in Path(workflow.main_snakefile)
            .parent.joinpath("workflow", "rules")
            .glob("*.smk")
        ),
    output:
        svg=report(
            "results/figures/rulegraph.svg",
            caption="../report/rulegraph.rst",
            category="Figures",
        ),
        dot="results/figures/rulegraph.dot",
    log:
        "logs/draw_rule_graph/rulegraph.log",
    benchmark:
        "benchmarks/draw_rule_graph/rulegraph.tsv"
    params:
        config_overrides={"dataset": config["dataset"]},
        # evaluated when the job runs, once every rule file has been read
        modules=lambda wildcards: {
            r.name: Path(r.snakefile).stem for r in workflow.rules
        },
        theme=config["figures"]["theme"],
    script:
        "../scripts/draw_rule_graph.py"
