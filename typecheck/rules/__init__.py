"""A shape/dtype rule for every operation of the language, keyed by op name.

`apply(op, args, kwargs)` takes abstract values (`typecheck.values`) and returns the result's
abstract value, or raises `ShapeError` / `DTypeError` with a message that shows the shapes or
dtypes involved. Op names are the contract's function names (`exp`, `sum`, `reshape`, ...),
operator names (`add`, `matmul`, `lt`, `neg`, ...), `getitem`, `setitem` and `T`.
"""

from __future__ import annotations

from typing import Callable, Mapping, Sequence

from typecheck.errors import DTypeError, ShapeError
from typecheck.values import Value
from typecheck.rules import creation, elementwise, indexing, linalg, reductions, shape_ops

Rule = Callable[[Sequence["Value | None"], Mapping[str, Value]], Value]

RULES: dict[str, Rule] = {}
for _module in (elementwise, reductions, linalg, shape_ops, creation, indexing):
    RULES.update(_module.rules())


_KNOWN = frozenset(RULES)


def known_ops() -> frozenset[str]:
    """Every op name that has a rule."""
    return _KNOWN


def apply(op: str, args: Sequence[Value | None],
          kwargs: Mapping[str, Value] | None = None) -> Value:
    """Apply the rule of `op`; raises `ShapeError`/`DTypeError` on misuse.

    `args` are positional (None where a default applies), `kwargs` by parameter name."""
    key = (op, tuple(args), tuple(sorted(kwargs.items())) if kwargs else ())
    hit = _MEMO.get(key)
    if hit is None:
        hit = _MEMO[key] = _apply_uncached(op, args, kwargs or {})
        if len(_MEMO) > _MEMO_SIZE:
            _MEMO.clear()
    if isinstance(hit, Exception):
        raise type(hit)(str(hit))
    return hit


# Rules are pure functions of hashable values, and a checker applies the same few rules to the
# same shapes over and over: memoize results and errors alike.
_MEMO: dict[object, "Value | ShapeError | DTypeError"] = {}
_MEMO_SIZE = 65536


def _apply_uncached(op: str, args: Sequence[Value | None], kwargs: Mapping[str, Value]
                    ) -> "Value | ShapeError | DTypeError":
    rule = RULES.get(op)
    if rule is None:
        return ShapeError(f"no shape rule for operation {op!r}")
    try:
        return rule(args, kwargs)
    except (ShapeError, DTypeError) as exc:
        return exc
