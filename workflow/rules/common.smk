import os
import re
import sys
from pathlib import Path

from snakemake.io import get_wildcard_names, strip_wildcard_constraints
from snakemake.exceptions import WorkflowError
from snakemake.utils import validate

# The workflow's own files (Snakefile, rules, scripts, package, templates) are found from this
# file's location, never from the working directory, so the workflow also runs as a module of
# another project (snakedeploy). Data, config and results stay relative to the working directory.
WORKFLOW_DIR = Path(str(workflow.current_basedir)).parents[1]
PACKAGE_DIR = WORKFLOW_DIR / "workflow" / "realist_report"


def workflow_path(*parts: str) -> str:
    """A file of the workflow itself, relative to the working directory when inside it (so a
    copied or moved project does not look changed), else absolute (a deployed module).
    """
    path = WORKFLOW_DIR.joinpath(*parts)
    return (
        path.relative_to(Path.cwd()).as_posix()
        if path.is_relative_to(Path.cwd())
        else str(path)
    )


# The package is imported from the workflow's own copy, here and in every rule script (their
# Python inherits PYTHONPATH), so no separate `pip install -e .` is needed.
PYTHON_PATH = [
    str(PACKAGE_DIR.parent),
    *os.environ.get("PYTHONPATH", "").split(os.pathsep),
]
sys.path.insert(0, PYTHON_PATH[0])
os.environ.update(PYTHONPATH=os.pathsep.join(dict.fromkeys(filter(None, PYTHON_PATH))))

from realist_report.privacy.attribution import attribution_size
from realist_report.runner.code_inputs import module_closure
from realist_report.ingest.dataset import prepare_dataset
from realist_report.core.definitions import config_problems
from realist_report.core.errors import InputFileError
from realist_report.report.figures import FIGURES, figure_text
from realist_report.ingest.batch import SUPPORTED_SUFFIXES
from realist_report.privacy.redact import find_identifiers, kind_counts, load_name_list
from realist_report.ingest.registers import register_sizes
from realist_report.report.narrative import narrative_files
from realist_report.analysis.linking import shard_names
from realist_report.study_setup.scaffold import unfilled_items, unfilled_message
from realist_report.core.vocabulary import (
    design_problems,
    suppression_marker,
    unreachable_ratings,
    use_design,
)

# A new study (make new-study) stops here, before the schema, with everything still to fill.
if unfilled := unfilled_items(config, str((workflow.configfiles or ["config"])[-1])):
    sys.exit(unfilled_message(unfilled))

try:
    validate(config, schema="../schemas/config.schema.yaml")
except WorkflowError:
    # Snakemake's message shows the whole schema; name the config file and key instead
    problems = config_problems(
        config,
        PACKAGE_DIR.parent / "schemas" / "config.schema.yaml",
        [str(path) for path in workflow.configfiles],
    )
    sys.exit(f"ERROR: the configuration does not fit the schema:\n{problems}")
if design_problems(config):
    sys.exit(
        "ERROR: the configuration's design does not hold together:\n"
        + "\n".join(design_problems(config))
    )
DESIGN = use_design(config)

DATASET = Path(config["dataset"])
INTERIM = "data/interim"


def refuse_identifying_batch_names(coded: Path, names: list[str]) -> None:
    """A batch name is in log paths, results and the report and cannot be redacted in place:
    stop before any job runs, naming the file by position, never by its name."""
    private = [
        entry
        for key in ("name_list", "place_list")
        for entry in load_name_list(config["privacy"].get(key))
    ]
    for number, name in enumerate(names, start=1):
        hits = find_identifiers(name, private)
        if hits:
            raise InputFileError(
                coded,
                f"batch file {number} of {len(names)} (sorted by name) has a name that looks "
                f"like a personal identifier ({kind_counts(hits)}); batch names appear in logs, "
                "results and the report, so rename the file (its name is not shown here)",
            )


# The data-set manifest, from the folder as it is now, before any job runs: refused files and
# missing registers stop here with one message; each job takes its part (a fingerprint file
# rewritten only when it changes) as input, so nothing computed from other data is reused.
try:
    DATASET_MANIFEST, FINGERPRINTS = prepare_dataset(
        DATASET, SUPPORTED_SUFFIXES, f"{INTERIM}/manifest"
    )
    refuse_identifying_batch_names(DATASET / "coded", list(DATASET_MANIFEST.batches))
except InputFileError as error:
    sys.exit(f"ERROR: {error}")  # the message alone: a data problem, not a bug
# Ratings no CMOC can reach (more role groups, sites or participants than the study has): said
# once when the build starts (not again by cluster jobs that parse the workflow), and in Methods.
if workflow.is_main_process:
    for warning in unreachable_ratings(
        config["strength"], DESIGN, *register_sizes(DATASET)
    ):
        print(f"WARNING: {warning}", file=sys.stderr)
BATCHES = DATASET_MANIFEST.batches
SITE_GROUPS = int(config["sharding"]["site_groups"])


wildcard_constraints:
    batch="|".join(re.escape(name) for name in BATCHES),
    site_group=r"\d+",


def project_or_workflow_file(path: str) -> str:
    """A file a project may replace with its own (the Word styles): the project's copy when it
    has one, else the workflow's (a deployed project starts without it)."""
    return path if Path(path).exists() else workflow_path(path)


def workflow_files(folder: str, pattern: str) -> list[str]:
    """The workflow's own files in a folder that match a glob pattern, as workflow_path gives them."""
    return sorted(
        workflow_path(p.relative_to(WORKFLOW_DIR).as_posix())
        for p in (WORKFLOW_DIR / folder).glob(pattern)
        if p.is_file()
    )


# HTML templates and print CSS; the Word edition's filter and styles (templates/docx/) are inputs
# of render_report_docx only, so changing them never re-renders the HTML or the PDF.
TEMPLATE_FILES = [
    path
    for path in workflow_files("workflow/templates", "**/*")
    if Path(path).parent.name not in ("docx", "explorer")
]
EXPLORER_FILES = workflow_files("workflow/templates/explorer", "*")
WORD_FILTER = workflow_path("workflow", "templates", "docx", "word.lua")


def batch_file(wildcards):
    return BATCHES[wildcards.batch]


def batch_fingerprint(wildcards):
    """This batch's entry in the data-set manifest (its file and SHA-256)."""
    return FINGERPRINTS[f"batch:{wildcards.batch}"]


def package_modules(*names: str) -> list[str]:
    """A step's package modules and those they import, as inputs so a code edit reruns the step
    (every rule script also imports rule_logging)."""
    return module_closure(
        workflow_path("workflow", "realist_report"), [*names, "runner.rule_logging"]
    )


def per_batch(pattern: str) -> list[str]:
    return expand(pattern, batch=sorted(BATCHES))


def refi_batches() -> list[str]:
    """The batches that are REFI-QDA projects (.qdpx, or a bare .qde): the only ones with memos."""
    return [
        name
        for name in sorted(BATCHES)
        if Path(BATCHES[name]).suffix.lower() in (".qdpx", ".qde")
    ]


def private_name_list() -> list[str]:
    """The git-ignored name and place lists as inputs when they exist, so editing either
    reruns redaction and the publish screen."""
    paths = [config["privacy"].get(key) for key in ("name_list", "place_list")]
    return [path for path in paths if path and Path(path).is_file()]


def link_shards() -> list[str]:
    """Every linking shard: one per batch and site group."""
    return expand(
        rules.link_site_evidence.output.links,
        batch=sorted(BATCHES),
        site_group=shard_names(SITE_GROUPS),
    )


def figure_tables() -> dict[str, dict[str, str]]:
    """Tables a figure may need, by the name FIGURES[...].needs uses; figures never re-read raw files."""
    evidence = rules.aggregate_cmoc_evidence.output
    return {
        "participants": {"participants": rules.validate_registers.output.participants},
        "sites": {"sites": rules.validate_registers.output.sites},
        "cmoc_summary": {"cmoc_summary": evidence.summary_parquet},
        "evidence_matrix": {"evidence_matrix": evidence.matrix_parquet},
        "definitions": {"codebook": config["codebook"], "cmocs": config["cmocs"]},
        "wave_change": {"wave_change": evidence.wave_change_parquet},
        "subgroups": {"subgroups": evidence.subgroups_parquet},
        "cooccurrence": {
            "cooccurrence": rules.find_candidate_cmocs.output.pairs_parquet
        },
    }


def figure_inputs() -> dict[str, str]:
    """Every table some figure of the registry needs (draw_figures reads each once)."""
    tables = figure_tables()
    inputs = {}
    for figure in FIGURES.values():
        for need in figure.needs:
            inputs.update(tables[need])
    return inputs


def figure_needs() -> dict[str, list[str]]:
    """For each figure, the input names of the tables it is drawn from (FIGURES[...].needs)."""
    tables = figure_tables()
    return {
        name: [key for need in figure.needs for key in tables[need]]
        for name, figure in FIGURES.items()
    }


def figure_options() -> dict:
    """Settings the figures are drawn with: the site-column limit, the rating order and the
    suppression marker (the tables' own, vocabulary.suppression_marker)."""
    return {
        "max_site_columns": config["report_layout"]["max_site_columns"],
        "strength": config["strength"],
        "suppressed_marker": suppression_marker(config["privacy"]),
    }


def audited_outputs() -> list[str]:
    """Every file the rules write (batch and site-group wildcards filled in), for checksums."""
    values = {
        "batch": sorted(BATCHES),
        "site_group": shard_names(SITE_GROUPS),
    }
    paths = set()
    for other in workflow.rules:
        if other.name in ("all", "write_provenance"):
            continue
        for pattern in map(strip_wildcard_constraints, map(str, other.output)):
            names = set(get_wildcard_names(pattern))
            if names - set(values):
                raise ValueError(
                    f"audit: rule {other.name} has an unknown wildcard in {pattern}"
                )
            paths.update(expand(pattern, **{name: values[name] for name in names}))
    return sorted(paths)


def get_final_output() -> list[str]:
    return [
        "reports/evaluation_report.pdf",
        "reports/evaluation_report.html",
        "reports/evaluation_report.docx",
        "reports/evidence_explorer.html",
        "results/evidence.xlsx",
        "results/cmoc_evidence.csv",
        "results/cmoc_summary.csv",
        "results/code_cooccurrence.csv",
        "results/candidate_cmocs.csv",
        "results/coder_agreement.csv",
        "results/quarantine.csv",
        "results/data_quality.csv",
        "results/privacy_hits.csv",
        "results/changes.csv",
        "results/provenance.json",
    ]
