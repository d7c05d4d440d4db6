import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


def first(x: Float32[Tensor, "M N"]) -> Float32[Tensor, "N+2*M"]:
    return dsl.concat([x[0], x[:, 0], x[:, 0]])


def swap(x: Float32[Tensor, "*b M N"]) -> Float32[Tensor, "*b N M"]:
    return dsl.matrix_transpose(x)


@kernel
def k(x: Float32[Tensor, "N M"], y: Float32[Tensor, "*b N M"]) -> None:
    # The callee's M and N bind to the caller's N and M at the same time.
    reveal_type(first(x))  # R: float32 M+2*N
    reveal_type(swap(y))  # R: float32 *b M N
    reveal_type(swap(swap(y)))  # R: float32 *b N M
    s = swap(swap(y))
    s = swap(y)  # E: shape "variable 's' has shape (*b N M) but is assigned shape (*b M N)"
