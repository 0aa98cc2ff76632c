"""Benchmark the privacy screen: recall, near-miss false positives, throughput, demo-table hits,
and redaction time on 1 MB adversarial excerpts (every rule must run in linear time).

Run: .venv/bin/python tests/benchmarks/bench_privacy.py [EXCERPT_TABLE]

EXCERPT_TABLE is a parquet or CSV file (or a folder of them) with a ``text`` column; the
default is data/interim/clean/ (the excerpts before redaction), and when no build has made it
the demo batches (data/demo/coded/) are ingested afresh in memory. Figures are printed, never
asserted: timing depends on the machine, and the pass/fail checks live in tests/unit/test_privacy.py.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import sys
import time
from collections import Counter
from pathlib import Path

import pandas as pd
from realist_report.core.definitions import normalise_code
from realist_report.privacy.redact import find_identifiers, redact, redact_excerpts

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TABLE = ROOT / "data" / "interim" / "clean"
DEMO_CODED = ROOT / "data" / "demo" / "coded"
FORMATS = ROOT / "config" / "formats.yaml"


def _load_test_module():
    """Reuse the corpus loader and name list of the tests, so both measure the same thing."""
    spec = importlib.util.spec_from_file_location(
        "_privacy_tests", ROOT / "tests" / "unit" / "test_privacy.py"
    )
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def corpus_scores(
    corpus: list[dict], names: list[str], places: list[str]
) -> tuple[int, int, int, int]:
    """Count planted identifiers found with the right kind, and near-miss rows with any hit."""
    planted = found = near = near_hit = 0
    for row in corpus:
        hits = find_identifiers(row["text"], names, places)
        if not row["planted"]:
            near += 1
            near_hit += bool(hits)
            continue
        for kind, value in row["planted"]:
            planted += 1
            start = row["text"].index(value)
            end = start + len(value)
            found += any(h.kind == kind and h.start <= start and h.end >= end for h in hits)
    return found, planted, near_hit, near


def make_excerpts(sentences: list[str], n: int, seed: int = 1) -> pd.DataFrame:
    """Build n excerpts of 1-3 sentences drawn from the given sentences."""
    rng = random.Random(seed)
    texts = [" ".join(rng.choices(sentences, k=rng.randint(1, 3))) for _ in range(n)]
    return pd.DataFrame({"excerpt_id": [f"x{i:06d}" for i in range(n)], "text": texts})


def make_names(n: int, seed: int = 5) -> list[str]:
    """Invent n two-part names for the large-name-list timing."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"

    def word(lo: int, hi: int) -> str:
        return "".join(rng.choice(letters) for _ in range(rng.randint(lo, hi))).title()

    return [f"{word(3, 8)} {word(4, 10)}" for _ in range(n)]


def throughput(df: pd.DataFrame, names: list[str], repeats: int = 3) -> float:
    """Best-of-n excerpts per second for redact_excerpts on a table."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        redact_excerpts(df, names)
        best = min(best, time.perf_counter() - t0)
    return len(df) / best


MEGABYTE = 1_000_000


def adversarial_excerpts(size: int = MEGABYTE, seed: int = 7) -> dict[str, str]:
    """Excerpts of about `size` characters built to make a super-linear rule blow up."""
    rng = random.Random(seed)
    digits = " ".join(str(rng.randint(0, 99999)) for _ in range(size // 4))
    separators = " .-/\u2013\u2014\u00a0\u2009\u200b\n"
    mixed = "".join(rng.choice("0123456789") + rng.choice(separators) for _ in range(size // 2))
    groups = "07" + "".join(f" {rng.randint(100, 999)}" for _ in range(size // 4))
    return {
        "trunk 0, then 3-digit groups (before: 12 s at 20 KB)": groups[:size],
        "digit groups of 1 to 5 digits": digits[:size],
        "digits with every separator and invisible": mixed[:size],
        "phone numbers back to back": ("07700 900982 " * (size // 13))[:size],
        "valid NHS numbers back to back": ("943 476 5919 " * (size // 13))[:size],
        "trunk zeros and short groups": ("0 00 01 0(0 +44 " * (size // 16))[:size],
        "one run of spaces": "a" + " " * size + "b",
        "one run of zero-width spaces": "9" + "\u200b" * size + "1",
        "at signs and dots": ("a@b." * (size // 4))[:size],
        "titles and capitals": ("Dr Mrs Nurse Aa " * (size // 16))[:size],
        "decomposed letters": ("Zoe\u0308 " * (size // 5))[:size],
        "birth cues and dates": ("born 1/1/1961 dob " * (size // 18))[:size],
        "NI-number shapes": ("JG 10 37 28 D AB12 " * (size // 19))[:size],
    }


def adversarial_timings(names: list[str], places: list[str]) -> None:
    """Print how long redaction of each 1 MB adversarial excerpt takes (the bound is 5 s):
    wall-clock time and this process's CPU time (less affected by other jobs on the machine)."""
    print("redaction of 1 MB adversarial excerpts (issue bound: under 5 s each), wall / CPU:")
    worst = worst_cpu = 0.0
    for label, text in adversarial_excerpts().items():
        t0, c0 = time.perf_counter(), time.process_time()
        _, hits = redact(text, names, places)
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
        worst, worst_cpu = max(worst, elapsed), max(worst_cpu, cpu)
        print(
            f"  {label:54s} {len(text) / MEGABYTE:4.2f} MB {elapsed:5.2f} s / {cpu:5.2f} s, "
            f"{len(hits)} hits"
        )
    print(f"  slowest: {worst:.2f} s wall, {worst_cpu:.2f} s CPU")
    label = "a" + " " * MEGABYTE + "b"
    t0 = time.perf_counter()
    normalise_code(label)
    print(f"normalise_code on a label with 1,000,000 spaces: {time.perf_counter() - t0:.3f} s")


def read_table(path: Path) -> pd.DataFrame | None:
    """Read one parquet/CSV file or every such file in a folder; None if there is nothing."""
    if path.is_dir():
        files = sorted(path.glob("*.parquet")) + sorted(path.glob("*.csv"))
    elif path.is_file():
        files = [path]
    else:
        return None
    frames = [pd.read_parquet(f) if f.suffix == ".parquet" else pd.read_csv(f) for f in files]
    frames = [f for f in frames if "text" in f.columns]
    return pd.concat(frames, ignore_index=True) if frames else None


def ingest_demo(coded: Path = DEMO_CODED) -> pd.DataFrame:
    """Ingest every demo batch in memory, for a measurement without a prior build."""
    from realist_report.ingest.batch import SUPPORTED_SUFFIXES, ingest_batch
    from realist_report.ingest.formats import load_ingest_options

    options = load_ingest_options(FORMATS)
    paths = sorted(p for p in coded.iterdir() if p.suffix.lower() in SUPPORTED_SUFFIXES)
    return pd.concat([ingest_batch(p, p.stem, options) for p in paths], ignore_index=True)


def recall_figures(tests, table_path: Path) -> None:
    """Recall per identifier kind and per field on the corpus, then every hit on the demo's
    text (with the corpus name and place lists): the demo is synthetic, so each is a false
    positive, except the identifiers its generator plants on purpose (listed by kind)."""
    names, places = tests.CORPUS_NAMES, tests.CORPUS_PLACES
    for key in ("kind", "field"):
        print(f"recall by {key}:")
        for label, (found, planted) in sorted(tests.recall_by(tests.PLANTED_ROWS, key).items()):
            print(f"  {label:<16} {found:>3}/{planted:<3} = {found / planted:.0%}")
    near = tests.NEAR_MISS_ROWS
    near_hit = sum(bool(find_identifiers(r["text"], names, places)) for r in near)
    print(f"near-miss rows with a hit: {near_hit}/{len(near)}")
    table = read_table(table_path)
    if table is None:
        table = ingest_demo()
    texts = sorted(set(table["text"].dropna().astype(str)))
    kinds: Counter[str] = Counter()
    for text in texts:
        kinds.update(h.kind for h in find_identifiers(text, names, places))
    print(
        f"demo text: {sum(kinds.values())} hits in {len(texts)} distinct excerpts with the "
        f"corpus lists; by kind: {dict(sorted(kinds.items()))}"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the privacy-screen figures quoted in the closing note."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("table", nargs="?", type=Path, default=DEFAULT_TABLE)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument(
        "--adversarial-only", action="store_true", help="only the 1 MB adversarial timings"
    )
    parser.add_argument(
        "--recall-only", action="store_true", help="recall per kind and field, demo hits"
    )
    args = parser.parse_args(argv)

    tests = _load_test_module()
    corpus, names, places = tests.CORPUS, tests.CORPUS_NAMES, tests.CORPUS_PLACES
    if args.recall_only:
        recall_figures(tests, args.table)
        return 0
    adversarial_timings(names, places)
    if args.adversarial_only:
        return 0

    found, planted, near_hit, near = corpus_scores(corpus, names, places)
    print(f"corpus: {len(corpus)} rows, {planted} planted identifiers, {near} near-miss rows")
    print(f"recall on planted identifiers: {found}/{planted} = {found / planted:.1%}")
    print(f"near-miss rows with a false positive: {near_hit}/{near} = {near_hit / near:.1%}")

    all_sentences = [r["text"] for r in corpus]
    plain_sentences = [r["text"] for r in corpus if not r["planted"]]
    mixed = make_excerpts(all_sentences, args.rows)
    plain = make_excerpts(plain_sentences, args.rows)
    big_names = make_names(500) + names
    print(f"throughput, {args.rows} excerpts of 1-3 sentences (best of 3):")
    print(f"  identifier-dense corpus mix, no names: {throughput(mixed, []):>9,.0f} excerpts/s")
    print(f"  near-miss sentences only, no names:    {throughput(plain, []):>9,.0f} excerpts/s")
    print(
        f"  corpus mix, {len(big_names)}-name list:       "
        f"{throughput(mixed, big_names):>9,.0f} excerpts/s"
    )

    table = read_table(args.table)
    source = str(args.table)
    if table is None:
        print(f"no parquet/CSV with a 'text' column at {args.table}: ingesting {DEMO_CODED}")
        table, source = ingest_demo(), f"{DEMO_CODED} (fresh ingest)"
    demo = pd.DataFrame({"text": table["text"].dropna().astype(str).tolist()})
    demo = pd.concat([demo] * max(1, args.rows // max(1, len(demo))), ignore_index=True)
    print(
        f"throughput on the demo excerpt table ({len(demo)} rows, repeated): "
        f"{throughput(demo, []):,.0f} excerpts/s without names, "
        f"{throughput(demo, big_names):,.0f} with {len(big_names)} names"
    )
    texts = table["text"].dropna().astype(str).tolist()
    kinds: Counter[str] = Counter()
    with_hits = 0
    for text in texts:
        hits = find_identifiers(text)
        with_hits += bool(hits)
        kinds.update(h.kind for h in hits)
    rate = with_hits / len(texts) if texts else 0.0
    distinct = set(texts)
    distinct_hits = sum(bool(find_identifiers(t)) for t in distinct)
    print(
        f"false-positive rate on the demo excerpts ({source}): {with_hits}/{len(texts)} "
        f"excerpts = {rate:.2%} ({distinct_hits}/{len(distinct)} distinct texts); synthetic "
        f"data hold no real identifiers, so every hit is a false positive. "
        f"By kind: {dict(sorted(kinds.items()))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
