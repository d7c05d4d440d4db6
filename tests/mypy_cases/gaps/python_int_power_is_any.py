# KNOWN GAP: typeshed types `int ** float` and `float ** float` as `Any` (the result may be
# complex), and mypy never calls the plugin for an operator with an `Any` operand, so
# `x / (n ** 0.5)` for a plain `int` n is `Any` and everything computed from it is unchecked.
# (`x.shape[i] ** 0.5` is fine: the `SymInt` stub types it as float.)
import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def f(x: Float32[Tensor, "B N"], n: int) -> None:
    reveal_type(x / (x.shape[1] ** 0.5))  # R: float32 B N
    reveal_type(x / (n ** 0.5))  # R: float32 B N
    y = x / (n ** 0.5)
    z = y + x.T  # E: shape "(B N) and (N B)"
