"""Missing system libraries for WeasyPrint give one clear message with the install command."""

from __future__ import annotations

import builtins
import subprocess
from pathlib import Path

import pytest
from realist_report.core.errors import PipelineError
from realist_report.report.context import load_weasyprint

REPO = Path(__file__).resolve().parents[2]


def test_missing_pango_names_the_install_command(monkeypatch):
    real_import = builtins.__import__

    def failing_import(name, *args, **kwargs):
        if name == "weasyprint":
            raise OSError("cannot load library 'libpango-1.0-0': not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing_import)
    with pytest.raises(PipelineError, match=r"apt-get install -y libpango-1\.0-0"):
        load_weasyprint()


def test_setup_script_passes_when_packages_are_present():
    result = subprocess.run(
        ["sh", str(REPO / "workflow" / "setup_system.sh"), "test"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
