"""Publish the report: screen every edition for identifiers, then (and only then) copy them all.

Fail closed: the HTML text, the PDF's extracted text, the Word file's text (body, properties,
image descriptions and the text inside its figures) and every string the evidence explorer
carries each go through the privacy module's screen; one hit anywhere and no edition reaches
reports/. The HTML edition's marked counts become links to the explorer as it is published.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Collection
from pathlib import Path

from realist_report.privacy.redact import (
    assert_no_identifiers,
    flatten_whitespace,
    load_name_list,
    screening_names,
)
from realist_report.privacy.screen import COLUMN_BREAK, screen_report
from realist_report.report.explorer import explorer_text, link_report_counts
from realist_report.report.office import docx_text

log = logging.getLogger(__name__)


def screen_docx(
    docx_path: str | Path,
    names: Collection[str],
    allowed: Collection[str],
    places: Collection[str] = (),
) -> None:
    """Fail closed if the Word edition's text shows an identifier."""
    text = flatten_whitespace(docx_text(docx_path, COLUMN_BREAK))
    where = f"the Word report {docx_path}"
    assert_no_identifiers(text, where, names, allowed=allowed, places=places)


def screen_explorer(
    explorer_path: str | Path,
    names: Collection[str],
    allowed: Collection[str],
    places: Collection[str] = (),
) -> None:
    """Fail closed if the evidence explorer's page or data show an identifier."""
    text = flatten_whitespace(explorer_text(explorer_path))
    where = f"the evidence explorer {explorer_path}"
    assert_no_identifiers(text, where, names, allowed=allowed, places=places)


def run_publish_report(
    editions: dict[str, str],
    participants_path: str,
    name_list: str | None,
    allowed: Collection[str],
    outputs: dict[str, str],
    place_list: str | None = None,
) -> None:
    """Rule adapter: screen the HTML, PDF, DOCX and explorer editions, then publish all four."""
    from realist_report.core.tables import read_parquet

    names = screening_names(name_list, read_parquet(participants_path))
    places = load_name_list(place_list)
    log.info(
        "screening the report with %d names, %d places and %d allowed strings",
        len(names), len(places), len(allowed),
    )  # fmt: skip
    screen_report(editions["html"], editions["pdf"], names, allowed, places)
    screen_docx(editions["docx"], names, allowed, places)
    screen_explorer(editions["explorer"], names, allowed, places)
    log.info("no identifiers found in the HTML, PDF, Word or explorer text: publishing")
    for key, source in editions.items():
        Path(outputs[key]).parent.mkdir(parents=True, exist_ok=True)
        if key == "html":
            html = link_report_counts(Path(source).read_text(encoding="utf-8"))
            Path(outputs[key]).write_text(html, encoding="utf-8")
        else:
            shutil.copyfile(source, outputs[key])
