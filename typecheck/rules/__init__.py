"""A shape/dtype rule for every operation of the language, keyed by op name.

`apply(op, args, kwargs)` takes abstract values (`typecheck.values`) and returns the result's
abstract value, or raises `ShapeError` / `DTypeError` with a message that shows the shapes or
dtypes involved. Op names are the contract's function names (`exp`, `sum`, `reshape`, ...),
operator names (`add`, `matmul`, `lt`, `neg`, ...), `getitem`, `setitem` and `T`.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from typecheck.errors import ShapeError
from typecheck.values import Value
from typecheck.rules import creation, elementwise, indexing, linalg, reductions, shape_ops

Rule = Callable[[Sequence["Value | None"], Mapping[str, Value]], Value]

RULES: dict[str, Rule] = {}
for _module in (elementwise, reductions, linalg, shape_ops, creation, indexing):
    RULES.update(_module.rules())


def known_ops() -> frozenset[str]:
    """Every op name that has a rule."""
    return frozenset(RULES)


def apply(op: str, args: Sequence[Value | None],
          kwargs: Mapping[str, Value] | None = None) -> Value:
    """Apply the rule of `op`; raises `ShapeError`/`DTypeError` on misuse.

    `args` are positional (None where a default applies), `kwargs` by parameter name."""
    rule = RULES.get(op)
    if rule is None:
        raise ShapeError(f"no shape rule for operation {op!r}")
    return rule(args, kwargs or {})
