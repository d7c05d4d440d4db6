"""Dtypes and the array-API promotion table (same-kind promotion only)."""

from __future__ import annotations

import builtins
import enum

from typecheck.errors import DTypeError


class DType(enum.Enum):
    """The dtypes of the language. The value is the canonical (numpy-style) name."""

    float16 = "float16"
    bfloat16 = "bfloat16"
    float32 = "float32"
    float64 = "float64"
    int8 = "int8"
    int32 = "int32"
    int64 = "int64"
    bool = "bool"

    @property
    def kind(self) -> str:
        """'f' for floating, 'i' for signed integer, 'b' for bool."""
        return _KIND[self]

    @property
    def is_float(self) -> builtins.bool:
        return self.kind == "f"

    @property
    def is_int(self) -> builtins.bool:
        return self.kind == "i"

    @property
    def bits(self) -> int:
        return _BITS[self]

    def __str__(self) -> str:
        return self.value


_KIND = {DType.float16: "f", DType.bfloat16: "f", DType.float32: "f", DType.float64: "f",
         DType.int8: "i", DType.int32: "i", DType.int64: "i", DType.bool: "b"}
_BITS = {DType.float16: 16, DType.bfloat16: 16, DType.float32: 32, DType.float64: 64,
         DType.int8: 8, DType.int32: 32, DType.int64: 64, DType.bool: 8}

# jaxtyping's class names for the dtypes the language supports.
JAXTYPING_CLASSES: dict[str, DType] = {
    "Float16": DType.float16, "BFloat16": DType.bfloat16, "Float32": DType.float32,
    "Float64": DType.float64, "Int8": DType.int8, "Int32": DType.int32, "Int64": DType.int64,
    "Bool": DType.bool,
}

# Category classes: any dtype of the kind (None dtype = not known statically).
JAXTYPING_CATEGORIES: dict[str, str] = {
    "Float": "f", "Int": "i", "Integer": "i", "Shaped": "*", "Num": "*", "Real": "*",
    "Inexact": "f",
}


def dtype_from_name(name: str) -> DType:
    """`DType` from a canonical name (`"float32"`, also `"bool_"`)."""
    try:
        return DType(name.rstrip("_"))
    except ValueError:
        raise DTypeError(f"unsupported dtype {name!r}") from None


def promote(a: DType, b: DType) -> DType:
    """Promote two tensor dtypes; mixing kinds is a `DTypeError` (use `dsl.astype`)."""
    if a == b:
        return a
    if a.kind != b.kind:
        raise DTypeError(f"cannot mix {a} and {b} tensors (use dsl.astype)")
    if a.kind == "b":
        return a
    if {a, b} == {DType.float16, DType.bfloat16}:
        return DType.float32
    return a if a.bits >= b.bits else b


def promote_scalar(t: DType, scalar_kind: str) -> DType:
    """A Python scalar (`'bool'`, `'int'`, `'float'`) is weakly typed: it takes `t`'s dtype.

    A float scalar with an integer or bool tensor is a `DTypeError`; an int scalar with a
    bool tensor is too.
    """
    if scalar_kind == "float" and t.kind != "f":
        raise DTypeError(f"cannot combine a float scalar with a {t} tensor (use dsl.astype)")
    if scalar_kind == "int" and t.kind == "b":
        raise DTypeError(f"cannot combine an int scalar with a {t} tensor")
    return t


def scalar_default_dtype(scalar_kind: str) -> DType:
    """The dtype a bare Python scalar takes when no tensor fixes it."""
    return {"bool": DType.bool, "int": DType.int64, "float": DType.float32}[scalar_kind]
