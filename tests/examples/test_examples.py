"""The examples: mypy-clean with the plugin, shape_errors.py reports what it should, and every
example kernel runs and matches plain numpy."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import numpy as np
import pytest
from mypy import api as mypy_api

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
sys.path.insert(0, str(EXAMPLES))

from attention import attention  # noqa: E402
from kv_cache import decode_step  # noqa: E402
from layernorm import layernorm  # noqa: E402
from mlp import mlp_block  # noqa: E402
from softmax import softmax  # noqa: E402

RNG = np.random.default_rng(1234)


def _mypy(*targets: Path) -> tuple[str, int]:
    out, err, status = mypy_api.run(["--config-file", str(ROOT / "pyproject.toml"),
                                     "--no-error-summary", *map(str, targets)])
    return out + err, status


def test_examples_are_mypy_clean() -> None:
    out, status = _mypy(EXAMPLES)
    assert status == 0, out


def test_shape_errors_are_reported_with_lines_and_codes() -> None:
    out, status = _mypy(EXAMPLES / "shape_errors.py")
    assert status == 1
    found = {(int(m[1]), m[2]) for m in re.finditer(r"shape_errors\.py:(\d+): error: .*\[(\w+)\]",
                                                     out)}
    expected_lines = {}
    for n, line in enumerate((EXAMPLES / "shape_errors.py").read_text().splitlines(), 1):
        if line.rstrip().endswith(("# N and M differ", "# the result is (B), not (B N)",
                                   "# int and float tensors need dsl.astype",
                                   "# B*N elements cannot become B*N*2",
                                   "# x would change from (B N) to (B M)",
                                   "# trailing dims N and B do not broadcast",
                                   "# rank 2 given where rank 3 is expected",
                                   "# bad dim string")):
            expected_lines[n] = "dtype" if "astype" in line else "shape"
    assert found == set(expected_lines.items()), out
    assert "Traceback" not in out


def _np_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def test_softmax() -> None:
    x = RNG.standard_normal((7, 33)).astype(np.float32)
    got = softmax(x)
    assert got.dtype == np.float32 and got.shape == x.shape
    np.testing.assert_allclose(got, _np_softmax(x), rtol=1e-5, atol=1e-6)


def test_layernorm() -> None:
    x = RNG.standard_normal((5, 16)).astype(np.float32)
    g = RNG.standard_normal(16).astype(np.float32)
    b = RNG.standard_normal(16).astype(np.float32)
    mu = x.mean(-1, keepdims=True)
    var = ((x - mu) ** 2).mean(-1, keepdims=True)
    want = (x - mu) / np.sqrt(var + 1e-5) * g + b
    np.testing.assert_allclose(layernorm(x, g, b), want, rtol=1e-4, atol=1e-5)


def test_mlp_block() -> None:
    d = 8
    x = RNG.standard_normal((3, d)).astype(np.float32)
    w1 = RNG.standard_normal((d, 4 * d)).astype(np.float32) / 3
    b1 = RNG.standard_normal(4 * d).astype(np.float32)
    w2 = RNG.standard_normal((4 * d, d)).astype(np.float32) / 6
    b2 = RNG.standard_normal(d).astype(np.float32)
    h = x @ w1 + b1
    g = 0.5 * h * (1 + np.tanh(0.7978845608028654 * (h + 0.044715 * h ** 3)))
    np.testing.assert_allclose(mlp_block(x, w1, b1, w2, b2), x + g @ w2 + b2,
                               rtol=1e-4, atol=1e-4)


def test_attention() -> None:
    b, l, heads, d = 2, 5, 4, 3
    e = heads * d
    x = RNG.standard_normal((b, l, e)).astype(np.float32)
    ws = [RNG.standard_normal((e, e)).astype(np.float32) / 4 for _ in range(4)]

    def split(t: np.ndarray) -> np.ndarray:
        return t.reshape(b, l, heads, d).transpose(0, 2, 1, 3)

    q, k, v = split(x @ ws[0]), split(x @ ws[1]), split(x @ ws[2])
    p = _np_softmax(q @ k.transpose(0, 1, 3, 2) / np.sqrt(d))
    want = (p @ v).transpose(0, 2, 1, 3).reshape(b, l, e) @ ws[3]
    np.testing.assert_allclose(attention(x, *ws), want, rtol=1e-4, atol=1e-5)


def test_attention_rejects_width_not_divisible_by_heads() -> None:
    import dsl
    x = np.zeros((1, 2, 6), np.float32)
    w = np.zeros((6, 6), np.float32)
    with pytest.raises(dsl.ShapeError):
        attention(x, w, w, w, w)


def test_kv_cache_decode_step_writes_in_place_and_attends() -> None:
    s, h, d, pos = 6, 2, 4, 3
    cache_k = RNG.standard_normal((s, h, d)).astype(np.float32)
    cache_v = RNG.standard_normal((s, h, d)).astype(np.float32)
    q, k, v = (RNG.standard_normal((h, d)).astype(np.float32) for _ in range(3))
    ref_k, ref_v = cache_k.copy(), cache_v.copy()
    ref_k[pos], ref_v[pos] = k, v
    out = decode_step(q, k, v, cache_k, cache_v, pos)
    np.testing.assert_array_equal(cache_k, ref_k)   # written into the caller's buffer
    np.testing.assert_array_equal(cache_v, ref_v)
    keys, values = ref_k[:pos + 1].transpose(1, 0, 2), ref_v[:pos + 1].transpose(1, 0, 2)
    w = _np_softmax(np.einsum("htd,hd->ht", keys, q) / np.sqrt(d))
    np.testing.assert_allclose(out, np.einsum("ht,htd->hd", w, values), rtol=1e-5, atol=1e-6)
