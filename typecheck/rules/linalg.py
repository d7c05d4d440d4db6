"""Rules for `@`/matmul (array-API: 1-D promotion, broadcast batch dims) and transposes."""

from __future__ import annotations

from typing import Callable

from typecheck.dtypes import promote
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import Shape, broadcast_shapes, dim_text, same_dim
from typecheck.values import TensorV, UnknownV, Value
from typecheck.rules._common import Args, Kwargs, arg, tensor_arg


def _known_rank_at_least(shape: Shape, n: int) -> bool:
    return len(shape.prefix if shape.var is None else shape.suffix) >= n


def matmul(op: str, args: Args, kwargs: Kwargs) -> Value:
    """`a @ b`; raises `ShapeError` showing both shapes when the inner dims differ."""
    a = tensor_arg("matmul", arg(op, args, kwargs, 0, "x1"))
    b = tensor_arg("matmul", arg(op, args, kwargs, 1, "x2"))
    if a is None or b is None:
        return UnknownV()
    dtype = None
    if a.dtype is not None and b.dtype is not None:
        try:
            dtype = promote(a.dtype, b.dtype)
        except DTypeError as exc:
            raise DTypeError(f"`@`: {exc}") from None
        if dtype.kind == "b":
            raise DTypeError("`@` is not defined on bool tensors")
    try:
        return TensorV(dtype, _matmul_shape(a.shape, b.shape))
    except ShapeError as exc:
        raise ShapeError(f"`@` of ({a.shape}) and ({b.shape}): {exc}") from None


def _matmul_shape(a: Shape, b: Shape) -> Shape:
    for s in (a, b):
        if s.rank == 0:
            raise ShapeError("matmul needs tensors of rank 1 or more, got a 0-d tensor")
    a_vec, b_vec = a.rank == 1, b.rank == 1
    if (a.var is not None and not _known_rank_at_least(a, 2)) or \
            (b.var is not None and not _known_rank_at_least(b, 2)):
        return _matmul_short_variadic(a, b)
    ka = a.prefix[0] if a_vec else (a.trailing(1) or (None,))[0]
    kb = b.prefix[0] if b_vec else (b.trailing(2) or (None, None))[0]
    if same_dim(ka, kb) is False:
        raise ShapeError(f"contraction dims differ: {dim_text(ka)} vs {dim_text(kb)}")
    if a_vec and b_vec:
        return Shape(())
    if a_vec:
        return b.with_trailing(2, (b.trailing(1) or (None,))[0:1])
    if b_vec:
        return a.with_trailing(1, ())
    batch = broadcast_shapes(a.leading_batch(2), b.leading_batch(2))
    m = (a.trailing(2) or (None, None))[0]
    n = (b.trailing(1) or (None,))[0]
    return batch.with_trailing(0, (m, n))


def _matmul_short_variadic(a: Shape, b: Shape) -> Shape:
    """An operand with a variadic segment and fewer than two known trailing dims (`... K`)
    may be a vector or a stack of matrices. Its known last dim is still checked, and
    `(*b K) @ (K N)` is `(*b N)` and `(*b K) @ (K)` is `(*b)` whichever it is (1-D
    promotion drops exactly the dim that the variadic segment would otherwise end with)."""
    ka = (a.trailing(1) or (None,))[0]
    if b.var is None:
        kb = b.prefix[0] if b.rank == 1 else b.prefix[-2]
    else:
        kb = b.suffix[-2] if len(b.suffix) >= 2 else None
    if same_dim(ka, kb) is False:
        raise ShapeError(f"contraction dims differ: {dim_text(ka)} vs {dim_text(kb)}")
    if a.var is not None and len(a.suffix) == 1 and b.var is None and b.rank in (1, 2):
        return Shape(a.prefix, a.var, b.prefix[1:])
    return Shape.unknown()


def transpose_2d(op: str, args: Args, kwargs: Kwargs) -> Value:
    """`x.T`: only for 2-D tensors (use matrix_transpose or permute_dims otherwise)."""
    t = tensor_arg("T", arg(op, args, kwargs, 0, "x"))
    if t is None:
        return UnknownV()
    if t.shape.var is not None or t.shape.rank != 2:
        raise ShapeError(f"`.T` needs a 2-D tensor, got shape ({t.shape}); use "
                         "dsl.matrix_transpose or dsl.permute_dims")
    d0, d1 = t.shape.prefix
    return TensorV(t.dtype, Shape((d1, d0)))


def matrix_transpose(op: str, args: Args, kwargs: Kwargs) -> Value:
    """Swap the last two dims (rank >= 2; batch dims, variadic too, are kept)."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    if t is None:
        return UnknownV()
    last = t.shape.trailing(2)
    if last is None:
        if t.shape.var is None:
            raise ShapeError(f"matrix_transpose() needs rank >= 2, got shape ({t.shape})")
        return TensorV(t.dtype, Shape.unknown())
    return TensorV(t.dtype, t.shape.with_trailing(2, (last[1], last[0])))


def rules() -> dict[str, Callable[[Args, Kwargs], Value]]:
    """The linear-algebra rules by op name."""
    return {
        "matmul": lambda a, k: matmul("matmul", a, k),
        "T": lambda a, k: transpose_2d("T", a, k),
        "matrix_transpose": lambda a, k: matrix_transpose("matrix_transpose", a, k),
    }
