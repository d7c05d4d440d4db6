"""The pieces of a kernel call that both call paths share, and the generated fast path.

`CallPlan` is computed once per kernel: the struct that packs the slots, the numpy dtypes,
the parsed result shapes. `build_fast_call` generates (and `exec`s) one Python function per
kernel that handles the common case: exact-dtype, C-contiguous, aligned numpy arrays whose
shapes an earlier call already checked (a dict lookup on the shapes). Anything else takes the
general path (`LoadedKernel._general_call` in `library`), which checks fully and copies.
"""

from __future__ import annotations

import ctypes
import struct
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from dsl._errors import KernelAssertionError
from dsl._runtime import hooks
from dsl._runtime.abi import ErrorSite, KernelABI
from dsl._runtime.hooks import NUMPY_DTYPES
from typecheck.annotations import ExprDim, parse_shape
from typecheck.dims import Dim
from typecheck.errors import AnnotationError, ShapeError

__all__ = ["CallPlan", "EntryFn", "build_fast_call", "check_status", "data_pointer",
           "raise_failure"]

NDArray = np.ndarray[Any, np.dtype[Any]]
# The kernel's entry point: takes the packed slots (a bytes object), returns the status.
EntryFn = Callable[[bytes], int]

_EXCEPTIONS: dict[str, type[BaseException]] = {
    "KernelAssertionError": KernelAssertionError, "ShapeError": ShapeError,
    "IndexError": IndexError, "ZeroDivisionError": ZeroDivisionError,
    "ValueError": ValueError,
}


def _probe_data_offset() -> int | None:
    """Where an ndarray keeps its data pointer, right after the object header.

    numpy's C ABI fixes this layout (`PyArray_DATA` reads the field directly in compiled
    extensions); reading it through ctypes costs ~0.1 us against ~0.8 us for
    `arr.ctypes.data`. The offset is verified here and None disables the shortcut.
    """
    offset = object.__basicsize__
    probes = [np.arange(n, dtype=np.float64) for n in (1, 3, 17)]
    for arr in probes:
        found = ctypes.c_size_t.from_address(id(arr) + offset).value
        if found != arr.__array_interface__["data"][0]:
            return None
    return offset


DATA_OFFSET = _probe_data_offset()
_read_word = ctypes.c_size_t.from_address


def data_pointer(arr: NDArray) -> int:
    """The address of `arr`'s first element."""
    if DATA_OFFSET is not None and type(arr) is np.ndarray:
        return int(_read_word(id(arr) + DATA_OFFSET).value)
    address: int = arr.__array_interface__["data"][0]
    return address


def _pointer_expr(var: str) -> str:
    """Source of the data pointer of the ndarray named `var` (see `data_pointer`)."""
    if DATA_OFFSET is None:
        return f"{var}.__array_interface__['data'][0]"
    return f"_read_word(_id({var}) + {DATA_OFFSET}).value"


def _parse_dim(expr: str, what: str) -> Dim:
    try:
        spec = parse_shape(expr)
    except AnnotationError as exc:
        raise ValueError(f"malformed kernel ABI: {what}: {exc}") from None
    if len(spec.dims) != 1 or not isinstance(spec.dims[0], ExprDim) or spec.dims[0].broadcastable:
        raise ValueError(f"malformed kernel ABI: {what}: {expr!r} is not one dim expression")
    return spec.dims[0].dim


@dataclass(frozen=True)
class CallPlan:
    """Per-kernel facts both call paths use (computed once, from the ABI)."""

    abi: KernelABI
    pack: Callable[..., bytes]
    param_dtypes: tuple[np.dtype[Any] | None, ...]
    result_dtypes: tuple[np.dtype[Any] | None, ...]
    result_dims: tuple[tuple[Dim, ...], ...]
    # Indices of the `int` parameters that result shapes mention (part of the shape key).
    shape_ints: tuple[int, ...]
    scalar_unpack: Callable[[bytes], tuple[Any, ...]] | None

    @staticmethod
    def of(abi: KernelABI) -> "CallPlan":
        """Check the ABI's kinds and dtypes and precompute the plan."""
        fmt = ["="]
        for p in abi.params:
            _check_kind(p.kind, p.dtype, f"parameter '{p.name}'")
            fmt.append("q" * (1 + p.rank) if p.kind == "tensor" else "d" if p.kind == "float"
                       else "q")
        fmt.append("".join("q" * (1 + len(r.shape)) if r.kind == "tensor" else "q"
                           for r in abi.results))
        dims = []
        for i, r in enumerate(abi.results):
            _check_kind(r.kind, r.dtype, f"result {i}")
            dims.append(tuple(_parse_dim(e, f"result {i}") for e in r.shape))
        used = set().union(*(d.free_symbols() for ds in dims for d in ds))
        kinds = [r.kind for r in abi.results if r.kind != "tensor"]
        unpack = ("=" + "".join("d" if k == "float" else "q" for k in kinds)) if kinds else None
        return CallPlan(
            abi=abi, pack=struct.Struct("".join(fmt)).pack,
            param_dtypes=tuple(NUMPY_DTYPES[p.dtype] if p.kind == "tensor" else None
                               for p in abi.params),
            result_dtypes=tuple(NUMPY_DTYPES[r.dtype] if r.kind == "tensor" else None
                                for r in abi.results),
            result_dims=tuple(dims),
            shape_ints=tuple(i for i, p in enumerate(abi.params)
                             if p.kind == "int" and p.name in used),
            scalar_unpack=struct.Struct(unpack).unpack if unpack else None,
        )

    @property
    def scalar_results(self) -> int:
        """How many results are scalars (each gets an 8-byte slot)."""
        return sum(1 for r in self.abi.results if r.kind != "tensor")

    def result_value(self, outputs: list[NDArray], slots: NDArray | None) -> Any:
        """The call's return value from the output buffers and scalar slots."""
        scalars = iter(self.scalar_unpack(slots.tobytes()) if self.scalar_unpack and
                       slots is not None else ())
        tensors = iter(outputs)
        values: list[Any] = []
        for r in self.abi.results:
            if r.kind == "tensor":
                values.append(next(tensors))
            else:
                raw = next(scalars)
                values.append(raw != 0 if r.kind == "bool" else raw)
        if self.abi.result_is_tuple:
            return tuple(values)
        return values[0] if values else None


def _check_kind(kind: str, dtype: str, what: str) -> None:
    if kind == "tensor":
        if dtype not in NUMPY_DTYPES:
            raise ValueError(f"malformed kernel ABI: {what} has unknown dtype {dtype!r}")
    elif kind not in ("int", "float", "bool"):
        raise ValueError(f"malformed kernel ABI: {what} has unknown kind {kind!r}")


def _site_message(site: ErrorSite, report: tuple[int, int, int] | None) -> str:
    a, b = (report[1], report[2]) if report is not None else ("?", "?")
    try:
        text = site.message.format(a=a, b=b)
    except (KeyError, IndexError, ValueError):
        text = f"{site.message} [a={a}, b={b}]"
    return f"{text} (at {site.file}:{site.line}:{site.col})"


def raise_failure(abi: KernelABI, status: int) -> None:
    """Raise what a call that returned `status` means: the error site's exception, or an
    exception a hook raised during the call. Returns when there is nothing to raise."""
    hook_exc = hooks.take_exception() if hooks.PENDING[0] else None
    if status:
        hooks.reset_print()
        report = hooks.take_error()
        if report is not None and report[0] != status:
            report = None  # left over from an earlier call
        site = abi.errors.get(status)
        if site is None:
            raise RuntimeError(f"kernel '{abi.name}' failed with status {status}, "
                               "which is no error site of its ABI") from hook_exc
        cls = _EXCEPTIONS.get(site.exception, RuntimeError)
        raise cls(_site_message(site, report)) from hook_exc
    if hook_exc is not None:
        raise hook_exc


def check_status(abi: KernelABI, status: int) -> None:
    """Raise for a failed call (see `raise_failure`); the cheap test comes first."""
    if status or hooks.PENDING[0]:
        raise_failure(abi, status)


def build_fast_call(plan: CallPlan, entry: EntryFn, general: Callable[[tuple[Any, ...]], Any],
                    shapes: dict[tuple[Any, ...], tuple[tuple[int, ...], ...]]
                    ) -> Callable[..., Any]:
    """Generate `call(self, *args)`: the fast path, deferring to `general(args)` on any doubt.

    `shapes` maps the shape key (every tensor argument's shape, then the values of
    `plan.shape_ints`) of an already checked call to its result shapes.
    """
    env: dict[str, Any] = {
        "_nd": np.ndarray, "_int": int, "_float": float, "_bool": bool, "_id": id,
        "_read_word": _read_word, "_empty": np.empty, "_i64": np.dtype(np.int64),
        "_pack": plan.pack, "_fn": entry, "_general": general, "_shapes": shapes,
        "_pending": hooks.PENDING, "_fail": raise_failure, "_abi": plan.abi,
        "_StructError": struct.error, "_result": plan.result_value,
    }
    src = _fast_source(plan, env)
    code = compile(src, f"<dsl fast call {plan.abi.symbol}>", "exec")
    exec(code, env)
    fast: Callable[..., Any] = env["call"]
    return fast


def _fast_source(plan: CallPlan, env: dict[str, Any]) -> str:
    """The source of the generated fast path (see `build_fast_call`)."""
    params = plan.abi.params
    names = [f"a{i}" for i in range(len(params))]
    conds, key, ptrs, masks, packed = [], [], [], [], []
    for i, p in enumerate(params):
        a = names[i]
        if p.kind != "tensor":
            conds.append(f"type({a}) is _{p.kind}")
            packed.append(a)
            continue
        dtype = plan.param_dtypes[i]
        assert dtype is not None
        env[f"_dt{i}"] = dtype
        flags = f"(_f{i} := {a}.flags).c_contiguous and _f{i}.writeable" if p.written \
            else f"{a}.flags.c_contiguous"
        conds.append(f"type({a}) is _nd and {a}.dtype is _dt{i} and {flags}")
        key.append(f"_s{i}")
        ptrs.append(f"_s{i} = {a}.shape; _p{i} = {_pointer_expr(a)}")
        if dtype.alignment > 1:
            masks.append(f"_p{i} & {dtype.alignment - 1}")
        packed += [f"_p{i}", f"*_s{i}"]
    key += [names[i] for i in plan.shape_ints]
    lines = [
        "def call(self, *args):",
        f"    if len(args) == {len(params)}:",
        f"        {', '.join(names)}{',' if len(names) == 1 else ''} = args" if names else "",
        f"        if {' and '.join(conds) or 'True'}:",
        *[f"            {p}" for p in ptrs],
        f"            _out = _shapes.get(({', '.join(key)}{',' if len(key) == 1 else ''}))",
        f"            if _out is not None and not ({' | '.join(masks) or '0'}):",
    ]
    body, result = _fast_outputs(plan, env, packed)
    lines += [f"                {line}" for line in body]
    lines += [
        "                try:",
        f"                    _packed = _pack({', '.join(packed)})",
        "                except _StructError:",
        "                    return _general(args)",
        "                _status = _fn(_packed)",
        "                if _status or _pending[0]:",
        "                    _fail(_abi, _status)",
        f"                return {result}",
        "    return _general(args)",
    ]
    return "\n".join(line for line in lines if line) + "\n"


def _fast_outputs(plan: CallPlan, env: dict[str, Any], packed: list[str]
                  ) -> tuple[list[str], str]:
    """Allocation lines for the results (appending their slots to `packed`), and the
    expression of the return value."""
    body: list[str] = []
    tensors: list[str] = []
    n_scalars = plan.scalar_results
    if n_scalars:
        body.append(f"_slots = _empty({n_scalars}, _i64); _ps = {_pointer_expr('_slots')}")
    scalar = 0
    for k, r in enumerate(plan.abi.results):
        if r.kind == "tensor":
            env[f"_rdt{k}"] = plan.result_dtypes[k]
            body.append(f"_o{k} = _empty(_out[{len(tensors)}], _rdt{k})")
            packed.append(_pointer_expr(f"_o{k}"))
            packed.extend(f"_out[{len(tensors)}][{d}]" for d in range(len(r.shape)))
            tensors.append(f"_o{k}")
        else:
            packed.append(f"_ps + {8 * scalar}")
            scalar += 1
    if n_scalars:
        return body, f"_result([{', '.join(tensors)}], _slots)"
    if not plan.abi.results:
        return body, "None"
    if plan.abi.result_is_tuple:
        return body, f"({', '.join(tensors)},)"
    return body, tensors[0]
