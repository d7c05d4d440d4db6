"""The callbacks a compiled kernel calls: `print` output and error reports (see `abi`).

`install_hooks` fills a kernel's exported `<symbol>_hooks` array with ctypes callbacks bound
to that kernel's print sites. The callbacks never let an exception reach C: it is stored for
the calling thread and `take_exception` hands it to the call path once the kernel returns.
Everything is kept per thread (the kernel runs with the GIL released, so several threads can
be inside kernels at once); a kernel must call its hooks from the thread that called it.
"""

from __future__ import annotations

import ctypes
import struct
import sys
import threading
from typing import Any, Callable

import ml_dtypes
import numpy as np

from dsl._runtime.abi import DTYPE_CODES, HOOK_NAMES, KernelABI, PrintSite

__all__ = ["NUMPY_DTYPES", "PENDING", "install_hooks", "reset_print", "take_error",
           "take_exception"]

# The numpy dtype of each ABI dtype name (bfloat16 is ml_dtypes').
NUMPY_DTYPES: dict[str, np.dtype[Any]] = {
    name: np.dtype(ml_dtypes.bfloat16) if name == "bfloat16" else np.dtype(name)
    for name in DTYPE_CODES
}
_BY_CODE: dict[int, np.dtype[Any]] = {code: NUMPY_DTYPES[n] for n, code in DTYPE_CODES.items()}

# How many exceptions from hooks are waiting to be raised, over all threads: the call path
# reads this one list item (cheap) and only looks at its thread's state when it is non-zero.
PENDING: list[int] = [0]

_i64 = ctypes.c_int64
PrintScalarFn = ctypes.CFUNCTYPE(None, _i64, _i64, _i64)
PrintTensorFn = ctypes.CFUNCTYPE(None, _i64, _i64, _i64, _i64, ctypes.POINTER(_i64))
PrintEndFn = ctypes.CFUNCTYPE(None, _i64)
ErrorFn = ctypes.CFUNCTYPE(None, _i64, _i64, _i64)

# Every callback ever installed: the C side holds raw pointers to them, and a shared object
# is never unloaded, so they must live as long as the process.
_KEEP_ALIVE: list[Any] = []
_KEEP_LOCK = threading.Lock()


class _ThreadState(threading.local):
    """One thread's print values under construction, last error report, pending exception."""

    def __init__(self) -> None:
        self.site: int = -1
        self.values: list[Any] = []
        self.error: tuple[int, int, int] | None = None
        self.exception: BaseException | None = None


_STATE = _ThreadState()


def take_error() -> tuple[int, int, int] | None:
    """The (site, a, b) the `error` hook last reported on this thread, and forget it."""
    report, _STATE.error = _STATE.error, None
    return report


def reset_print() -> None:
    """Forget the values of a print statement that a failing kernel left unfinished."""
    _STATE.site, _STATE.values = -1, []


def take_exception() -> BaseException | None:
    """The exception a hook raised on this thread during the last call, and forget it."""
    exc, _STATE.exception = _STATE.exception, None
    if exc is not None:
        PENDING[0] -= 1
    return exc


def _guarded(body: Callable[..., None]) -> Callable[..., None]:
    """`body`, with any exception stored for the calling thread instead of reaching C."""
    def run(*args: Any) -> None:
        try:
            body(*args)
        except BaseException as exc:  # noqa: BLE001 - nothing may unwind into C
            if _STATE.exception is None:
                _STATE.exception = exc
                PENDING[0] += 1
    return run


def scalar_value(kind: int, bits: int) -> int | float | bool:
    """The Python value of a scalar passed as 64 bits: kind 0 int, 1 float, 2 bool."""
    if kind == 0:
        return bits
    if kind == 1:
        value: float = struct.unpack("=d", struct.pack("=q", bits))[0]
        return value
    if kind == 2:
        return bool(bits)
    raise ValueError(f"print_scalar: unknown scalar kind {kind}")


def tensor_value(dtype_code: int, rank: int, data: int, sizes: Any) -> np.ndarray[Any, Any]:
    """A copy of a C-contiguous tensor at address `data` (sizes: a ctypes int64 pointer)."""
    dtype = _BY_CODE.get(dtype_code)
    if dtype is None:
        raise ValueError(f"print_tensor: unknown dtype code {dtype_code}")
    shape = tuple(int(sizes[i]) for i in range(rank))
    count = 1
    for n in shape:
        count *= n
    if count == 0:
        return np.empty(shape, dtype)
    raw = ctypes.string_at(data, count * dtype.itemsize)
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def _add_value(site: int, value: Any) -> None:
    if _STATE.site != site:
        _STATE.site, _STATE.values = site, []
    _STATE.values.append(value)


def format_print(site: PrintSite, values: list[Any]) -> tuple[list[Any], str, str]:
    """The items, sep and end that Python's `print` gets for `site` with these values."""
    it = iter(values)
    items: list[Any] = []
    for part in site.parts:
        if part is None:
            items.append(next(it, "<missing value>"))
        else:
            items.append(part)
    return items, site.sep, site.end


def _print_hooks(abi: KernelABI) -> tuple[Any, Any, Any]:
    prints = dict(abi.prints)

    def print_scalar(site: int, kind: int, bits: int) -> None:
        _add_value(site, scalar_value(kind, bits))

    def print_tensor(site: int, code: int, rank: int, data: int, sizes: Any) -> None:
        _add_value(site, tensor_value(code, rank, data, sizes))

    def print_end(site: int) -> None:
        values = _STATE.values if _STATE.site == site else []
        _STATE.site, _STATE.values = -1, []
        spec = prints.get(site)
        if spec is None:
            raise RuntimeError(f"kernel '{abi.name}' printed at unknown print site {site}")
        items, sep, end = format_print(spec, values)
        print(*items, sep=sep, end=end, file=sys.stdout, flush=True)

    return (PrintScalarFn(_guarded(print_scalar)), PrintTensorFn(_guarded(print_tensor)),
            PrintEndFn(_guarded(print_end)))


def _error(site: int, a: int, b: int) -> None:
    _STATE.error = (site, a, b)


_ERROR_HOOK = ErrorFn(_guarded(_error))


def install_hooks(lib: ctypes.CDLL, abi: KernelABI) -> bool:
    """Fill `abi.hooks_symbol` in `lib` with this kernel's callbacks.

    Returns False (and installs nothing) when the shared object does not export the array.
    """
    try:
        table = (ctypes.c_void_p * len(HOOK_NAMES)).in_dll(lib, abi.hooks_symbol)
    except ValueError:
        return False
    callbacks = (*_print_hooks(abi), _ERROR_HOOK)
    with _KEEP_LOCK:
        _KEEP_ALIVE.append(callbacks)
    for index, callback in enumerate(callbacks):
        table[index] = ctypes.cast(callback, ctypes.c_void_p).value
    return True
