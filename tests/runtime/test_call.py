"""The fast call path of compiled kernels (`dsl._runtime.library`), on hand-written C kernels
that follow the ABI of `dsl._runtime.abi` (no compiler needed, only `cc`)."""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import textwrap
import threading
import timeit
from typing import Any

import ml_dtypes
import numpy as np
import pytest

import dsl
from dsl import Float32, Int64, Tensor
from dsl._runtime.abi import DTYPE_CODES, KernelABI, ParamSpec, ResultSpec
from dsl._runtime.library import LoadedKernel, ReadOnlyArgumentError, load_kernel

pytestmark = pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler")

C_SOURCE = r"""
#include <stdint.h>
#include <string.h>

void *add3_hooks[4];
int32_t add3(const int64_t *p) {            /* x*w + b; x, w, b: "N" float32 */
    const float *x = (const float *)p[0], *w = (const float *)p[2], *b = (const float *)p[4];
    float *out = (float *)p[6];
    for (int64_t i = 0; i < p[1]; i++) out[i] = x[i] * w[i] + b[i];
    return 0;
}

int32_t add_bn(const int64_t *p) {          /* x + y; x, y: "B N" float32 */
    const float *x = (const float *)p[0], *y = (const float *)p[3];
    float *out = (float *)p[6];
    for (int64_t i = 0; i < p[1] * p[2]; i++) out[i] = x[i] + y[i];
    return 0;
}

#define COPY(NAME, SIZE)                                                              \
    int32_t copy_##NAME(const int64_t *p) {                                           \
        memcpy((void *)p[3], (const void *)p[0], (size_t)(p[1] * p[2] * SIZE));       \
        return 0;                                                                     \
    }
COPY(float16, 2) COPY(bfloat16, 2) COPY(float32, 4) COPY(float64, 8)
COPY(int8, 1) COPY(int32, 4) COPY(int64, 8) COPY(bool, 1)

int32_t double_it(const int64_t *p) {       /* x *= 2 in place; x: "M N" float64, written */
    for (int64_t i = 0; i < p[1] * p[2]; i++) ((double *)p[0])[i] *= 2;
    return 0;
}

int32_t scalars(const int64_t *p) {
    /* x: "B 4*D" int64, n: int, s: float, flag: bool
       -> (full((D, n), s) float64, B*n int, 2*s float, !flag bool) */
    int64_t B = p[1], D = p[2] / 4, n = p[3];
    double s, s2; memcpy(&s, &p[4], 8); s2 = 2 * s;
    for (int64_t i = 0; i < D * n; i++) ((double *)p[6])[i] = s;
    /* p[7], p[8]: the result's sizes (D, n) */
    *(int64_t *)p[9] = B * n; memcpy((void *)p[10], &s2, 8); *(int64_t *)p[11] = !p[5];
    return 0;
}

int32_t twice0d(const int64_t *p) {         /* x: "" float64 -> 2*x, 0-d */
    *(double *)p[1] = 2 * *(const double *)p[0]; return 0;
}

int32_t total(const int64_t *p) {           /* x: "*b N" float64 at rank 2 -> sum, a float */
    const double *x = (const double *)p[0];
    double s = 0;
    for (int64_t i = 0; i < p[1] * p[2]; i++) s += x[i];
    memcpy((void *)p[3], &s, 8);
    return 0;
}

int32_t bcast(const int64_t *p) {           /* x: "N" float32, y: "#N" float32 -> x + y */
    const float *x = (const float *)p[0], *y = (const float *)p[2];
    float *out = (float *)p[4];
    for (int64_t i = 0; i < p[1]; i++) out[i] = x[i] + y[p[3] == 1 ? 0 : i];
    return 0;
}
"""


@pytest.fixture(scope="module")
def so_path(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """The test kernels, compiled once."""
    tmp = tmp_path_factory.mktemp("kernels")
    src = tmp / "kernels.c"
    src.write_text(C_SOURCE)
    out = tmp / "kernels.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-O1", str(src), "-o", str(out)], check=True)
    return out


def tensor(name: str, dtype: str, annotation: str, written: bool = False) -> ParamSpec:
    rank = len(annotation.split()) if annotation else 0
    return ParamSpec(name, "tensor", dtype, rank, annotation, written)


ADD3 = KernelABI("f", "add3", (tensor("x", "float32", "N"), tensor("w", "float32", "N"),
                               tensor("b", "float32", "N")),
                 (ResultSpec("tensor", "float32", ("N",)),))
ADD_BN = KernelABI("add", "add_bn", (tensor("x", "float32", "B N"),
                                     tensor("y", "float32", "B N")),
                   (ResultSpec("tensor", "float32", ("B", "N")),))
DOUBLE = KernelABI("double_it", "double_it", (tensor("x", "float64", "M N", written=True),), ())
SCALARS = KernelABI(
    "scalars", "scalars",
    (tensor("x", "int64", "B 4*D"), ParamSpec("n", "int"), ParamSpec("s", "float"),
     ParamSpec("flag", "bool")),
    (ResultSpec("tensor", "float64", ("D", "n")), ResultSpec("int"), ResultSpec("float"),
     ResultSpec("bool")),
    result_is_tuple=True)
TWICE0D = KernelABI("twice", "twice0d", (tensor("x", "float64", ""),),
                    (ResultSpec("tensor", "float64", ()),))
TOTAL = KernelABI("total", "total", (ParamSpec("x", "tensor", "float64", 2, "*b N"),),
                  (ResultSpec("float"),))
BCAST = KernelABI("bcast", "bcast", (tensor("x", "float32", "N"), tensor("y", "float32", "#N")),
                  (ResultSpec("tensor", "float32", ("N",)),))


def copy_abi(dtype: str) -> KernelABI:
    return KernelABI(f"copy_{dtype}", f"copy_{dtype}", (tensor("x", dtype, "B N"),),
                     (ResultSpec("tensor", dtype, ("B", "N")),))


@pytest.fixture(scope="module")
def add3(so_path: pathlib.Path) -> LoadedKernel:
    return load_kernel(so_path, ADD3)


@pytest.fixture(scope="module")
def add_bn(so_path: pathlib.Path) -> LoadedKernel:
    return load_kernel(so_path, ADD_BN)


@dsl.kernel
def add(x: Float32[Tensor, "B N"], y: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    """The eager twin of ADD_BN: error messages must be the same."""
    return x + y


def rand(*shape: int, dtype: Any = np.float32) -> Any:
    return np.random.default_rng(0).standard_normal(shape).astype(dtype)


# --- results --------------------------------------------------------------------------------
def test_results_match_numpy(add3: LoadedKernel, add_bn: LoadedKernel) -> None:
    x, w, b = rand(5), rand(5) + 1, rand(5) - 1
    for _ in range(3):  # the first call takes the general path, the others the fast one
        np.testing.assert_array_equal(add3(x, w, b), x * w + b)
    a, c = rand(3, 4), rand(3, 4) * 2
    out = add_bn(a, c)
    assert out.dtype == np.float32 and out.shape == (3, 4)
    np.testing.assert_array_equal(out, a + c)
    assert add_bn(a[:0], c[:0]).shape == (0, 4)


@pytest.mark.parametrize("dtype", sorted(DTYPE_CODES))
def test_every_dtype_round_trips(so_path: pathlib.Path, dtype: str) -> None:
    k = load_kernel(so_path, copy_abi(dtype))
    np_dtype = np.dtype(ml_dtypes.bfloat16) if dtype == "bfloat16" else np.dtype(dtype)
    x = (np.arange(12).reshape(3, 4) % 2 if dtype == "bool" else
         np.arange(12).reshape(3, 4) - 5).astype(np_dtype)
    for _ in range(2):
        out = k(x)
        assert out.dtype == np_dtype
        np.testing.assert_array_equal(out, x)


def test_scalar_params_and_tuple_result(so_path: pathlib.Path) -> None:
    k = load_kernel(so_path, SCALARS)
    x = np.zeros((3, 8), np.int64)
    for n in (5, 2, np.int32(4)):
        out, bn, s2, neg = k(x, n, 0.25, True)
        assert out.shape == (2, int(n)) and (out == 0.25).all()
        assert (bn, s2, neg) == (3 * int(n), 0.5, False)
        assert type(bn) is int and type(s2) is float and type(neg) is bool
    # float params take ints, numpy floats and bools; bool params numpy bools
    assert k(x, 1, 3, np.bool_(False))[1:] == (3, 6.0, True)
    assert k(x, True, np.float32(1.5), False)[1:] == (3, 3.0, True)


def test_zero_dim_and_scalar_results(so_path: pathlib.Path) -> None:
    twice = load_kernel(so_path, TWICE0D)
    for _ in range(2):
        out = twice(np.array(1.5))
        assert isinstance(out, np.ndarray) and out.shape == () and out == 3.0
    total = load_kernel(so_path, TOTAL)
    x = rand(3, 4, dtype=np.float64)
    for _ in range(2):
        got = total(x)
        assert type(got) is float and got == pytest.approx(float(x.sum()))


def test_broadcastable_dim(so_path: pathlib.Path) -> None:
    k = load_kernel(so_path, BCAST)
    x = rand(4)
    np.testing.assert_array_equal(k(x, rand(4)), x + rand(4))
    np.testing.assert_array_equal(k(x, np.ones(1, np.float32)), x + 1)
    with pytest.raises(dsl.ShapeError, match=r"argument 'y': dim 0 is 3 but the annotation "
                                              r"expects N = 4 \(N from 'x' dim 0\)"):
        k(x, rand(3))


def test_array_likes_are_converted(add3: LoadedKernel) -> None:
    class Wrapped:
        def __init__(self, a: Any) -> None:
            self.a, self.shape, self.dtype = a, a.shape, a.dtype

        def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
            return self.a

    x = rand(4)
    np.testing.assert_array_equal(add3(Wrapped(x), x, x), x * x + x)
    sub = x.view(np.ma.MaskedArray)
    np.testing.assert_array_equal(add3(sub, x, x), x * x + x)


# --- checks: the eager messages -------------------------------------------------------------
def _message(fn: Any, *args: Any) -> tuple[type[BaseException], str]:
    with pytest.raises(Exception) as info:
        fn(*args)
    return info.type, str(info.value)


@pytest.mark.parametrize("case", [
    "wrong dtype", "python scalar", "list", "wrong rank", "wrong dim", "missing", "extra",
    "unsupported dtype"])
def test_errors_match_eager(add_bn: LoadedKernel, case: str) -> None:
    good = rand(2, 3)
    add_bn(good, good)  # a cached shape key must not hide later errors
    args: tuple[Any, ...] = {
        "wrong dtype": (good, good.astype(np.float64)),
        "python scalar": (good, 1.0),
        "list": ([[1.0]], good),
        "wrong rank": (good, good.reshape(6)),
        "wrong dim": (good, rand(2, 4)),
        "missing": (good,),
        "extra": (good, good, good),
        "unsupported dtype": (good, good.astype(np.complex64)),
    }[case]
    compiled = _message(add_bn, *args)
    assert compiled == _message(add, *args)
    if case == "wrong dim":
        assert compiled == (dsl.ShapeError, "argument 'y': dim 1 is 4 but the annotation expects "
                            "N = 3 (N from 'x' dim 1) [annotation Float32[Tensor, 'B N'], "
                            "actual shape (2, 4)]")


def test_arithmetic_dims_and_scalar_checks(so_path: pathlib.Path) -> None:
    k = load_kernel(so_path, SCALARS)

    @dsl.kernel
    def twin(x: Int64[Tensor, "B 4*D"], n: int, s: float, flag: bool) -> None:
        pass

    for args in [(np.zeros((3, 6), np.int64), 1, 1.0, True),
                 (np.zeros((3, 8), np.int64), 1.5, 1.0, True),
                 (np.zeros((3, 8), np.int64), 1, "a", True),
                 (np.zeros((3, 8), np.int64), 1, 1.0, 1)]:
        assert _message(k, *args) == _message(twin, *args)
    with pytest.raises(dsl.DTypeError, match="does not fit int64"):
        k(np.zeros((3, 8), np.int64), 2 ** 70, 1.0, True)


def test_rank_of_the_specialisation(so_path: pathlib.Path) -> None:
    total = load_kernel(so_path, TOTAL)
    with pytest.raises(dsl.ShapeError, match=r"argument 'x': this compiled specialisation of "
                                              r"'total' takes rank 2 \(\*b N\), got rank 3"):
        total(np.zeros((2, 3, 4)))


# --- copies -----------------------------------------------------------------------------------
def test_non_contiguous_inputs(add_bn: LoadedKernel) -> None:
    big = rand(6, 8)
    cases = [(big.T[:3, :4], big[:3, ::2]), (big[::2, 1:5], big[1::2, 4:]),
             (np.asfortranarray(big), big)]
    for x, y in cases:
        np.testing.assert_array_equal(add_bn(x, y), x + y)


def test_misaligned_and_byte_swapped_inputs(add3: LoadedKernel) -> None:
    raw = np.zeros(4 * 5 + 1, np.uint8)
    x = raw[1:].view(np.float32)  # a float32 array at an odd address
    x[:] = rand(5)
    assert not x.flags.aligned
    swapped = rand(5).astype(">f4")
    np.testing.assert_array_equal(add3(x, swapped, x), x * swapped.astype(np.float32) + x)
    frozen = rand(5)
    frozen.flags.writeable = False  # read-only is fine for parameters that are not written
    for _ in range(2):
        np.testing.assert_array_equal(add3(frozen, frozen, x), frozen * frozen + x)


def test_written_param_sees_the_writes(so_path: pathlib.Path) -> None:
    k = load_kernel(so_path, DOUBLE)
    big = rand(6, 8, dtype=np.float64)
    # in place, a strided view, a transposed array, a byte-swapped copy of the language dtype
    for x in [rand(3, 4, dtype=np.float64), big[::2, 1:5], rand(4, 3, dtype=np.float64).T,
              rand(2, 3, dtype=np.float64).astype(">f8")]:
        want = x.astype(np.float64) * 2
        assert k(x) is None
        np.testing.assert_array_equal(x, want)
    np.testing.assert_array_equal(big[1::2], rand(6, 8, dtype=np.float64)[1::2])


def test_read_only_written_param(so_path: pathlib.Path) -> None:
    k = load_kernel(so_path, DOUBLE)
    k(rand(3, 4, dtype=np.float64))  # the fast path knows the shape: it must still refuse
    x = rand(3, 4, dtype=np.float64)
    x.flags.writeable = False
    with pytest.raises(ReadOnlyArgumentError, match=r"argument 'x': kernel 'double_it' writes "
                                                    r"into it, but the array is read-only"):
        k(x)
    assert isinstance(ReadOnlyArgumentError("x"), ValueError)
    np.testing.assert_array_equal(x, rand(3, 4, dtype=np.float64))


def test_fast_path_is_taken(so_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    k = load_kernel(so_path, ADD_BN)
    a = rand(2, 3)
    k(a, a)  # checks fully and remembers the shapes

    class Refuse:
        def check_args(self, *args: Any) -> Any:
            raise AssertionError("the general path ran")

    monkeypatch.setattr(k, "_signature", Refuse())
    np.testing.assert_array_equal(k(a, a), a + a)
    np.testing.assert_array_equal(k(a * 2, a), a * 3)  # same shapes: still fast
    odd = np.zeros(6 * 4 + 1, np.uint8)[1:].view(np.float32).reshape(2, 3)  # misaligned
    for args in [(a.T.copy().T, a), (a, a.astype(np.float64)), (rand(3, 3), rand(3, 3)),
                 (odd, a), (a, 1.0)]:
        with pytest.raises(AssertionError, match="the general path ran"):
            k(*args)


# --- threads, isolation, speed ------------------------------------------------------------
def test_threads(add_bn: LoadedKernel) -> None:
    failures: list[BaseException] = []

    def work(seed: int) -> None:
        try:
            for i in range(200):
                a = np.full((1 + (seed + i) % 5, 3), float(seed), np.float32)
                np.testing.assert_array_equal(add_bn(a, a), a + a)
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


def test_runtime_needs_no_compiler(so_path: pathlib.Path) -> None:
    root = pathlib.Path(__file__).resolve().parents[2]
    script = textwrap.dedent(f"""
        import sys
        sys.modules["mlir"] = None
        sys.modules["lowering"] = None
        import pathlib, numpy as np
        from dsl._runtime.abi import KernelABI
        from dsl._runtime.library import load_kernel
        abi = KernelABI.from_json({ADD3.to_json()!r})
        k = load_kernel(pathlib.Path({str(so_path)!r}), abi)
        x = np.arange(4, dtype=np.float32)
        assert (k(x, x, x) == x * x + x).all()
        bad = [m for m in sys.modules if m.split(".")[0] in ("mlir", "lowering")
               and sys.modules[m] is not None]
        assert not bad, bad
        print("ok")
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_call_overhead(add3: LoadedKernel) -> None:
    """A generous bound (shared CI machines); the target is well under 5 us."""
    x = rand(4)
    add3(x, x, x)
    best = min(timeit.repeat(lambda: add3(x, x, x), number=2000, repeat=5)) / 2000
    assert best < 50e-6, f"{best * 1e6:.2f} us per call"


def test_malformed_abi(so_path: pathlib.Path) -> None:
    bad_dtype = KernelABI("k", "add3", (tensor("x", "complex64", "N"),), ())
    with pytest.raises(ValueError, match="unknown dtype"):
        load_kernel(so_path, bad_dtype)
    missing = KernelABI("k", "nope", (), ())
    with pytest.raises(ValueError, match="does not export 'nope'"):
        load_kernel(so_path, missing)
    bad_shape = KernelABI("k", "add3", (), (ResultSpec("tensor", "float32", ("N M",)),))
    with pytest.raises(ValueError, match="not one dim expression"):
        load_kernel(so_path, bad_shape)
