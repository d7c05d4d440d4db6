import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def halve(x: Float32[Tensor, "B N"], flag: bool, count: int) -> Float32[Tensor, "B N"]:
    n = x.shape[0]
    reveal_type(dsl.zeros((n,)))  # R: float32 _
    if flag:
        n = 5  # a plain int may replace a dim-valued int
    n = count
    m = x.shape[0]
    while m > 1:
        m = m // 2
    # After the loop m is not B any more: the checker must not claim it is.
    y = x[:m]
    reveal_type(y)  # R: float32 _ N
    reveal_type(dsl.zeros((m, 2)))  # R: float32 _ 2
    return x


def helper(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "N"]:
    b, n = x.shape
    for _ in range(3):
        b = b // 2
    once = x.shape[1]
    reveal_type(dsl.zeros((b, once)))  # R: float32 _ N
    return dsl.zeros((n,))


@kernel
def prefix(x: Float32[Tensor, "B N"], n: int) -> Float32[Tensor, "B N"]:
    # A run-time length: the size is unknown, so it is not reported.
    return x[:n]
