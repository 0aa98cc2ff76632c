"""Fresh-machine check: `make report` installs the package of every program a report build calls.

The programs are found in the code (every `shutil.which(...)` and every `subprocess` call whose
command starts with a literal), not from a hand-kept list, so a new external call that no
Debian package in `workflow/setup_system.sh report` provides fails here, not on a new machine.
"""

from __future__ import annotations

import ast
import os
import stat
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "workflow" / "setup_system.sh"
CODE = sorted(
    [
        *(REPO / "workflow" / "realist_report").rglob("*.py"),
        *(REPO / "workflow" / "scripts").glob("*.py"),
        *(REPO / "workflow" / "realist_demo").glob("*.py"),
    ]
)
SUBPROCESS_CALLS = {"run", "Popen", "call", "check_call", "check_output"}


def _string_defaults(tree: ast.AST) -> dict[str, str]:
    """Names bound to string literals: function parameter defaults and simple assignments."""
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            arguments = [*node.args.posonlyargs, *node.args.args]
            defaults = node.args.defaults
            for argument, default in zip(
                arguments[len(arguments) - len(defaults) :], defaults, strict=True
            ):
                if isinstance(default, ast.Constant) and isinstance(default.value, str):
                    names[argument.arg] = default.value
            for argument, default in zip(node.args.kwonlyargs, node.args.kw_defaults, strict=True):
                if isinstance(default, ast.Constant) and isinstance(default.value, str):
                    names[argument.arg] = default.value
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            for target in node.targets:
                if isinstance(target, ast.Name) and isinstance(node.value.value, str):
                    names[target.id] = node.value.value
    return names


def _literal(node: ast.AST, names: dict[str, str]) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return names.get(node.id)
    return None


def programs_called(path: Path) -> set[str]:
    """External programs a module looks up with shutil.which or starts with subprocess."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names = _string_defaults(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value
        if not (isinstance(owner, ast.Name) and node.args):
            continue
        if owner.id == "shutil" and node.func.attr == "which":
            program = _literal(node.args[0], names)
        elif owner.id == "subprocess" and node.func.attr in SUBPROCESS_CALLS:
            command = node.args[0]
            first = command.elts[0] if isinstance(command, ast.List) and command.elts else None
            program = _literal(first, names) if first is not None else None
        else:
            continue
        if program:
            found.add(program)
    return found


def setup(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["sh", str(SETUP), *args], capture_output=True, text=True, env=env, check=False
    )


def test_report_packages_cover_every_program_the_workflow_calls():
    called = set().union(*(programs_called(path) for path in CODE))
    # the scan itself must see the calls we know of (the PDF screen, the rule graph, git state)
    assert {"pdftotext", "dot", "git"} <= called, called
    mapping = dict(line.split() for line in setup("programs").stdout.splitlines())
    report_packages = set(setup("report", "--list").stdout.split())
    unmapped = sorted(called - set(mapping))
    assert not unmapped, f"no Debian package named for {unmapped} in workflow/setup_system.sh"
    missing = {
        program: mapping[program] for program in called if mapping[program] not in report_packages
    }
    assert not missing, f"`make report` would not install {missing}"
    # the fonts and Pango WeasyPrint loads come with the report list too
    assert {"libpango-1.0-0", "fonts-dejavu-core"} <= report_packages


def test_make_report_runs_the_report_package_check():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert "report: $(STAMP) system-report" in makefile
    assert "@sh workflow/setup_system.sh report\n" in makefile


def test_without_root_one_apt_get_command_names_every_missing_package(tmp_path):
    """A non-root user on a machine without the packages gets one command, then a stop."""
    for name, body in {"dpkg-query": "exit 1", "id": "echo 1000"}.items():
        stub = tmp_path / name
        stub.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        stub.chmod(stub.stat().st_mode | stat.S_IEXEC)
    env = {**os.environ, "PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"}
    result = setup("report", env=env)
    assert result.returncode == 1
    commands = [line for line in result.stderr.splitlines() if "apt-get install" in line]
    assert len(commands) == 1, result.stderr
    for package in setup("report", "--list").stdout.split():
        assert f" {package}" in commands[0]
