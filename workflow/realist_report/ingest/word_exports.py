"""Word (.docx) exports that hold coded text: Taguette's "export highlights" as Word.

Taguette writes one block per highlight: the highlighted paragraphs, then a line of runs
`Document:` <document> `Tags:` <tag, tag, ...>, then an empty block separator. The reader turns
the blocks into records (Highlight, Document, Tags, Text, Paragraph) that the format
`taguette_word_highlights` in config/formats.yaml maps like any table; a .docx that is not laid
out so is refused saying what was expected.
"""

from __future__ import annotations

from pathlib import Path

from realist_report.core.errors import InputFileError
from realist_report.core.safe_files import check_file_size, open_zip_safely

HEADER = ["Highlight", "Document", "Tags", "Text", "Paragraph"]
DOCUMENT_LABEL, TAGS_LABEL = "Document:", "Tags:"


def _labelled(runs: list[str]) -> tuple[str, str] | None:
    """(document, tags) of a paragraph whose runs are `Document:` name `Tags:` tags."""
    texts = [run for run in runs if run.strip()]
    if len(texts) < 3 or texts[0].strip() != DOCUMENT_LABEL or TAGS_LABEL not in texts:
        return None
    at = texts.index(TAGS_LABEL)
    return "".join(texts[1:at]).strip(), "".join(texts[at + 1 :]).strip()


def read_word_highlights(path: Path, max_bytes: int) -> list[list[str]]:
    """Taguette's Word highlights as records: header, then one record per highlight."""
    import docx

    check_file_size(path, max_bytes)
    with open_zip_safely(path, max_total_bytes=max(max_bytes, 1), max_member_bytes=max_bytes) as zf:
        for info in zf.infolist():  # decompress everything once under the limits
            zf.read(info)
    try:
        paragraphs = docx.Document(str(path)).paragraphs
    except Exception as error:  # python-docx raises many types for broken files
        raise InputFileError(
            path, f"not a readable Word document ({type(error).__name__})"
        ) from error
    records, pending, first = [HEADER], [], None
    for number, paragraph in enumerate(paragraphs, start=1):
        labelled = _labelled([run.text for run in paragraph.runs])
        if labelled is None:
            # the export's title is its first paragraph, a Heading 1; a highlight's own
            # paragraphs keep their styles (a heading in the source stays a heading)
            title = (
                number == 1 and paragraph.style is not None and paragraph.style.name == "Heading 1"
            )
            if (pending or paragraph.text.strip()) and not title:
                first = first or number
                pending.append(paragraph.text)
            continue
        if not pending:
            raise InputFileError(
                path, "a 'Document: ... Tags: ...' line with no text above it", row=number
            )
        text = "\n".join(pending).strip("\n")
        records.append([str(len(records)), *labelled, text, str(first)])
        pending, first = [], None
    if len(records) == 1:
        raise InputFileError(
            path,
            "a Word document without Taguette highlight blocks ('Document: ... Tags: ...' "
            "lines): only Taguette's Word highlights export is read; export the coded "
            "segments as CSV or Excel instead",
        )
    return records
