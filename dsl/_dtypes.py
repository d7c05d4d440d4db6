"""Dtype objects (`dsl.float32`, ...) and the mapping between language and numpy dtypes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import ml_dtypes
import numpy as np

from typecheck.dtypes import DType
from typecheck.errors import DTypeError

__all__ = ["DTypeObject", "bfloat16", "bool", "dtype_object", "float16", "float32", "float64",
           "int8", "int32", "int64", "language_dtype", "numpy_dtype"]

_NUMPY: dict[DType, np.dtype[Any]] = {
    DType.float16: np.dtype(np.float16),
    DType.bfloat16: np.dtype(ml_dtypes.bfloat16),
    DType.float32: np.dtype(np.float32),
    DType.float64: np.dtype(np.float64),
    DType.int8: np.dtype(np.int8),
    DType.int32: np.dtype(np.int32),
    DType.int64: np.dtype(np.int64),
    DType.bool: np.dtype(np.bool_),
}
_FROM_NUMPY: dict[np.dtype[Any], DType] = {v: k for k, v in _NUMPY.items()}


@dataclass(frozen=True)
class DTypeObject:
    """A dtype of the language, passed to `dsl.astype` and the creation functions.

    `.type` is the checker's `DType`, `.numpy` the numpy dtype. `.dtype` is the numpy dtype
    too, so `np.dtype(dsl.float32)` works and `array.dtype == dsl.float32` compares as expected.
    """

    type: DType

    @property
    def name(self) -> str:
        """The canonical name, e.g. `"float32"`."""
        return self.type.value

    @property
    def numpy(self) -> np.dtype[Any]:
        """The numpy dtype (bfloat16 is `ml_dtypes.bfloat16`)."""
        return _NUMPY[self.type]

    @property
    def dtype(self) -> np.dtype[Any]:
        """The numpy dtype (numpy reads this attribute when converting to a dtype)."""
        return _NUMPY[self.type]

    def __repr__(self) -> str:
        return f"dsl.{self.name}"

    def __str__(self) -> str:
        return self.name


float16 = DTypeObject(DType.float16)
bfloat16 = DTypeObject(DType.bfloat16)
float32 = DTypeObject(DType.float32)
float64 = DTypeObject(DType.float64)
int8 = DTypeObject(DType.int8)
int32 = DTypeObject(DType.int32)
int64 = DTypeObject(DType.int64)
# Named `bool` like the other dtype objects (`dsl.bool`); this module never needs the builtin.
bool = DTypeObject(DType.bool)

_OBJECTS = {d.type: d for d in (float16, bfloat16, float32, float64, int8, int32, int64, bool)}


def dtype_object(dtype: DType) -> DTypeObject:
    """The `dsl` dtype object of a checker `DType`."""
    return _OBJECTS[dtype]


def numpy_dtype(dtype: DType) -> np.dtype[Any]:
    """The numpy dtype of a checker `DType`."""
    return _NUMPY[dtype]


def language_dtype(dtype: np.dtype[Any], what: str = "tensor") -> DType:
    """The language dtype of a numpy dtype; `DTypeError` for dtypes the language lacks."""
    found = _FROM_NUMPY.get(dtype)
    if found is None:
        names = ", ".join(d.value for d in DType)
        raise DTypeError(f"{what} has dtype {dtype}, which the language does not support "
                         f"(supported: {names})")
    return found


def as_dtype_object(op: str, value: object) -> DTypeObject:
    """Check that a `dtype` argument is a dtype object such as `dsl.float32`."""
    if isinstance(value, DTypeObject):
        return value
    raise DTypeError(f"{op}(): dtype must be a dsl dtype such as dsl.float32, "
                     f"got {value!r}")
