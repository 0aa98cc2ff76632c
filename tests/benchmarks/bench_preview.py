"""The live preview's edit loop, timed from outside as an author meets it (run_bench.py uses it).

`python -m realist_report.report.preview` runs in a built workflow copy on a free port; for each of
five narrative edits the clock runs from the save to the moment a fetch of the page (what the
browser's automatic reload asks for) returns the new sentence, after the server-sent event
announcing it. Then one more edit is followed by the page's PDF request: save -> PDF written in
preview/, against a bare WeasyPrint render of the same HTML.
"""

from __future__ import annotations

import json
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

EDITS = 5
#: The HTML the preview printed its PDF from (realist_report.report.preview.PREVIEW_DIR).
PREVIEW_HTML = Path("preview/evaluation_report.html")
#: Goals (issue 28): edit -> preview updated, median over EDITS; edit -> PDF against a bare render.
PREVIEW_MAX_S = 1.0
PREVIEW_PDF_MAX_RATIO = 1.2


@dataclass
class PreviewTimes:
    """What the preview bench measured: each edit's seconds and the edit -> PDF seconds."""

    edits: list[float]
    pdf_s: float

    @property
    def median_s(self) -> float:
        return statistics.median(self.edits)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Events:
    """The preview's server-sent events, read in a thread: the latest page version announced."""

    def __init__(self, url: str) -> None:
        self.version = -1
        self.arrived = threading.Condition()
        self.stream = urllib.request.urlopen(url + "events", timeout=60)  # noqa: S310 - localhost
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        for raw in self.stream:
            line = raw.decode().strip()
            if line.startswith("data: "):
                with self.arrived:
                    self.version = int(line.removeprefix("data: "))
                    self.arrived.notify_all()

    def wait_past(self, version: int, timeout: float = 60) -> int:
        with self.arrived:
            self.arrived.wait_for(lambda: self.version > version, timeout=timeout)
            return self.version


def start_preview(workdir: Path) -> tuple[subprocess.Popen, str]:
    """The preview process and its URL (the first line it prints)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "realist_report.report.preview", "--port", str(free_port())],
        cwd=workdir,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    url = process.stdout.readline().strip().removeprefix("Preview: ")
    if not url.startswith("http://127.0.0.1:"):
        process.kill()
        raise RuntimeError(f"the preview did not start: {url!r}")
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()  # drain
    return process, url


def edit_and_wait(narrative: Path, events: Events, url: str, number: int) -> float:
    """Save one more sentence; seconds until the announced page shows it."""
    sentence = f"Preview benchmark sentence number {number}."
    before = events.version
    started = time.perf_counter()
    narrative.write_text(narrative.read_text(encoding="utf-8") + f"\n{sentence}\n", "utf-8")
    events.wait_past(before)
    page = urllib.request.urlopen(url, timeout=60).read().decode()  # noqa: S310 - localhost
    seconds = time.perf_counter() - started
    if sentence not in page:
        raise RuntimeError(f"the preview did not show edit {number}")
    return seconds


def bench_preview(workdir: Path, narrative: Path) -> PreviewTimes:
    """Five timed edits, then edit -> PDF, in a preview of the built copy `workdir`."""
    process, url = start_preview(workdir)
    try:
        events = Events(url)
        events.wait_past(-1)
        edits = [edit_and_wait(workdir / narrative, events, url, n) for n in range(1, EDITS + 1)]
        started = time.perf_counter()
        edit_and_wait(workdir / narrative, events, url, EDITS + 1)
        request = urllib.request.Request(url + "pdf", method="POST")
        answer = json.loads(urllib.request.urlopen(request, timeout=600).read())  # noqa: S310
        pdf_s = time.perf_counter() - started
        if "pdf" not in answer:
            raise RuntimeError(f"the preview printed no PDF: {answer}")
        return PreviewTimes(edits, pdf_s)
    finally:
        process.terminate()
        process.wait(timeout=30)
