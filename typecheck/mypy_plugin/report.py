"""Error codes `shape` and `dtype`, and reporting a rule's error at a node."""

from __future__ import annotations

from mypy.errorcodes import ErrorCode
from mypy.nodes import Context
from mypy.plugin import CheckerPluginInterface

from typecheck.errors import DTypeError, ShapeError

SHAPE = ErrorCode("shape", "Tensor shapes do not fit", "Shape")
DTYPE = ErrorCode("dtype", "Tensor dtypes do not fit", "Shape")


def report(api: CheckerPluginInterface, exc: ShapeError | DTypeError, context: Context) -> None:
    """Report a rule's error with code `shape` or `dtype`."""
    code = DTYPE if isinstance(exc, DTypeError) else SHAPE
    api.fail(str(exc), context, code=code)


def report_past_operator_probe(api: CheckerPluginInterface, exc: ShapeError | DTypeError,
                               context: Context) -> None:
    """Report from a reflected operator (`2.5 * t` calls `Tensor.__rmul__`).

    mypy tries `float.__mul__` and then `Tensor.__rmul__`, each inside an error filter, and
    when both fail it reports only the first one's "Unsupported operand types". The reflected
    hook therefore reports past that innermost filter (the other filters still apply) and lets
    mypy see the reflected call as a success whose type is an error `Any`.
    """
    errors = getattr(getattr(api, "msg", None), "errors", None)
    watchers = getattr(errors, "_watchers", None)
    if not isinstance(watchers, list) or not watchers:
        report(api, exc, context)
        return
    top = watchers.pop()
    try:
        report(api, exc, context)
    finally:
        watchers.append(top)
