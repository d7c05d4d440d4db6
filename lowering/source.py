"""A kernel's source: its AST, file, and the mapping from AST positions to file positions.

The compiler never runs the kernel's body: it reads the source text (`inspect`), parses it
with `ast`, and resolves free names in the function's globals and closure.
"""

from __future__ import annotations

import ast
import builtins
import inspect
import textwrap
from dataclasses import dataclass
from typing import Any, Callable

from dsl._errors import CompileError, SourceLoc


@dataclass(frozen=True)
class FunctionSource:
    """The parsed source of one Python function."""

    fn: Callable[..., Any]
    file: str
    text: str
    tree: ast.FunctionDef
    first_line: int
    indent: int

    def loc(self, node: ast.AST) -> SourceLoc:
        """The file position of an AST node (1-based line and column)."""
        line = getattr(node, "lineno", 1)
        col = getattr(node, "col_offset", 0)
        return SourceLoc(self.file, line + self.first_line - 1, col + self.indent + 1)

    def error(self, node: ast.AST, msg: str) -> CompileError:
        """A `CompileError` at `node`."""
        return CompileError(self.loc(node), msg)

    def lookup(self, name: str) -> tuple[bool, Any]:
        """Resolve a free name: closure, then module globals, then builtins."""
        closure = inspect.getclosurevars(self.fn).nonlocals
        if name in closure:
            return True, closure[name]
        glb = getattr(self.fn, "__globals__", {})
        if name in glb:
            return True, glb[name]
        if hasattr(builtins, name):
            return True, getattr(builtins, name)
        return False, None


def read_source(fn: Callable[..., Any]) -> FunctionSource:
    """Read and parse `fn`'s source; a `CompileError` when there is none (a lambda, a REPL
    definition, a builtin)."""
    name = getattr(fn, "__qualname__", repr(fn))
    code = getattr(fn, "__code__", None)
    file = code.co_filename if code is not None else "<unknown>"
    try:
        lines, first = inspect.getsourcelines(fn)
        file = inspect.getsourcefile(fn) or file
    except (OSError, TypeError) as exc:
        line = code.co_firstlineno if code is not None else 1
        raise CompileError(SourceLoc(file, line, 1),
                           f"cannot read the source of kernel '{name}': {exc}") from exc
    raw = "".join(lines)
    text = textwrap.dedent(raw)
    indent = _indent_removed(raw, text)
    try:
        module = ast.parse(text)
    except SyntaxError as exc:
        raise CompileError(SourceLoc(file, first + (exc.lineno or 1) - 1,
                                     (exc.offset or 1) + indent), f"syntax error: {exc.msg}")
    tree = module.body[0] if module.body else None
    if not isinstance(tree, ast.FunctionDef):
        raise CompileError(SourceLoc(file, first, 1),
                           f"kernel '{name}' must be a plain `def` function")
    return FunctionSource(fn, file, text, tree, first, indent)


def _indent_removed(raw: str, dedented: str) -> int:
    for a, b in zip(raw.splitlines(), dedented.splitlines()):
        if a.strip():
            return len(a) - len(b)
    return 0
