"""`dsl.load_library`: the built libraries called from Python with numpy arrays."""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import dsl
from dsl.__main__ import main
from dsl._runtime.aot_loader import LibraryError

from conftest import EXAMPLES, HERE


def _softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_results_match_numpy(libdir: pathlib.Path) -> None:
    lib = dsl.load_library(libdir / "libsoftmax.so")
    x = np.random.default_rng(0).standard_normal((4, 7)).astype(np.float32)
    np.testing.assert_allclose(lib.softmax(x), _softmax(x), rtol=1e-5)
    np.testing.assert_allclose(lib.softmax(x.T), _softmax(x.T), rtol=1e-5)  # non-contiguous
    mlp = dsl.load_library(libdir / "libmlp.so")
    assert sorted(mlp.kernels) == ["gelu", "mlp_block"]
    y = np.linspace(-3, 3, 12, dtype=np.float32).reshape(3, 4)
    ref = 0.5 * y * (1 + np.tanh(0.7978845608028654 * (y + 0.044715 * y ** 3)))
    np.testing.assert_allclose(mlp.gelu(y), ref, rtol=1e-5, atol=1e-6)


def test_attention_and_mlp_match_eager(libdir: pathlib.Path) -> None:
    rng = np.random.default_rng(2)
    att = dsl.load_library(libdir / "libattention.so")
    assert sorted(att.kernels) == ["attention"]
    x = rng.standard_normal((2, 3, 8)).astype(np.float32)
    ws = [(rng.standard_normal((8, 8)) * 0.3).astype(np.float32) for _ in range(4)]
    ref = dsl.eager(_example("attention").attention)(x, *ws)
    np.testing.assert_allclose(att.attention(x, *ws), ref, rtol=1e-4, atol=1e-5)
    mlp = dsl.load_library(libdir / "libmlp.so")
    d = 4
    args = (rng.standard_normal((3, d)), rng.standard_normal((d, 4 * d)) * 0.3,
            rng.standard_normal(4 * d), rng.standard_normal((4 * d, d)) * 0.3,
            rng.standard_normal(d))
    args32 = tuple(a.astype(np.float32) for a in args)
    ref = dsl.eager(_example("mlp").mlp_block)(*args32)
    np.testing.assert_allclose(mlp.mlp_block(*args32), ref, rtol=1e-4, atol=1e-5)


def test_same_messages_as_the_kernel(libdir: pathlib.Path) -> None:
    lib = dsl.load_library(libdir / "liblayernorm.so")
    module = _example("layernorm")
    x = np.ones((2, 5), np.float32)
    bad = (x, np.ones(4, np.float32), np.ones(5, np.float32))
    with pytest.raises(dsl.ShapeError) as eager:
        dsl.eager(module.layernorm)(*bad)
    with pytest.raises(dsl.ShapeError) as loaded:
        lib.layernorm(*bad)
    assert str(loaded.value) == str(eager.value)
    wrong = (x.astype(np.float64), np.ones(5, np.float32), np.ones(5, np.float32))
    with pytest.raises(dsl.DTypeError) as eager_t:
        dsl.eager(module.layernorm)(*wrong)
    with pytest.raises(dsl.DTypeError) as loaded_t:
        lib.layernorm(*wrong)
    assert str(loaded_t.value) == str(eager_t.value)


def test_in_place_update_and_run_time_errors(libdir: pathlib.Path) -> None:
    lib = dsl.load_library(libdir / "libkv_cache.so")
    rng = np.random.default_rng(1)
    q, k, v = (rng.standard_normal((2, 4)).astype(np.float32) for _ in range(3))
    ck = np.zeros((4, 5, 2, 4), np.float32)[:, 0]        # non-contiguous, written in place
    cv = np.zeros((4, 2, 4), np.float32)
    ref_k, ref_v = ck.copy(), cv.copy()
    ref = dsl.eager(_example("kv_cache").decode_step)(q, k, v, ref_k, ref_v, 1)
    out = lib.decode_step(q, k, v, ck, cv, 1)
    np.testing.assert_allclose(out, ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ck, ref_k)
    np.testing.assert_array_equal(cv, ref_v)
    with pytest.raises(IndexError, match=r"index 4 is out of bounds for dim 0 of size 4"):
        lib.decode_step(q, k, v, ck, cv, 4)


def test_hooks_and_scalar_results(libdir: pathlib.Path, capsys: pytest.CaptureFixture[str]
                                  ) -> None:
    lib = dsl.load_library(libdir / "libaot_kernels.so")
    x = np.array([1.5, -2.0, 0.1, 3.0], np.float32)
    lib.report(x, 7, 0.1, True)
    assert capsys.readouterr().out.splitlines()[0] == "n = 7 f = 0.1 b = True"
    assert lib.pick(x, 3) == 3.0
    with pytest.raises(dsl.KernelAssertionError, match="index must be non-negative"):
        lib.pick(x, -1)
    doubled, total, n, big = lib.stats(x, 2.5)
    np.testing.assert_array_equal(doubled, 2 * x)
    assert (round(total, 5), n, big) == (2.6, 4, True)
    assert lib.double(np.eye(2)).tolist() == [[2.0, 0.0], [0.0, 2.0]]
    assert "int aot_kernels_pick(int64_t N, const float *x" in lib.info["pick"].c_signature
    with pytest.raises(AttributeError, match="has no kernel 'nope'"):
        lib.nope


def test_not_a_library(tmp_path: pathlib.Path, libdir: pathlib.Path) -> None:
    junk = tmp_path / "libjunk.so"
    junk.write_bytes(b"not an ELF file")
    with pytest.raises(LibraryError, match="cannot load"):
        dsl.load_library(junk)
    with pytest.raises(LibraryError, match="not a shapekit library"):
        dsl.load_library(libdir / "libsoftmax.so", name="other")


_NO_COMPILER = textwrap.dedent("""
    import sys, numpy as np
    class Block:  # MLIR and the compiler are not installed, as far as this process knows
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("mlir", "lowering"):
                raise ImportError("blocked: " + name)
    sys.meta_path.insert(0, Block())
    import dsl
    lib = dsl.load_library({path!r})
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    out = lib.softmax(x)
    e = np.exp(x - x.max(1, keepdims=True))
    assert np.allclose(out, e / e.sum(1, keepdims=True)), out
    print("loaded:", sorted(m for m in sys.modules if m.split(".")[0] in ("mlir", "lowering")))
""")


def test_loads_without_the_compiler(libdir: pathlib.Path) -> None:
    script = _NO_COMPILER.format(path=str(libdir / "libsoftmax.so"))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=120, env=dict(os.environ))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "loaded: []"


@pytest.mark.parametrize("args, message", [
    (["examples/mlp.py", "gelu"], "kernel 'gelu', parameter 'x': the annotation does not fix "
     "the rank: pick with --sig 'gelu:x=DTYPE[RANK]'"),
    (["examples/mlp.py", "nope"], "no kernel 'nope' in the file (its kernels: gelu, mlp_block)"),
    (["examples/mlp.py", "--sig", "gelu:x=float32"], "'x=float32' is not PARAM=DTYPE[RANK]"),
    (["examples/mlp.py", "--sig", "gelu:x=int8[2]"], "dtype int8 is not one the annotation "
     "allows (float32)"),
    (["examples/mlp.py", "--name", "my-lib"], "library name 'my-lib' cannot prefix C symbols"),
    (["tests/aot/missing.py"], "no such file"),
    (["examples/mlp.py", "--cpu", "nonsense"], "--cpu 'nonsense' is not one this build knows"),
])
def test_command_line_errors(tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str],
                             args: list[str], message: str) -> None:
    root = HERE.parent.parent
    args = [str(root / a) if a.endswith(".py") else a for a in args]
    assert main(["build", *args, "-o", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("shapekit build: error: ") and message in err, err
    assert not list(tmp_path.iterdir())


def test_help_documents_sig() -> None:
    done = subprocess.run([sys.executable, "-m", "dsl", "build", "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "--sig" in done.stdout and "gelu:x=float32[2]" in done.stdout


def _example(name: str) -> object:
    import importlib.util
    spec = importlib.util.spec_from_file_location(f"aot_ll_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_console_script_entry() -> None:
    import importlib
    import tomllib
    project = tomllib.loads((HERE.parent.parent / "pyproject.toml").read_text())
    module, _, attr = project["project"]["scripts"]["shapekit"].partition(":")
    assert getattr(importlib.import_module(module), attr) is main
