"""Live preview: the report's HTML edition re-rendered in-process on every save, served locally.

`make preview` (python -m realist_report.report.preview) loads the tables the last `make report`
computed once, watches the narrative, the CMOC file, the config, the templates and the build's
outputs, and re-renders with the same functions rule render_report_html uses
(report.read_report_tables, report_context, render_numbered), so what the author sees is what
gets built. The only difference is the preview's own block (a banner for problems and a
live-reload script), between PREVIEW_BEGIN and PREVIEW_END; strip_preview takes it out again.
A problem (a placeholder, raw HTML, a pinned quote, YAML) is shown above the last good render and
the process keeps running. The PDF is printed on demand into PREVIEW_DIR, never into reports/.
"""

from __future__ import annotations

import argparse
import contextlib
import html as html_lib
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import yaml
from rapidfuzz import process as rf_process

from realist_report.core.errors import PipelineError, PrivacyError
from realist_report.core.vocabulary import use_design
from realist_report.privacy.redact import assert_no_identifiers, load_name_list, screening_names
from realist_report.privacy.screen import html_visible_text
from realist_report.report.context import (
    TEMPLATE_DIR,
    RenderRequest,
    html_options,
    html_settings,
    read_render_request,
    read_report_tables,
    render_numbered,
    report_context,
    run_render_pdf,
)
from realist_report.report.narrative import narrative_files

log = logging.getLogger(__name__)

#: Where rule render_report_html records the paths it read (workflow/rules/report.smk: request).
REQUEST = Path("data/interim/report/render_request.json")
#: The preview's own files (the PDF on demand); publishing stays with `make report` (reports/).
PREVIEW_DIR = Path("preview")
SCHEMA = Path(__file__).resolve().parents[2] / "schemas" / "config.schema.yaml"
PREVIEW_BEGIN = "<!--preview-->"
PREVIEW_END = "<!--/preview-->"
MISSING_RESULTS = (
    "no computed results to preview ({path} is missing): run `make report` first, then "
    "`make preview` again"
)


class PreviewProblem(PipelineError):
    """Something the author wrote cannot be rendered; shown in the page, never a crash."""


@dataclass
class Session:
    """What the preview keeps between saves: the config, the build's tables and the last page."""

    config_path: Path
    config: dict = field(default_factory=dict)
    request: RenderRequest | None = None
    tables: dict = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    good_html: str | None = None
    problems: list[str] = field(default_factory=list)
    privacy: str | None = None
    version: int = 0
    changed: threading.Condition = field(default_factory=threading.Condition)


def load_config(path: Path) -> dict:
    """The config as Snakemake reads it: YAML, checked against the schema, defaults filled in."""
    from snakemake.utils import validate

    try:
        config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.MarkedYAMLError as error:
        raise PreviewProblem(yaml_problem(path, error)) from error
    try:
        validate(config, schema=str(SCHEMA))
    except Exception as error:  # snakemake's WorkflowError carries the whole schema
        from realist_report.core.definitions import config_problems

        problems = config_problems(config, SCHEMA, [str(path)])
        raise PreviewProblem(f"{path}: does not fit the schema:\n{problems}") from error
    return config


def yaml_problem(path: Path | str, error: yaml.MarkedYAMLError) -> str:
    """'file, line N: what YAML expected' (the mark is 0-based)."""
    mark = error.problem_mark or error.context_mark
    line = f", line {mark.line + 1}" if mark else ""
    return f"{path}{line}: not valid YAML ({error.problem or error.context})"


def load_build(session: Session) -> None:
    """Read the config, the build's request and its tables (once per change of either)."""
    session.config = load_config(session.config_path)
    use_design(session.config)  # labels, plurals and waves as the study's design names them
    if not REQUEST.is_file():
        raise PreviewProblem(MISSING_RESULTS.format(path=REQUEST))
    session.request = read_render_request(REQUEST)
    missing = [p for p in session.request.tables.values() if not Path(p).exists()]
    if missing:
        raise PreviewProblem(MISSING_RESULTS.format(path=missing[0]))
    session.tables = read_report_tables(session.request.tables)
    privacy = session.config["privacy"]
    session.names = screening_names(privacy.get("name_list"), session.tables["participants"])


def pinned_lines(cmocs_path: Path) -> dict[str, list[tuple[str, int]]]:
    """Each CMOC's pinned excerpt ids with the line they are written on in the CMOC file."""
    text = cmocs_path.read_text(encoding="utf-8")
    try:
        data = yaml.safe_load(text) or {}
    except yaml.MarkedYAMLError as error:
        raise PreviewProblem(yaml_problem(cmocs_path, error)) from error
    lines = text.splitlines()
    pins: dict[str, list[tuple[str, int]]] = {}
    for cmoc in data.get("cmocs", []) if isinstance(data, dict) else []:
        for excerpt_id in cmoc.get("quotes") or []:
            number = next(
                (n for n, line in enumerate(lines, start=1) if str(excerpt_id) in line), 0
            )
            pins.setdefault(str(cmoc.get("id")), []).append((str(excerpt_id), number))
    return pins


def check_pins(cmocs_path: Path, summary_rows: list[dict]) -> list[str]:
    """Pinned quotes the build would refuse: an id not among the CMOC's supporting excerpts
    (results/cmoc_summary.csv, excerpt_ids), with file, line and the nearest valid id."""
    supporting = {row["cmoc_id"]: str(row["excerpt_ids"] or "").split(";") for row in summary_rows}
    problems = []
    for cmoc_id, pins in pinned_lines(cmocs_path).items():
        for excerpt_id, line in pins:
            valid = [i for i in supporting.get(cmoc_id, []) if i]
            if excerpt_id in valid:
                continue
            best = rf_process.extractOne(excerpt_id, valid) if valid else None
            nearest = f"; nearest supporting id: {best[0]}" if best else ""
            problems.append(
                f"{cmocs_path}, line {line}: {cmoc_id} pins the quote {excerpt_id}, which is not "
                f"an excerpt supporting {cmoc_id} in the last build{nearest}"
            )
    return problems


def pins_changed(cmocs_path: Path, quotes_rows: list[dict]) -> bool:
    """True when the CMOC file pins other quotes than the last build printed (those follow
    the next `make report`, which reruns the evidence step)."""
    printed: dict[str, list[str]] = {}
    for row in quotes_rows:
        if row["chosen_by"] == "team":
            printed.setdefault(row["cmoc_id"], []).append(row["excerpt_id"])
    pinned = {c: [i for i, _ in pins] for c, pins in pinned_lines(cmocs_path).items() if pins}
    return pinned != printed


def render_build_html(session: Session) -> str:
    """The HTML edition exactly as rule render_report_html would write it from these inputs."""
    config, request = session.config, session.request
    narrative_dir = config["narrative"]
    context = report_context(
        session.tables,
        request.tables,
        request.figures,
        html_settings(config),
        config["study"],
        narrative_dir=narrative_dir,
        narrative_paths=narrative_files(narrative_dir),
        options=html_options(config),
    )
    return render_numbered(context)


def privacy_banner(html: str, session: Session) -> str | None:
    """The publish step's screen of the HTML text (publish.screen_report): its message, if any."""
    privacy = session.config["privacy"]
    try:
        assert_no_identifiers(
            html_visible_text(html),
            "the previewed report",
            session.names,
            allowed=privacy.get("allowed", []),
            places=load_name_list(privacy.get("place_list")),
        )
    except PrivacyError as error:
        return str(error)
    return None


def describe(error: Exception) -> str:
    """A researcher's message for a problem found while rendering: file and line where known."""
    import jinja2

    if isinstance(error, jinja2.TemplateSyntaxError):
        return f"{error.filename or error.name}, line {error.lineno}: {error.message}"
    if isinstance(error, yaml.MarkedYAMLError):
        return yaml_problem(getattr(error.problem_mark, "name", "YAML"), error)
    if isinstance(error, PipelineError):
        return str(error)
    log.exception("preview: unexpected error")
    return f"unexpected error ({type(error).__name__}: {error}); see the terminal"


def refresh(session: Session, reload_build: bool) -> None:
    """Re-render after a save; a problem is shown above the last good page, never raised."""
    problems: list[str] = []
    html, privacy = session.good_html, session.privacy
    try:
        if reload_build or not session.tables:
            load_build(session)
        cmocs_path = Path(session.config["cmocs"])
        problems += check_pins(cmocs_path, session.tables["summary"].to_dict("records"))
        if not problems and pins_changed(cmocs_path, session.tables["quotes"].to_dict("records")):
            problems.append(
                f"{cmocs_path}: the pinned quotes changed; the page prints the last build's "
                "quotes until `make report` reruns the evidence step"
            )
        html = render_build_html(session)
        privacy = privacy_banner(html, session)
    except Exception as error:  # noqa: BLE001 - every problem goes to the page
        problems.insert(0, describe(error))
    with session.changed:
        session.good_html, session.privacy, session.problems = html, privacy, problems
        session.version += 1
        session.changed.notify_all()


# ---- the page: the build's HTML with the preview's block (banner, PDF button, live reload) ------

_RELOAD_SCRIPT = """<script>
(function () {
  var shown = "%(version)d";
  var events = new EventSource("/events");
  events.onmessage = function (event) { if (event.data !== shown) { location.reload(); } };
  var button = document.getElementById("preview-pdf");
  button.onclick = function () {
    button.disabled = true; button.textContent = "Printing the PDF...";
    fetch("/pdf", {method: "POST"}).then(function (r) { return r.json(); }).then(function (d) {
      button.disabled = false; button.textContent = "PDF";
      document.getElementById("preview-pdf-status").innerHTML = d.error
        ? d.error : '<a href="/preview.pdf" target="_blank">PDF</a> (' + d.seconds + " s)";
    });
  };
})();
</script>"""
_BAR = (
    "position:sticky;top:0;z-index:1000;font:14px sans-serif;padding:6px 10px;"
    "background:#eef;border-bottom:1px solid #99c"
)
_PROBLEM = "margin:4px 0;padding:6px 10px;white-space:pre-wrap;font:13px monospace;"


def preview_block(session: Session) -> str:
    """The preview's own block: problems, the privacy banner, the PDF button, the reload script."""
    escape = html_lib.escape
    parts = [f'<div id="preview-bar" style="{_BAR}">Live preview ']
    parts.append('<button id="preview-pdf" type="button">PDF</button> ')
    parts.append('<span id="preview-pdf-status"></span>')
    for problem in session.problems:
        parts.append(
            f'<pre class="preview-problem" style="{_PROBLEM}background:#fdd">{escape(problem)}</pre>'
        )
    if session.privacy:
        parts.append(
            f'<pre class="preview-privacy" style="{_PROBLEM}background:#fc9">'
            f"Privacy screen: {escape(session.privacy)}</pre>"
        )
    parts.append("</div>")
    parts.append(_RELOAD_SCRIPT % {"version": session.version})
    return PREVIEW_BEGIN + "".join(parts) + PREVIEW_END


_BODY = re.compile(r"<body\b[^>]*>")


def preview_page(session: Session) -> str:
    """The last good HTML with the preview's block right after <body>; a bare page before one."""
    block = preview_block(session)
    if session.good_html is None:
        return (
            f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body>{block}</body></html>"
        )
    match = _BODY.search(session.good_html)
    at = match.end() if match else 0
    return session.good_html[:at] + block + session.good_html[at:]


def strip_preview(page: str) -> str:
    """The page without the preview's block: the HTML edition `make report` builds."""
    start = page.find(PREVIEW_BEGIN)
    end = page.find(PREVIEW_END)
    if start < 0 or end < start:
        return page
    return page[:start] + page[end + len(PREVIEW_END) :]


def print_pdf(session: Session, folder: Path = PREVIEW_DIR) -> Path:
    """Print the last good HTML to PDF in-process, as rule render_report_pdf does, into `folder`."""
    if session.good_html is None:
        raise PreviewProblem("nothing rendered yet: fix the problem shown first")
    folder.mkdir(parents=True, exist_ok=True)
    html_path = folder / "evaluation_report.html"
    pdf_path = folder / "evaluation_report.pdf"
    html_path.write_text(session.good_html, encoding="utf-8")
    run_render_pdf(str(html_path), str(pdf_path))
    return pdf_path


# ---- serving, watching, the terminal --------------------------------------------------------------


class PreviewServer(ThreadingHTTPServer):
    """http.server on 127.0.0.1 holding the session; one thread per request (events stay open)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], session: Session) -> None:
        super().__init__(address, PreviewHandler)
        self.session = session
        self.pdf_lock = threading.Lock()


class PreviewHandler(BaseHTTPRequestHandler):
    """GET / (the page), /events (server-sent events), /preview.pdf; POST /pdf prints it."""

    server: PreviewServer

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
        log.debug(format, *args)

    def send_body(self, body: bytes, content_type: str, status: int = 200) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        session = self.server.session
        if self.path == "/":
            with session.changed:
                page = preview_page(session)
            self.send_body(page.encode("utf-8"), "text/html; charset=utf-8")
        elif self.path == "/events":
            self.stream_events()
        elif self.path == "/preview.pdf" and (PREVIEW_DIR / "evaluation_report.pdf").is_file():
            self.send_body((PREVIEW_DIR / "evaluation_report.pdf").read_bytes(), "application/pdf")
        elif self.path == "/favicon.ico":
            self.send_body(b"", "image/x-icon", 204)
        else:
            self.send_body(b"not found", "text/plain", 404)

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        if self.path != "/pdf":
            self.send_body(b"not found", "text/plain", 404)
            return
        self.send_body(json.dumps(timed_pdf(self.server)).encode(), "application/json")

    def stream_events(self) -> None:
        """Send the page version now and on every change; the page reloads when it differs."""
        session = self.server.session
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = -1
        try:
            while True:
                with session.changed:
                    session.changed.wait_for(lambda last=seen: session.version != last, timeout=15)
                    version = session.version
                message = f"data: {version}\n\n" if version != seen else ": keep-alive\n\n"
                self.wfile.write(message.encode())
                self.wfile.flush()
                seen = version
        except (BrokenPipeError, ConnectionResetError):
            return


def timed_pdf(server: PreviewServer) -> dict:
    """Print the PDF once at a time; the answer the page's button shows."""
    started = time.perf_counter()
    with server.pdf_lock:
        try:
            path = print_pdf(server.session)
        except PipelineError as error:
            return {"error": html_lib.escape(str(error))}
    seconds = round(time.perf_counter() - started, 2)
    log.info("PDF written to %s in %.2f s", path, seconds)
    return {"pdf": str(path), "seconds": seconds}


def watched_paths(session: Session) -> list[Path]:
    """Everything a save can change: narrative, CMOC file and codebook, config, templates, and
    what `make report` writes (results/ and the request the HTML rule records)."""
    config = session.config
    paths = [
        Path(config["narrative"]),
        Path(config["cmocs"]),
        Path(config["codebook"]),
        session.config_path,
        TEMPLATE_DIR,
        Path("results"),
        REQUEST.parent,
    ]
    paths += [Path(p) for key in ("name_list", "place_list") if (p := config["privacy"].get(key))]
    return [p for p in paths if p.exists()]


def needs_build_reload(changed: set[Path], session: Session) -> bool:
    """A save of the config, a private list or anything `make report` wrote reloads the tables;
    narrative, CMOC and template saves only re-render."""
    light = [Path(session.config["narrative"]), TEMPLATE_DIR, Path(session.config["cmocs"])]
    light = [p.resolve() for p in light]
    return any(not any(p == own or own in p.parents for own in light) for p in changed)


def watch(session: Session, stop: threading.Event, ready: threading.Event) -> None:
    """Re-render on every save until `stop` is set (watchfiles, 50 ms debounce); `ready` is set
    once the watches are in place (the first quiet timeout), so no save before it is missed."""
    from watchfiles import watch as watch_files

    for changes in watch_files(
        *watched_paths(session),
        stop_event=stop,
        debounce=50,
        step=20,
        rust_timeout=200,
        yield_on_timeout=True,
    ):
        ready.set()
        if not changes:
            continue
        changed = {Path(path).resolve() for _, path in changes}
        started = time.perf_counter()
        refresh(session, needs_build_reload(changed, session))
        state = "problem shown" if session.problems else "updated"
        print(f"preview {state} in {time.perf_counter() - started:.2f} s", flush=True)


def typed_keys() -> Iterator[str]:
    """Keys typed in the terminal: each key at once on a terminal (see single_keys), else the
    first letter of each line (a pipe)."""
    if sys.stdin.isatty():
        while key := sys.stdin.read(1):
            yield key.lower()
    else:
        for line in sys.stdin:
            yield line.strip().lower()[:1]


@contextlib.contextmanager
def single_keys() -> Iterator[None]:
    """On a terminal, deliver keys without Enter (cbreak mode) and restore the terminal after."""
    if not sys.stdin.isatty():
        yield
        return
    import termios
    import tty

    saved = termios.tcgetattr(sys.stdin)
    tty.setcbreak(sys.stdin)
    try:
        yield
    finally:
        termios.tcsetattr(sys.stdin, termios.TCSADRAIN, saved)


def terminal_keys(server: PreviewServer, stop: threading.Event) -> None:
    """'p' prints the PDF, 'q' stops the preview (stdin closed: no keys)."""
    for key in typed_keys():
        if key == "p":
            answer = timed_pdf(server)
            print(
                answer.get("error") or f"PDF: {answer['pdf']} ({answer['seconds']} s)", flush=True
            )
        elif key == "q":
            stop.set()
            server.shutdown()
            return


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """`make preview` passes CONFIG and PORT through as --config and --port."""
    parser = argparse.ArgumentParser(prog="make preview", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="config/config.yaml", type=Path)
    parser.add_argument("--port", default=8000, type=int, help="0: any free port")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Load once, render, serve on 127.0.0.1, watch; stop with q or Ctrl-C."""
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    args = parse_args(argv)
    session = Session(config_path=args.config)
    try:
        load_build(session)
    except PipelineError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    refresh(session, reload_build=False)
    server = PreviewServer(("127.0.0.1", args.port), session)
    stop = threading.Event()
    ready = threading.Event()
    threading.Thread(target=watch, args=(session, stop, ready), daemon=True).start()
    ready.wait(timeout=60)
    threading.Thread(target=terminal_keys, args=(server, stop), daemon=True).start()
    print(f"Preview: http://127.0.0.1:{server.server_address[1]}/", flush=True)
    print("press p for the PDF (in preview/), q to stop", flush=True)
    with single_keys():
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
            server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
