"""mypy's time on a generated file of annotated kernels, with the shape plugin and without.

    python benchmarks/plugin_overhead.py [--lines 3000] [--repeat 3]

Generates a module of at least `--lines` lines of kernels (elementwise chains, reductions,
matmuls, reshapes, slices, loops and calls between kernels), then times mypy on it with
`plugins = typecheck.mypy_plugin` and with no plugin, side by side in this one run:
- "warm": dependencies (stdlib, numpy, jaxtyping, dsl) come from mypy's cache; only the
  generated module is checked (what an editor or CI re-check of a changed file costs);
- "cold": `--no-incremental`, everything is checked from scratch.
Prints a table with the min of `--repeat` runs and the plugin/no-plugin ratio.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

HEADER = '''"""Generated for benchmarks/plugin_overhead.py."""
import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32

'''

TEMPLATE = '''
@kernel
def softmax_{i}(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    m = dsl.max(x, axis=1, keepdims=True)
    e = dsl.exp(x - m)
    return e / dsl.sum(e, axis=1, keepdims=True)


@kernel
def layer_{i}(x: Float32[Tensor, "B D"], w: Float32[Tensor, "D 4*D"],
              b: Float32[Tensor, "4*D"], w2: Float32[Tensor, "4*D D"]) -> Float32[Tensor, "B D"]:
    h = x @ w + b
    h = dsl.maximum(h, 0.0)
    y = h @ w2
    mu = dsl.mean(y, axis=-1, keepdims=True)
    var = dsl.mean((y - mu) * (y - mu), axis=-1, keepdims=True)
    return (y - mu) * dsl.rsqrt(var + 1e-5) + x


@kernel
def heads_{i}(x: Float32[Tensor, "B L 4*D"]) -> Float32[Tensor, "B 4 L D"]:
    d = x.shape[2] // 4
    t = dsl.reshape(x, (x.shape[0], x.shape[1], 4, d))
    return dsl.permute_dims(t, (0, 2, 1, 3))


@kernel
def loop_{i}(x: Float32[Tensor, "B N"], w: Float32[Tensor, "N N"], steps: int,
             p: int) -> Float32[Tensor, "B 4"]:
    for _ in range(steps):
        x = dsl.tanh(x @ w) * 0.5 + x
        if steps > 3:
            x = x - dsl.sum(x, axis=0, keepdims=True)
    s = softmax_{i}(x)
    return s[:, p:p + 4]


def use_{i}(a: Float32[Tensor, "8 16"], w: Float32[Tensor, "16 64"], b: Float32[Tensor, "64"],
            w2: Float32[Tensor, "64 16"]) -> Float32[Tensor, "8 16"]:
    y = layer_{i}(a, w, b, w2)
    return softmax_{i}(y)
'''


def generate(lines: int) -> str:
    """A module of at least `lines` lines."""
    parts = [HEADER]
    i = 0
    while sum(p.count("\n") for p in parts) < lines:
        parts.append(TEMPLATE.format(i=i))
        i += 1
    return "".join(parts)


def write_config(folder: Path, with_plugin: bool) -> Path:
    cfg = folder / ("with.ini" if with_plugin else "without.ini")
    plugin = "plugins = typecheck.mypy_plugin\n" if with_plugin else ""
    cfg.write_text(f"[mypy]\n{plugin}cache_dir = {folder / ('c1' if with_plugin else 'c0')}\n")
    return cfg


def time_mypy(cfg: Path, target: Path, cold: bool) -> tuple[float, str]:
    cmd = [sys.executable, "-m", "mypy", "--config-file", str(cfg), str(target)]
    if cold:
        cmd.insert(3, "--no-incremental")
    else:
        target.write_text(target.read_text() + "\n")  # the module changed: recheck it
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - start
    return elapsed, (proc.stdout + proc.stderr).strip().splitlines()[-1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lines", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        target = folder / "generated_kernels.py"
        target.write_text(generate(args.lines))
        n_lines = target.read_text().count("\n")
        configs = {True: write_config(folder, True), False: write_config(folder, False)}
        results: dict[tuple[str, bool], float] = {}
        summaries: dict[bool, str] = {}
        for with_plugin, cfg in configs.items():
            time_mypy(cfg, target, cold=False)  # fill the dependency cache
        for mode in ("warm", "cold"):
            for with_plugin, cfg in configs.items():
                best = float("inf")
                for _ in range(args.repeat):
                    t, summary = time_mypy(cfg, target, cold=mode == "cold")
                    best = min(best, t)
                    summaries[with_plugin] = summary
                results[(mode, with_plugin)] = best
    print(f"generated file: {n_lines} lines; min of {args.repeat} runs each")
    if os.environ.get("PYTHONDONTWRITEBYTECODE"):
        print("note: PYTHONDONTWRITEBYTECODE is set, so the plugin's modules are compiled from "
              "source on every mypy run (about 0.03 s more than with .pyc files)")
    print(f"{'mode':6} {'no plugin (s)':>14} {'plugin (s)':>11} {'ratio':>7}  target <= 1.3x")
    for mode in ("warm", "cold"):
        base, plug = results[(mode, False)], results[(mode, True)]
        ratio = plug / base
        print(f"{mode:6} {base:14.2f} {plug:11.2f} {ratio:7.2f}x  "
              f"{'met' if ratio <= 1.3 else 'NOT met'}")
    print(f"mypy with plugin: {summaries[True]}")
    print(f"mypy without:     {summaries[False]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
