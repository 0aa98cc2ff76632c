"""The documentation builds without a broken link, every page is reachable, and what it names exists.

`mkdocs build --strict` fails on a link to a missing page or heading and on a page left out of
mkdocs.yml's nav; the README's index must list every page too, and the make targets and config
keys the README and the pages name must be real (the Makefile, the config schema).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"
MAKE_TARGET = re.compile(r"(?m)(?:`|^)make ([a-z][a-z-]*)")  # in code, not prose
CODE_SPAN = re.compile(r"`([a-z_]+(?:\.[a-z_<>]+)+)`")
ISSUE_NUMBER = re.compile(r"\bissues?\s+#?\d+|(?<![`\w])#\d+\b", flags=re.IGNORECASE)
FILE_SUFFIXES = {"yaml", "smk", "py", "md", "csv", "json", "txt", "html"}


def mkdocs_build(project: Path, site: Path) -> subprocess.CompletedProcess:
    """`mkdocs build --strict` of the project folder's mkdocs.yml into site (never the repo's site/)."""
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)]
    command += ["--config-file", str(project / "mkdocs.yml")]
    return subprocess.run(command, capture_output=True, text=True, cwd=project)


def nav_pages(config: Path) -> set[str]:
    """Every page file the nav of an mkdocs.yml lists, at any depth."""

    def walk(entry) -> list[str]:
        if isinstance(entry, str):
            return [entry]
        if isinstance(entry, dict):
            return [page for value in entry.values() for page in walk(value)]
        return [page for item in entry for page in walk(item)]

    return set(walk(yaml.safe_load(config.read_text())["nav"]))


def doc_texts() -> dict[str, str]:
    """README.md and every page, by name."""
    texts = {"README.md": (REPO / "README.md").read_text()}
    texts |= {f"docs/{p.name}": p.read_text() for p in sorted(DOCS.glob("*.md"))}
    return texts


def test_docs_build_strict(tmp_path: Path):
    result = mkdocs_build(REPO, tmp_path / "site")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "getting-started" / "index.html").is_file()


def test_a_broken_link_or_a_page_outside_the_nav_fails_the_build(tmp_path: Path):
    """The strict build above can fail: a copy with an orphan page, then one with a dead link."""
    for case, page, text in [
        ("orphan", "orphan.md", "# Orphan\n\nIn no nav.\n"),
        ("dead link", "testing.md", "\n[gone](no-such-page.md)\n"),
        ("dead anchor", "testing.md", "\n[gone](exports.md#no-such-heading)\n"),
    ]:
        project = tmp_path / case.replace(" ", "_")
        shutil.copytree(DOCS, project / "docs")
        shutil.copy(REPO / "mkdocs.yml", project / "mkdocs.yml")
        with (project / "docs" / page).open("a") as handle:
            handle.write(text)
        assert mkdocs_build(project, tmp_path / "site").returncode != 0, case


def test_every_page_is_in_the_nav_and_the_readme_index():
    pages = {p.name for p in DOCS.glob("*.md")}
    assert len(pages) >= 10
    assert nav_pages(REPO / "mkdocs.yml") == pages
    readme = (REPO / "README.md").read_text()
    assert [p for p in sorted(pages) if f"(docs/{p})" not in readme] == []


def test_every_make_target_named_in_the_docs_exists():
    makefile = (REPO / "Makefile").read_text()
    targets = set(re.findall(r"(?m)^([a-z][a-z-]*):", makefile))
    named = {
        (name, target) for name, text in doc_texts().items() for target in MAKE_TARGET.findall(text)
    }
    assert len(named) >= 10
    assert sorted((n, t) for n, t in named if t not in targets) == []


def schema_has(schema: dict, dotted: str) -> bool:
    """Whether a dotted config key (`quotes.per_cmoc`) is a property path of the config schema."""
    node = schema
    for part in dotted.split("."):
        properties = node.get("properties") or node.get("items", {}).get("properties", {})
        if part not in properties:
            return False
        node = properties[part]
    return True


def test_every_config_key_named_in_the_docs_is_in_the_schema():
    """A `section.key` code span whose section is a top-level config key must be a real key."""
    schema = yaml.safe_load((REPO / "workflow" / "schemas" / "config.schema.yaml").read_text())
    sections = set(schema["properties"])
    named = {
        (name, key)
        for name, text in doc_texts().items()
        for key in CODE_SPAN.findall(text)
        if key.split(".")[0] in sections
        and "<" not in key
        and key.rsplit(".", 1)[1] not in FILE_SUFFIXES
    }
    assert len(named) >= 30
    assert sorted((n, k) for n, k in named if not schema_has(schema, k)) == []
    assert not schema_has(schema, "quotes.no_such_key")


def test_the_readme_is_short_and_the_docs_name_no_tracker_numbers():
    """The README stays an overview (about 100 lines); no page cites a ticket number, which means
    nothing to a reader of a release."""
    texts = doc_texts()
    assert len(texts["README.md"].splitlines()) <= 120
    assert sorted(name for name, text in texts.items() if ISSUE_NUMBER.search(text)) == []
    assert ISSUE_NUMBER.search("after issue 16") and ISSUE_NUMBER.search("see #12")
    assert not ISSUE_NUMBER.search("ids `#2`, `#3`")


REPO_PATH = re.compile(r"`((?:workflow|tests|config|\.test|data/demo|report)/[\w./-]*[\w/])`")
MODULE_NAME = re.compile(r"`(?:python -m )?(realist_(?:report|demo)(?:\.\w+)+)")


def resolves(dotted: str) -> bool:
    """Whether `realist_report.sub.module[.name]` is a module under workflow/ (and the name in it)."""
    parts = dotted.split(".")
    for cut in (len(parts), len(parts) - 1):
        module = REPO / "workflow" / Path(*parts[:cut])
        found = module.with_suffix(".py") if module.with_suffix(".py").is_file() else None
        if found is None and (module / "__init__.py").is_file():
            found = module / "__init__.py"
        if found is not None:
            rest = parts[cut:]
            return not rest or re.search(rf"\b(def|class)?\s*{rest[0]}\b", found.read_text())
    return False


def test_every_repository_path_and_module_the_docs_name_exists():
    texts = doc_texts()
    paths = {
        (n, p)
        for n, text in texts.items()
        for p in REPO_PATH.findall(text)
        if "<" not in p and not p.startswith("config/private")  # optional, git-ignored lists
    }
    modules = {(n, m) for n, text in texts.items() for m in MODULE_NAME.findall(text)}
    assert len(paths) >= 30 and len(modules) >= 8
    assert sorted((n, p) for n, p in paths if not (REPO / p).exists()) == []
    assert sorted((n, m) for n, m in modules if not resolves(m)) == []
    assert not resolves("realist_report.no_such_module") and not (REPO / "workflow/nope").exists()


def architecture_tree_modules(text: str) -> set[str]:
    """The .py files the package tree of docs/architecture.md lists, as paths under the repo."""
    listed, top, sub = set(), "", ""
    for line in text.split("```")[1].splitlines():
        match = re.match(r"^(\s*)(\S+)", line)
        if not match:
            continue
        indent, name = len(match.group(1)), match.group(2)
        if name.endswith("/"):
            top, sub = (name, "") if indent == 0 else (top, name)
        elif name.endswith(".py"):
            listed.add(top + sub + name)
    return listed


def test_the_architecture_page_lists_every_module_of_the_packages():
    listed = architecture_tree_modules((DOCS / "architecture.md").read_text())
    actual = {
        path.relative_to(REPO).as_posix()
        for package in ("realist_report", "realist_demo")
        for path in (REPO / "workflow" / package).rglob("*.py")
        if path.name != "__init__.py"
    }
    assert len(actual) >= 40
    assert sorted(listed - actual) == [] and sorted(actual - listed) == []
