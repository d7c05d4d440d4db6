"""The operation rules (`typecheck.rules.apply`) agree with numpy on concrete shapes.

For each op, random concrete shapes and arguments are given to the rule and to numpy on zero
arrays of those shapes: the rule's result shape must equal numpy's, or both must raise (ours a
`ShapeError`). Where numpy departs from the array API standard (the contract's semantics), the
oracle is adjusted and the reason is written next to it.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, Sequence

import numpy as np
import pytest
from hypothesis import assume, event, given
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context

rules = pytest.importorskip("typecheck.rules")

from typecheck.dims import Dim  # noqa: E402
from typecheck.dtypes import DType  # noqa: E402
from typecheck.errors import DTypeError, ShapeError  # noqa: E402
from typecheck.shapes import Shape  # noqa: E402
from typecheck.values import (NoneV, ScalarV, TensorV, TupleV, Value, int_scalar,  # noqa: E402
                              tensor)

from ._settings import examples  # noqa: E402
from ._shapes import DIM, PAIRS, shapes  # noqa: E402

SETTINGS = examples(200)
Shp = tuple[int, ...]
Axis = Any  # None | int | tuple[int, ...]


# --- values and oracles ------------------------------------------------------------------------

def T(shape: Sequence[int], dtype: DType = DType.float32) -> TensorV:
    return tensor(dtype, tuple(shape))


def ints(values: Sequence[int]) -> TupleV:
    return TupleV(tuple(int_scalar(v) for v in values))


def axis_value(axis: Axis) -> Value:
    if axis is None:
        return NoneV()
    if isinstance(axis, tuple):
        return ints(axis)
    return int_scalar(axis)


def bool_value(b: bool) -> ScalarV:
    return ScalarV("bool", Dim.const(int(b)))


def ours(op: str, args: Sequence[Value], kwargs: dict[str, Value] | None = None
         ) -> Shp | None:
    """The rule's concrete result shape, or None when it raises ShapeError."""
    try:
        result = rules.apply(op, list(args), kwargs or {})
    except ShapeError as exc:
        assert str(exc)
        return None
    assert isinstance(result, TensorV), result
    concrete = result.shape.concrete()
    assert concrete is not None, f"{op}: result shape ({result.shape}) is not concrete"
    return concrete


def numpy_shape(fn: Callable[[], Any]) -> Shp | None:
    """numpy's result shape, or None when numpy raises."""
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            shape = tuple(np.shape(fn()))
    except (ValueError, TypeError, IndexError):
        _event("numpy raises")
        return None
    _event("numpy gives a shape")
    return shape


def _event(text: str) -> None:
    if currently_in_test_context():
        event(text)  # shown by --hypothesis-show-statistics


def Z(shape: Shp) -> np.ndarray:
    return np.zeros(shape, dtype=np.float32)


def axes_for(rank: int, lo_pad: int = 1, hi_pad: int = 1) -> st.SearchStrategy[int]:
    """Axes mostly in range, sometimes just outside it (and negative)."""
    return st.integers(-rank - lo_pad, rank - 1 + hi_pad)


# --- matmul --------------------------------------------------------------------------------------

@st.composite
def matmul_operands(draw: st.DrawFn) -> tuple[Shp, Shp]:
    k = draw(DIM, label="k")
    ba, bb = draw(PAIRS.filter(lambda p: len(p[0]) <= 2 and len(p[1]) <= 2), label="batches")

    def operand(batch: Shp, first: bool) -> Shp:
        kind = draw(st.sampled_from(["vec", "mat", "mat", "mat", "random"]))
        kk = k if draw(st.integers(0, 5)) else draw(DIM)
        if kind == "vec":
            return (kk,)
        if kind == "random":
            return draw(shapes(0, 4))
        other = draw(DIM)
        return batch + ((other, kk) if first else (kk, other))
    return operand(ba, True), operand(bb, False)


@SETTINGS
@given(matmul_operands())
def test_matmul_matches_numpy(operands: tuple[Shp, Shp]) -> None:
    a, b = operands
    expected = numpy_shape(lambda: np.matmul(Z(a), Z(b)))
    assert ours("matmul", [T(a), T(b)]) == expected


# --- reshape -------------------------------------------------------------------------------------

@st.composite
def reshape_case(draw: st.DrawFn) -> tuple[Shp, list[int]]:
    src = draw(shapes(0, 4, st.integers(0, 4)), label="src")
    if draw(st.booleans()):
        # A target with the same element count: shuffle the dims, merge neighbours, add 1s.
        dims = list(draw(st.permutations(src)))
        merged: list[int] = []
        for d in dims:
            if merged and draw(st.booleans()):
                merged[-1] *= d
            else:
                merged.append(d)
        for _ in range(draw(st.integers(0, 2))):
            merged.insert(draw(st.integers(0, len(merged))), 1)
        target = merged
    else:
        target = draw(st.lists(st.integers(0, 6), max_size=4))
    for _ in range(draw(st.sampled_from([0, 1, 1, 2]))):
        if target:
            target[draw(st.integers(0, len(target) - 1))] = -1
    return src, target


@SETTINGS
@given(reshape_case())
def test_reshape_matches_numpy(case: tuple[Shp, list[int]]) -> None:
    src, target = case
    expected = numpy_shape(lambda: np.reshape(Z(src), target))
    assert ours("reshape", [T(src), ints(target)]) == expected
    assert ours("reshape", [T(src)], {"shape": ints(target)}) == expected


# --- reductions ----------------------------------------------------------------------------------

REDUCTIONS: dict[str, Callable[..., Any]] = {
    "sum": np.sum, "max": np.max, "min": np.min, "mean": np.mean, "argmax": np.argmax}


@st.composite
def reduction_case(draw: st.DrawFn) -> tuple[str, Shp, Axis, bool | None]:
    op = draw(st.sampled_from(sorted(REDUCTIONS)))
    shape = draw(shapes(0, 4))
    r = len(shape)
    axis = draw(st.one_of(st.none(), axes_for(r),
                          st.lists(axes_for(r), max_size=3).map(tuple)), label="axis")
    keep = draw(st.sampled_from([None, False, True]), label="keepdims")
    return op, shape, axis, keep


def numpy_reduction(op: str, shape: Shp, axis: Axis, keep: bool | None) -> Shp | None:
    if len(shape) == 0 and isinstance(axis, int):
        # numpy (except np.mean) accepts axis 0 / -1 on a 0-d array; the array API, like
        # np.mean and every tuple axis, treats them as out of range.
        return None
    kwargs = {} if keep is None else {"keepdims": keep}
    return numpy_shape(lambda: REDUCTIONS[op](Z(shape), axis=axis, **kwargs))


@SETTINGS
@given(reduction_case())
def test_reductions_match_numpy(case: tuple[str, Shp, Axis, bool | None]) -> None:
    op, shape, axis, keep = case
    expected = numpy_reduction(op, shape, axis, keep)
    kwargs: dict[str, Value] = {"axis": axis_value(axis)}
    if keep is not None:
        kwargs["keepdims"] = bool_value(keep)
    assert ours(op, [T(shape)], kwargs) == expected
    if expected is not None:
        result = rules.apply(op, [T(shape)], kwargs)
        assert result.dtype == (DType.int64 if op == "argmax" else DType.float32)


@SETTINGS
@given(st.sampled_from(sorted(REDUCTIONS)), shapes(0, 4))
def test_reduction_without_axis_is_over_all_dims(op: str, shape: Shp) -> None:
    expected = numpy_reduction(op, shape, None, None)
    assert ours(op, [T(shape)]) == expected


# --- shape manipulation --------------------------------------------------------------------------

@st.composite
def permute_case(draw: st.DrawFn) -> tuple[Shp, tuple[int, ...]]:
    shape = draw(shapes(0, 4))
    r = len(shape)
    if draw(st.integers(0, 3)):
        perm = draw(st.permutations(range(r)))
        axes = tuple(a - r if draw(st.booleans()) else a for a in perm)
    else:
        axes = tuple(draw(st.lists(axes_for(r), max_size=r + 1)))
    return shape, axes


@SETTINGS
@given(permute_case())
def test_permute_dims_matches_numpy(case: tuple[Shp, tuple[int, ...]]) -> None:
    shape, axes = case
    expected = numpy_shape(lambda: np.permute_dims(Z(shape), axes))
    assert ours("permute_dims", [T(shape), ints(axes)]) == expected


@SETTINGS
@given(shapes(0, 4), st.data())
def test_expand_dims_matches_numpy(shape: Shp, data: st.DataObject) -> None:
    axis = data.draw(axes_for(len(shape) + 1, 2, 2), label="axis")
    expected = numpy_shape(lambda: np.expand_dims(Z(shape), axis))
    assert ours("expand_dims", [T(shape)], {"axis": int_scalar(axis)}) == expected


@SETTINGS
@given(shapes(0, 4, st.sampled_from([1, 1, 1, 0, 2])), st.data())
def test_squeeze_matches_numpy(shape: Shp, data: st.DataObject) -> None:
    r = len(shape)
    axis = data.draw(st.one_of(axes_for(r), st.lists(axes_for(r), max_size=3).map(tuple)),
                     label="axis")
    if r == 0 and isinstance(axis, int):
        expected = None  # numpy accepts squeeze(0-d, 0); the array API does not
    else:
        expected = numpy_shape(lambda: np.squeeze(Z(shape), axis))
    assert ours("squeeze", [T(shape)], {"axis": axis_value(axis)}) == expected


@st.composite
def broadcast_to_case(draw: st.DrawFn) -> tuple[Shp, list[int]]:
    a, b = draw(PAIRS)
    if draw(st.booleans()):
        target = list(np.broadcast_shapes(a, b)) if numpy_shape(
            lambda: np.broadcast_shapes(a, b)) is not None else list(b)
    else:
        target = list(b)
    return a, target


@SETTINGS
@given(broadcast_to_case())
def test_broadcast_to_matches_numpy(case: tuple[Shp, list[int]]) -> None:
    src, target = case
    expected = numpy_shape(lambda: np.broadcast_to(Z(src), target))
    assert ours("broadcast_to", [T(src), ints(target)]) == expected


@pytest.mark.parametrize("src, target", [((1,), (-1,)), ((3,), (-1, 3)), ((), (-1,))])
def test_broadcast_to_rejects_negative_dims(src: Shp, target: Shp) -> None:
    assert numpy_shape(lambda: np.broadcast_to(Z(src), target)) is None
    assert ours("broadcast_to", [T(src), ints(target)]) is None


@st.composite
def concat_case(draw: st.DrawFn) -> tuple[list[Shp], Axis]:
    base = list(draw(shapes(0, 3)))
    r = len(base)
    axis = draw(st.one_of(st.none(), axes_for(r)), label="axis")
    out = []
    for _ in range(draw(st.integers(1, 3))):
        s = list(base)
        if isinstance(axis, int) and -r <= axis < r:
            s[axis] = draw(st.integers(0, 4))
        if not draw(st.integers(0, 5)):
            s = list(draw(shapes(0, 3)))  # sometimes something unrelated
        out.append(tuple(s))
    return out, axis


@SETTINGS
@given(concat_case())
def test_concat_matches_numpy(case: tuple[list[Shp], Axis]) -> None:
    shapes_, axis = case
    expected = numpy_shape(lambda: np.concatenate([Z(s) for s in shapes_], axis=axis))
    arrays = TupleV(tuple(T(s) for s in shapes_))
    assert ours("concat", [arrays], {"axis": axis_value(axis)}) == expected


@st.composite
def stack_case(draw: st.DrawFn) -> tuple[list[Shp], int]:
    base = draw(shapes(0, 3))
    axis = draw(axes_for(len(base) + 1, 2, 2), label="axis")
    out = [base if draw(st.integers(0, 5)) else draw(shapes(0, 3))
           for _ in range(draw(st.integers(1, 3)))]
    return out, axis


@SETTINGS
@given(stack_case())
def test_stack_matches_numpy(case: tuple[list[Shp], int]) -> None:
    shapes_, axis = case
    expected = numpy_shape(lambda: np.stack([Z(s) for s in shapes_], axis=axis))
    arrays = TupleV(tuple(T(s) for s in shapes_))
    assert ours("stack", [arrays], {"axis": int_scalar(axis)}) == expected


@SETTINGS
@given(shapes(0, 5))
def test_matrix_transpose_matches_numpy(shape: Shp) -> None:
    expected = numpy_shape(lambda: np.matrix_transpose(Z(shape)))
    assert ours("matrix_transpose", [T(shape)]) == expected


@SETTINGS
@given(PAIRS)
def test_elementwise_add_shape_matches_numpy(pair: tuple[Shp, Shp]) -> None:
    a, b = pair
    expected = numpy_shape(lambda: Z(a) + Z(b))
    assert ours("add", [T(a), T(b)]) == expected


# --- dtype promotion -----------------------------------------------------------------------------

FLOATS = [DType.float16, DType.bfloat16, DType.float32, DType.float64]
INTS = [DType.int8, DType.int32, DType.int64]
ALL = FLOATS + INTS + [DType.bool]


def array_api_promotion(a: DType, b: DType) -> DType | None:
    """The array-API result dtype of `a + b` (None: not allowed)."""
    if a.kind != b.kind or a.kind == "b":
        return None
    if {a, b} == {DType.float16, DType.bfloat16}:
        return DType.float32  # the contract: bf16 + f16 -> f32
    if DType.bfloat16 in (a, b):
        other = b if a == DType.bfloat16 else a
        return DType.bfloat16 if other == DType.bfloat16 else other
    return DType(str(np.result_type(np.dtype(a.value), np.dtype(b.value))))


@pytest.mark.parametrize("a", ALL, ids=str)
@pytest.mark.parametrize("b", ALL, ids=str)
def test_add_promotes_like_the_array_api(a: DType, b: DType) -> None:
    expected = array_api_promotion(a, b)
    if expected is None:
        with pytest.raises(DTypeError):
            rules.apply("add", [T((2, 3), a), T((2, 3), b)], {})
        return
    result = rules.apply("add", [T((2, 3), a), T((2, 3), b)], {})
    assert isinstance(result, TensorV)
    assert result.dtype == expected
    assert result.shape.concrete() == (2, 3)


@pytest.mark.parametrize("a", ALL, ids=str)
@pytest.mark.parametrize("b", ALL, ids=str)
def test_comparison_of_same_kind_tensors_is_bool(a: DType, b: DType) -> None:
    if a.kind != b.kind:
        with pytest.raises(DTypeError):
            rules.apply("lt", [T((3,), a), T((3,), b)], {})
        return
    result = rules.apply("lt", [T((3,), a), T((3,), b)], {})
    assert isinstance(result, TensorV) and result.dtype == DType.bool


@SETTINGS
@given(st.sampled_from(ALL), st.sampled_from(ALL), matmul_operands())
def test_matmul_dtype_and_shape_errors_are_kept_apart(a: DType, b: DType,
                                                      operands: tuple[Shp, Shp]) -> None:
    """A dtype problem is a DTypeError and a shape problem a ShapeError, never mixed up."""
    sa, sb = operands
    shape_ok = numpy_shape(lambda: np.matmul(Z(sa), Z(sb))) is not None
    dtype = array_api_promotion(a, b)
    try:
        result = rules.apply("matmul", [T(sa, a), T(sb, b)], {})
    except DTypeError:
        assert dtype is None
        return
    except ShapeError:
        assert not shape_ok
        return
    assert shape_ok and dtype is not None
    assert isinstance(result, TensorV) and result.dtype == dtype


# --- symbolic dims agree with the concrete rules -------------------------------------------------
#
# The same cases with every dim of a chosen size v >= 2 written as the name `Dv` (so equal
# names mean equal sizes, different names different sizes). When both the symbolic and the
# concrete rule give a shape, the symbolic one evaluates to the concrete one; a symbolic
# ShapeError must be a real error (except for reshape, whose element-count check cannot know
# that D2*D2 is D4).

Conv = Callable[[int], "int | Dim"]
Make = Callable[[Conv], tuple[list[Value], dict[str, Value]]]


def _sym_tensor(shape: Shp, conv: Conv) -> TensorV:
    return TensorV(DType.float32, Shape.of([conv(d) for d in shape]))


def _sym_ints(values: Sequence[int], conv: Conv) -> TupleV:
    return TupleV(tuple(int_scalar(conv(v) if v >= 0 else v) for v in values))


def agree(op: str, make: Make, chosen: set[int], real_errors: bool = True) -> None:
    env = {f"D{v}": v for v in chosen}

    def sym(v: int) -> "int | Dim":
        return Dim.sym(f"D{v}") if v in chosen else v
    concrete = ours(op, *make(lambda v: v))
    try:
        result = rules.apply(op, *make(sym))
    except ShapeError:
        if real_errors:
            assert concrete is None, f"{op}: symbolic ShapeError but concrete {concrete}"
        return
    if concrete is None:
        return
    assert isinstance(result, TensorV)
    dims = result.shape.dims
    assert len(dims) == len(concrete)
    for d, c in zip(dims, concrete):
        if d is not None:
            assert isinstance(d, Dim), d
            assert d.evaluate(env) == c, (result.shape, concrete)


CHOSEN = st.sets(st.integers(2, 6), min_size=1)
SYM_SETTINGS = examples(100)


@SYM_SETTINGS
@given(matmul_operands(), CHOSEN)
def test_symbolic_matmul(operands: tuple[Shp, Shp], chosen: set[int]) -> None:
    a, b = operands
    agree("matmul", lambda c: ([_sym_tensor(a, c), _sym_tensor(b, c)], {}), chosen)


@SYM_SETTINGS
@given(PAIRS, CHOSEN)
def test_symbolic_add(pair: tuple[Shp, Shp], chosen: set[int]) -> None:
    a, b = pair
    agree("add", lambda c: ([_sym_tensor(a, c), _sym_tensor(b, c)], {}), chosen)


@SYM_SETTINGS
@given(reshape_case(), CHOSEN)
def test_symbolic_reshape(case: tuple[Shp, list[int]], chosen: set[int]) -> None:
    src, target = case
    agree("reshape", lambda c: ([_sym_tensor(src, c), _sym_ints(target, c)], {}), chosen,
          real_errors=False)


@SYM_SETTINGS
@given(reduction_case(), CHOSEN)
def test_symbolic_reductions(case: tuple[str, Shp, Axis, bool | None], chosen: set[int]
                             ) -> None:
    op, shape, axis, keep = case
    kwargs: dict[str, Value] = {"axis": axis_value(axis)}
    if keep is not None:
        kwargs["keepdims"] = bool_value(keep)
    agree(op, lambda c: ([_sym_tensor(shape, c)], kwargs), chosen)


@SYM_SETTINGS
@given(permute_case(), CHOSEN)
def test_symbolic_permute_dims(case: tuple[Shp, tuple[int, ...]], chosen: set[int]) -> None:
    shape, axes = case
    agree("permute_dims", lambda c: ([_sym_tensor(shape, c), ints(axes)], {}), chosen)


@SYM_SETTINGS
@given(shapes(0, 4, st.sampled_from([1, 1, 0, 2, 3])), st.data(), CHOSEN)
def test_symbolic_squeeze_and_expand_dims(shape: Shp, data: st.DataObject, chosen: set[int]
                                         ) -> None:
    r = len(shape)
    axis = data.draw(axes_for(r + 1, 2, 2), label="axis")
    agree("expand_dims", lambda c: ([_sym_tensor(shape, c)], {"axis": int_scalar(axis)}),
          chosen)
    agree("squeeze", lambda c: ([_sym_tensor(shape, c)], {"axis": int_scalar(axis)}), chosen)
    agree("matrix_transpose", lambda c: ([_sym_tensor(shape, c)], {}), chosen)


@SYM_SETTINGS
@given(broadcast_to_case(), CHOSEN)
def test_symbolic_broadcast_to(case: tuple[Shp, list[int]], chosen: set[int]) -> None:
    src, target = case
    agree("broadcast_to", lambda c: ([_sym_tensor(src, c), _sym_ints(target, c)], {}), chosen)


@SYM_SETTINGS
@given(concat_case(), stack_case(), CHOSEN)
def test_symbolic_concat_and_stack(cc: tuple[list[Shp], Axis], sc: tuple[list[Shp], int],
                                   chosen: set[int]) -> None:
    cshapes, caxis = cc
    agree("concat", lambda c: ([TupleV(tuple(_sym_tensor(s, c) for s in cshapes))],
                               {"axis": axis_value(caxis)}), chosen)
    sshapes, saxis = sc
    agree("stack", lambda c: ([TupleV(tuple(_sym_tensor(s, c) for s in sshapes))],
                              {"axis": int_scalar(saxis)}), chosen)


# --- variadic `*b` shapes agree with numpy for any concrete batch ------------------------------
#
# A tensor annotated `*b M N` has the shape Shape((), "b", (M, N)) in the checker. For a
# concrete batch, replacing `*b` by it must give numpy's result (an unknown-rank `...` result
# only promises its trailing dims; a symbolic ShapeError must be an error for that batch too).

def expand_variadic(s: Shape, batch: Shp) -> Shape:
    return Shape(s.prefix + tuple(Dim.const(d) for d in batch) + s.suffix)


def variadic_agrees(result: Value, batch: Shp, expected: Shp) -> None:
    assert isinstance(result, TensorV)
    shape = result.shape
    if shape.var == "b":
        shape = expand_variadic(shape, batch)
    if shape.var is not None:  # `...`: only the trailing dims are promised
        tail = shape.suffix
        assert len(tail) <= len(expected)
        got = expected[len(expected) - len(tail):]
    else:
        tail = shape.prefix
        assert len(tail) == len(expected), (result.shape, expected)
        got = expected
    for d, e in zip(tail, got):
        if d is not None:
            assert isinstance(d, Dim) and d.const_value == e, (result.shape, batch, expected)


@st.composite
def variadic_operand(draw: st.DrawFn, batch: Shp) -> tuple[Value, Shp]:
    """A `*b ...` tensor (or, sometimes, a fixed-rank one) and its concrete shape."""
    suffix = draw(shapes(0, 3))
    if draw(st.integers(0, 3)):
        sym = Shape((), "b", tuple(Dim.const(d) for d in suffix))
        return TensorV(DType.float32, sym), batch + suffix
    fixed = draw(shapes(0, 4))
    return T(fixed), fixed


VAR_OPS = ["add", "matmul", "sum", "max", "matrix_transpose", "expand_dims"]


@SYM_SETTINGS
@given(st.sampled_from(VAR_OPS), shapes(0, 3), st.data())
def test_variadic_rules_agree_with_numpy(op: str, batch: Shp, data: st.DataObject) -> None:
    x, xs = data.draw(variadic_operand(batch), label="x")
    kwargs: dict[str, Value] = {}
    if op in ("add", "matmul"):
        y, ys = data.draw(variadic_operand(batch), label="y")
        args = [x, y]
        fn: Callable[[], Any] = (lambda: Z(xs) + Z(ys)) if op == "add" else (
            lambda: np.matmul(Z(xs), Z(ys)))
    else:
        args = [x]
        axis = data.draw(st.integers(-3, 2), label="axis")
        keep = data.draw(st.booleans(), label="keepdims")
        if op in ("sum", "max"):
            kwargs = {"axis": int_scalar(axis), "keepdims": bool_value(keep)}
            if len(xs) == 0:  # 0-d: any int axis is out of range (see numpy_reduction)
                fn = lambda: np.sum(Z(()), axis=(axis,))  # noqa: E731
            else:
                fn = lambda: REDUCTIONS[op](Z(xs), axis=axis, keepdims=keep)  # noqa: E731
        elif op == "expand_dims":
            kwargs = {"axis": int_scalar(axis)}
            fn = lambda: np.expand_dims(Z(xs), axis)  # noqa: E731
        else:
            fn = lambda: np.matrix_transpose(Z(xs))  # noqa: E731
    expected = numpy_shape(fn)
    try:
        result = rules.apply(op, args, kwargs)
    except ShapeError as exc:
        assert expected is None, f"{op}: symbolic error {exc} but numpy gives {expected}"
        return
    if expected is not None:
        variadic_agrees(result, batch, expected)


# Regressions: variadic broadcasting bugs these tests found (now fixed).
B = "b"
ONE_ = Dim.const(1)


@pytest.mark.parametrize("op, x, y, batch", [
    ("add", Shape((), B, ()), Shape((), B, (ONE_,)), (3,)),
    ("add", Shape((), B, ()), Shape((), B, (Dim.const(4),)), (2,)),
    ("matmul", Shape((), B, (Dim.const(2), Dim.const(3))),
     Shape((), B, (Dim.const(2), Dim.const(3), Dim.const(4))), (3,)),
])
def test_same_variadic_with_different_suffix_lengths(op: str, x: Shape, y: Shape,
                                                     batch: Shp) -> None:
    _check_variadic_case(op, x, y, batch)


@pytest.mark.parametrize("op, x, y, batch", [
    ("add", Shape.of((1,)), Shape((), B, ()), ()),
    ("add", Shape.of((1, 1)), Shape((), B, (Dim.const(3),)), ()),
    ("matmul", Shape.of((1, 2, 3)), Shape((), B, (Dim.const(3), Dim.const(4))), ()),
])
def test_fixed_leading_ones_with_an_empty_variadic(op: str, x: Shape, y: Shape, batch: Shp
                                                   ) -> None:
    _check_variadic_case(op, x, y, batch)


def _check_variadic_case(op: str, x: Shape, y: Shape, batch: Shp) -> None:
    def concrete(s: Shape) -> Shp:
        c = expand_variadic(s, batch).concrete() if s.var else s.concrete()
        assert c is not None
        return c
    xs, ys = concrete(x), concrete(y)
    fn = (lambda: Z(xs) + Z(ys)) if op == "add" else (lambda: np.matmul(Z(xs), Z(ys)))
    expected = numpy_shape(fn)
    try:
        result = rules.apply(op, [TensorV(DType.float32, x), TensorV(DType.float32, y)], {})
    except ShapeError:
        assert expected is None
        return
    if expected is None:
        # Statically the rank of `*b` is unknown: an unknown-rank result is the honest answer.
        assert isinstance(result, TensorV) and result.shape.var == "...", \
            f"numpy raises, the rule gives {result}"
        return
    variadic_agrees(result, batch, expected)


@pytest.mark.parametrize("op", ["max", "min", "argmax"])
def test_reduction_over_an_empty_dim_next_to_a_variadic(op: str) -> None:
    x = TensorV(DType.float32, Shape((), B, (Dim.const(0),)))
    with pytest.raises(ShapeError):
        rules.apply(op, [x], {"axis": int_scalar(-1)})
