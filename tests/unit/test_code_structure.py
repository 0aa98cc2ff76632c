"""Code structure: modules meet through public names, and functions stay short enough to read.

Parsed with ast, not imported, so a breach is found in any module under workflow/, also in a
function body that no test runs.
"""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WORKFLOW = REPO / "workflow"
PROJECT_PACKAGES = ("realist_report", "realist_demo")
MAX_FUNCTION_LINES = 60


def python_files() -> list[Path]:
    return sorted(p for p in WORKFLOW.rglob("*.py") if "__pycache__" not in p.parts)


def is_project_module(name: str | None) -> bool:
    return bool(name) and name.split(".")[0] in PROJECT_PACKAGES


def private_uses(tree: ast.AST) -> list[str]:
    """`from project.x import _name`, and `alias._name` on an imported project module."""
    found, modules = [], set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and is_project_module(node.module):
            for alias in node.names:
                if alias.name.startswith("_"):
                    found.append(f"line {node.lineno}: from {node.module} import {alias.name}")
                elif (
                    not alias.name[:1].isupper()
                    and (WORKFLOW / node.module.replace(".", "/") / f"{alias.name}.py").is_file()
                ):
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if is_project_module(alias.name) and alias.asname:
                    modules.add(alias.asname)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
        ):
            found.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    breaches = {
        str(path.relative_to(WORKFLOW)): uses
        for path in python_files()
        if (uses := private_uses(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert breaches == {}


def test_private_name_check_sees_both_forms() -> None:
    """The check itself: an import of a private name and a private attribute of a module."""
    code = (
        "from realist_report.analysis.linking import _join_ids\n"
        "from realist_report.analysis import linking\n"
        "linking._count_ids\n"
    )
    assert private_uses(ast.parse(code)) == [
        "line 1: from realist_report.analysis.linking import _join_ids",
        "line 3: linking._count_ids",
    ]


def long_functions() -> dict[str, int]:
    """Functions (and methods) longer than MAX_FUNCTION_LINES outside the rule adapters."""
    found = {}
    for path in python_files():
        if path.parent.name == "scripts":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    found[f"{path.relative_to(WORKFLOW).as_posix()}:{node.name}"] = lines
    return found


def test_functions_are_at_most_sixty_lines() -> None:
    long = long_functions()
    assert long == {}, long
