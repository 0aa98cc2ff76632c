"""A co-author's edits in the Word edition, back to the narrative Markdown (make import-docx).

The Word edition carries bookmarks: rrn_N around each narrative part (one file under the
narrative folder) and rrv_N around each computed value; the custom property
realist-report-markers says what each bookmark holds and realist-report-build names the study,
the build and the SHA-256 of every narrative file. Bookmarks survive Word's and LibreOffice's
rewriting, so the import maps the edited text back without guessing:

* a paragraph whose text is unchanged keeps its Markdown lines as they are; a changed one is
  written from the Word text (bold and italics as Markdown);
* a computed value that still shows what the pipeline printed becomes its {{ placeholder }}
  again; a changed one is a conflict and the placeholder stays (never a typed number);
* tracked changes count as accepted (inserted text in, deleted text out); comments are listed;
* text outside the narrative parts (tables, quotes, appendices) is never imported: paragraphs
  that differ from the build's own Word file are listed with the heading they sit under.

Nothing is written unless asked (apply), nothing over a file changed since the Word file was
built (unless forced), nothing that fails the privacy screen, and nothing from another study or
another build.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from defusedxml import ElementTree

from realist_report.core.errors import PipelineError, PrivacyError
from realist_report.privacy.redact import assert_no_identifiers
from realist_report.report.citations import CITATION, citation_markdown, cited_marker
from realist_report.report.narrative import parse_markdown
from realist_report.report.office import BUILD_PROPERTY, MARKERS_PROPERTY

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
_HEADING_STYLE = re.compile(r"^Heading(\d)$", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{\{\s*(.*?)\s*\}\}")


class ImportRefused(PipelineError):
    """The Word file cannot be imported here: the message says why."""


# ------------------------------------------------------------------ reading the Word file


@dataclass
class Segment:
    """A stretch of one paragraph's text: plain, or inside a computed-value bookmark."""

    text: str
    placeholder: str | None = None  # bookmark name rrv_N
    bold: bool = False
    italic: bool = False


@dataclass
class Paragraph:
    """One Word paragraph: its narrative part (bookmark rrn_N or None), style and text."""

    part: str | None
    heading: int = 0
    in_table: bool = False
    segments: list[Segment] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)  # comment ids anchored here

    @property
    def text(self) -> str:
        return " ".join("".join(s.text for s in self.segments).split())


@dataclass
class Comment:
    """A Word comment: who, when, what it says and the text it is anchored to."""

    author: str
    date: str
    text: str
    anchored: str = ""
    part: str | None = None
    paragraph: int = -1  # index within the part's paragraphs


def _properties(package: zipfile.ZipFile) -> dict[str, str]:
    """Custom document properties (name -> string value)."""
    if "docProps/custom.xml" not in package.namelist():
        return {}
    root = ElementTree.fromstring(package.read("docProps/custom.xml"))
    values = {}
    for prop in root:
        value = prop.find(f"{_VT}lpwstr")
        if value is not None:
            values[prop.attrib.get("name", "")] = value.text or ""
    return values


class _Reader:
    """Walks document.xml once, in order, keeping track of open bookmarks and comment ranges."""

    def __init__(self) -> None:
        self.paragraphs: list[Paragraph] = []
        self.open: dict[str, str] = {}  # bookmark id -> name
        self.comment_text: dict[str, list[str]] = {}
        self.open_comments: set[str] = set()
        self.depth_table = 0
        self.deleted = 0
        self.current: Paragraph | None = None
        self.run: dict[str, bool] = {"bold": False, "italic": False}

    def _names(self, prefix: str) -> list[str]:
        return [n for n in self.open.values() if n.startswith(prefix)]

    def start(self, element) -> None:
        tag = element.tag
        if tag == f"{W}tbl":
            self.depth_table += 1
        elif tag == f"{W}p":
            parts = self._names("rrn_")
            self.current = Paragraph(parts[-1] if parts else None, in_table=self.depth_table > 0)
        elif tag == f"{W}bookmarkStart":
            name = element.attrib.get(f"{W}name", "")
            if name.startswith("rrn_"):
                self._close(lambda other: other.startswith("rrn_"))
            self.open[element.attrib.get(f"{W}id", "")] = name
            self._claim_part()
            if name.startswith("rrv_") and self.current is not None:
                # where the value starts, even if LibreOffice leaves its bookmark empty
                self.current.segments.append(Segment("", name, **self.run))
        elif tag == f"{W}bookmarkEnd":
            name = self.open.pop(element.attrib.get(f"{W}id", ""), "")
            if name.startswith("rrn_"):
                self._close(lambda other: other == name)
        elif tag == f"{W}commentRangeStart":
            cid = element.attrib.get(f"{W}id", "")
            self.open_comments.add(cid)
            if self.current is not None:
                self.current.comments.append(cid)
        elif tag == f"{W}commentRangeEnd":
            self.open_comments.discard(element.attrib.get(f"{W}id", ""))
        elif tag in (f"{W}del", f"{W}moveFrom"):
            self.deleted += 1
        elif tag == f"{W}r":
            self.run = {"bold": False, "italic": False}

    def _close(self, which) -> None:
        """Narrative parts never nest: a part's bookmark ends where the next part's begins, and
        all its pieces end with any of them (LibreOffice cuts a bookmark over a list in two, the
        first piece left open)."""
        for key in [k for k, name in self.open.items() if which(name)]:
            del self.open[key]

    def _claim_part(self) -> None:
        """A narrative bookmark that opens inside a paragraph (LibreOffice puts it there)."""
        parts = self._names("rrn_")
        if self.current is not None and parts and self.current.part is None:
            self.current.part = parts[-1]

    def end(self, element) -> None:
        tag = element.tag
        if tag == f"{W}tbl":
            self.depth_table -= 1
        elif tag in (f"{W}del", f"{W}moveFrom"):
            self.deleted -= 1
        elif tag == f"{W}pStyle" and self.current is not None:
            match = _HEADING_STYLE.match(element.attrib.get(f"{W}val", ""))
            self.current.heading = int(match.group(1)) if match else 0
        elif tag in (f"{W}b", f"{W}i") and self.run is not None:
            on = element.attrib.get(f"{W}val", "true") not in ("0", "false")
            self.run["bold" if tag == f"{W}b" else "italic"] = on
        elif tag in (f"{W}t", f"{W}tab") and self.current is not None and not self.deleted:
            self._text(element.text or "" if tag == f"{W}t" else " ")
        elif tag == f"{W}p" and self.current is not None:
            self.paragraphs.append(self.current)
            self.current = None

    def _text(self, text: str) -> None:
        values = self._names("rrv_")
        segment = Segment(text, values[-1] if values else None, **self.run)
        last = self.current.segments[-1] if self.current.segments else None
        if last and (last.placeholder, last.bold, last.italic) == (
            segment.placeholder, segment.bold, segment.italic
        ):  # fmt: skip
            last.text += text
        else:
            self.current.segments.append(segment)
        for cid in self.open_comments:
            self.comment_text.setdefault(cid, []).append(text)


def _comments(package: zipfile.ZipFile) -> dict[str, Comment]:
    """Word comments by id (word/comments.xml)."""
    if "word/comments.xml" not in package.namelist():
        return {}
    found = {}
    for comment in ElementTree.fromstring(package.read("word/comments.xml")).iter(f"{W}comment"):
        text = " ".join("".join(t.text or "" for t in comment.iter(f"{W}t")).split())
        found[comment.attrib.get(f"{W}id", "")] = Comment(
            comment.attrib.get(f"{W}author", ""), comment.attrib.get(f"{W}date", ""), text
        )
    return found


@dataclass
class Edition:
    """What a Word edition holds: build record, markers, paragraphs and comments."""

    build: dict
    markers: dict[str, dict]
    paragraphs: list[Paragraph]
    comments: list[Comment]


def read_edition(docx_path: str | Path) -> Edition:
    """Read a (possibly edited) Word edition."""
    try:
        package = zipfile.ZipFile(docx_path)
    except (zipfile.BadZipFile, OSError) as error:
        raise ImportRefused(f"{docx_path}: not a Word (.docx) file ({error})") from error
    with package:
        properties = _properties(package)
        if BUILD_PROPERTY not in properties or MARKERS_PROPERTY not in properties:
            raise ImportRefused(
                f"{docx_path}: not a Word edition of this pipeline (it carries no build record); "
                "only reports/evaluation_report.docx, edited, can be imported"
            )
        reader = _Reader()
        source = package.open("word/document.xml")
        for event, element in ElementTree.iterparse(source, events=("start", "end")):
            (reader.start if event == "start" else reader.end)(element)
        comments = _comments(package)
    for cid, comment in comments.items():
        comment.anchored = " ".join("".join(reader.comment_text.get(cid, [])).split())
    by_part: dict[str | None, int] = {}
    for paragraph in reader.paragraphs:
        index = by_part.get(paragraph.part, 0)
        by_part[paragraph.part] = index + 1
        for cid in paragraph.comments:
            if cid in comments:
                comments[cid].part, comments[cid].paragraph = paragraph.part, index
    return Edition(
        json.loads(properties[BUILD_PROPERTY]),
        json.loads(properties[MARKERS_PROPERTY]),
        reader.paragraphs,
        list(comments.values()),
    )


# ------------------------------------------------------------------ the Markdown side


@dataclass
class Block:
    """One paragraph, heading or list item paragraph of a narrative file, by its lines."""

    first: int  # 0-based line of the file
    last: int  # exclusive
    prefix: str  # what precedes the text on its first line ("## ", "- ", "")
    plain: str  # the text as the report prints it (placeholders filled, Markdown stripped)


def _printed(text: str, shown: dict[str, str]) -> str:
    """A text token as the report prints it: placeholders filled, citations numbered (their
    markers, citations.cited_marker, are in `shown` with what was printed)."""
    text = _PLACEHOLDER.sub(lambda m: shown.get(m.group(1), m.group(0)), text)
    return CITATION.sub(lambda m: shown.get(cited_marker(m.group(1)), m.group(0)), text)


def _inline_plain(children: list, shown: dict[str, str]) -> str:
    """Printed text of an inline token: placeholders filled, emphasis and link marks dropped;
    a word hyphenated at a line end printed whole, as the narrative renders it."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(_printed(child.content, shown))
        elif child.type in ("softbreak", "hardbreak"):
            hyphenated = parts and re.search(r"[A-Za-z]-$", parts[-1])
            parts.append("" if hyphenated else " ")
        elif child.type == "image":
            parts.append(child.content)
    return " ".join("".join(parts).split())


def markdown_blocks(text: str, shown: dict[str, str]) -> list[Block]:
    """The blocks of a narrative file a Word paragraph corresponds to, in order."""
    lines = text.splitlines()
    blocks = []
    tokens = parse_markdown(text)
    for index, token in enumerate(tokens):
        if token.type not in ("paragraph_open", "heading_open") or not token.map:
            continue
        inline = tokens[index + 1]
        first, last = token.map
        head = inline.content.splitlines()[0] if inline.content else ""
        line = lines[first]
        prefix = line[: line.find(head)] if head and head in line else ""
        blocks.append(Block(first, last, prefix, _inline_plain(inline.children or [], shown)))
    return blocks


# ------------------------------------------------------------------ merging one narrative part


@dataclass
class Conflict:
    """A computed value changed in Word: the placeholder stays, the team decides."""

    file: str
    line: int
    placeholder: str
    printed: str
    typed: str


def _value_span(text: str, start: int, end: int, shown: str) -> tuple[int, int]:
    """Where a computed value really is: LibreOffice can move a bookmark by a character (after a
    comment anchor), so the printed value within two characters counts as unchanged, and a
    changed value is the whole word the bookmark touches."""
    for delta in (0, -1, 1, -2, 2):
        if start + delta >= 0 and text[start + delta : start + delta + len(shown)] == shown:
            return start + delta, start + delta + len(shown)
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in ".,%"):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] in ".,%"):
        end += 1
    return start, end


def _realigned(paragraph: Paragraph, markers: dict[str, dict]) -> list[Segment]:
    """The paragraph's segments with every computed value over the text it really covers."""
    text = "".join(s.text for s in paragraph.segments)
    owner: list[list] = []
    for segment in paragraph.segments:
        owner += [[None, segment.bold, segment.italic] for _ in segment.text]
    start = 0
    for segment in paragraph.segments:
        end = start + len(segment.text)
        marker = markers.get(segment.placeholder or "", {})
        if "placeholder" in marker:
            first, last = _value_span(text, start, end, marker["shown"])
            if segment.text.strip() or text[first:last] == marker["shown"]:
                for i in range(first, last):
                    owner[i][0] = segment.placeholder
        start = end
    segments: list[Segment] = []
    for char, (placeholder, bold, italic) in zip(text, owner, strict=True):
        last = segments[-1] if segments else None
        if last and (last.placeholder, last.bold, last.italic) == (placeholder, bold, italic):
            last.text += char
        else:
            segments.append(Segment(char, placeholder, bold, italic))
    return segments


def _markdown_of(paragraph: Paragraph, markers: dict[str, dict], conflicts: list, where) -> str:
    """A changed Word paragraph as Markdown: computed values back to their placeholders."""
    out = []
    for segment in _realigned(paragraph, markers):
        marker = markers.get(segment.placeholder or "", {})
        if "placeholder" in marker:
            if not segment.text.strip():
                continue  # the co-author deleted the value: the placeholder goes too
            cited = citation_markdown(marker["placeholder"])
            text = cited or "{{ " + marker["placeholder"] + " }}"
            if " ".join(segment.text.split()) != marker["shown"]:
                conflicts.append(
                    (cited or marker["placeholder"], marker["shown"], segment.text.strip())
                )
        else:
            text = segment.text
        if text.strip() and (segment.bold or segment.italic):
            mark = "**" if segment.bold else "*"
            core = text.strip()
            text = (
                text[: len(text) - len(text.lstrip())]
                + mark
                + core
                + mark
                + (text[len(text.rstrip()) :])
            )
        out.append(text)
    return " ".join("".join(out).split())


def merge_part(
    text: str, paragraphs: list[Paragraph], markers: dict[str, dict], file: str
) -> tuple[str, list[Conflict], list[int]]:
    """The narrative file with the Word paragraphs' edits; conflicts; the Markdown line (1-based)
    of every Word paragraph, for comments."""
    shown = {m["placeholder"]: m["shown"] for m in markers.values() if "placeholder" in m}
    blocks = markdown_blocks(text, shown)
    lines = text.splitlines()
    matcher = difflib.SequenceMatcher(
        None, [b.plain for b in blocks], [p.text for p in paragraphs], autojunk=False
    )
    out: list[str] = lines[: blocks[0].first] if blocks else []
    conflicts: list[Conflict] = []
    line_of: list[int] = [1] * len(paragraphs)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        for j in range(b0, b1):
            line_of[j] = blocks[min(a0 + j - b0, len(blocks) - 1)].first + 1 if blocks else 1
        if op == "equal":
            for i in range(a0, a1):
                out.extend(_with_gap(lines, blocks, i))
            continue
        for offset, j in enumerate(range(b0, b1)):
            found: list = []
            written = _markdown_of(paragraphs[j], markers, found, file)
            own = a0 + offset < a1
            like = blocks[a0 + offset] if own else (blocks[a1 - 1] if a1 > a0 else None)
            heading = "#" * paragraphs[j].heading + " " if paragraphs[j].heading else ""
            out.append((like.prefix if like else heading) + written)
            out.extend(
                _with_gap(lines, blocks, a0 + offset)[like.last - like.first :] if own else [""]
            )
            conflicts += [Conflict(file, line_of[j], *c) for c in found]
    merged = "\n".join(out).rstrip("\n") + "\n"
    return merged, conflicts, line_of


def _with_gap(lines: list[str], blocks: list[Block], i: int) -> list[str]:
    """A block's own lines and the lines after it up to the next block (blank lines, fences)."""
    end = blocks[i + 1].first if i + 1 < len(blocks) else len(lines)
    return lines[blocks[i].first : end]


# ------------------------------------------------------------------ the whole import


@dataclass
class ImportResult:
    """What an import found and did, for the researcher to read."""

    diffs: dict[str, str] = field(default_factory=dict)  # file -> unified diff
    written: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)  # file -> why it was not written
    conflicts: list[Conflict] = field(default_factory=list)
    not_imported: list[str] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)


def check_origin(build: dict, study_title: str, build_id: str, docx_path: str | Path) -> None:
    """Refuse a Word file of another study, or one whose computed values another build made."""
    if build.get("study") != study_title:
        raise ImportRefused(
            f"{docx_path}: this Word file is the report of another study (its title is not "
            "study.title in config/config.yaml); nothing was imported"
        )
    if build.get("build_id") != build_id:
        raise ImportRefused(
            f"{docx_path}: this Word file was built by build {build.get('build_id')}, the current "
            f"build is {build_id} (data, configuration or code changed, so its computed values may "
            "differ); import it where it was built, or send the co-author the current "
            "reports/evaluation_report.docx; nothing was imported"
        )


def _parts(edition: Edition) -> dict[str, list[list[Paragraph]]]:
    """Paragraphs of each narrative file, one list per place it is printed."""
    found: dict[str, dict[str, list[Paragraph]]] = {}
    for paragraph in edition.paragraphs:
        marker = edition.markers.get(paragraph.part or "", {})
        if "narrative" in marker:
            found.setdefault(marker["narrative"], {}).setdefault(paragraph.part, []).append(
                paragraph
            )
    return {file: list(places.values()) for file, places in found.items()}


def _merge_file(text: str, places: list[list[Paragraph]], edition: Edition, file: str):
    """One narrative file merged from its printed places; a file printed twice and edited
    differently in the two places is held as a conflict."""
    results = [merge_part(text, paragraphs, edition.markers, file) for paragraphs in places]
    changed = {merged for merged, _, _ in results if merged != text}
    if len(changed) > 1:
        return None, results
    chosen = next((r for r in results if r[0] != text), results[0])
    return chosen, results


def outside_edits(edition: Edition, baseline: Edition | None) -> list[str]:
    """Paragraphs outside the narrative that differ from the build's own Word file, with the
    heading they sit under (tables, quotes and appendices are computed, never imported)."""
    if baseline is None:
        return []

    def outside(paragraphs: list[Paragraph]) -> list[tuple[str, str]]:
        rows, heading = [], "the title page"
        for p in paragraphs:
            if p.heading:
                heading = p.text
            if p.part is None:
                rows.append((p.text, ("a table under " if p.in_table else "") + f"'{heading}'"))
        return rows

    old, new = outside(baseline.paragraphs), outside(edition.paragraphs)
    matcher = difflib.SequenceMatcher(
        None, [t for t, _ in old], [t for t, _ in new], autojunk=False
    )
    listed = []
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op == "equal":
            continue
        where = new[b0][1] if b0 < len(new) else old[a0][1]
        listed.append(f"{where}: {max(a1 - a0, b1 - b0)} paragraph(s) {op}d, not imported")
    return listed


def import_docx(
    docx_path: str | Path,
    narrative_dir: str | Path,
    *,
    study_title: str,
    build_id: str,
    baseline_docx: str | Path | None = None,
    apply: bool = False,
    force: bool = False,
    screen: dict | None = None,
) -> ImportResult:
    """Compare an edited Word edition with the narrative files; with `apply`, write the edits
    back. `screen` holds the privacy screen's names, places and allowed strings."""
    edition = read_edition(docx_path)
    check_origin(edition.build, study_title, build_id, docx_path)
    root = Path(narrative_dir)
    result = ImportResult()
    baseline = (
        read_edition(baseline_docx) if baseline_docx and Path(baseline_docx).is_file() else None
    )
    result.not_imported = outside_edits(edition, baseline)
    lines_of: dict[str | None, list[int]] = {}
    for file, places in sorted(_parts(edition).items()):
        path = root / file
        text = path.read_text(encoding="utf-8")
        chosen, results = _merge_file(text, places, edition, file)
        for paragraphs, (_, _, line_of) in zip(places, results, strict=True):
            lines_of[paragraphs[0].part] = line_of
        if chosen is None:
            result.held[file] = "printed twice and edited differently in the two places"
            continue
        merged, conflicts, _ = chosen
        result.conflicts += conflicts
        if merged == text:
            continue
        result.diffs[file] = "".join(
            difflib.unified_diff(
                text.splitlines(keepends=True), merged.splitlines(keepends=True),
                f"{root / file} (now)", f"{root / file} (from Word)",
            )
        )  # fmt: skip
        recorded = edition.build.get("narrative", {}).get(file)
        why = _why_not_write(path, text, merged, recorded, force, screen or {})
        if why:
            result.held[file] = why
        elif apply:
            path.write_text(merged, encoding="utf-8")
            result.written.append(file)
    result.comments = _comment_rows(edition, lines_of)
    return result


def _why_not_write(
    path: Path, text: str, merged: str, recorded: str | None, force: bool, screen: dict
) -> str | None:
    """Why an edited narrative file must not be written (None when it may be)."""
    now = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if recorded != now and not force:
        return (
            "changed since the Word file was built (SHA-256 differs from the one the Word file "
            "lists): merge by hand, or run again with FORCE=1 to write the Word text over it"
        )
    try:
        assert_no_identifiers(
            merged, f"{path} (imported from Word)", screen.get("names", ()),
            allowed=screen.get("allowed", ()), places=screen.get("places", ()),
        )  # fmt: skip
    except PrivacyError as error:
        return str(error)
    return None


def _comment_rows(edition: Edition, lines_of: dict[str | None, list[int]]) -> list[dict]:
    """Comments with the narrative file and line they are anchored in."""
    rows = []
    for comment in edition.comments:
        marker = edition.markers.get(comment.part or "", {})
        lines = lines_of.get(comment.part, [])
        line = lines[comment.paragraph] if 0 <= comment.paragraph < len(lines) else None
        rows.append(
            {
                "author": comment.author,
                "date": comment.date,
                "comment": comment.text,
                "anchored": comment.anchored,
                "file": marker.get("narrative", "(not narrative: a computed part)"),
                "line": line,
            }
        )
    return rows


# ------------------------------------------------------------------ command line


def report_lines(result: ImportResult, apply: bool) -> Iterator[str]:
    """What the researcher reads: diffs, what was held and why, conflicts, skipped, comments."""
    for diff in result.diffs.values():
        yield diff.rstrip("\n")
    if not result.diffs:
        yield "no narrative file differs from the Word file"
    for file, why in result.held.items():
        yield f"NOT WRITTEN {file}: {why}"
    for c in result.conflicts:
        yield (
            f"CONFLICT {c.file}, line {c.line}: {{{{ {c.placeholder} }}}} printed '{c.printed}', "
            f"the Word file says '{c.typed}'; the placeholder stays (computed values change "
            "with the data, not in the text)"
        )
    for where in result.not_imported:
        yield f"NOT IMPORTED (computed part) {where}"
    for row in result.comments:
        place = f"{row['file']}, line {row['line']}" if row["line"] else row["file"]
        yield (
            f'COMMENT {row["author"]} {row["date"]} on "{row["anchored"]}" ({place}): '
            f"{row['comment']}"
        )
    if apply:
        yield f"written: {', '.join(result.written) or 'nothing'}"
    elif result.diffs:
        yield "nothing written: run again with APPLY=1 to write these changes"


def _screen_lists(config: dict) -> dict:
    """Names, places and allowed strings for the privacy screen of imported text."""
    from realist_report.core.tables import read_parquet
    from realist_report.privacy.redact import load_name_list, screening_names

    privacy = config.get("privacy", {})
    registers = Path("data/interim/registers/participants.parquet")
    participants = read_parquet(registers) if registers.is_file() else None
    names = (
        screening_names(privacy.get("name_list"), participants)
        if participants is not None
        else load_name_list(privacy.get("name_list"))
    )
    return {
        "names": names,
        "places": load_name_list(privacy.get("place_list")),
        "allowed": privacy.get("allowed", []),
    }


def main(argv: list[str] | None = None) -> int:
    """make import-docx FILE=edited.docx [APPLY=1] [FORCE=1]"""
    import yaml

    parser = argparse.ArgumentParser(prog="make import-docx", description=__doc__.split("\n")[0])
    parser.add_argument("docx")
    parser.add_argument("--apply", action="store_true", help="write the edits back")
    parser.add_argument("--force", action="store_true", help="write over files changed since")
    parser.add_argument("--config", default="config/config.yaml")
    parser.add_argument("--build-inputs", default="data/interim/audit/build_inputs.json")
    parser.add_argument("--baseline", default="reports/evaluation_report.docx")
    args = parser.parse_args(argv)
    config = yaml.safe_load(Path(args.config).read_text(encoding="utf-8"))
    try:
        build_id = json.loads(Path(args.build_inputs).read_text(encoding="utf-8"))["build_id"]
    except OSError:
        print(f"{args.build_inputs}: missing; run make report first", file=sys.stderr)
        return 2
    try:
        result = import_docx(
            args.docx, config["narrative"], study_title=config["study"]["title"],
            build_id=build_id, baseline_docx=args.baseline, apply=args.apply,
            force=args.force, screen=_screen_lists(config),
        )  # fmt: skip
    except PipelineError as error:
        print(str(error), file=sys.stderr)
        return 1
    for line in report_lines(result, args.apply):
        print(line)
    return 1 if result.held else 0


if __name__ == "__main__":
    sys.exit(main())
