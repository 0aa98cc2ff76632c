import re
from pathlib import Path

from snakemake.utils import validate

from realist_report.audit import module_closure
from realist_report.errors import InputFileError
from realist_report.figures import FIGURES
from realist_report.ingest import SUPPORTED_SUFFIXES

validate(config, schema="../schemas/config.schema.yaml")

DATASET = Path(config["dataset"])
INTERIM = "data/interim"


def discover_batches(dataset: Path) -> dict[str, Path]:
    """Every export batch under <dataset>/coded, named by its file stem."""
    coded = dataset / "coded"
    if not coded.is_dir():
        raise InputFileError(
            coded, "the data set has no coded/ folder of export batches"
        )
    batches: dict[str, Path] = {}
    for path in sorted(coded.iterdir()):
        if path.name.startswith(".") or path.suffix.lower() not in SUPPORTED_SUFFIXES:
            continue
        if path.stem in batches:
            raise InputFileError(
                path, f"two batches are named '{path.stem}'; batch names must be unique"
            )
        batches[path.stem] = path
    if not batches:
        raise InputFileError(
            coded, "no export batches found (expected .csv, .xlsx or .qdpx files)"
        )
    return batches


BATCHES = discover_batches(DATASET)


wildcard_constraints:
    batch="|".join(re.escape(name) for name in BATCHES),
    figure="|".join(FIGURES),


TEMPLATE_FILES = sorted(
    str(p) for p in Path("workflow/templates").rglob("*") if p.is_file()
)


def batch_file(wildcards):
    return BATCHES[wildcards.batch]


def package_modules(*names: str) -> list[str]:
    """A step's package modules and those they import, as inputs so a code edit reruns the step."""
    return module_closure("workflow/realist_report", names)


def per_batch(pattern: str) -> list[str]:
    return expand(pattern, batch=sorted(BATCHES))


def private_name_list() -> list[str]:
    """The git-ignored name list as an input when it exists, so editing it reruns redaction."""
    path = config["privacy"].get("name_list")
    return [path] if path and Path(path).is_file() else []


def get_final_output() -> list[str]:
    return [
        "reports/evaluation_report.pdf",
        "reports/evaluation_report.html",
        "results/cmoc_evidence.csv",
        "results/cmoc_summary.csv",
        "results/quarantine.csv",
        "results/data_quality.csv",
        "results/privacy_hits.csv",
        "results/changes.csv",
        "results/provenance.json",
    ]
