"""Shape values: what the checker knows about a tensor's shape at one point of a program.

A `Shape` is `prefix + [variadic segment] + suffix`. Each dim is a `Dim` (symbolic or
literal), a `BDim` (`#N`: size 1 or N), or `None` (unknown). The variadic segment is a name
(`*b` from an annotation, shared by every tensor that was given the same `*b`) or `...`
(unknown rank, matched permissively). Concrete shapes are the special case of literal dims.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Iterable, Optional, Union

from typecheck.annotations import AnyDim, ExprDim, ShapeSpec, VariadicDim, parse_shape
from typecheck.dims import Dim
from typecheck.errors import ShapeError

ANON = "..."


@dataclass(frozen=True)
class BDim:
    """A broadcastable dim `#N`: at run time either 1 or `dim`."""

    dim: Dim

    def __str__(self) -> str:
        return f"#{self.dim}"


SDim = Optional[Union[Dim, BDim]]


def dim_text(d: SDim) -> str:
    """`_` for unknown, `#N` for broadcastable, the dim otherwise."""
    return "_" if d is None else str(d)


def lit(value: int) -> Dim:
    return Dim.const(value)


ONE = Dim.const(1)


@dataclass(frozen=True)
class Shape:
    """A tensor shape, possibly with one variadic segment (`var`) between prefix and suffix."""

    prefix: tuple[SDim, ...]
    var: str | None = None
    suffix: tuple[SDim, ...] = ()

    @staticmethod
    def of(dims: Iterable[SDim | int]) -> "Shape":
        """A fixed-rank shape; ints become literal dims."""
        return Shape(tuple(Dim.const(d) if isinstance(d, int) else d for d in dims))

    @staticmethod
    def unknown() -> "Shape":
        """Any rank, any dims."""
        return Shape((), ANON, ())

    @property
    def rank(self) -> int | None:
        """The number of dims, or None when a variadic segment makes it unknown."""
        return len(self.prefix) if self.var is None else None

    @property
    def min_rank(self) -> int:
        return len(self.prefix) + len(self.suffix)

    @property
    def dims(self) -> tuple[SDim, ...]:
        """All dims of a fixed-rank shape (raises for a variadic one)."""
        if self.var is not None:
            raise ShapeError(f"shape ({self}) has no fixed rank")
        return self.prefix

    def __str__(self) -> str:
        return self._text

    def __hash__(self) -> int:
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:  # shapes are memo keys of every rule: hash each one once
        return hash((self.prefix, self.var, self.suffix))

    @functools.cached_property
    def _text(self) -> str:
        parts = [dim_text(d) for d in self.prefix]
        if self.var is not None:
            parts.append(ANON if self.var == ANON else f"*{self.var}")
        parts += [dim_text(d) for d in self.suffix]
        return " ".join(parts)

    def concrete(self) -> tuple[int, ...] | None:
        """The shape as ints when every dim is a literal."""
        if self.var is not None:
            return None
        out = []
        for d in self.prefix:
            v = d.const_value if isinstance(d, Dim) else None
            if v is None:
                return None
            out.append(v)
        return tuple(out)

    def trailing(self, n: int) -> tuple[SDim, ...] | None:
        """The last `n` dims when they are known positions, else None."""
        if self.var is None:
            return self.prefix[len(self.prefix) - n:] if n <= len(self.prefix) else None
        return self.suffix[len(self.suffix) - n:] if n <= len(self.suffix) else None

    def with_trailing(self, n: int, new: tuple[SDim, ...]) -> "Shape":
        """Replace the last `n` dims (which must be known positions) by `new`."""
        if self.var is None:
            return Shape(self.prefix[:len(self.prefix) - n] + new)
        return Shape(self.prefix, self.var, self.suffix[:len(self.suffix) - n] + new)

    def leading_batch(self, n: int) -> "Shape":
        """The shape without its last `n` dims (the batch part of a matmul operand)."""
        return self.with_trailing(n, ())


@functools.lru_cache(maxsize=8192)
def shape_from_text(text: str) -> Shape:
    """Parse a rendered shape (the inverse of `str(Shape)`) or an annotation dim string."""
    return shape_from_spec(parse_shape(text))


def shape_from_spec(spec: ShapeSpec) -> Shape:
    """The shape a parameter annotated with `spec` has inside its function."""
    items: list[SDim] = []
    var: str | None = None
    prefix: list[SDim] = []
    for d in spec.dims:
        if isinstance(d, VariadicDim):
            var = d.name or ANON
            prefix, items = items, []
        elif isinstance(d, AnyDim):
            items.append(None)
        elif isinstance(d, ExprDim):
            if d.broadcastable and d.dim != ONE:
                items.append(BDim(d.dim))
            else:
                items.append(d.dim)
    if var is None:
        return Shape(tuple(items))
    return Shape(tuple(prefix), var, tuple(items))


def same_dim(a: SDim, b: SDim) -> bool | None:
    """True/False when known, None when either is unknown."""
    if a is None or b is None:
        return None
    return a == b


def broadcast_dim(a: SDim, b: SDim) -> SDim:
    """The array-API broadcast of two dims; raises `ShapeError` on a certain mismatch."""
    if a == b:
        return a
    if a == ONE:
        return b
    if b == ONE:
        return a
    if a is None or b is None:
        return None
    if isinstance(a, BDim) and (b == a.dim or (isinstance(b, BDim) and b.dim == a.dim)):
        return b
    if isinstance(b, BDim) and a == b.dim:
        return a
    raise ShapeError(f"dims {dim_text(a)} and {dim_text(b)} do not broadcast")


def broadcast_shapes(a: Shape, b: Shape) -> Shape:
    """Broadcast two shapes (right-aligned); raises `ShapeError` showing both shapes."""
    try:
        return _broadcast(a, b)
    except ShapeError as exc:
        raise ShapeError(f"shapes ({a}) and ({b}) do not broadcast: {exc}") from None


def _broadcast_tuples(x: tuple[SDim, ...], y: tuple[SDim, ...]) -> tuple[SDim, ...]:
    n = max(len(x), len(y))
    x = (ONE,) * (n - len(x)) + x
    y = (ONE,) * (n - len(y)) + y
    return tuple(broadcast_dim(p, q) for p, q in zip(x, y))


def _broadcast(a: Shape, b: Shape) -> Shape:
    if a.var is None and b.var is None:
        return Shape(_broadcast_tuples(a.prefix, b.prefix))
    if a.var is None:
        a, b = b, a
    # Now `a` has a variadic segment.
    if b.var is None:
        k = min(len(a.suffix), len(b.prefix))
        tail = _broadcast_tuples(a.suffix[len(a.suffix) - k:], b.prefix[len(b.prefix) - k:])
        extra = b.prefix[:len(b.prefix) - k]
        head = a.suffix[:len(a.suffix) - k]
        if not extra:
            return Shape(a.prefix, a.var, head + tail)
        # `b` reaches into the variadic segment: the result's rank depends on its length.
        return Shape((), ANON, tail)
    k = min(len(a.suffix), len(b.suffix))
    tail = _broadcast_tuples(a.suffix[len(a.suffix) - k:], b.suffix[len(b.suffix) - k:])
    if a.var == b.var and a.var != ANON and len(a.suffix) == len(b.suffix):
        if len(a.prefix) == len(b.prefix):
            return Shape(_broadcast_tuples(a.prefix, b.prefix), a.var, tail)
    # Different segments, or the same one at different offsets: the rank is not known.
    return Shape((), ANON, tail)


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    """A non-negative axis; raises `ShapeError` when out of range for `rank` dims."""
    if not -rank <= axis < rank:
        raise ShapeError(f"{what} {axis} is out of range for a tensor of rank {rank}")
    return axis % rank


def shapes_agree(actual: Shape, expected: Shape) -> bool:
    """Whether a value of shape `actual` may stand where `expected` is declared.

    Unknown dims and unknown-rank segments agree with anything; everything else must be equal
    (symbolic dims compare in normal form).
    """
    if actual.var == ANON or expected.var == ANON:
        n = min(len(actual.suffix if actual.var else actual.prefix),
                len(expected.suffix if expected.var else expected.prefix))
        ta = actual.trailing(n) or ()
        te = expected.trailing(n) or ()
        return all(_dim_agrees(p, q) for p, q in zip(ta, te))
    if actual.var != expected.var:
        return False
    if len(actual.prefix) != len(expected.prefix) or len(actual.suffix) != len(expected.suffix):
        return False
    pairs = list(zip(actual.prefix, expected.prefix)) + list(zip(actual.suffix, expected.suffix))
    return all(_dim_agrees(p, q) for p, q in pairs)


def _dim_agrees(actual: SDim, expected: SDim) -> bool:
    if actual is None or expected is None or actual == expected:
        return True
    if isinstance(expected, BDim):
        return actual == ONE or actual == expected.dim
    return False
