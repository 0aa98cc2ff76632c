# Figures (plotnine SVG) drawn from the aggregated tables, all in one job driven by the FIGURES
# registry (one plotnine import for every figure; a new FIGURES entry is drawn with no rule edit),
# and the rule graph: traced by Snakemake only when the Snakefile or a rule file changes, drawn
# from that DOT in the same job as the figures.
rule trace_rule_graph:
    input:
        # this workflow's own Snakefile, also when it runs as a module of another project
        snakefile=workflow_path("Snakefile"),
        rules=workflow_files("workflow/rules", "*.smk"),
        code=package_modules("report.rulegraph"),
    output:
        dot=f"{INTERIM}/rulegraph/rulegraph.dot",
    log:
        "logs/trace_rule_graph/rulegraph.log",
    benchmark:
        "benchmarks/trace_rule_graph/rulegraph.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        config_overrides={"dataset": config["dataset"]},
    script:
        "../scripts/trace_rule_graph.py"


rule draw_figures:
    input:
        **figure_inputs(),
        rulegraph=rules.trace_rule_graph.output.dot,
        code=package_modules("report.figures"),
    output:
        figures=[
            report(
                f"results/figures/{name}.svg",
                caption="../report/figure.rst",
                category="Figures",
                labels={"figure": name},
            )
            for name in FIGURES
        ],
        rulegraph=report(
            "results/figures/rulegraph.svg",
            caption="../report/rulegraph.rst",
            category="Figures",
        ),
        rulegraph_dot="results/figures/rulegraph.dot",
    log:
        "logs/draw_figures/figures.log",
    benchmark:
        "benchmarks/draw_figures/figures.tsv"
    conda:
        "../envs/realist-report.yaml"
    params:
        design=config["design"],
        # each figure's input names (its FIGURES needs) and caption (printed by figure.rst)
        needs=figure_needs(),
        captions={name: figure_text(name)[0] for name in FIGURES},
        theme=config["figures"]["theme"],
        options=figure_options(),
        # evaluated when the job runs, once every rule file has been read
        modules=lambda wildcards: {
            r.name: Path(r.snakefile).stem for r in workflow.rules
        },
    script:
        "../scripts/draw_figures.py"
