"""Hooks of compiled kernels (`dsl._runtime.hooks`): print output and error reports, on
hand-written C kernels that follow the ABI of `dsl._runtime.abi`."""

from __future__ import annotations

import contextlib
import ctypes
import io
import pathlib
import shutil
import subprocess
import threading
from typing import Any

import ml_dtypes
import numpy as np
import pytest

import dsl
from dsl._runtime import hooks
from dsl._runtime.abi import DTYPE_CODES, ErrorSite, KernelABI, ParamSpec, PrintSite, ResultSpec
from dsl._runtime.library import LoadedKernel, load_kernel

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")

C_SOURCE = r"""
#include <stdint.h>

typedef void (*print_scalar_t)(int64_t, int64_t, int64_t);
typedef void (*print_tensor_t)(int64_t, int64_t, int64_t, int64_t, const int64_t *);
typedef void (*print_end_t)(int64_t);
typedef void (*error_t)(int64_t, int64_t, int64_t);

#define SCALAR(H, site, kind, bits) if (H[0]) ((print_scalar_t)H[0])(site, kind, bits)
#define TENSOR(H, site, code, rank, data, sizes) \
    if (H[1]) ((print_tensor_t)H[1])(site, code, rank, data, sizes)
#define END(H, site) if (H[2]) ((print_end_t)H[2])(site)
#define ERROR(H, site, a, b) if (H[3]) ((error_t)H[3])(site, a, b)

void *show_hooks[4];
int32_t show(const int64_t *p) {
    /* x: "B N" float32, k: "K" int32, z: "" float64, n: int, s: float, flag: bool */
    int64_t xs[2] = {p[1], p[2]}, ks[1] = {p[4]};
    SCALAR(show_hooks, 0, 0, p[6]);             /* print("n =", n, "s =", s, flag) */
    SCALAR(show_hooks, 0, 1, p[7]);
    SCALAR(show_hooks, 0, 2, p[8]);
    END(show_hooks, 0);
    TENSOR(show_hooks, 1, 2, 2, p[0], xs);      /* print("x:", x, sep="", end="|\n") */
    END(show_hooks, 1);
    TENSOR(show_hooks, 2, 5, 1, p[3], ks);      /* print(k, z, "done") */
    TENSOR(show_hooks, 2, 3, 0, p[5], 0);
    END(show_hooks, 2);
    return 0;
}

void *fail_hooks[4];
int32_t fail(const int64_t *p) {
    /* mode: int, a: int -> int */
    int64_t mode = p[0], a = p[1];
    if (mode >= 1 && mode <= 4) { ERROR(fail_hooks, mode, a, 7 * mode); return (int32_t)mode; }
    if (mode == 5) return 9;                      /* no such error site */
    if (mode == 6) END(fail_hooks, 77);           /* no such print site: the hook raises */
    if (mode == 7) { END(fail_hooks, 77); ERROR(fail_hooks, 1, a, 0); return 1; }
    if (mode == 8) { SCALAR(fail_hooks, 0, 0, a); END(fail_hooks, 0); }
    if (mode == 9) { SCALAR(fail_hooks, 0, 0, a); ERROR(fail_hooks, 1, a, 0); return 1; }
    *(int64_t *)p[2] = a;
    return 0;
}

int32_t no_hooks(const int64_t *p) { *(int64_t *)p[1] = p[0] + 1; return 0; }
"""


@pytest.fixture(scope="module")
def so_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The test kernels, compiled once."""
    tmp = tmp_path_factory.mktemp("hook_kernels")
    src = tmp / "hooks.c"
    src.write_text(C_SOURCE)
    out = tmp / "hooks.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", str(src), "-o", str(out)], check=True)
    return out


SHOW = KernelABI(
    "show", "show",
    (ParamSpec("x", "tensor", "float32", 2, "B N"), ParamSpec("k", "tensor", "int32", 1, "K"),
     ParamSpec("z", "tensor", "float64", 0, ""), ParamSpec("n", "int"), ParamSpec("s", "float"),
     ParamSpec("flag", "bool")),
    (),
    prints={0: PrintSite(("n =", None, "s =", None, None)),
            1: PrintSite(("x:", None), sep="", end="|\n"),
            2: PrintSite((None, None, "done"))})

FAIL = KernelABI(
    "fail", "fail", (ParamSpec("mode", "int"), ParamSpec("a", "int")), (ResultSpec("int"),),
    prints={0: PrintSite(("a is", None))},
    errors={
        1: ErrorSite("KernelAssertionError", "assertion failed in kernel 'fail': a = {a}",
                     "k.py", 3, 5),
        2: ErrorSite("ZeroDivisionError", "integer division by zero ({a} // 0)", "k.py", 4, 9),
        3: ErrorSite("IndexError", "index {a} is out of bounds for axis 0 with size {b}",
                     "k.py", 5, 12),
        4: ErrorSite("ShapeError", "cannot reshape {a} elements to {b}", "k.py", 6, 1),
    })


@pytest.fixture(scope="module")
def show(so_path: pathlib.Path) -> LoadedKernel:
    return load_kernel(so_path, SHOW)


@pytest.fixture(scope="module")
def fail(so_path: pathlib.Path) -> LoadedKernel:
    return load_kernel(so_path, FAIL)


def show_args() -> tuple[Any, ...]:
    x = np.array([[1.5, -2.0, 3.25], [0.1, 1e-8, 7.0]], np.float32)
    return x, np.array([1, -2, 3], np.int32), np.array(0.1), 3, 0.1, True


def eager_prints(x: Any, k: Any, z: Any, n: int, s: float, flag: bool) -> None:
    """What the kernel's Python source prints when run eagerly."""
    print("n =", n, "s =", s, flag)
    print("x:", x, sep="", end="|\n")
    print(k, z, "done")


# --- printing -------------------------------------------------------------------------------
def test_prints_like_python(show: LoadedKernel, capsys: pytest.CaptureFixture[str]) -> None:
    args = show_args()
    eager_prints(*args)
    want = capsys.readouterr().out
    for _ in range(2):  # general path, then the fast path
        assert show(*args) is None
        assert capsys.readouterr().out == want


def test_print_order_with_python(show: LoadedKernel, capsys: pytest.CaptureFixture[str]) -> None:
    args = show_args()
    print("before")
    show(*args)
    print("between")
    show(*args)
    print("after")
    out = capsys.readouterr().out
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        eager_prints(*args)
    block = buf.getvalue()
    assert out == f"before\n{block}between\n{block}after\n"


def test_print_from_threads(show: LoadedKernel, capsys: pytest.CaptureFixture[str]) -> None:
    args = show_args()
    threads = [threading.Thread(target=lambda: [show(*args) for _ in range(20)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    lines = capsys.readouterr().out.splitlines()
    assert lines.count("n = 3 s = 0.1 True") == 80
    assert lines.count("[ 1 -2  3] 0.1 done") == 80


@pytest.mark.parametrize("dtype", sorted(DTYPE_CODES))
def test_tensor_value_for_every_dtype(dtype: str) -> None:
    np_dtype = np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)
    src = (np.arange(6).reshape(2, 3) % 2 if dtype == "bool" else
           np.arange(6).reshape(2, 3) - 2).astype(np_dtype)
    sizes = (ctypes.c_int64 * 2)(2, 3)
    got = hooks.tensor_value(DTYPE_CODES[dtype], 2, src.ctypes.data, sizes)
    assert got.dtype == np_dtype and str(got) == str(src)
    src[0, 0] = 1
    assert got[0, 0] != src[0, 0] or dtype == "bool"  # a copy, not a view
    empty = hooks.tensor_value(DTYPE_CODES[dtype], 1, 0, (ctypes.c_int64 * 1)(0))
    assert empty.shape == (0,)


def test_scalar_values() -> None:
    bits = int(np.array(0.1).view(np.int64))
    assert hooks.scalar_value(1, bits) == 0.1 and repr(hooks.scalar_value(1, bits)) == "0.1"
    assert hooks.scalar_value(0, -5) == -5 and hooks.scalar_value(2, 1) is True
    assert hooks.scalar_value(2, 0) is False


# --- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize("mode, cls, message", [
    (1, dsl.KernelAssertionError, "assertion failed in kernel 'fail': a = 42 (at k.py:3:5)"),
    (2, ZeroDivisionError, "integer division by zero (42 // 0) (at k.py:4:9)"),
    (3, IndexError, "index 42 is out of bounds for axis 0 with size 21 (at k.py:5:12)"),
    (4, dsl.ShapeError, "cannot reshape 42 elements to 28 (at k.py:6:1)"),
])
def test_error_sites(fail: LoadedKernel, mode: int, cls: type[BaseException],
                     message: str) -> None:
    for _ in range(2):
        with pytest.raises(cls) as info:
            fail(mode, 42)
        assert type(info.value) is cls and str(info.value) == message
    assert fail(0, 5) == 5


def test_unknown_error_site(fail: LoadedKernel) -> None:
    with pytest.raises(RuntimeError, match="failed with status 9, which is no error site"):
        fail(5, 1)


def test_hook_exception_is_raised_after_the_call(fail: LoadedKernel) -> None:
    with pytest.raises(RuntimeError, match="unknown print site 77"):
        fail(6, 1)
    assert fail(0, 3) == 3  # nothing left over
    with pytest.raises(dsl.KernelAssertionError) as info:
        fail(7, 2)
    assert "unknown print site 77" in str(info.value.__cause__)
    assert hooks.PENDING[0] == 0


def test_failure_inside_a_print(fail: LoadedKernel, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(dsl.KernelAssertionError, match="a = 5"):
        fail(9, 5)  # the print statement never ends: its value is dropped
    assert fail(8, 6) == 6
    assert capsys.readouterr().out == "a is 6\n"


def test_broken_stdout_does_not_crash(fail: LoadedKernel, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    class Broken:
        def write(self, text: str) -> int:
            raise OSError("stdout is gone")

        def flush(self) -> None:
            raise OSError("stdout is gone")

    with monkeypatch.context() as patch:
        patch.setattr("sys.stdout", Broken())
        with pytest.raises(OSError, match="stdout is gone"):
            fail(8, 4)
    assert fail(8, 4) == 4
    assert capsys.readouterr().out == "a is 4\n"


def test_kernel_without_hook_table(so_path: pathlib.Path) -> None:
    abi = KernelABI("no_hooks", "no_hooks", (ParamSpec("n", "int"),), (ResultSpec("int"),))
    k = load_kernel(so_path, abi)
    assert k(1) == 2 and k(41) == 42


def test_hooks_are_installed(so_path: pathlib.Path, show: LoadedKernel) -> None:
    lib = ctypes.CDLL(str(so_path))
    table = (ctypes.c_void_p * 4).in_dll(lib, "show_hooks")
    assert all(table[i] for i in range(4))
