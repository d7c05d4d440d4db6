"""Running MLIR pass pipelines with diagnostics re-rendered at the user's source positions."""

from __future__ import annotations

import re

from mlir import ir
from mlir.passmanager import PassManager

from dsl._errors import CompileError, SourceLoc

_LOC = re.compile(r'loc\("(?P<file>[^"]+)":(?P<line>\d+):(?P<col>\d+)\)')
_FILELOC = re.compile(r'(?P<file>[^\s:"]+\.py):(?P<line>\d+):(?P<col>\d+)')


def source_loc(location: ir.Location, fallback: SourceLoc) -> SourceLoc:
    """The Python position an MLIR location names (the innermost file location)."""
    text = str(location)
    m = _LOC.search(text)
    if m is None:
        return fallback
    return SourceLoc(m["file"], int(m["line"]), int(m["col"]))


def run_pipeline(module: ir.Module, pipeline: str, stage: str, fallback: SourceLoc) -> None:
    """Run `pipeline` on `module`; an MLIR error becomes a `CompileError` at the Python line
    of the failing op (the compiler's own mistakes are reported as internal errors there)."""
    errors: list[tuple[SourceLoc, str]] = []

    def handler(d: ir.Diagnostic) -> bool:
        if d.severity == ir.DiagnosticSeverity.ERROR:
            errors.append((source_loc(d.location, fallback), d.message))
        return True
    ctx = module.context
    handle = ctx.attach_diagnostic_handler(handler)
    try:
        PassManager.parse(pipeline, ctx).run(module.operation)
    except ir.MLIRError as exc:
        errors.extend(_diagnostics(exc, fallback))
        loc, msg = errors[0] if errors else (fallback, str(exc))
        raise CompileError(loc, f"internal compiler error in stage '{stage}': {msg}") from None
    finally:
        handle.detach()


def _diagnostics(exc: ir.MLIRError, fallback: SourceLoc) -> list[tuple[SourceLoc, str]]:
    """The error diagnostics an `MLIRError` carries (the bindings hand them to the exception
    rather than to the context's handler)."""
    out: list[tuple[SourceLoc, str]] = []
    for d in getattr(exc, "error_diagnostics", None) or []:
        out.append((source_loc(d.location, fallback), str(d.message)))
    return out


def verify(module: ir.Module, stage: str, fallback: SourceLoc) -> None:
    """Verify the emitted module, with the same error rendering."""
    errors: list[tuple[SourceLoc, str]] = []

    def handler(d: ir.Diagnostic) -> bool:
        errors.append((source_loc(d.location, fallback), d.message))
        return True
    handle = module.context.attach_diagnostic_handler(handler)
    try:
        ok = module.operation.verify()
    except ir.MLIRError as exc:
        ok = False
        if not errors:
            errors.extend(_diagnostics(exc, fallback))
        if not errors:
            errors.append((fallback, str(exc)))
    finally:
        handle.detach()
    if not ok:
        loc, msg = errors[0] if errors else (fallback, "verification failed")
        raise CompileError(loc, f"internal compiler error in stage '{stage}': {msg}")
