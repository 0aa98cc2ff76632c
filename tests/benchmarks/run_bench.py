"""Benchmark the workflow at demo scale x1, x10 and x100 and print where the time goes.

Run: .venv/bin/python tests/benchmarks/run_bench.py [--scales 1 10 100] [--cores 2]
(or `make bench`). For every scale it generates the demo data set with the generator's scale
factor, builds it in a temporary copy of the workflow (never in the main tree) and times:

- full clean build (phases split at the moment the last ingest/clean/aggregate job finished);
- no-op rebuild, as a ratio to `snakemake -n` on the same workflow (the floor);
- rebuild after a new follow-up batch, as a ratio to the full build;
- rebuild after a template-only change, as a ratio to a bare WeasyPrint render of the same HTML;
- rebuild after a narrative edit (one sentence added to a CMOC's Markdown), the fast edit loop,
  as a ratio to the same bare WeasyPrint render;
- the live preview (make preview, bench_preview.py): narrative edit -> preview updated (median
  of five edits) and edit -> PDF in the preview, against a bare WeasyPrint render of its HTML;
- per-rule wall time and peak memory from Snakemake's `benchmark:` files;
- the evidence explorer in headless Chromium: file size, time to interactive and time to open
  its largest cell (`bench_explorer.py`).

Figures are printed, never asserted: timing depends on the machine and its load. Targets are
marked met or not in the table, for a reader to judge.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "benchmarks"))

from bench_explorer import explorer_lines, measure_explorer  # noqa: E402
from bench_preview import (  # noqa: E402
    EDITS,
    PREVIEW_HTML,
    PREVIEW_MAX_S,
    PREVIEW_PDF_MAX_RATIO,
    PreviewTimes,
    bench_preview,
)
from conftest import copy_workflow  # noqa: E402

BIN = Path(sys.executable).parent
SNAKEMAKE = str(BIN / "snakemake")
#: Rules whose work is ingest, clean and aggregate (the x100 data-phase target).
DATA_RULES = (
    "validate_registers",
    "ingest_batch",
    "clean_batch",
    "redact_batch",
    "link_site_evidence",
    "aggregate_cmoc_evidence",
    "collect_data_quality",
)
#: Rules that turn the tables and figures into the published report.
REPORT_RULES = ("render_report_html", "render_report_pdf", "render_report_docx", "publish_report")
FOLLOWUP_PREFIX = "followup"
TEMPLATE = Path("workflow/templates/report.html.j2")
NARRATIVE = Path("report/narrative/cmocs/CMOC04.md")
#: The HTML the PDF job prints (before publishing), else the published copy.
HTML_CANDIDATES = (
    Path("data/interim/report/evaluation_report.html"),
    Path("reports/evaluation_report.html"),
)
#: Targets from issue 17, on the project's 2-core machine: the full build by scale (x1: the
#: demo, x100: 700 sites) and the peak memory at x100.
FULL_BUILD_MAX_S = {1: 12.0, 100: 30.0}
FULL_BUILD_MAX_MB = {100: 1024.0}
NOOP_MAX_RATIO = 1.1
FOLLOWUP_MAX_RATIO = 0.4
#: Issue 8's targets for the x100 data phase and report jobs, still printed.
DATA_PHASE_MAX_S = 90.0
DATA_PHASE_MAX_MB = 4096.0
REPORT_MAX_S = 60.0
#: A narrative or template change -> new PDF, against a bare WeasyPrint render (issues 15, 17).
NARRATIVE_MAX_RATIO = 1.5
REPEATS = 3
#: The record generate_data leaves beside a finished data set folder (its time and memory).
GENERATED = ".generated.json"


@dataclass
class Timed:
    """One command's wall time and the peak resident memory of its process tree."""

    seconds: float
    peak_mb: float


@dataclass
class RuleStats:
    """Per-rule totals from the `benchmark:` files of one build."""

    jobs: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    max_seconds: float = 0.0
    max_rss_mb: float = 0.0


@dataclass
class ScaleResult:
    """Everything measured at one scale factor."""

    scale: int
    sites: int
    coded_rows: int
    generate: Timed
    full: Timed
    data_phase_s: float
    report_s: float
    data_phase_peak_mb: float
    dry_run: Timed | None = None
    noop: Timed | None = None
    followup: Timed | None = None
    template: Timed | None = None
    narrative: Timed | None = None
    narrative_pdf_s: float = float("nan")
    bare_render: Timed | None = None
    preview: PreviewTimes | None = None
    preview_floor: Timed | None = None
    rules: dict[str, RuleStats] = field(default_factory=dict)
    failure: str = ""
    explorer: dict[str, float] = field(default_factory=dict)


class BuildFailed(RuntimeError):
    """A timed command failed; keeps how long it ran and the line that says why."""

    def __init__(self, command: list[str], seconds: float, output: str) -> None:
        lines = [line.strip() for line in output.splitlines() if line.strip()]
        errors = [line for line in lines if "ERROR" in line or line.startswith("Error in rule")]
        self.seconds = seconds
        self.summary = (errors or lines or ["(no output)"])[0][:400]
        super().__init__(f"{' '.join(command)} failed after {seconds:.0f} s:\n{output[-4000:]}")


def run_timed(command: list[str], cwd: Path) -> Timed:
    """Run a command to completion; wall time and peak RSS (largest process in its tree)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, cwd=cwd, stdout=devnull, stderr=errors)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            errors.seek(0)
            raise BuildFailed(command, seconds, errors.read().decode("utf-8", "replace"))
    return Timed(seconds, usage.ru_maxrss / 1024)


def snakemake(workdir: Path, cores: int, *args: str) -> list[str]:
    """The Snakemake command line for a workflow copy."""
    return [SNAKEMAKE, "--cores", str(cores), "--directory", str(workdir), *args]


def best_of(command: list[str], cwd: Path, repeats: int = REPEATS) -> Timed:
    """The fastest of a few runs: the least disturbed by other load on the machine."""
    runs = [run_timed(command, cwd) for _ in range(repeats)]
    return min(runs, key=lambda run: run.seconds)


def interleaved_best(first: list[str], second: list[str], cwd: Path) -> tuple[Timed, Timed]:
    """Fastest of a few alternating runs of two commands, so load changes hit both alike."""
    runs: tuple[list[Timed], list[Timed]] = ([], [])
    for _ in range(REPEATS):
        runs[0].append(run_timed(first, cwd))
        runs[1].append(run_timed(second, cwd))
    fastest = [min(timings, key=lambda run: run.seconds) for timings in runs]
    return fastest[0], fastest[1]


def generate_data(scale: int, out: Path) -> Timed:
    """Generate the demo data set at a scale factor with the project's generator; a data set
    this function finished before in the same folder (its record beside it) is reused, since
    x1000 takes about 12 minutes to generate."""
    record = out.with_name(out.name + GENERATED)
    if record.is_file():
        print(f"[x{scale}] reusing the data set generated in {out}", file=sys.stderr, flush=True)
        return Timed(**json.loads(record.read_text(encoding="utf-8")))
    if out.exists():
        shutil.rmtree(out)  # an unfinished generation
    command = [str(BIN / "python"), "-m", "realist_demo.generator", "--out", str(out)]
    timed = run_timed([*command, "--scale", str(scale)], ROOT)
    record.write_text(json.dumps(asdict(timed)) + "\n", encoding="utf-8")
    return timed


def allow_table_size(workdir: Path, dataset: Path) -> int:
    """Raise the copy's table size limit (formats.yaml `limits.max_table_mb`, 200 MB) to fit the
    largest generated table, as a national-scale project would; the limit in MB, 0 if unchanged."""
    largest = max((p.stat().st_size for p in (dataset / "coded").iterdir()), default=0)
    limit_mb = -(-largest // (100 * 1024 * 1024)) * 100  # rounded up to 100 MB
    formats = workdir / "config" / "formats.yaml"
    text = formats.read_text(encoding="utf-8")
    current = float(re.search(r"max_table_mb:\s*([\d.]+)", text).group(1))
    if limit_mb <= current:
        return 0
    formats.write_text(
        re.sub(r"(max_table_mb:\s*)[\d.]+", rf"\g<1>{limit_mb}", text), encoding="utf-8"
    )
    return int(limit_mb)


def count_rows(dataset: Path) -> tuple[int, int]:
    """Sites in the register and coded rows in the CSV batches (a quick size indicator)."""
    with open(dataset / "sites.csv", encoding="utf-8") as handle:
        sites = sum(1 for _ in csv.DictReader(handle))
    rows = 0
    for path in (dataset / "coded").glob("*.csv"):
        with open(path, encoding="utf-8", newline="") as handle:
            rows += sum(1 for _ in csv.reader(handle)) - 1
    return sites, rows


def rule_stats(workdir: Path) -> dict[str, RuleStats]:
    """Per-rule job count, summed and longest wall time and peak RSS from benchmark files."""
    stats: dict[str, RuleStats] = defaultdict(RuleStats)
    for path in sorted((workdir / "benchmarks").rglob("*.tsv")):
        rule = path.relative_to(workdir / "benchmarks").parts[0]
        with open(path, encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle, delimiter="\t"))
        for row in rows[-1:]:
            seconds = float(row["s"])
            rss = _float(row["max_rss"])
            entry = stats[rule]
            entry.jobs += 1
            entry.seconds += seconds
            entry.cpu_seconds += _float(row.get("cpu_time", ""))
            entry.max_seconds = max(entry.max_seconds, seconds)
            entry.max_rss_mb = max(entry.max_rss_mb, rss)
    return dict(sorted(stats.items(), key=lambda item: -item[1].seconds))


def _float(text: str) -> float:
    """A benchmark-file number; Snakemake writes NA or '-' when it could not measure."""
    try:
        return float(text)
    except ValueError:
        return 0.0


def phase_end(workdir: Path, rules: tuple[str, ...]) -> float:
    """When the last job of the given rules finished (its benchmark file's modification time)."""
    times = [
        path.stat().st_mtime
        for rule in rules
        for path in (workdir / "benchmarks" / rule).glob("*.tsv")
    ]
    return max(times, default=0.0)


def bare_render(workdir: Path, html: Path | None = None) -> Timed:
    """The report step's floor: WeasyPrint alone printing the same HTML to PDF, in a new process."""
    html = html or next((workdir / p for p in HTML_CANDIDATES if (workdir / p).exists()), workdir)
    code = (
        "import sys, weasyprint; "
        "weasyprint.HTML(filename=sys.argv[1], base_url=sys.argv[2]).write_pdf(sys.argv[3])"
    )
    with tempfile.TemporaryDirectory() as scratch:
        command = [str(BIN / "python"), "-c", code, str(html), str(html.parent)]
        return best_of([*command, str(Path(scratch) / "bare.pdf")], workdir, repeats=1)


def edit_template(workdir: Path) -> None:
    """A template-only change: a Jinja comment, so the HTML re-renders but no number changes."""
    path = workdir / TEMPLATE
    path.write_text(path.read_text(encoding="utf-8") + "{# benchmark edit #}\n", encoding="utf-8")


def edit_narrative(workdir: Path) -> None:
    """A narrative-only change: one sentence more in a CMOC's authored Markdown."""
    path = workdir / NARRATIVE
    path.write_text(path.read_text(encoding="utf-8") + "\nA sentence added.\n", encoding="utf-8")


def bench_scale(scale: int, cores: int, scratch: Path, full_only: bool = False) -> ScaleResult:
    """Generate, build and rebuild the demo data set at one scale factor (only build it when
    full_only: the national-scale x1000 run, where each rebuild would take minutes)."""
    dataset = scratch / f"demo_x{scale}"
    print(f"[x{scale}] generating demo data ...", file=sys.stderr, flush=True)
    generated = generate_data(scale, dataset)
    sites, coded_rows = count_rows(dataset)
    if (scratch / f"workflow_x{scale}").exists():
        shutil.rmtree(scratch / f"workflow_x{scale}")
    workdir = copy_workflow(scratch / f"workflow_x{scale}", dataset)
    raised = allow_table_size(workdir, dataset)
    if raised:
        print(f"[x{scale}] table size limit raised to {raised} MB", file=sys.stderr, flush=True)
    print(f"[x{scale}] full clean build ...", file=sys.stderr, flush=True)
    started = time.time()
    try:
        full = run_timed(snakemake(workdir, cores), workdir)
        failure = ""
    except BuildFailed as error:
        full, failure = Timed(error.seconds, 0.0), error.summary
    rules = rule_stats(workdir)
    data_end = phase_end(workdir, DATA_RULES)
    data_phase = data_end - started if data_end else float("nan")
    report_s = sum(rules[rule].seconds for rule in REPORT_RULES if rule in rules)
    data_peak = max((rules[rule].max_rss_mb for rule in DATA_RULES if rule in rules), default=0)
    measured = ScaleResult(
        scale=scale,
        sites=sites,
        coded_rows=coded_rows,
        generate=generated,
        full=full,
        data_phase_s=data_phase,
        report_s=report_s,
        data_phase_peak_mb=data_peak,
        rules=rules,
        failure=failure,
    )
    if failure:
        print(f"[x{scale}] full build FAILED: {failure}", file=sys.stderr, flush=True)
        return measured
    print(f"[x{scale}] evidence explorer in headless Chromium ...", file=sys.stderr, flush=True)
    measured.explorer = measure_explorer(workdir / "reports" / "evidence_explorer.html")
    if full_only:
        return measured

    print(f"[x{scale}] no-op rebuild and dry run ...", file=sys.stderr, flush=True)
    dry, noop = interleaved_best(
        snakemake(workdir, cores, "-n"), snakemake(workdir, cores), workdir
    )

    print(f"[x{scale}] template-only change ...", file=sys.stderr, flush=True)
    edit_template(workdir)
    template = run_timed(snakemake(workdir, cores), workdir)
    print(f"[x{scale}] narrative edit ...", file=sys.stderr, flush=True)
    edit_narrative(workdir)
    edited_at = time.time()
    narrative = run_timed(snakemake(workdir, cores), workdir)
    # the edit loop ends when the screened PDF is in reports/ (provenance is written after it)
    narrative_pdf_s = (workdir / "reports" / "evaluation_report.pdf").stat().st_mtime - edited_at
    floor = bare_render(workdir)
    print(
        f"[x{scale}] live preview: {EDITS} narrative edits, then a PDF ...",
        file=sys.stderr,
        flush=True,
    )
    measured.preview = bench_preview(workdir, NARRATIVE)
    measured.preview_floor = bare_render(workdir, workdir / PREVIEW_HTML)

    print(f"[x{scale}] new follow-up batch ...", file=sys.stderr, flush=True)
    coded = workdir / "data" / "demo" / "coded"
    followups = sorted(coded.glob(f"{FOLLOWUP_PREFIX}*"))
    held = scratch / f"held_x{scale}"
    held.mkdir(exist_ok=True)
    for path in followups:
        shutil.move(path, held / path.name)
    run_timed(snakemake(workdir, cores), workdir)  # the build before the batch arrived
    for path in followups:
        shutil.copyfile(held / path.name, coded / path.name)  # a fresh file, fresh mtime
    followup = run_timed(snakemake(workdir, cores), workdir)

    measured.dry_run, measured.noop, measured.followup = dry, noop, followup
    measured.template, measured.bare_render = template, floor
    measured.narrative, measured.narrative_pdf_s = narrative, narrative_pdf_s
    return measured


def _verdict(ok: bool) -> str:
    return "met" if ok else "NOT met"


def scenario_table(result: ScaleResult) -> list[str]:
    """The headline table for one scale: wall time, floor, ratio, peak memory, target."""
    full = result.full.seconds
    if result.failure:
        return failure_table(result)
    if result.noop is None:
        return full_only_table(result)
    noop_ratio = result.noop.seconds / result.dry_run.seconds
    followup_ratio = result.followup.seconds / full
    template_ratio = result.template.seconds / result.bare_render.seconds
    narrative_ratio = result.narrative_pdf_s / result.bare_render.seconds
    full_target = full_build_target(result)
    data_ok = (
        result.data_phase_s <= DATA_PHASE_MAX_S and result.data_phase_peak_mb < DATA_PHASE_MAX_MB
    )
    rows = [
        ("full clean build", full, "-", None, None, result.full.peak_mb, full_target),
        (
            "  ingest + clean + aggregate",
            result.data_phase_s,
            "full build",
            full,
            result.data_phase_s / full,
            result.data_phase_peak_mb,
            f"x100: <= {DATA_PHASE_MAX_S:.0f} s, < 4 GB: {_verdict(data_ok)}",
        ),
        (
            "  report jobs (HTML, PDF, DOCX, publish)",
            result.report_s,
            "full build",
            full,
            result.report_s / full,
            None,
            f"x100: < {REPORT_MAX_S:.0f} s: {_verdict(result.report_s < REPORT_MAX_S)}",
        ),
        (
            "no-op rebuild",
            result.noop.seconds,
            "snakemake -n",
            result.dry_run.seconds,
            noop_ratio,
            result.noop.peak_mb,
            f"<= {NOOP_MAX_RATIO}x: {_verdict(noop_ratio <= NOOP_MAX_RATIO)}",
        ),
        (
            "new follow-up batch",
            result.followup.seconds,
            "full build",
            full,
            followup_ratio,
            result.followup.peak_mb,
            f"<= {FOLLOWUP_MAX_RATIO}x: {_verdict(followup_ratio <= FOLLOWUP_MAX_RATIO)}",
        ),
        (
            "template-only change",
            result.template.seconds,
            "bare WeasyPrint",
            result.bare_render.seconds,
            template_ratio,
            result.template.peak_mb,
            f"<= {NARRATIVE_MAX_RATIO}x: {_verdict(template_ratio <= NARRATIVE_MAX_RATIO)}",
        ),
        (
            "narrative edit -> PDF",
            result.narrative_pdf_s,
            "bare WeasyPrint",
            result.bare_render.seconds,
            narrative_ratio,
            result.narrative.peak_mb,
            f"<= {NARRATIVE_MAX_RATIO}x: {_verdict(narrative_ratio <= NARRATIVE_MAX_RATIO)}",
        ),
        *preview_rows(result),
        (
            "  whole rebuild (also Word, provenance)",
            result.narrative.seconds,
            "bare WeasyPrint",
            result.bare_render.seconds,
            result.narrative.seconds / result.bare_render.seconds,
            None,
            "-",
        ),
    ]
    lines = [
        *_heading(result),
        "| scenario | wall s | floor | floor s | ratio | peak MB | target |",
        "|---|---:|---|---:|---:|---:|---|",
    ]
    for name, wall, floor, floor_s, ratio, peak, target in rows:
        lines.append(
            f"| {name} | {wall:.1f} | {floor} | {_num(floor_s)} | "
            f"{_num(ratio, '{:.2f}')} | {_num(peak, '{:.0f}')} | {target} |"
        )
    return lines


def preview_rows(result: ScaleResult) -> list[tuple]:
    """The live preview beside the Snakemake edit loop (issue 28's goals)."""
    preview, floor = result.preview, result.preview_floor
    if preview is None:
        return []
    ratio = preview.pdf_s / floor.seconds
    edits = ", ".join(f"{s:.2f}" for s in preview.edits)
    return [
        (
            f"narrative edit -> preview updated (median of {len(preview.edits)}: {edits})",
            preview.median_s, "-", None, None, None,
            f"<= {PREVIEW_MAX_S:.0f} s: {_verdict(preview.median_s <= PREVIEW_MAX_S)}",
        ),
        (
            "edit -> PDF in preview",
            preview.pdf_s, "bare WeasyPrint", floor.seconds, ratio, None,
            f"<= {PREVIEW_PDF_MAX_RATIO}x: {_verdict(ratio <= PREVIEW_PDF_MAX_RATIO)}",
        ),
    ]  # fmt: skip


def full_build_target(result: ScaleResult) -> str:
    """The full build's time (and, at x100, memory) target at this scale, met or not."""
    seconds = FULL_BUILD_MAX_S.get(result.scale)
    if seconds is None:
        return "-"
    ok = result.full.seconds <= seconds
    target = f"<= {seconds:.0f} s"
    megabytes = FULL_BUILD_MAX_MB.get(result.scale)
    if megabytes is not None:
        ok = ok and result.full.peak_mb < megabytes
        target += f", < {megabytes / 1024:.0f} GB"
    return f"{target}: {_verdict(ok)}"


def _heading(result: ScaleResult) -> list[str]:
    """The scale's heading line: data size and how long generating it took."""
    return [
        f"### demo x{result.scale}: {result.sites} sites, {result.coded_rows} coded rows in CSV "
        f"batches (generated in {result.generate.seconds:.1f} s, "
        f"peak {result.generate.peak_mb:.0f} MB)",
        "",
    ]


def failure_table(result: ScaleResult) -> list[str]:
    """What a failed full build still tells: how far it got, the data phase, and why it stopped."""
    data_ok = (
        result.data_phase_s <= DATA_PHASE_MAX_S and result.data_phase_peak_mb < DATA_PHASE_MAX_MB
    )
    return [
        *_heading(result),
        f"**The full build FAILED after {result.full.seconds:.1f} s**: {result.failure}",
        "",
        "| scenario | wall s | peak MB | target |",
        "|---|---:|---:|---|",
        f"| ingest + clean + aggregate | {result.data_phase_s:.1f} | "
        f"{result.data_phase_peak_mb:.0f} | x100: <= {DATA_PHASE_MAX_S:.0f} s, < 4 GB: "
        f"{_verdict(data_ok)} |",
        f"| report jobs (HTML, PDF, publish) | {result.report_s:.1f} | - | x100: < {REPORT_MAX_S:.0f} s: "
        f"{_verdict(result.report_s < REPORT_MAX_S)} |",
    ]


def full_only_table(result: ScaleResult) -> list[str]:
    """A scale built once (--full-only): the full build, its phases and peak memory."""
    return [
        *_heading(result),
        "| scenario | wall s | peak MB |",
        "|---|---:|---:|",
        f"| full clean build | {result.full.seconds:.1f} | {result.full.peak_mb:.0f} |",
        f"|   target | {full_build_target(result)} | |",
        f"|   ingest + clean + aggregate | {result.data_phase_s:.1f} | "
        f"{result.data_phase_peak_mb:.0f} |",
        f"|   report jobs (HTML, PDF, DOCX, publish) | {result.report_s:.1f} | - |",
    ]


def explorer_table(result: ScaleResult) -> list[str]:
    """The evidence explorer's size and speed in headless Chromium (none if the build failed)."""
    if not result.explorer:
        return []
    return ["", *explorer_lines(result.explorer, demo=result.scale == 1)]


def rule_table(result: ScaleResult) -> list[str]:
    """Per-rule times and memory from the full build's benchmark files."""
    lines = [
        "",
        f"Per rule, full build at x{result.scale} (Snakemake `benchmark:` files):",
        "",
        "| rule | jobs | total s | CPU s | longest job s | peak RSS MB |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for rule, stats in result.rules.items():
        lines.append(
            f"| {rule} | {stats.jobs} | {stats.seconds:.1f} | {stats.cpu_seconds:.1f} | "
            f"{stats.max_seconds:.1f} | "
            f"{stats.max_rss_mb:.0f} |"
        )
    return lines


def _num(value: float | None, pattern: str = "{:.1f}") -> str:
    return "-" if value is None else pattern.format(value)


def machine_note(cores: int) -> str:
    """Cores used and the machine's load, so numbers taken under load are read as such."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"cores used: {cores} of {os.cpu_count()}; load average at the end: {load}"


def main(argv: list[str] | None = None) -> int:
    """Command line: benchmark the given scales and print the tables (optionally JSON too)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10, 100])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--workdir", type=Path, help="keep the copies here (default: temporary)")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument(
        "--full-only",
        type=int,
        nargs="*",
        default=[],
        metavar="SCALE",
        help="scales to build once, without the rebuild scenarios (e.g. 1000)",
    )
    args = parser.parse_args(argv)
    scratch_context = (
        tempfile.TemporaryDirectory(prefix="realist-bench-") if args.workdir is None else None
    )
    scratch = Path(scratch_context.name) if scratch_context else args.workdir
    scratch.mkdir(parents=True, exist_ok=True)
    results = []
    try:
        for scale in args.scales:
            results.append(bench_scale(scale, args.cores, scratch, scale in args.full_only))
            lines = (
                scenario_table(results[-1]) + explorer_table(results[-1]) + rule_table(results[-1])
            )
            print("\n".join(lines) + "\n", flush=True)
    finally:
        if scratch_context:
            scratch_context.cleanup()
    print(machine_note(args.cores))
    if args.json:
        args.json.write_text(json.dumps([asdict(r) for r in results], indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
