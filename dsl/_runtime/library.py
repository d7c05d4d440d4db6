"""Loading a compiled kernel and calling it: `load_kernel` and `LoadedKernel`.

A call takes one of two paths. The generated fast path (`call.build_fast_call`) handles exact
dtypes, C-contiguous aligned numpy arrays and plain Python scalars whose shapes an earlier
call already checked. Everything else goes through `_general_call`: the eager runtime's own
call-boundary check (`dsl._check.Signature`, so the error messages are the eager ones), then
copies of arguments the kernel cannot read in place, and copy-back into written parameters.
A successful general call teaches the fast path its shapes.
"""

from __future__ import annotations

import ctypes
import inspect
import pathlib
import threading
from typing import Any

import numpy as np

from dsl._check import OtherSpec, Param, Signature, Spec, TensorSpec
from dsl._core import fmt_shape
from dsl._runtime import hooks
from dsl._runtime.abi import KernelABI, ParamSpec
from dsl._runtime.call import CallPlan, EntryFn, build_fast_call, check_status, data_pointer
from typecheck.annotations import parse_shape
from typecheck.binding import Bindings
from typecheck.dims import Dim
from typecheck.errors import AnnotationError, DTypeError, ShapeError

__all__ = ["LoadedKernel", "ReadOnlyArgumentError", "load_kernel"]

NDArray = np.ndarray[Any, np.dtype[Any]]
ShapeKey = tuple[Any, ...]

_SHAPE_CACHE_LIMIT = 1024
_INT64_MIN, _INT64_MAX = -(2 ** 63), 2 ** 63 - 1

# jaxtyping's class for each dtype: `Float32[Tensor, 'B N']` is how eager messages name types.
_JAXTYPING_NAMES = {
    "float16": "Float16", "bfloat16": "BFloat16", "float32": "Float32", "float64": "Float64",
    "int8": "Int8", "int32": "Int32", "int64": "Int64", "bool": "Bool",
}
_SCALAR_TYPES: dict[str, type] = {"int": int, "float": float, "bool": bool}

# dlopen handles by path: ctypes.CDLL on an already loaded path returns the same library.
_LIBRARIES: dict[str, ctypes.CDLL] = {}
_LOAD_LOCK = threading.Lock()


class ReadOnlyArgumentError(ValueError):
    """A read-only array was passed for a parameter the kernel writes into."""


def _library(so_path: pathlib.Path) -> ctypes.CDLL:
    key = str(pathlib.Path(so_path).resolve())
    with _LOAD_LOCK:
        lib = _LIBRARIES.get(key)
        if lib is None:
            lib = _LIBRARIES[key] = ctypes.CDLL(key)
        return lib


def _entry(lib: ctypes.CDLL, abi: KernelABI) -> EntryFn:
    try:
        fn = getattr(lib, abi.symbol)
    except AttributeError:
        raise ValueError(f"kernel '{abi.name}': the shared object does not export "
                         f"'{abi.symbol}'") from None
    fn.argtypes = [ctypes.c_char_p]
    fn.restype = ctypes.c_int32
    entry: EntryFn = fn
    return entry


def _type_text(p: ParamSpec) -> str:
    """How the eager checks name a tensor parameter's type: `Float32[Tensor, 'B N']`."""
    return f"{_JAXTYPING_NAMES[p.dtype]}[Tensor, '{p.annotation}']"


def _spec(p: ParamSpec) -> Spec:
    if p.kind != "tensor":
        return OtherSpec(_SCALAR_TYPES[p.kind])
    try:
        shape = parse_shape(p.annotation)
    except AnnotationError as exc:
        raise ValueError(f"malformed kernel ABI: parameter '{p.name}': {exc}") from None
    return TensorSpec(frozenset({hooks.NUMPY_DTYPES[p.dtype]}), shape, _type_text(p))


def _signature(abi: KernelABI) -> Signature:
    """The eager checker's signature for the ABI's parameters (results are not checked)."""
    kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
    params = tuple(Param(p.name, kind, _spec(p)) for p in abi.params)
    sig = inspect.Signature([inspect.Parameter(p.name, kind) for p in abi.params])
    return Signature(abi.name, params, OtherSpec(Any), sig, True)


class LoadedKernel:
    """A compiled kernel specialisation loaded from a shared object.

    Call it with the arguments in the ABI's parameter order (positional only). Tensors are
    numpy arrays of exactly the ABI's dtype and rank, their dims bound against the
    annotations as in the eager call-boundary check (same `ShapeError` / `DTypeError`
    messages); the result is a new numpy array, a Python scalar, a tuple, or None.
    """

    abi: KernelABI

    def __init__(self, so_path: pathlib.Path, abi: KernelABI) -> None:
        abi.check_version()
        self.abi = abi
        self.so_path = pathlib.Path(so_path)
        self._plan = CallPlan.of(abi)
        self._signature = _signature(abi)
        lib = _library(self.so_path)
        self._entry = _entry(lib, abi)
        hooks.install_hooks(lib, abi)
        self._shapes: dict[ShapeKey, tuple[tuple[int, ...], ...]] = {}
        fast = build_fast_call(self._plan, self._entry, self._general_call, self._shapes)
        # Calls go straight to the generated function: a class of this kernel's own whose
        # `__call__` it is (an instance attribute would not be found by `k(...)`).
        self.__class__ = type(f"LoadedKernel[{abi.symbol}]", (LoadedKernel,),
                              {"__call__": fast, "__slots__": ()})

    def __call__(self, *args: Any) -> Any:
        """Run the kernel (replaced per instance by the generated fast path)."""
        return self._general_call(args)

    def __repr__(self) -> str:
        return f"<LoadedKernel {self.abi.name} ({self.abi.symbol}) from {self.so_path}>"

    # --- the general path -------------------------------------------------------------
    def _general_call(self, args: tuple[Any, ...]) -> Any:
        """Check everything, copy what the kernel cannot use in place, call, copy back."""
        checked, _, state = self._signature.check_args(tuple(_native(a) for a in args), {})
        head: list[Any] = []
        copies: list[tuple[NDArray, NDArray]] = []
        keep: list[NDArray] = []  # the buffers must outlive the call
        for i, (p, value) in enumerate(zip(self.abi.params, checked)):
            if p.kind != "tensor":
                head.append(_scalar(p, value))
                continue
            arr = self._tensor(i, args[i], value, copies)
            keep.append(arr)
            head += [data_pointer(arr), *arr.shape]
        out_shapes = self._result_shapes(state.bindings, checked)
        try:
            return self._invoke(head, out_shapes)
        finally:
            for target, buffer in copies:
                np.copyto(target, buffer)

    def _tensor(self, i: int, original: Any, value: NDArray,
                copies: list[tuple[NDArray, NDArray]]) -> NDArray:
        """The buffer the kernel gets for the checked tensor argument `i`; a copy when the
        kernel cannot use it in place (written copies are listed in `copies`)."""
        p = self.abi.params[i]
        if value.ndim != p.rank:
            raise ShapeError(f"argument '{p.name}': this compiled specialisation of "
                             f"'{self.abi.name}' takes rank {p.rank} ({p.annotation}), got "
                             f"rank {value.ndim} {fmt_shape(value.shape)}")
        target = original if isinstance(original, np.ndarray) else value
        if p.written and not target.flags.writeable:
            raise ReadOnlyArgumentError(
                f"argument '{p.name}': kernel '{self.abi.name}' writes into it, but the "
                "array is read-only")
        flags = value.flags
        if flags.c_contiguous and flags.aligned and value.dtype.isnative:
            buffer = value
        else:
            buffer = np.array(value, dtype=self._plan.param_dtypes[i], order="C", copy=True)
        # `value` itself is a copy of a byte-swapped original: the writes go back too.
        if p.written and not np.may_share_memory(buffer, target):
            copies.append((target, buffer))
        return buffer

    def _result_shapes(self, bindings: Bindings, checked: list[Any]
                       ) -> tuple[tuple[int, ...], ...]:
        """Evaluate the result shapes and teach the fast path this call's shape key."""
        plan = self._plan
        env = _dim_values(bindings)
        for i in plan.shape_ints:
            env[self.abi.params[i].name] = int(checked[i])
        shapes = []
        for k, dims in enumerate(plan.result_dims):
            if plan.result_dtypes[k] is not None:
                shapes.append(tuple(self._evaluate(k, d, env) for d in dims))
        out = tuple(shapes)
        key = tuple(a.shape for p, a in zip(self.abi.params, checked) if p.kind == "tensor")
        key += tuple(int(checked[i]) for i in plan.shape_ints)
        if len(self._shapes) >= _SHAPE_CACHE_LIMIT:
            self._shapes.clear()
        self._shapes[key] = out
        return out

    def _evaluate(self, k: int, dim: Dim, env: dict[str, int]) -> int:
        try:
            value = dim.evaluate(env)
        except KeyError as exc:
            raise ShapeError(f"kernel '{self.abi.name}': cannot size result {k}: dim "
                             f"{exc.args[0]} is not bound by the arguments") from None
        if value < 0:
            raise ShapeError(f"kernel '{self.abi.name}': result {k} would have the negative "
                             f"dim {dim} = {value}")
        return value

    def _invoke(self, head: list[Any], out_shapes: tuple[tuple[int, ...], ...]) -> Any:
        """Allocate the results, pack the slots, call the entry, return the result."""
        plan = self._plan
        outputs = [np.empty(shape, dtype)
                   for shape, dtype in zip(out_shapes, (d for d in plan.result_dtypes if d))]
        n_scalars = plan.scalar_results
        slots = np.zeros(n_scalars, np.int64) if n_scalars else None
        tail: list[int] = []
        tensors, scalar = iter(outputs), 0
        for dtype in plan.result_dtypes:
            if dtype is not None:
                out = next(tensors)
                tail.append(data_pointer(out))
                tail.extend(out.shape)
            else:
                assert slots is not None
                tail.append(data_pointer(slots) + 8 * scalar)
                scalar += 1
        status = self._entry(plan.pack(*head, *tail))
        check_status(self.abi, status)
        return plan.result_value(outputs, slots)


def _dim_values(bindings: Bindings) -> dict[str, int]:
    """The dims a call bound to sizes, by name."""
    env: dict[str, int] = {}
    for name, dim in bindings.dims.items():
        value = dim.const_value if isinstance(dim, Dim) else None
        if value is not None:
            env[name] = value
    for name, seg in bindings.variadics.items():  # `*b` axes are `b__0`, `b__1`, ... in ABIs
        if seg.var is None:
            for i, d in enumerate(seg.prefix):
                if isinstance(d, Dim) and d.const_value is not None:
                    env[f"{name}__{i}"] = d.const_value
    return env


def _native(value: Any) -> Any:
    """A non-native-byte-order array as a native copy (the checks only know native dtypes)."""
    if isinstance(value, np.ndarray) and not value.dtype.isnative:
        return value.astype(value.dtype.newbyteorder("="))
    return value


def _scalar(p: ParamSpec, value: Any) -> int | float | bool:
    """A checked scalar argument as the Python value that gets packed."""
    if p.kind == "float":
        return float(value)
    if p.kind == "bool":
        return bool(value)
    number = int(value)
    if not _INT64_MIN <= number <= _INT64_MAX:
        raise DTypeError(f"argument '{p.name}': the Python int {number} does not fit int64")
    return number


def load_kernel(so_path: pathlib.Path, abi: KernelABI) -> LoadedKernel:
    """Load the compiled kernel `abi.symbol` from `so_path` and install its hooks."""
    return LoadedKernel(so_path, abi)

