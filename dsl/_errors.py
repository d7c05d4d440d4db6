"""The errors a user of `dsl` meets.

`ShapeError` and `DTypeError` are the very classes of `typecheck.errors`, so the same `except`
catches a mistake whether the static checker, an eager operation or the call-boundary check
found it. `CompileError` reports a problem in a kernel's source; `KernelAssertionError` is a
failed `assert` inside a kernel; `DeviceError` is a GPU that cannot be used (no CUDA driver, no
device, a failed launch or copy).
"""

from __future__ import annotations

import linecache
from dataclasses import dataclass
from typing import Protocol

from typecheck.errors import DTypeError, ShapeError

__all__ = ["CompileError", "DTypeError", "DeviceError", "KernelAssertionError", "ShapeError",
           "SourceLoc"]


class HasLocation(Protocol):
    """Anything that names a place in a source file (`SourceLoc`, an adapter over an AST node)."""

    @property
    def file(self) -> str: ...
    @property
    def line(self) -> int: ...
    @property
    def col(self) -> int: ...


@dataclass(frozen=True)
class SourceLoc:
    """A place in a source file: `line` and `col` are 1-based, as printed."""

    file: str
    line: int
    col: int


class CompileError(Exception):
    """A kernel that cannot be compiled, reported at its place in the source.

    `str(error)` is `file:line:col: error: msg`, then the source line and a caret under the
    column (when the file can be read).
    """

    def __init__(self, loc: HasLocation, msg: str) -> None:
        self.loc = SourceLoc(loc.file, loc.line, loc.col)
        self.msg = msg
        super().__init__(self._render())

    def _render(self) -> str:
        loc = self.loc
        head = f"{loc.file}:{loc.line}:{loc.col}: error: {self.msg}"
        source = linecache.getline(loc.file, loc.line).rstrip("\n")
        if not source:
            return head
        caret = " " * max(loc.col - 1, 0) + "^"
        return f"{head}\n    {source}\n    {caret}"

    def __str__(self) -> str:
        return self._render()


class KernelAssertionError(AssertionError):
    """An `assert` inside a kernel failed at run time."""


class DeviceError(RuntimeError):
    """A GPU kernel could not run: no CUDA driver or device, or a failed allocation, copy or
    launch. The message says which, and what to do about it."""
