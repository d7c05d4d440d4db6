"""The promotion table (`typecheck.dtypes.promote`, `promote_scalar`) as an algebra."""

from __future__ import annotations

import itertools

import pytest

from typecheck.dtypes import DType, promote, promote_scalar
from typecheck.errors import DTypeError

ALL = list(DType)


def _promote(a: DType, b: DType) -> DType | None:
    try:
        return promote(a, b)
    except DTypeError:
        return None


@pytest.mark.parametrize("a, b", list(itertools.product(ALL, ALL)), ids=str)
def test_promotion_is_commutative_and_same_kind(a: DType, b: DType) -> None:
    r = _promote(a, b)
    assert r == _promote(b, a)
    assert (r is None) == (a.kind != b.kind)
    if r is not None:
        assert r.kind == a.kind
        assert r.bits >= max(a.bits, b.bits)
        assert promote(r, a) == r == promote(r, b)  # the result absorbs both


@pytest.mark.parametrize("a, b, c", list(itertools.product(ALL, ALL, ALL)), ids=str)
def test_promotion_is_associative(a: DType, b: DType, c: DType) -> None:
    ab, bc = _promote(a, b), _promote(b, c)
    left = None if ab is None else _promote(ab, c)
    right = None if bc is None else _promote(a, bc)
    assert left == right


@pytest.mark.parametrize("a", ALL, ids=str)
def test_promotion_is_idempotent(a: DType) -> None:
    assert promote(a, a) == a


def test_contract_examples() -> None:
    assert promote(DType.float16, DType.float32) == DType.float32
    assert promote(DType.bfloat16, DType.float16) == DType.float32
    assert promote(DType.int32, DType.int64) == DType.int64
    with pytest.raises(DTypeError):
        promote(DType.int32, DType.float32)
    with pytest.raises(DTypeError):
        promote(DType.bool, DType.int8)


@pytest.mark.parametrize("t", ALL, ids=str)
@pytest.mark.parametrize("kind", ["bool", "int", "float"])
def test_python_scalars_are_weak(t: DType, kind: str) -> None:
    allowed = {"float": t.kind == "f", "int": t.kind != "b", "bool": True}[kind]
    if allowed:
        assert promote_scalar(t, kind) == t
    else:
        with pytest.raises(DTypeError):
            promote_scalar(t, kind)
