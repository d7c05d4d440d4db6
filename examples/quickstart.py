"""The main job: check the examples with mypy and the plugin, then run two of them.

1. mypy with `typecheck.mypy_plugin` on every example: they must be clean.
2. mypy on `shape_errors.py`: prints what the checker reports for deliberate mistakes.
3. softmax and multi-head attention on random numpy data, checked against plain numpy: the
   first call of a `@kernel` compiles its source through MLIR to CPU machine code (cached on
   disk, so the next run loads it).
Exits non-zero if any step does not come out as expected.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
from mypy import api as mypy_api

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from attention import attention  # noqa: E402
from softmax import softmax  # noqa: E402


def run_mypy(*targets: Path) -> tuple[str, int]:
    """mypy with the project's configuration (which loads the plugin)."""
    args = ["--config-file", str(ROOT / "pyproject.toml"), "--no-error-summary",
            *map(str, targets)]
    out, err, status = mypy_api.run(args)
    return out + err, status


def check_examples() -> bool:
    print("== mypy + shape plugin on examples/ (expected: clean)")
    out, status = run_mypy(HERE)
    print(out.strip() or "no errors")
    return status == 0


def show_shape_errors() -> bool:
    print("\n== mypy + shape plugin on examples/shape_errors.py (deliberate mistakes)")
    out, status = run_mypy(HERE / "shape_errors.py")
    print(out.strip())
    codes = {"[shape]", "[dtype]"}
    return status == 1 and all(any(c in line for c in codes)
                               for line in out.splitlines() if ": error:" in line)


def numpy_softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def numpy_attention(x: np.ndarray, wq: np.ndarray, wk: np.ndarray, wv: np.ndarray,
                    wo: np.ndarray, heads: int = 4) -> np.ndarray:
    b, l, e = x.shape
    d = e // heads

    def split(t: np.ndarray) -> np.ndarray:
        return t.reshape(b, l, heads, d).transpose(0, 2, 1, 3)

    q, k, v = split(x @ wq), split(x @ wk), split(x @ wv)
    s = q @ k.transpose(0, 1, 3, 2) / np.sqrt(d)
    p = numpy_softmax(s.reshape(-1, l)).reshape(s.shape)
    return (p @ v).transpose(0, 2, 1, 3).reshape(b, l, e) @ wo


def run_kernels() -> bool:
    print("\n== running kernels on random data")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 1000)).astype(np.float32)
    got = softmax(x)
    err_s = float(np.max(np.abs(got - numpy_softmax(x))))
    print(f"softmax   {x.shape} -> {got.shape} {got.dtype}, max |diff| vs numpy = {err_s:.2e}")
    xa = rng.standard_normal((2, 16, 32)).astype(np.float32)
    ws = [(rng.standard_normal((32, 32)) / 6).astype(np.float32) for _ in range(4)]
    out = attention(xa, *ws)
    err_a = float(np.max(np.abs(out - numpy_attention(xa, ws[0], ws[1], ws[2], ws[3]))))
    print(f"attention {xa.shape} -> {out.shape} {out.dtype}, max |diff| vs numpy = {err_a:.2e}")
    compiled = softmax.compile(x)
    stages = ", ".join(compiled.ir)
    print(f"both ran as machine code compiled from their source (no tracing); IR stages of "
          f"softmax: {stages}")
    return err_s < 1e-5 and err_a < 1e-4 and got.dtype == np.float32


def main() -> int:
    steps = [check_examples(), show_shape_errors(), run_kernels()]
    ok = all(steps)
    print("\nquickstart:", "OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
