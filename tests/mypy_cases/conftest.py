"""Runs mypy (with the plugin) once over every case file and parses its report."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

HERE = Path(__file__).parent
CASES = HERE / "cases"
ROOT = HERE.parent.parent

_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<kind>error|note): (?P<msg>.*?)"
                   r"(?:  \[(?P<code>[a-z-]+)\])?$")


@dataclass
class Report:
    """mypy's messages grouped by case file name and line."""

    errors: dict[tuple[str, int], list[tuple[str, str]]] = field(default_factory=dict)
    reveals: dict[tuple[str, int], str] = field(default_factory=dict)
    raw: str = ""


def run_mypy(paths: list[Path]) -> Report:
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(HERE / "mypy.ini"),
           "--no-incremental", "--no-error-summary", "--hide-error-context",
           *map(str, paths)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    out = proc.stdout + proc.stderr
    report = Report(raw=out)
    for line in out.splitlines():
        m = _LINE.match(line)
        if not m:
            continue
        key = (Path(m["file"]).name, int(m["line"]))
        if m["kind"] == "note" and m["msg"].startswith("Revealed type is "):
            report.reveals[key] = m["msg"][len("Revealed type is "):].strip('"')
        elif m["kind"] == "error":
            report.errors.setdefault(key, []).append((m["code"] or "", m["msg"]))
    return report


@pytest.fixture(scope="session")
def mypy_report() -> Report:
    return run_mypy(sorted(CASES.glob("*.py")))
