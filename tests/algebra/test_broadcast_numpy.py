"""`typecheck.shapes.broadcast_shapes` agrees with `np.broadcast_shapes` on concrete shapes."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from typecheck.dims import Dim
from typecheck.errors import ShapeError
from typecheck.shapes import BDim, Shape, broadcast_shapes

from ._settings import examples
from ._shapes import PAIRS, shapes

SETTINGS = examples(200)


def numpy_broadcast(*shapes_: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        return tuple(np.broadcast_shapes(*shapes_))
    except ValueError:
        return None


def ours(*shapes_: tuple[int, ...]) -> tuple[int, ...] | None:
    try:
        out = functools.reduce(broadcast_shapes, [Shape.of(s) for s in shapes_])
    except ShapeError as exc:
        for s in shapes_:  # the message shows the shapes involved
            assert str(Shape.of(s)) in str(exc) or len(shapes_) > 2
        return None
    concrete = out.concrete()
    assert concrete is not None, out
    return concrete


@SETTINGS
@given(PAIRS)
def test_broadcast_matches_numpy(pair: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = pair
    assert ours(a, b) == numpy_broadcast(a, b)


@SETTINGS
@given(PAIRS)
def test_broadcast_is_commutative(pair: tuple[tuple[int, ...], tuple[int, ...]]) -> None:
    a, b = pair
    assert ours(a, b) == ours(b, a)


@SETTINGS
@given(st.lists(shapes(max_rank=3), min_size=1, max_size=4))
def test_broadcast_of_several_shapes_matches_numpy(many: list[tuple[int, ...]]) -> None:
    assert ours(*many) == numpy_broadcast(*many)


@SETTINGS
@given(shapes())
def test_broadcast_with_itself_and_with_scalar_is_identity(a: tuple[int, ...]) -> None:
    assert ours(a, a) == a
    assert ours(a, ()) == a == ours((), a)
    assert ours(a, (1,) * len(a)) == a


def test_broadcast_error_message_shows_both_shapes() -> None:
    with pytest.raises(ShapeError, match=r"\(2 3\).*\(4\)"):
        broadcast_shapes(Shape.of((2, 3)), Shape.of((4,)))


# --- symbolic dims and `#N` -----------------------------------------------------------------

N, M = Dim.sym("N"), Dim.sym("M")


@pytest.mark.parametrize("a, b, expected", [
    ((N,), (N,), (N,)),
    ((N,), (1,), (N,)),
    ((1, M), (N, 1), (N, M)),
    ((BDim(N),), (N,), (N,)),
    ((BDim(N),), (1,), (BDim(N),)),
    ((BDim(N),), (BDim(N),), (BDim(N),)),
    ((2 * N,), (N + N,), (2 * N,)),
    ((N,), (2, 1, 1), (2, 1, N)),
])
def test_symbolic_broadcast(a: tuple[object, ...], b: tuple[object, ...],
                            expected: tuple[object, ...]) -> None:
    assert broadcast_shapes(Shape.of(a), Shape.of(b)) == Shape.of(expected)  # type: ignore
    assert broadcast_shapes(Shape.of(b), Shape.of(a)) == Shape.of(expected)  # type: ignore


@pytest.mark.parametrize("a, b", [
    ((N,), (M,)),
    ((N,), (3,)),
    ((BDim(N),), (M,)),
    ((N, 2), (N, 3)),
    ((N + 1,), (N,)),
])
def test_symbolic_broadcast_errors(a: tuple[object, ...], b: tuple[object, ...]) -> None:
    with pytest.raises(ShapeError):
        broadcast_shapes(Shape.of(a), Shape.of(b))  # type: ignore[arg-type]
    with pytest.raises(ShapeError):
        broadcast_shapes(Shape.of(b), Shape.of(a))  # type: ignore[arg-type]
