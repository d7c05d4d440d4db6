"""The error types shared by the checker, the eager runtime and (later) the compiler.

`dsl` re-exports `ShapeError` and `DTypeError`, so a user catches the same class whether the
mistake was found by a shape rule, by the run-time argument check or by the annotation parser.
"""

from __future__ import annotations


class ShapeError(ValueError):
    """A shape does not fit: a dim mismatch, a bad axis, an impossible reshape."""


class DTypeError(TypeError):
    """A dtype does not fit: mixing int and float tensors, `/` on integers, bad promotion."""


class AnnotationError(ShapeError):
    """A jaxtyping dim string that cannot be parsed (for example `"B  N+"` or `"*a *b"`)."""
