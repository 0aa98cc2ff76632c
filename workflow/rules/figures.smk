# Figures (plotnine SVG) drawn from the aggregated tables; the rule graph drawn from the DAG.
rule plot_figure:
    input:
        unpack(figure_inputs),
        code=package_modules("figures"),
    output:
        svg=report(
            "results/figures/{figure}.svg",
            caption="../report/figure.rst",
            category="Figures",
            labels={"figure": "{figure}"},
        ),
    log:
        "logs/plot_figure/{figure}.log",
    benchmark:
        "benchmarks/plot_figure/{figure}.tsv"
    params:
        # the figure's own caption (FIGURES), printed by figure.rst in the Snakemake report
        caption=lambda wildcards: figure_text(wildcards.figure)[0],
        theme=config["figures"]["theme"],
        options=figure_options,
    script:
        "../scripts/plot_figure.py"


rule draw_rule_graph:
    input:
        # this workflow's own Snakefile, also when it runs as a module of another project
        snakefile=workflow_path("Snakefile"),
        rules=workflow_files("workflow/rules", "*.smk"),
        code=package_modules("figures"),
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
