"""Run a Snakemake script with its messages in the rule's log and project errors printed once."""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from realist_report.core.errors import PipelineError
from realist_report.core.vocabulary import use_design

FORMAT = "%(asctime)s %(levelname)-7s %(message)s"


@contextmanager
def rule_logging(smk: object) -> Iterator[logging.Logger]:
    """Log to the rule's `log:` file (and stderr); turn a PipelineError into one clear message."""
    log_paths = list(getattr(smk, "log", []))
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_paths:
        Path(log_paths[0]).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_paths[0], mode="w", encoding="utf-8"))
    config = getattr(smk, "config", {})
    if "design" in config:
        use_design(config)
    screen = RedactingFilter.for_config(config)
    for handler in handlers:
        handler.addFilter(screen)
    logging.basicConfig(level=logging.INFO, format=FORMAT, handlers=handlers, force=True)
    logging.getLogger("fontTools").setLevel(logging.WARNING)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    rule = getattr(smk, "rule", "step")
    log = logging.getLogger(f"rule.{rule}")
    for name, path in _named(getattr(smk, "input", {})):
        log.info("input  %s: %s", name, path)
    started = time.perf_counter()
    try:
        yield log
    except PipelineError as error:
        log.error("%s", error)
        logging.shutdown()
        sys.exit(1)
    except Exception:
        # a bug: keep the traceback for the developer, but through the screen like any message
        log.error("unexpected error in rule %s:\n%s", rule, traceback.format_exc())
        logging.shutdown()
        sys.exit(1)
    for name, path in _named(getattr(smk, "output", {})):
        log.info("output %s: %s", name, path)
    log.info("done in %.2f s", time.perf_counter() - started)


class RedactingFilter(logging.Filter):
    """Every message a rule logs or prints passes the privacy screen: an identifier in a file
    name, a cell echoed by an error or a warning about a source becomes a typed placeholder."""

    def __init__(self, names: list[str], places: list[str]) -> None:
        super().__init__()
        self.names, self.places = names, places

    @classmethod
    def for_config(cls, config: object) -> RedactingFilter:
        """The filter with the build's private name and place lists (when they exist)."""
        from realist_report.privacy.redact import load_name_list

        privacy = (config.get("privacy") if isinstance(config, dict) else None) or {}
        return cls(
            load_name_list(privacy.get("name_list")), load_name_list(privacy.get("place_list"))
        )

    def filter(self, record: logging.LogRecord) -> bool:
        from realist_report.privacy.redact import redact

        message = record.getMessage()
        redacted, hits = redact(message, self.names, self.places)
        if hits:
            record.msg, record.args = redacted, None
        return True


def _named(files: object) -> list[tuple[str, str]]:
    """(name, path) pairs of a Snakemake Namedlist, positional entries named by index."""
    names = dict(files.items()) if hasattr(files, "items") else {}
    by_path = {str(v): k for k, v in names.items() if isinstance(v, str)}
    return [(by_path.get(str(path), str(i)), str(path)) for i, path in enumerate(files)]
