"""Helpers shared by the eager operations: argument coercion, weak scalars, broadcasting."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any, Sequence

import numpy as np

from dsl._dtypes import language_dtype, numpy_dtype
from typecheck.dtypes import DType, promote_scalar
from typecheck.errors import DTypeError, ShapeError

NDArray = np.ndarray[Any, np.dtype[Any]]

# How many eager kernel calls are active in this context; inside one, results are wrapped so
# that operators on them follow the language's rules (see dsl._eager_array).
KERNEL_DEPTH: ContextVar[int] = ContextVar("dsl_kernel_depth", default=0)

_LOW_PRECISION = frozenset({DType.float16, DType.bfloat16})


def in_kernel() -> bool:
    """Whether an eager kernel call is running in this context."""
    return KERNEL_DEPTH.get() > 0


def describe(value: object) -> str:
    """A short description of a value for error messages."""
    if isinstance(value, bool):
        return f"a Python bool ({value})"
    if isinstance(value, (int, float)):
        return f"a Python {type(value).__name__} ({value!r})"
    if isinstance(value, np.ndarray):
        return f"a {value.dtype} tensor of shape {tuple(value.shape)}"
    if value is None:
        return "None"
    return f"a {type(value).__name__}"


def fmt_shape(shape: Sequence[int]) -> str:
    """`(2, 3)` for a concrete shape (also for rank 1: `(4,)`)."""
    return str(tuple(int(d) for d in shape))


def scalar_kind(value: object) -> str | None:
    """'bool', 'int' or 'float' for a Python scalar, None for anything else."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float"
    return None


def as_array(op: str, value: object, what: str = "argument") -> NDArray:
    """`value` as a plain numpy array of a language dtype; `DTypeError` for non-tensors."""
    if isinstance(value, np.ndarray):
        arr = value if type(value) is np.ndarray else value.view(np.ndarray)
    elif isinstance(value, np.generic):
        arr = np.asarray(value)
    elif hasattr(value, "shape") and hasattr(value, "dtype") and scalar_kind(value) is None:
        try:
            arr = np.asarray(value)
        except Exception as exc:  # any failure to convert is a bad argument, not a crash
            raise DTypeError(f"{op}: {what} cannot be read as an array: {exc}") from None
    else:
        raise DTypeError(f"{op}: {what} must be a tensor, got {describe(value)}")
    language_dtype(arr.dtype, f"{op}: {what}")
    return arr


def dtype_of(arr: NDArray) -> DType:
    """The language dtype of an array already checked by `as_array`."""
    return language_dtype(arr.dtype)


def scalar_array(op: str, value: int | float | bool, dtype: DType) -> NDArray:
    """A weakly typed Python scalar as a 0-d array of `dtype` (the tensor's dtype)."""
    kind = scalar_kind(value)
    assert kind is not None
    try:
        promote_scalar(dtype, kind)
    except DTypeError as exc:
        raise DTypeError(f"{op}: {exc}") from None
    try:
        return np.asarray(value, dtype=numpy_dtype(dtype))
    except OverflowError:
        raise DTypeError(f"{op}: the Python int {value} does not fit {dtype}") from None


def broadcast(op: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    """The broadcast of concrete shapes; `ShapeError` showing all of them otherwise."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        shown = " and ".join(fmt_shape(s) for s in shapes)
        raise ShapeError(f"{op}: shapes {shown} do not broadcast") from None


def compute_dtype(dtype: DType) -> np.dtype[Any]:
    """The numpy dtype to compute in: float32 for the 16-bit floats, else the dtype itself."""
    return np.dtype(np.float32) if dtype in _LOW_PRECISION else numpy_dtype(dtype)


def cast(arr: NDArray, dtype: DType) -> NDArray:
    """`arr` as `dtype` (no copy when it already is)."""
    target = numpy_dtype(dtype)
    return arr if arr.dtype == target else arr.astype(target)


def quiet() -> np.errstate:
    """Silence numpy's floating-point warnings: kernels follow IEEE rules without warnings."""
    return np.errstate(all="ignore")


def int_arg(op: str, value: object, name: str) -> int:
    """An integer argument (Python or numpy int, not bool); `ShapeError` otherwise."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)):
        return int(value)
    raise ShapeError(f"{op}: '{name}' must be an int, got {describe(value)}")


def normalize_axis(op: str, axis: int, rank: int) -> int:
    """A non-negative axis; `ShapeError` when it is out of range for `rank` dims."""
    if not -rank <= axis < rank:
        raise ShapeError(f"{op}: axis {axis} is out of range for a tensor of rank {rank}")
    return axis % rank


def shape_arg(op: str, value: object, allow_minus_one: bool = False) -> tuple[int, ...]:
    """A shape argument: an int or a tuple/list of ints, each >= 0 (or -1 when allowed)."""
    items = list(value) if isinstance(value, (tuple, list)) else [value]
    dims = tuple(int_arg(op, v, "shape") for v in items)
    for d in dims:
        if d < 0 and not (allow_minus_one and d == -1):
            raise ShapeError(f"{op}: negative dim {d} in shape {fmt_shape(dims)}")
    return dims
