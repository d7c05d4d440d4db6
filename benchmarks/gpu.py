"""Compiled CUDA kernels against torch on one GPU, with the issue's targets.

    .venv/bin/python benchmarks/gpu.py                # compile (needs MLIR) and run (needs a GPU)
    .venv/bin/python benchmarks/gpu.py --build DIR    # here: compile every kernel into DIR
    python benchmarks/gpu.py --run DIR                # GPU machine, no MLIR: run DIR's kernels

Rows (ours next to torch, each timed with CUDA events: warm-ups, then the median of runs):
- gelu(x * w + b), 64M float32 (fused elementwise chain, 16 bytes per element) against a
  torch copy of the same number of bytes (target: >= 85% of the copy's bandwidth);
- softmax 8192 x 4096 float32 (target: >= 70% of copy bandwidth); layernorm 8192 x 4096;
- matmul 4096^3 in float16, bfloat16 and float32 (TFLOP/s; torch without TF32);
- the launch overhead of one call from Python (x * w + b on 4 elements; target <= 5 us).
"max diff" is the largest absolute difference from torch's result. Without a GPU the script
says so and exits 0. `--build` writes `<name>.so` and `<name>.abi.json` per kernel; `--run`
loads them with `dsl._runtime.cuda_call.load_cuda_kernel` (no compiler needed).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import ml_dtypes
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
for _p in (ROOT, ROOT / "benchmarks"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

from dsl import BFloat16, Float16, Float32, Tensor, kernel  # noqa: E402
from kernels import affine, gelu_affine, layernorm, matmul, softmax  # noqa: E402


@kernel
def matmul_f16(a: Float16[Tensor, "M K"], b: Float16[Tensor, "K N"]) -> Float16[Tensor, "M N"]:
    """a @ b in float16."""
    return a @ b


@kernel
def matmul_bf16(a: BFloat16[Tensor, "M K"], b: BFloat16[Tensor, "K N"]
                ) -> BFloat16[Tensor, "M N"]:
    """a @ b in bfloat16."""
    return a @ b


def _examples(dtype: Any, *shapes: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    return tuple(np.zeros(s, dtype) for s in shapes)


F32, F16, BF16 = np.dtype(np.float32), np.dtype(np.float16), np.dtype(ml_dtypes.bfloat16)
# name -> (kernel, numpy example arguments: they select the specialisation)
KERNELS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "gelu_affine": (gelu_affine, _examples(F32, (4,), (4,), (4,))),
    "softmax": (softmax, _examples(F32, (2, 4))),
    "layernorm": (layernorm, _examples(F32, (2, 4), (4,), (4,))),
    "matmul_f32": (matmul, _examples(F32, (2, 2), (2, 2))),
    "matmul_f16": (matmul_f16, _examples(F16, (2, 2), (2, 2))),
    "matmul_bf16": (matmul_bf16, _examples(BF16, (2, 2), (2, 2))),
    "affine": (affine, _examples(F32, (4,), (4,), (4,))),
}


def build(folder: Path) -> None:
    """Compile every kernel for CUDA into `folder` (no GPU needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, (k, args) in KERNELS.items():
        t0 = time.perf_counter()
        compiled = k.compile(*args, target="cuda")
        shutil.copyfile(compiled._loaded.so_path, folder / f"{name}.so")
        (folder / f"{name}.abi.json").write_text(compiled.abi.to_json())
        print(f"built {name:12s} in {time.perf_counter() - t0:5.1f} s")


def load(folder: Path | None) -> dict[str, Callable[..., Any]]:
    """The callables: precompiled from `folder`, or compiled here."""
    if folder is None:
        return {name: k.compile(*args, target="cuda") for name, (k, args) in KERNELS.items()}
    from dsl._runtime.abi import KernelABI
    from dsl._runtime.cuda_call import load_cuda_kernel
    return {name: load_cuda_kernel(folder / f"{name}.so",
                                   KernelABI.from_json((folder / f"{name}.abi.json").read_text()))
            for name in KERNELS}


def cuda_time(torch: Any, fn: Callable[[], Any], runs: int = 20, warmup: int = 3) -> float:
    """The median time of one call of `fn` on the GPU, in seconds (CUDA events)."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        fn()
        end.record()
        end.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return float(statistics.median(times))


def _diff(torch: Any, got: Any, want: Any) -> float:
    return float((got.float() - want.float()).abs().max().item())


def _row(label: str, ours: float, theirs: float, unit: str, amount: float, diff: float,
         note: str = "") -> None:
    print(f"{label:34s} ours {amount / ours / 1e9 if unit == 'GB/s' else amount / ours / 1e12:8.1f}"
          f" {unit:7s} torch {amount / theirs / 1e9 if unit == 'GB/s' else amount / theirs / 1e12:8.1f}"
          f" {unit:7s} ({ours * 1e3:7.3f} ms vs {theirs * 1e3:7.3f} ms)  max diff {diff:.1e}"
          f"  {note}")


def bandwidth_rows(torch: Any, k: dict[str, Callable[..., Any]]) -> None:
    n = 64 * 2 ** 20
    x, w, b = (torch.randn(n, device="cuda") for _ in range(3))
    src, dst = torch.randn(2 * n, device="cuda"), torch.empty(2 * n, device="cuda")
    copy = cuda_time(torch, lambda: dst.copy_(src))
    copy_bw = 16 * n / copy
    print(f"{'copy of 16 bytes x 64M (torch)':34s} {copy_bw / 1e9:8.1f} GB/s")

    def torch_gelu() -> Any:
        return torch.nn.functional.gelu(x * w + b, approximate="tanh")
    ours = cuda_time(torch, lambda: k["gelu_affine"](x, w, b))
    diff = _diff(torch, k["gelu_affine"](x, w, b), torch_gelu())
    _row("gelu(x*w+b) 64M f32", ours, cuda_time(torch, torch_gelu), "GB/s", 16 * n, diff,
         f"{16 * n / ours / copy_bw:.0%} of copy (target 85%)")
    rows, cols = 8192, 4096
    xs = torch.randn(rows, cols, device="cuda")
    g, beta = torch.randn(cols, device="cuda"), torch.randn(cols, device="cuda")
    moved = 2 * 4 * rows * cols
    ours = cuda_time(torch, lambda: k["softmax"](xs))
    diff = _diff(torch, k["softmax"](xs), torch.softmax(xs, dim=1))
    _row("softmax 8192x4096 f32", ours, cuda_time(torch, lambda: torch.softmax(xs, dim=1)),
         "GB/s", moved, diff, f"{moved / ours / copy_bw:.0%} of copy (target 70%)")

    def torch_ln() -> Any:
        return torch.nn.functional.layer_norm(xs, (cols,), g, beta, eps=1e-5)
    ours = cuda_time(torch, lambda: k["layernorm"](xs, g, beta))
    diff = _diff(torch, k["layernorm"](xs, g, beta), torch_ln())
    _row("layernorm 8192x4096 f32", ours, cuda_time(torch, torch_ln), "GB/s", moved, diff,
         f"{moved / ours / copy_bw:.0%} of copy")


def matmul_rows(torch: Any, k: dict[str, Callable[..., Any]]) -> None:
    torch.backends.cuda.matmul.allow_tf32 = False
    size = 4096
    flops = 2.0 * size ** 3
    for name, dtype in (("matmul_f16", torch.float16), ("matmul_bf16", torch.bfloat16),
                        ("matmul_f32", torch.float32)):
        a = torch.randn(size, size, device="cuda").to(dtype)
        b = torch.randn(size, size, device="cuda").to(dtype)
        ours = cuda_time(torch, lambda: k[name](a, b), runs=5, warmup=1)
        diff = _diff(torch, k[name](a, b), a @ b) / size ** 0.5
        _row(f"{name} 4096^3", ours, cuda_time(torch, lambda: a @ b, runs=5, warmup=1),
             "TFLOP/s", flops, diff, "(diff / sqrt(K))")


def launch_overhead(torch: Any, k: dict[str, Callable[..., Any]], dispatch: bool) -> None:
    """Per call from Python: the compiled kernel, the `@kernel` call that finds it (compiled
    here, or with --run from the cache in $SHAPEKIT_CACHE_DIR), torch's two operations."""
    from dsl import DeviceError
    x, w, b = (torch.ones(4, device="cuda") for _ in range(3))
    fn = k["affine"]
    calls: list[tuple[str, Callable[[], Any]]] = [("ours", lambda: fn(x, w, b))]
    try:
        if dispatch:
            affine(x, w, b)
            calls.append(("ours via @kernel", lambda: affine(x, w, b)))
    except DeviceError as exc:  # --run without the kernel in the cache (and no compiler)
        print(f"launch overhead via @kernel: not measured ({exc})")
    calls.append(("torch", lambda: x * w + b))
    for name, call in calls:
        for _ in range(100):
            call()
        torch.cuda.synchronize()
        n = 5000
        t0 = time.perf_counter()
        for _ in range(n):
            call()
        torch.cuda.synchronize()
        per = (time.perf_counter() - t0) / n * 1e6
        target = " (target <= 5 us)" if name == "ours" else ""
        print(f"launch overhead x*w+b on 4 elements, {name:16s}: {per:6.2f} us per call"
              f"{target}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, help="compile the kernels into this folder")
    parser.add_argument("--run", type=Path, help="run the kernels precompiled in this folder")
    opts = parser.parse_args()
    if opts.build is not None:
        build(opts.build)
        return 0
    try:
        import torch  # type: ignore[import-not-found, unused-ignore]
    except ImportError:
        print("benchmarks/gpu.py: torch is not installed; nothing to run")
        return 0
    if not torch.cuda.is_available():
        print("benchmarks/gpu.py: no CUDA device; nothing to run")
        return 0
    print(f"device: {torch.cuda.get_device_name()}  torch {torch.__version__}")
    kernels = load(opts.run)
    bandwidth_rows(torch, kernels)
    matmul_rows(torch, kernels)
    launch_overhead(torch, kernels, True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
