"""Empty stand-ins for the Python modules of the `linalg` and `llvm` dialects.

Whenever the bindings hand Python an operation of a dialect whose Python module was not
imported yet (an op parsed from text, found by a walk, or made by `Operation.create`), they
import `mlir.dialects.<dialect>` to look for its op class. For `linalg` that runs the opdsl
machinery, for `llvm` it loads a large generated module: tens of milliseconds of a cold
compile for classes the compiler never uses. `install` makes the bindings take this package's
modules for those two dialects instead (once per process; the search path is restored after),
so their ops are generic `OpView`s. A program that imports `mlir.dialects.linalg` or
`mlir.dialects.llvm` itself still gets the full modules and their op classes.
"""

from __future__ import annotations

import functools

from mlir._mlir_libs import _mlir

_DIALECTS = ("linalg", "llvm")


@functools.cache
def install() -> None:
    """Mark the two dialects' Python modules as loaded, with this package's stand-ins."""
    bindings = _mlir.globals
    prefixes = list(bindings.dialect_search_modules)
    try:
        bindings.dialect_search_modules = [__name__]
        for dialect in _DIALECTS:
            bindings._check_dialect_module_loaded(dialect)
    finally:
        bindings.dialect_search_modules = prefixes
