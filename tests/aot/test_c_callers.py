"""C programs compiled with gcc against the generated headers, run, compared with numpy."""

from __future__ import annotations

import pathlib
import re
import subprocess

import numpy as np
import pytest

from conftest import EXAMPLES, compile_c, run_c
import dsl


def _values(lines: list[str], label: str) -> np.ndarray:
    words = next(x.split() for x in lines if x.split()[:2] != [label, "status"]
                 and x.split()[0] == label)
    return np.array([float(v) for v in words[1:]])


def _line(lines: list[str], prefix: str) -> str:
    return next(x for x in lines if x.startswith(prefix))


def _load_example(name: str) -> object:
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"aot_example_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_two_libraries_in_one_program(libdir: pathlib.Path) -> None:
    lines = run_c(compile_c(libdir, "two_libs", ["softmax", "layernorm"]))
    x = np.sin(np.arange(15, dtype=np.float32)).reshape(3, 5)
    assert _line(lines, "softmax status") == "softmax status 0"
    np.testing.assert_allclose(_values(lines, "softmax"), _softmax(x).ravel(), rtol=1e-5)
    gamma = 1.0 + 0.5 * np.arange(5, dtype=np.float32)
    beta = 0.25 * np.arange(5, dtype=np.float32)
    mu = x.mean(axis=1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=1, keepdims=True)
    ref = (x - mu) / np.sqrt(var + 1e-5) * gamma + beta
    np.testing.assert_allclose(_values(lines, "layernorm"), ref.ravel(), rtol=1e-4, atol=1e-5)
    # strided input: the transpose of the same buffer
    np.testing.assert_allclose(_values(lines, "transposed"), _softmax(x.T).ravel(), rtol=1e-5)


def test_entry_checks_from_c(libdir: pathlib.Path) -> None:
    lines = run_c(compile_c(libdir, "two_libs", ["softmax", "layernorm"]))
    assert _line(lines, "wrong size") == (
        "wrong size status 2: ShapeError: argument 'x': dim 1 (N) is 6, but N = 5")
    assert _line(lines, "null data") == (
        "null data status 1: argument 'x': the data pointer is NULL")
    assert _line(lines, "null out") == "null out status 1: the result: the data pointer is NULL"
    assert _line(lines, "negative").startswith("negative status 2: ShapeError: kernel "
                                              "'softmax': dim B is -1")
    assert _line(lines, "zero stride out").startswith("zero stride out status 3: the result: "
                                                     "stride 0 on dim 0 of size 3")
    assert _line(lines, "gamma size") == (
        "gamma size status 2: ShapeError: argument 'gamma': dim 0 (N) is 6, but N = 5")
    assert _line(lines, "after errors") == "after errors status 0, last error ''"


def test_kv_cache_updates_in_place(libdir: pathlib.Path) -> None:
    lines = run_c(compile_c(libdir, "kv_step", ["kv_cache"]))
    assert lines[0] == "status 0"
    i = np.arange(8, dtype=np.float32)
    q, k, v = np.sin(i).reshape(2, 4), np.cos(i).reshape(2, 4), (0.1 * i).reshape(2, 4)
    ck = np.zeros((6, 2, 4), np.float32)
    cv = np.zeros((6, 2, 4), np.float32)
    ck.ravel()[:16] = 0.01 * np.arange(16, dtype=np.float32)
    cv.ravel()[:16] = -0.02 * np.arange(16, dtype=np.float32)
    ref = dsl.eager(_load_example("kv_cache").decode_step)(q, k, v, ck, cv, 2)  # type: ignore[attr-defined]
    np.testing.assert_allclose(_values(lines, "out"), ref.ravel(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_values(lines, "cache_k"), ck.ravel(), rtol=1e-6)
    assert _line(lines, "pos out of bounds") == (
        "pos out of bounds status 6: IndexError: index 6 is out of bounds for dim 0 of size 6 "
        f"(at {EXAMPLES / 'kv_cache.py'}:14:13)")


def test_hooks_scalars_tuples_and_dims(libdir: pathlib.Path) -> None:
    lines = run_c(compile_c(libdir, "hooks", ["aot_kernels"]))
    src = pathlib.Path(__file__).parent / "aot_kernels.py"
    assert lines[:3] == ["n = 7 f = 0.1 b = True",
                         "[ 1.5 -2.   0.1  3. ] | -0.25 | 1e-07 | 1e+16 | 3.0;",
                         "report status 0"]
    assert _line(lines, "pick status") == "pick status 0 0.100000001"
    assert _line(lines, "assert status") == (
        "assert status 5: KernelAssertionError: assertion failed in kernel 'pick': index must "
        f"be non-negative (at {src}:17:5)")
    assert _line(lines, "index status").startswith(
        "index status 6: IndexError: index 9 is out of bounds for dim 0 of size 4")
    assert _line(lines, "stats status") == "stats status 0 3 6 2.5999999 4 1"
    a = np.arange(16, dtype=np.float32).reshape(2, 8)
    w = (0.5 * (np.arange(16) % 3)).astype(np.float32).reshape(8, 2)
    got = [float(v) for v in _line(lines, "project status 0").split()[3:]]
    assert got == (a @ w).ravel().tolist()
    assert _line(lines, "project size") == (
        "project size status 2: ShapeError: argument 'x': dim 1 (4*D) is 7, but 4*D = 8")
    assert _line(lines, "double status") == "double status 0 2 12"
    assert _line(lines, "null result") == (
        "null result status 1: out: the result pointer is NULL")
    assert _line(lines, "first_col status") == "first_col status 0 1 4"
    assert _line(lines, "fill status") == "fill status 0 1.5 1.5"     # result sized by an int
    assert _line(lines, "negative fill") == (
        "negative fill status 2: ShapeError: the result: dim 0 is -2, but a size cannot be "
        "negative")
    assert _line(lines, "unnamed dims") == (
        "unnamed dims status 1: argument 'x': sizes is NULL, but its annotation has unnamed "
        "dims")


def test_runtime_needs_only_libc(libdir: pathlib.Path) -> None:
    for lib in sorted(libdir.glob("lib*.so")):
        done = subprocess.run(["ldd", str(lib)], capture_output=True, text=True, timeout=30)
        deps = {line.split()[0] for line in done.stdout.splitlines() if line.strip()}
        extra = {d for d in deps if not re.match(r"(linux-vdso|libc\.|libm\.|/lib.*ld-linux|"
                                                 r"ld-linux)", d)}
        assert not extra, (lib.name, extra)


def test_only_prefixed_symbols_are_exported(libdir: pathlib.Path) -> None:
    for lib in sorted(libdir.glob("lib*.so")):
        name = lib.name[3:-3]
        done = subprocess.run(["nm", "-D", "--defined-only", str(lib)], capture_output=True,
                              text=True, timeout=30)
        symbols = [line.split()[-1] for line in done.stdout.splitlines() if line.strip()]
        assert symbols and all(s.startswith(f"{name}_") for s in symbols), (lib.name, symbols)


def test_header_documents_annotations(libdir: pathlib.Path) -> None:
    text = (libdir / "mlp.h").read_text()
    assert "int mlp_mlp_block(int64_t T, int64_t D, const float *x," in text
    assert "w1: float32[D, 4*D] (read)" in text
    assert "x: float32[b__0, b__1] (read, annotated '*b')" in text   # gelu, with --sig
    assert "SHAPEKIT_ERR_SHAPE = 2" in text
    assert "const char *mlp_last_error(void);" in text


@pytest.mark.parametrize("lib", ["mlp", "attention"])
@pytest.mark.parametrize("lang", ["c", "c++"])
def test_headers_compile_as_c_and_cpp(libdir: pathlib.Path, lib: str, lang: str) -> None:
    std = "-std=c99" if lang == "c" else "-std=c++17"
    done = subprocess.run(["gcc", std, "-Wall", "-Werror", "-fsyntax-only", "-x", lang,
                           str(libdir / f"{lib}.h")], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_readme_caller(libdir: pathlib.Path) -> None:
    readme = (pathlib.Path(__file__).parents[2] / "README.md").read_text()
    section = readme.split("## Ahead-of-time builds", 1)[1]
    source = section.split("```c\n", 1)[1].split("```", 1)[0]
    (libdir / "readme_caller.c").write_text(source)
    exe = libdir / "readme_caller"
    done = subprocess.run(["gcc", "-std=c11", "-Wall", "-Werror", f"-I{libdir}", "-o", str(exe),
                           str(libdir / "readme_caller.c"), f"-L{libdir}", "-lsoftmax",
                           f"-Wl,-rpath,{libdir}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert len(source.strip().splitlines()) <= 10
    got = [float(v) for v in run_c(exe)[0].split()]
    np.testing.assert_allclose(got, _softmax(np.array([[1.0, 2.0, 3.0]]))[0], rtol=1e-5)


def test_metadata_describes_the_build(libdir: pathlib.Path) -> None:
    import ctypes
    import json
    import platform
    lib = ctypes.CDLL(str(libdir / "liblayernorm.so"))
    lib.layernorm_shapekit_metadata.restype = ctypes.c_char_p
    meta = json.loads(lib.layernorm_shapekit_metadata())
    assert (meta["format"], meta["library"], meta["target"]) == (1, "layernorm", "cpu")
    assert meta["cpu"] == ("x86-64" if platform.machine() == "x86_64" else meta["cpu"])
    [kernel] = meta["kernels"]
    assert kernel["entry"] == "layernorm_layernorm"
    assert kernel["c_signature"].startswith("int layernorm_layernorm(int64_t B, int64_t N, ")
    assert kernel["abi"]["symbol"] == "layernorm__sk_layernorm"
