"""Rules for zeros, ones, full, zeros_like and arange."""

from __future__ import annotations

from typing import Callable

from typecheck.dims import Dim
from typecheck.dtypes import DType, promote_scalar
from typecheck.errors import DTypeError, ShapeError
from typecheck.shapes import Shape
from typecheck.values import NoneV, ScalarV, TensorV, UnknownV, Value
from typecheck.rules._common import Args, Kwargs, arg, dims_from_value, dtype_arg, tensor_arg

_DEFAULT_FOR_SCALAR = {"bool": DType.bool, "int": DType.int64, "float": DType.float32}


def _shape_arg(op: str, v: Value) -> Shape:
    dims = dims_from_value(op, v)
    if dims is None:
        return Shape.unknown()
    for d in dims:
        c = d.const_value if isinstance(d, Dim) else None
        if c is not None and c < 0:
            raise ShapeError(f"{op}(): negative dim {d} in shape")
    return Shape(dims)


def filled(op: str, args: Args, kwargs: Kwargs) -> Value:
    """zeros(shape, dtype) and ones(shape, dtype); dtype defaults to float32."""
    shape = _shape_arg(op, arg(op, args, kwargs, 0, "shape"))
    dtype_v = arg(op, args, kwargs, 1, "dtype", NoneV())
    dtype = DType.float32 if isinstance(dtype_v, NoneV) else dtype_arg(op, dtype_v)
    return TensorV(dtype, shape)


def full(op: str, args: Args, kwargs: Kwargs) -> Value:
    """full(shape, value, dtype): the value must fit the dtype's kind (weak scalar rules)."""
    shape = _shape_arg(op, arg(op, args, kwargs, 0, "shape"))
    value = arg(op, args, kwargs, 1, "fill_value")
    dtype_v = arg(op, args, kwargs, 2, "dtype", NoneV())
    if not isinstance(value, (ScalarV, UnknownV)):
        raise DTypeError("full(): fill_value must be a Python int, float or bool")
    if isinstance(dtype_v, NoneV):
        dtype = _DEFAULT_FOR_SCALAR[value.kind] if isinstance(value, ScalarV) else None
    else:
        dtype = dtype_arg(op, dtype_v)
        if dtype is not None and isinstance(value, ScalarV):
            try:
                promote_scalar(dtype, value.kind)
            except DTypeError as exc:
                raise DTypeError(f"full(): {exc}") from None
    return TensorV(dtype, shape)


def zeros_like(op: str, args: Args, kwargs: Kwargs) -> Value:
    """zeros_like(x, dtype=None): x's shape, x's dtype unless given."""
    t = tensor_arg(op, arg(op, args, kwargs, 0, "x"))
    dtype_v = arg(op, args, kwargs, 1, "dtype", NoneV())
    if t is None:
        return UnknownV()
    dtype = t.dtype if isinstance(dtype_v, NoneV) else dtype_arg(op, dtype_v)
    return TensorV(dtype, t.shape)


def arange(op: str, args: Args, kwargs: Kwargs) -> Value:
    """arange(n, dtype=int64): a 1-D tensor of n elements (n may be a symbolic dim)."""
    n = arg(op, args, kwargs, 0, "stop")
    dtype_v = arg(op, args, kwargs, 1, "dtype", NoneV())
    dtype = DType.int64 if isinstance(dtype_v, NoneV) else dtype_arg(op, dtype_v)
    if isinstance(n, ScalarV) and n.kind == "float":
        raise DTypeError("arange(): n must be an int")
    if not isinstance(n, (ScalarV, UnknownV)):
        raise ShapeError("arange(): n must be an int")
    length: Dim | None = n.value if isinstance(n, ScalarV) else None
    if length is not None and length.const_value is not None and length.const_value < 0:
        length = Dim.const(0)
    return TensorV(dtype, Shape((length,)))


def rules() -> dict[str, Callable[[Args, Kwargs], Value]]:
    """The creation rules by op name."""
    return {
        "zeros": lambda a, k: filled("zeros", a, k),
        "ones": lambda a, k: filled("ones", a, k),
        "full": lambda a, k: full("full", a, k),
        "zeros_like": lambda a, k: zeros_like("zeros_like", a, k),
        "arange": lambda a, k: arange("arange", a, k),
    }
