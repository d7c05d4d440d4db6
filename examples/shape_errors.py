"""Deliberate mistakes: `python examples/quickstart.py` shows what the checker reports here.

This file is kept out of the clean mypy run of `examples/` (see `[tool.mypy] exclude`).
"""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32, Int32


@kernel
def wrong_contraction(x: Float32[Tensor, "B N"], w: Float32[Tensor, "M K"]
                      ) -> Float32[Tensor, "B K"]:
    return x @ w                                   # N and M differ


@kernel
def wrong_return(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    return dsl.sum(x, axis=1)                      # the result is (B), not (B N)


@kernel
def mixed_dtypes(x: Float32[Tensor, "N"], i: Int32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return x + i                                   # int and float tensors need dsl.astype


@kernel
def bad_reshape(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N 2"]:
    return dsl.reshape(x, (x.shape[0], x.shape[1], 2))   # B*N elements cannot become B*N*2


@kernel
def loop_changes_shape(x: Float32[Tensor, "B N"], w: Float32[Tensor, "N M"],
                       steps: int) -> Float32[Tensor, "B N"]:
    for _ in range(steps):
        x = x @ w                                  # x would change from (B N) to (B M)
    return x


@kernel
def trailing_broadcast(x: Float32[Tensor, "B N"], b: Float32[Tensor, "B"]
                       ) -> Float32[Tensor, "B N"]:
    return x + b                                   # trailing dims N and B do not broadcast


@kernel
def heads(x: Float32[Tensor, "B L 4*D"]) -> Float32[Tensor, "B L 4 D"]:
    return dsl.reshape(x, (x.shape[0], x.shape[1], 4, x.shape[2] // 4))


def caller(a: Float32[Tensor, "2 10"]) -> None:
    heads(a)                                       # rank 2 given where rank 3 is expected


def malformed(x: Float32[Tensor, "B  N+"]) -> None:  # bad dim string
    pass
