"""Deployed as the Snakemake workflow catalog teaches: `snakedeploy deploy-workflow` from a local
checkout into an empty project, the workflow used as a module, the project's own config pointing at
its own data. The workflow finds its files from its own location, never from the project folder."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import DEMO, copy_workflow, run_snakemake
from realist_report.audit.provenance import digest_files

SNAKEDEPLOY = str(Path(sys.executable).with_name("snakedeploy"))
# a change a team makes in its checkout of the workflow: the report must be rendered from it
MARKER = "<!-- rendered from the deployed checkout -->"


def deploy(checkout: Path, project: Path) -> Path:
    """snakedeploy deploy-workflow, then the module pointed at the checkout (see README)."""
    result = subprocess.run(
        [SNAKEDEPLOY, "deploy-workflow", str(checkout), str(project), "--tag", "v0.1.0"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    snakefile = project / "workflow" / "Snakefile"
    text = snakefile.read_text(encoding="utf-8")
    # snakedeploy 0.17.1 writes a local source's Snakefile as a path relative to the checkout
    # ("workflow/Snakefile"), which Snakemake reads relative to the project's workflow/ folder:
    # name the checkout's file in full instead (README, "Deploying into your own project")
    assert 'snakefile: \n        "workflow/Snakefile"' in text, text
    entry = checkout / "workflow" / "Snakefile"
    snakefile.write_text(text.replace('"workflow/Snakefile"', f'"{entry}"'), encoding="utf-8")
    return snakefile


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("deploy")
    checkout = copy_workflow(root / "realist-report")
    template = checkout / "workflow" / "templates" / "report.html.j2"
    template.write_text(
        template.read_text(encoding="utf-8").replace("<head>", f"<head>\n{MARKER}", 1),
        encoding="utf-8",
    )
    project = root / "my-evaluation"
    deploy(checkout, project)
    # the project's own data set, config (snakedeploy copied the workflow's config/) and
    # narrative (a team starts from the workflow's report/narrative/ and rewrites it)
    shutil.copytree(DEMO, project / "data" / "my-study")
    shutil.copytree(checkout / "report", project / "report")
    config_file = project / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["dataset"] = "data/my-study"
    config_file.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    run_snakemake(project, snakefile="workflow/Snakefile")
    return checkout, project


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e")
def test_snakedeploy_project_builds_the_report_from_its_own_data(
    deployed: tuple[Path, Path],
) -> None:
    checkout, project = deployed
    assert (project / "reports" / "evaluation_report.pdf").stat().st_size > 0
    html = (project / "reports" / "evaluation_report.html").read_text(encoding="utf-8")
    assert MARKER in html  # templates and package came from the checkout
    manifest = json.loads((project / "data/interim/audit/build_inputs.json").read_text())
    assert manifest["code_files"] == len(
        [
            *checkout.joinpath("workflow", "realist_report").rglob("*.py"),
            *checkout.joinpath("workflow", "realist_demo").glob("*.py"),
            *checkout.joinpath("workflow", "scripts").glob("*.py"),
            *checkout.joinpath("workflow", "rules").glob("*.smk"),
            # every template but the Word styles, an input of render_report_docx only
            *[
                p
                for p in checkout.joinpath("workflow", "templates").rglob("*")
                if p.is_file() and p.name != "reference.docx"
            ],
            checkout / "Snakefile",
        ]
    )
    # nothing was written into the checkout: every output is the project's
    for output in ("results", "reports", "logs", "data/interim", ".snakemake"):
        assert not (checkout / output).exists(), output


@pytest.mark.e2e
@pytest.mark.xdist_group("e2e")
def test_editing_the_deployed_package_reruns_the_steps_that_import_it(
    deployed: tuple[Path, Path],
) -> None:
    checkout, project = deployed
    assert (
        "Nothing to be done" in run_snakemake(project, "-n", snakefile="workflow/Snakefile").stdout
    )
    figures = checkout / "workflow" / "realist_report" / "report" / "figures.py"
    original = figures.read_text(encoding="utf-8")
    try:
        figures.write_text(original + "\n# a team's edit\n", encoding="utf-8")
        plan = run_snakemake(
            project, "-n", "--quiet", "rules", snakefile="workflow/Snakefile"
        ).stdout
    finally:
        figures.write_text(original, encoding="utf-8")
    # every figure and the rule graph are drawn by one job; the graph is not traced again
    assert "draw_figures" in plan and "trace_rule_graph" not in plan, plan


def test_code_digest_is_the_same_from_a_clone_and_from_a_deployed_checkout(tmp_path: Path) -> None:
    """Relative paths in a clone, absolute ones from a project elsewhere: one build id."""
    checkout = copy_workflow(tmp_path / "elsewhere" / "realist-report")
    names = [
        "Snakefile",
        "workflow/rules/common.smk",
        "workflow/realist_report/audit/provenance.py",
    ]
    from_project = digest_files([str(checkout / name) for name in names])
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(checkout)
        assert digest_files(names) == from_project
    (checkout / names[1]).write_text("# edited\n", encoding="utf-8")
    assert digest_files([str(checkout / name) for name in names]) != from_project
