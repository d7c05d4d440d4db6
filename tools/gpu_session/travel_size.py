"""What one `run` call carries to the GPU machine: the working tree's tracked files, its
untracked files that git does not ignore, and the carried (ignored) paths given as
arguments. Prints the sizes and exits 1 when the total is over the 64 MiB limit.

    .venv/bin/python tools/gpu_session/travel_size.py .device .whl
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

LIMIT = 64 * 1024 * 1024
MIB = 1024 * 1024


def tree_bytes(root: Path) -> int:
    """The bytes of the tracked and the untracked-but-not-ignored files under `root`."""
    names = subprocess.run(["git", "ls-files", "-z", "-c", "-o", "--exclude-standard"],
                           cwd=root, check=True, capture_output=True).stdout.split(b"\0")
    total = 0
    for name in filter(None, names):
        path = root / os.fsdecode(name)
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
    return total


def path_bytes(path: Path) -> int:
    """The bytes of the regular files in `path` (a file or a folder)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(carried: list[str]) -> int:
    """Print the sizes; 0 when the total fits in one call."""
    root = Path.cwd()
    total = tree_bytes(root)
    print(f"  working tree (tracked + untracked, not ignored): {total / MIB:7.2f} MiB")
    for name in carried:
        size = path_bytes(root / name)
        total += size
        print(f"  carry {name:40s}: {size / MIB:7.2f} MiB")
    verdict = "fits" if total < LIMIT else "TOO BIG"
    print(f"  total per call: {total / MIB:.2f} MiB of {LIMIT // MIB} MiB ({verdict})")
    return 0 if total < LIMIT else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
