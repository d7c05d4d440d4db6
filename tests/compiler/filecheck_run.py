"""The FileCheck runner the IR tests share (the pinned `filecheck` package's command)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

FILECHECK = Path(sys.executable).parent / "filecheck"


def filecheck(text: str, checks: str, tmp_path: Path) -> None:
    """Run FileCheck with `checks` (CHECK lines) on `text`; fail with its report."""
    check_file = tmp_path / "checks.txt"
    check_file.write_text(checks)
    proc = subprocess.run([str(FILECHECK), str(check_file)], input=text, text=True,
                          capture_output=True)
    assert proc.returncode == 0, proc.stderr + "\n--- input ---\n" + text[:20000]
