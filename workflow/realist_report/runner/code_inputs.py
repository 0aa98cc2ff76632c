"""Package code as a rule input: each step's modules and those they import, so a code edit
reruns exactly the steps whose code changed (the Snakefile's package_modules)."""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from pathlib import Path

PACKAGE = "realist_report"


def module_closure(package_dir: str | Path, names: Iterable[str]) -> list[str]:
    """The named package modules (dotted, as "analysis.clean") and every package module they
    import, with the packages' __init__ files that importing them runs, so code edits rerun steps."""
    package_dir = Path(package_dir)
    pending, seen = list(names), set()
    while pending:
        name = pending.pop()
        path = module_file(package_dir, name)
        if name in seen or path is None:
            continue
        seen.add(name)
        stat = path.stat()
        pending += package_imports(str(path), stat.st_mtime_ns, stat.st_size)
        parts = name.split(".")
        pending += [".".join(parts[:end]) for end in range(1, len(parts))]
    return sorted(str(module_file(package_dir, name)) for name in seen)


def module_file(package_dir: Path, name: str) -> Path | None:
    """The file of a dotted package module: a/b.py, or a/b/__init__.py for a sub-package."""
    base = package_dir.joinpath(*name.split("."))
    for path in (base.with_name(base.name + ".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


@functools.cache
def package_imports(path: str, mtime_ns: int, size: int) -> tuple[str, ...]:
    """The package modules one module file imports (anywhere in it, also inside functions),
    dotted below the package ("privacy.redact"); `from realist_report.x import y` also names
    "x.y", which module_closure keeps only when it is a module.

    Cached by path, modification time and size: the Snakefile asks for the closure of every
    step, and parsing the same modules again for each was about 40 % of the workflow's start-up.
    """
    tree = ast.parse(Path(path).read_text(encoding="utf-8"), filename=path)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            parts = node.module.split(".")
            if parts[0] == PACKAGE and len(parts) > 1:
                inner = ".".join(parts[1:])
                found += [inner, *(f"{inner}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            found += [
                a.name.split(".", 1)[1] for a in node.names if a.name.startswith(f"{PACKAGE}.")
            ]
    return tuple(found)
