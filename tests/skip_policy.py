"""A skipped test proves nothing, so a run with an unexplained skip fails.

A test may skip only when this machine lacks something the repository cannot ship: a system
package or program (Debian's chromium, LibreOffice, Graphviz, SLURM) or root to start a cluster.
Its reason then starts with one of ALLOWED_SKIP_PREFIXES; any other skip (a missing folder, a
sample left outside the repository) makes pytest exit non-zero and is listed at the end.
tests/conftest.py loads these hooks for every run.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest

#: How a permitted skip reason starts.
ALLOWED_SKIP_PREFIXES = ("missing system package:", "needs root/SLURM:")


def skip_reason(report: pytest.TestReport) -> str:
    """The reason a skipped test gave (pytest stores it as 'Skipped: <reason>')."""
    longrepr = report.longrepr
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def unexplained_skips(reports: Iterable[pytest.TestReport]) -> list[str]:
    """'test id: reason' for every skip whose reason names no missing system package or root."""
    return [
        f"{report.nodeid}: {skip_reason(report)}"
        for report in reports
        if not skip_reason(report).startswith(ALLOWED_SKIP_PREFIXES)
    ]


def skipped_reports(config: pytest.Config) -> list[pytest.TestReport]:
    """The skipped tests' reports as the terminal reporter collected them (xdist: all workers')."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    return list(reporter.stats.get("skipped", [])) if reporter else []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail an otherwise green run that skipped a test without a permitted reason."""
    if hasattr(session.config, "workerinput"):  # an xdist worker: the controller decides
        return
    if session.exitstatus == pytest.ExitCode.OK and unexplained_skips(
        skipped_reports(session.config)
    ):
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """List the skips that fail the run, and the rule."""
    unexplained = unexplained_skips(terminalreporter.stats.get("skipped", []))
    if not unexplained:
        return
    terminalreporter.section("skips that fail the run", red=True)
    for line in unexplained:
        terminalreporter.line(line)
    allowed = " or ".join(repr(prefix) for prefix in ALLOWED_SKIP_PREFIXES)
    terminalreporter.line(f"a test may skip only with a reason starting {allowed}")
