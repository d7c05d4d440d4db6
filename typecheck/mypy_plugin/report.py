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
