"""The workflow's own rule graph, traced once per change of the Snakefile or the rule files.

`snakemake --rulegraph` reads the whole workflow again (about 2-4 s), so it runs in its own step
(trace_rule_graph) whose inputs are only the Snakefile and the rule files: a data, theme or figure
code change redraws the graph from the kept DOT in draw_figures without tracing it again. The DOT
is kept in a canonical form (rules sorted, numbered in that order), so its bytes do not depend on
the order in which Snakemake visits the DAG.
"""

from __future__ import annotations

import logging
import re
import subprocess
import sys
from pathlib import Path

from realist_report.core.errors import PipelineError

log = logging.getLogger(__name__)

_NODE = re.compile(r'^\s*(\d+)\s*\[\s*label\s*=\s*"([^"]+)"', re.MULTILINE)
_EDGE = re.compile(r"^\s*(\d+)\s*->\s*(\d+)", re.MULTILINE)


class RuleGraphError(PipelineError):
    """Snakemake could not give the workflow's rule graph."""


def parse_rulegraph(dot: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Rule names and (upstream, downstream) edges from `snakemake --rulegraph` DOT, sorted."""
    labels = dict(_NODE.findall(dot))
    if not labels:
        raise RuleGraphError("snakemake --rulegraph printed no rules; see the rule's log")
    edges = sorted(
        {(labels[a], labels[b]) for a, b in _EDGE.findall(dot) if a in labels and b in labels}
    )
    return sorted(set(labels.values())), edges


def canonical_rulegraph(dot: str) -> str:
    """The same graph as plain DOT: rules numbered in sorted order, edges sorted, no styling."""
    rules, edges = parse_rulegraph(dot)
    number = {rule: index for index, rule in enumerate(rules)}
    lines = ["digraph rulegraph {"]
    lines += [f'    {number[rule]}[label = "{rule}"];' for rule in rules]
    lines += [f"    {number[a]} -> {number[b]}" for a, b in edges]
    return "\n".join([*lines, "}"]) + "\n"


def snakemake_rulegraph(snakefile: str, config_overrides: dict[str, str]) -> str:
    """Ask Snakemake for the workflow's rule graph (DOT), as the user would on the command line."""
    command = [sys.executable, "-m", "snakemake", "--rulegraph", "--nolock", "--snakefile"]
    command.append(snakefile)
    if config_overrides:
        command += ["--config", *(f"{k}={v}" for k, v in sorted(config_overrides.items()))]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuleGraphError(f"snakemake --rulegraph failed:\n{result.stderr.strip()[-2000:]}")
    return result.stdout


def run_trace_rule_graph(snakefile: str, config_overrides: dict[str, str], out: str) -> None:
    """Rule adapter: trace the rule graph with Snakemake and keep it as canonical DOT."""
    dot = canonical_rulegraph(snakemake_rulegraph(snakefile, config_overrides))
    Path(out).write_text(dot, encoding="utf-8")
    rules, edges = parse_rulegraph(dot)
    log.info("rule graph traced: %d rules, %d edges", len(rules), len(edges))
