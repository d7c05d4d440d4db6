"""Strided tensors through a C entry (called with ctypes): negative and zero strides on
tensors the kernel reads, non-contiguous tensors it updates in place, and refused strides."""

from __future__ import annotations

import ctypes
import importlib.util
import pathlib
from typing import Any

import numpy as np

import dsl
from conftest import EXAMPLES

I64 = ctypes.c_int64 * 4


def _tensor(a: np.ndarray) -> list[Any]:
    sizes = I64(*a.shape)
    strides = I64(*(s // a.itemsize for s in a.strides))
    return [ctypes.c_void_p(a.ctypes.data), sizes, strides]


def _decode(lib: ctypes.CDLL, q: Any, k: Any, v: Any, ck: Any, cv: Any, pos: int,
            out: Any) -> int:
    h, d = q.shape
    args: list[Any] = [ctypes.c_int64(h), ctypes.c_int64(d), ctypes.c_int64(ck.shape[0])]
    for a in (q, k, v, ck, cv):
        args += _tensor(a)
    args += [ctypes.c_int64(pos), *_tensor(out)]
    status: int = lib.kv_cache_decode_step(*args)
    return status


def _reference(*args: Any) -> Any:
    spec = importlib.util.spec_from_file_location("aot_strides_kv", EXAMPLES / "kv_cache.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dsl.eager(module.decode_step)(*args)


def test_strided_arguments(libdir: pathlib.Path) -> None:
    lib = ctypes.CDLL(str(libdir / "libkv_cache.so"))
    lib.kv_cache_last_error.restype = ctypes.c_char_p
    rng = np.random.default_rng(3)
    q = rng.standard_normal((2, 4)).astype(np.float32)[::-1, ::-1]        # negative strides
    k = np.broadcast_to(rng.standard_normal(4).astype(np.float32), (2, 4))  # zero stride
    v = np.asfortranarray(rng.standard_normal((2, 4)).astype(np.float32))
    ck = rng.standard_normal((5, 3, 2, 4)).astype(np.float32)[:, 1]       # written, strided
    cv = rng.standard_normal((5, 2, 4)).astype(np.float32)[::-1]          # written, reversed
    ref_ck, ref_cv = ck.copy(), cv.copy()
    ref = _reference(q, np.ascontiguousarray(k), v, ref_ck, ref_cv, 3)
    out = np.zeros((4, 2), np.float32).T                                   # result, strided
    assert _decode(lib, q, k, v, ck, cv, 3, out) == 0, lib.kv_cache_last_error()
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ck, ref_ck)
    np.testing.assert_array_equal(cv, ref_cv)


def test_written_tensor_with_zero_stride_is_refused(libdir: pathlib.Path) -> None:
    lib = ctypes.CDLL(str(libdir / "libkv_cache.so"))
    lib.kv_cache_last_error.restype = ctypes.c_char_p
    q = np.zeros((2, 4), np.float32)
    ck = np.broadcast_to(np.zeros((1, 2, 4), np.float32), (5, 2, 4))
    before = ck.copy()
    status = _decode(lib, q, q, q, ck, np.zeros((5, 2, 4), np.float32), 0, q.copy())
    assert status == 3
    assert lib.kv_cache_last_error() == (b"argument 'cache_k': stride 0 on dim 0 of size 5, "
                                         b"but the kernel writes into it")
    np.testing.assert_array_equal(ck, before)


_AFTER_LOAD = """
import ctypes, sys, numpy as np
sys.path.insert(0, {here!r})
import dsl
from test_c_strides import _decode
dsl.load_library({path!r})            # Python's hooks replace the C ones in this process
lib = ctypes.CDLL({path!r})
lib.kv_cache_last_error.restype = ctypes.c_char_p
q = np.zeros((2, 4), np.float32)
cache = np.zeros((3, 2, 4), np.float32)
print(_decode(lib, q, q, q, cache, cache.copy(), 7, q.copy()), lib.kv_cache_last_error().decode())
"""


def test_c_error_details_after_load_library(libdir: pathlib.Path) -> None:
    import subprocess
    import sys
    path = str(libdir / "libkv_cache.so")
    script = _AFTER_LOAD.format(here=str(pathlib.Path(__file__).parent), path=path)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("6 IndexError: index ? is out of bounds for dim 0 of size ? "
                                  "(at "), done.stdout
