"""Do results/ and reports/ belong to one build? Checked against results/provenance.json.

A failed job's outputs are removed by Snakemake, but a build killed outright (SIGKILL, a lost
SSH session, a cluster time limit) leaves a lock and a mix: results/ from the new build,
reports/ and provenance.json from the old one. provenance.json is written last and records the
SHA-256 of every output of its build, so any file that differs from that record is not from it:

    python -m realist_report.audit.verify [--workdir DIR]     (or: make verify)

prints which files differ and exits 1, or says which build everything belongs to.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from realist_report.audit.provenance import sha256_file

PROVENANCE = "results/provenance.json"
#: The folders whose files a reader takes as one build's results.
PUBLISHED = ("results", "reports")


@dataclass
class BuildCheck:
    """What a working copy's published files say about the build they came from."""

    build_id: str | None
    matching: int = 0
    problems: list[str] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)

    @property
    def one_build(self) -> bool:
        return self.build_id is not None and not self.problems

    def describe(self) -> str:
        """The message a user reads."""
        lines = []
        if self.one_build:
            lines.append(
                f"results/ and reports/ belong to build {self.build_id}: {self.matching} "
                f"published files match {PROVENANCE}"
            )
        else:
            lines.append(
                "results/ and reports/ do NOT belong to one build"
                + (f" (provenance records build {self.build_id})" if self.build_id else "")
                + "; run `make report` (Snakemake reruns what is out of date):"
            )
            lines += [f"  - {problem}" for problem in self.problems]
        lines += self.interrupted
        return "\n".join(lines)


def _interruption(workdir: Path) -> list[str]:
    """Snakemake's lock and incomplete markers left by a build that did not end."""
    state = workdir / ".snakemake"
    locks = [p for p in (state / "locks").glob("*") if p.is_file()]
    incomplete = [p for p in (state / "incomplete").rglob("*") if p.is_file()]
    if not locks and not incomplete:
        return []
    return [
        "a build was interrupted (or is still running): Snakemake left "
        f"{len(locks)} lock file(s) and {len(incomplete)} incomplete-output marker(s) in "
        ".snakemake/; when no build is running, clear them with "
        "`.venv/bin/snakemake --unlock` and rebuild (Snakemake redoes the incomplete outputs)"
    ]


def check_build(workdir: str | Path = ".") -> BuildCheck:
    """Compare every published output with the checksums its build recorded."""
    workdir = Path(workdir)
    path = workdir / PROVENANCE
    if not path.is_file():
        check = BuildCheck(None, problems=[f"{PROVENANCE}: missing; no build has completed"])
        check.interrupted = _interruption(workdir)
        return check
    provenance = json.loads(path.read_text(encoding="utf-8"))
    check = BuildCheck(str(provenance.get("build_id")))
    recorded = {entry["file"]: entry["sha256"] for entry in provenance.get("outputs", [])}
    for name, digest in sorted(recorded.items()):
        if not name.startswith(tuple(f"{folder}/" for folder in PUBLISHED)):
            continue
        file = workdir / name
        if not file.is_file():
            check.problems.append(f"{name}: missing, but build {check.build_id} wrote it")
        elif sha256_file(file) != digest:
            check.problems.append(f"{name}: differs from build {check.build_id}'s record")
        else:
            check.matching += 1
    check.interrupted = _interruption(workdir)
    return check


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workdir", type=Path, default=Path("."), help="built working copy")
    args = parser.parse_args(argv)
    check = check_build(args.workdir)
    print(check.describe())
    return 0 if check.one_build and not check.interrupted else 1


if __name__ == "__main__":
    sys.exit(main())
