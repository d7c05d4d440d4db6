"""Shape operations and matmul against numpy, with their errors."""

from __future__ import annotations

from typing import Any

import ml_dtypes
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import dsl
from eager_helpers import FLOAT_DTYPES, f64, rand, tol


@pytest.mark.parametrize("shape", [(6, 4), (24,), (2, -1), (-1, 3, 2), 24, (1, 24, 1)])
def test_reshape_matches_numpy(shape: Any) -> None:
    x = rand((2, 3, 4))
    out = dsl.reshape(x, shape)
    np.testing.assert_array_equal(out, np.reshape(x, shape))


def test_reshape_errors() -> None:
    x = rand((2, 3))
    with pytest.raises(dsl.ShapeError, match=r"from \(2, 3\) to \(4, 2\) changes the element "
                                             r"count: 6 vs 8"):
        dsl.reshape(x, (4, 2))
    with pytest.raises(dsl.ShapeError, match="at most one dim may be -1"):
        dsl.reshape(x, (-1, -1))
    with pytest.raises(dsl.ShapeError, match="do not divide"):
        dsl.reshape(x, (4, -1))
    with pytest.raises(dsl.ShapeError, match="negative dim -2"):
        dsl.reshape(x, (-2, -3))
    with pytest.raises(dsl.ShapeError, match="must be an int"):
        dsl.reshape(x, (2.0, 3))  # type: ignore[arg-type]


def test_reshape_keeps_bf16() -> None:
    x = rand((4,), ml_dtypes.bfloat16)
    assert dsl.reshape(x, (2, 2)).dtype == np.dtype(ml_dtypes.bfloat16)


@pytest.mark.parametrize("axes", [(0, 1, 2), (2, 0, 1), (-1, 0, 1), (1, 0, 2)])
def test_permute_dims(axes: tuple[int, ...]) -> None:
    x = rand((2, 3, 4))
    np.testing.assert_array_equal(dsl.permute_dims(x, axes), np.transpose(x, axes))


def test_permute_dims_errors() -> None:
    x = rand((2, 3, 4))
    with pytest.raises(dsl.ShapeError, match="not a permutation"):
        dsl.permute_dims(x, (0, 1))
    with pytest.raises(dsl.ShapeError, match="not a permutation"):
        dsl.permute_dims(x, (0, 0, 1))
    with pytest.raises(dsl.ShapeError, match="out of range"):
        dsl.permute_dims(x, (0, 1, 3))


def test_matrix_transpose() -> None:
    x = rand((5, 2, 3))
    np.testing.assert_array_equal(dsl.matrix_transpose(x), np.swapaxes(x, -1, -2))
    with pytest.raises(dsl.ShapeError, match="rank >= 2"):
        dsl.matrix_transpose(rand((3,)))


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -3])
def test_expand_dims(axis: int) -> None:
    x = rand((2, 3))
    np.testing.assert_array_equal(dsl.expand_dims(x, axis), np.expand_dims(x, axis))


def test_expand_dims_errors() -> None:
    with pytest.raises(dsl.ShapeError, match="out of range"):
        dsl.expand_dims(rand((2, 3)), 3)
    with pytest.raises(dsl.ShapeError, match="out of range"):
        dsl.expand_dims(rand((2, 3)), -4)


@pytest.mark.parametrize("axis", [0, -1, (0, 2), (2, 0)])
def test_squeeze(axis: Any) -> None:
    x = rand((1, 3, 1))
    np.testing.assert_array_equal(dsl.squeeze(x, axis), np.squeeze(x, axis))


def test_squeeze_errors() -> None:
    x = rand((1, 3, 1))
    with pytest.raises(dsl.ShapeError, match=r"dim 1 of \(1, 3, 1\) is 3, not 1"):
        dsl.squeeze(x, 1)
    with pytest.raises(dsl.ShapeError, match="repeated axis"):
        dsl.squeeze(x, (0, -3))
    with pytest.raises(dsl.ShapeError, match="out of range"):
        dsl.squeeze(x, 3)


def test_broadcast_to() -> None:
    x = rand((3, 1))
    out = dsl.broadcast_to(x, (2, 3, 4))
    np.testing.assert_array_equal(out, np.broadcast_to(x, (2, 3, 4)))
    out[0, 0, 0] = 42.0  # a new, writable array
    assert x[0, 0] != 42.0
    with pytest.raises(dsl.ShapeError, match=r"\(3, 1\) does not broadcast to \(2, 4\)"):
        dsl.broadcast_to(x, (2, 4))
    with pytest.raises(dsl.ShapeError, match="more dims"):
        dsl.broadcast_to(x, (3,))


@pytest.mark.parametrize("axis", [0, 1, -1, None])
def test_concat(axis: Any) -> None:
    a, b = rand((2, 3)), rand((2, 3))
    np.testing.assert_array_equal(dsl.concat([a, b], axis), np.concatenate([a, b], axis))


def test_concat_promotes_and_checks() -> None:
    a, b = rand((2, 3), np.float16), rand((4, 3), np.float32)
    out = dsl.concat((a, b), 0)
    assert out.shape == (6, 3) and out.dtype == np.float32
    with pytest.raises(dsl.ShapeError, match=r"tensor 1 has shape \(4, 3\) but tensor 0 has"):
        dsl.concat([a, b], 1)
    with pytest.raises(dsl.DTypeError, match="cannot mix"):
        dsl.concat([a, np.ones((2, 3), np.int32)], 0)
    with pytest.raises(dsl.ShapeError, match="at least one tensor"):
        dsl.concat([], 0)
    with pytest.raises(dsl.ShapeError, match="0-d"):
        dsl.concat([np.float32(1.0), np.float32(2.0)], 0)
    with pytest.raises(dsl.DTypeError, match="list or tuple"):
        dsl.concat(a, 0)


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_stack(axis: int) -> None:
    ts = [rand((2, 3)) for _ in range(4)]
    np.testing.assert_array_equal(dsl.stack(ts, axis), np.stack(ts, axis))


def test_stack_errors() -> None:
    with pytest.raises(dsl.ShapeError, match=r"tensor 1 has shape \(3,\) but tensor 0 has "
                                             r"\(2,\)"):
        dsl.stack([rand((2,)), rand((3,))])
    with pytest.raises(dsl.ShapeError, match="out of range"):
        dsl.stack([rand((2,)), rand((2,))], axis=2)


@pytest.mark.parametrize("sa,sb", [((3, 4), (4, 5)), ((4,), (4, 5)), ((3, 4), (4,)),
                                   ((4,), (4,)), ((2, 3, 4), (4, 5)), ((2, 1, 3, 4), (5, 4, 2)),
                                   ((4,), (2, 4, 3))])
def test_matmul_matches_numpy(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    a, b = rand(sa), rand(sb)
    out = dsl.matmul(a, b)
    expected = np.matmul(f64(a), f64(b))
    assert out.shape == expected.shape and out.dtype == np.float32
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("dtype", FLOAT_DTYPES + [np.int8, np.int32],
                         ids=lambda d: np.dtype(d).name)
def test_matmul_keeps_dtype(dtype: Any) -> None:
    a, b = rand((3, 8), dtype), rand((8, 2), dtype)
    out = dsl.matmul(a, b)
    assert out.dtype == np.dtype(dtype)
    np.testing.assert_allclose(f64(out), f64(a) @ f64(b), **tol(dtype))


def test_matmul_errors() -> None:
    with pytest.raises(dsl.ShapeError, match=r"`@` of \(3, 4\) and \(5, 6\): contraction dims "
                                             r"differ: 4 vs 5"):
        dsl.matmul(rand((3, 4)), rand((5, 6)))
    with pytest.raises(dsl.ShapeError, match="batch dims"):
        dsl.matmul(rand((2, 3, 4)), rand((3, 4, 5)))
    with pytest.raises(dsl.ShapeError, match="0-d"):
        dsl.matmul(np.float32(2.0), rand((2,)))
    with pytest.raises(dsl.DTypeError, match="cannot mix"):
        dsl.matmul(rand((2, 2)), rand((2, 2), np.int32))
    with pytest.raises(dsl.DTypeError, match="bool"):
        dsl.matmul(rand((2, 2), np.bool_), rand((2, 2), np.bool_))
    with pytest.raises(dsl.DTypeError, match="must be a tensor"):
        dsl.matmul(rand((2, 2)), 2.0)  # type: ignore[arg-type]


def test_matmul_promotes_16_bit_floats() -> None:
    out = dsl.matmul(rand((2, 2), ml_dtypes.bfloat16), rand((2, 2), np.float16))
    assert out.dtype == np.float32


@settings(max_examples=60, deadline=None)
@given(hnp.mutually_broadcastable_shapes(signature="(m?,n),(n,p?)->(m?,p?)", max_side=4))
def test_matmul_shapes_agree_with_numpy(shapes: Any) -> None:
    sa, sb = shapes.input_shapes
    a, b = np.ones(sa), np.ones(sb)
    assert dsl.matmul(a, b).shape == np.matmul(a, b).shape


@settings(max_examples=60, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
       hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
def test_matmul_errors_agree_with_numpy(sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    a, b = np.ones(sa, np.float32), np.ones(sb, np.float32)
    try:
        expected = np.matmul(a, b).shape
    except ValueError:
        with pytest.raises(dsl.ShapeError):
            dsl.matmul(a, b)
        return
    assert dsl.matmul(a, b).shape == expected


@settings(max_examples=60, deadline=None)
@given(hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4),
       hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4))
def test_reshape_agrees_with_numpy(src: tuple[int, ...], dst: tuple[int, ...]) -> None:
    x = np.zeros(src, np.float32)
    try:
        expected = np.reshape(x, dst).shape
    except ValueError:
        with pytest.raises(dsl.ShapeError):
            dsl.reshape(x, dst)
        return
    assert dsl.reshape(x, dst).shape == expected


@settings(max_examples=60, deadline=None)
@given(st.lists(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3),
                min_size=2, max_size=2))
def test_broadcasting_agrees_with_numpy(shapes: list[tuple[int, ...]]) -> None:
    a, b = np.ones(shapes[0], np.float32), np.ones(shapes[1], np.float32)
    try:
        expected = np.maximum(a, b).shape
    except ValueError:
        with pytest.raises(dsl.ShapeError):
            dsl.maximum(a, b)
        return
    assert dsl.maximum(a, b).shape == expected
