"""`EagerArray`: the numpy arrays a kernel body sees when it runs eagerly.

An `EagerArray` is a view of the caller's numpy array (so index assignment writes into the
caller's buffer) whose operators follow the language instead of numpy: weak Python scalars
(bfloat16 stays bfloat16), no silent int/float mixing, `ShapeError` / `DTypeError` instead of
numpy's errors, `x[i]` is a 0-d tensor, `x.T` only for 2-D tensors. The kernel boundary turns
them back into plain numpy arrays.
"""

from __future__ import annotations

from typing import Any, cast as type_cast

import numpy as np

from dsl._core import (NDArray, as_array, describe, dtype_of, fmt_shape, in_kernel, quiet,
                       scalar_array, scalar_kind)
from dsl._operators import binary, label, matmul_arrays, unary
from dsl._tensor import Tensor
from typecheck.dtypes import promote
from typecheck.errors import DTypeError, ShapeError

_BINARY_UFUNCS: dict[Any, str] = {
    np.add: "add", np.subtract: "sub", np.multiply: "mul", np.true_divide: "truediv",
    np.floor_divide: "floordiv", np.remainder: "mod", np.power: "pow", np.less: "lt",
    np.less_equal: "le", np.greater: "gt", np.greater_equal: "ge", np.equal: "eq",
    np.not_equal: "ne", np.bitwise_and: "and", np.bitwise_or: "or", np.matmul: "matmul",
}
_UNARY_UFUNCS: dict[Any, str] = {
    np.negative: "neg", np.positive: "pos", np.invert: "invert", np.absolute: "abs",
    # numpy computes `x ** 2`, `x ** 0.5` and `x ** -1` with these ufuncs.
    np.square: "square", np.sqrt: "sqrt", np.reciprocal: "reciprocal",
}


def _plain(value: object) -> object:
    return value.view(np.ndarray) if isinstance(value, EagerArray) else value


def _rewrap(value: object) -> Any:
    if isinstance(value, tuple):
        return tuple(_rewrap(v) for v in value)
    if isinstance(value, np.ndarray) and not isinstance(value, EagerArray):
        return value.view(EagerArray)
    return value


class EagerArray(np.ndarray[Any, np.dtype[Any]]):
    """A numpy array whose operators follow the language's rules (see the module doc)."""

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any,
                        **kwargs: Any) -> Any:
        op = _BINARY_UFUNCS.get(ufunc) or _UNARY_UFUNCS.get(ufunc)
        out = kwargs.pop("out", None)
        if op is None or method != "__call__" or kwargs:
            if out is not None:
                kwargs["out"] = tuple(_plain(o) for o in out)
            plain = [_plain(i) for i in inputs]
            with quiet():
                return _rewrap(getattr(ufunc, method)(*plain, **kwargs))
        result = _apply(op, inputs)
        if out is None:
            return result.view(EagerArray)
        (target,) = out
        _write_in_place(op, target, result)
        return target

    def __getitem__(self, key: Any) -> Any:
        result = super().__getitem__(_plain_key(key))
        if isinstance(result, np.ndarray):
            return result
        # A full index gives a numpy scalar; keep it a 0-d tensor with the language's rules.
        return np.asarray(result).view(EagerArray)

    def __setitem__(self, key: Any, value: Any) -> None:
        base = self.view(np.ndarray)
        key = _plain_key(key)
        source = _setitem_value(base, value)
        try:
            base[key] = source
        except ValueError:
            target = np.shape(base[key])
            raise ShapeError(f"cannot assign a value of shape {fmt_shape(np.shape(source))} "
                             f"to a slice of shape {fmt_shape(target)}") from None

    @property
    def T(self) -> Any:
        """The transpose of a 2-D tensor (use dsl.matrix_transpose or dsl.permute_dims)."""
        if self.ndim != 2:
            raise ShapeError(f"`.T` needs a 2-D tensor, got shape {fmt_shape(self.shape)}; "
                             "use dsl.matrix_transpose or dsl.permute_dims")
        return self.view(np.ndarray).T.view(EagerArray)

    def __iter__(self) -> Any:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __str__(self) -> str:
        return str(self.view(np.ndarray))

    def __bool__(self) -> bool:
        if self.size != 1:
            raise ShapeError(f"the truth value of a tensor of shape {fmt_shape(self.shape)} "
                             "is ambiguous: reduce it first (dsl.max, dsl.min, ...)")
        return bool(self.view(np.ndarray).reshape(()))


def _apply(op: str, inputs: tuple[Any, ...]) -> NDArray:
    plain = [_plain(i) for i in inputs]
    if op == "matmul":
        return matmul_arrays(plain[0], plain[1])
    if op == "square":
        return binary("mul", plain[0], plain[0])
    if op == "sqrt":
        return binary("pow", plain[0], 0.5)
    if op == "reciprocal":
        return binary("truediv", 1, plain[0])
    if len(plain) == 1:
        return unary(op, plain[0])
    return binary(op, plain[0], plain[1])


def _write_in_place(op: str, target: object, result: NDArray) -> None:
    """`x op= y`: the result must keep x's dtype and shape."""
    base = as_array(label(op) + "=", _plain(target))
    if result.dtype != base.dtype:
        raise DTypeError(f"{label(op)}=: the result is {dtype_of(result)} but the target is "
                         f"{dtype_of(base)} (use dsl.astype)")
    if result.shape != base.shape:
        raise ShapeError(f"{label(op)}=: the result has shape {fmt_shape(result.shape)} but "
                         f"the target has {fmt_shape(base.shape)}")
    base[...] = result


def _plain_key(key: Any) -> Any:
    if isinstance(key, tuple):
        return tuple(_plain(k) for k in key)
    return _plain(key)


def _setitem_value(base: NDArray, value: Any) -> NDArray:
    """The value of `x[idx] = value`, checked against x's dtype (weak scalars, same kind)."""
    target = dtype_of(base)
    if scalar_kind(value) is not None:
        return scalar_array("index assignment", value, target)
    try:
        src = as_array("index assignment", _plain(value), "the value")
    except DTypeError:
        raise DTypeError(f"index assignment: cannot write {describe(value)} into a {target} "
                         "tensor") from None
    source = dtype_of(src)
    try:
        ok = promote(target, source) == target
    except DTypeError:
        ok = False
    if not ok:
        raise DTypeError(f"index assignment: cannot write a {source} value into a {target} "
                         "tensor (use dsl.astype)")
    return src


def wrap(arr: NDArray) -> Tensor[Any, Any]:
    """An op's result: an `EagerArray` inside an eager kernel, a plain array outside."""
    if in_kernel():
        return type_cast("Tensor[Any, Any]", arr.view(EagerArray))
    return type_cast("Tensor[Any, Any]", arr)


def unwrap(value: object) -> object:
    """Plain numpy arrays again (recursively through tuples), for the caller of a kernel."""
    if isinstance(value, EagerArray):
        return value.view(np.ndarray)
    if isinstance(value, tuple):
        return tuple(unwrap(v) for v in value)
    return value


def rewrap(value: object) -> object:
    """`EagerArray`s (recursively through tuples), for code running inside a kernel."""
    if isinstance(value, np.ndarray) and not isinstance(value, EagerArray):
        return value.view(EagerArray)
    if isinstance(value, tuple):
        return tuple(rewrap(v) for v in value)
    return value
