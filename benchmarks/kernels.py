"""Kernels timed by `benchmarks/compiler.py` (kernels are compiled from their source file)."""

import sys
from pathlib import Path

from dsl import Tensor, kernel
from jaxtyping import Float32

# softmax and layernorm are the examples' own kernels (the examples folder is not a package).
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
from layernorm import layernorm  # noqa: E402
from mlp import gelu  # noqa: E402
from softmax import softmax  # noqa: E402

__all__ = ["affine", "gelu_affine", "layernorm", "matmul", "softmax"]


@kernel
def gelu_affine(x: Float32[Tensor, "N"], w: Float32[Tensor, "N"],
                b: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    """gelu(x * w + b) with the examples' gelu (inlined into this kernel)."""
    return gelu(x * w + b)


@kernel
def matmul(a: Float32[Tensor, "M K"], b: Float32[Tensor, "K N"]) -> Float32[Tensor, "M N"]:
    """a @ b."""
    return a @ b


@kernel
def affine(x: Float32[Tensor, "N"], w: Float32[Tensor, "N"],
           b: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    """x * w + b (for per-call overhead on tiny inputs)."""
    return x * w + b
