# KNOWN GAP: a list of tensors held in a variable (`parts = [a, b]`) has mypy type
# `list[Tensor[...]]`, whose element type is a join of the shapes; the operation hooks only
# see that type, so `dsl.concat(parts)` has an unknown shape (the kernel-body evaluator does
# know it, so returns and assignments are still checked). Passing the list literal works.
import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def f(a: Float32[Tensor, "A N"], b: Float32[Tensor, "B N"]) -> None:
    reveal_type(dsl.concat([a, b], axis=0))  # R: float32 A+B N
    parts = [a, b]
    reveal_type(dsl.concat(parts, axis=0))  # R: float32 A+B N
