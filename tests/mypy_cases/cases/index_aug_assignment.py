import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32, Int32


@kernel
def f(out: Float32[Tensor, "B N"], x: Float32[Tensor, "B N"], i: Int32[Tensor, "N"], p: int) -> None:
    out[0] += x[0]
    out[p:p + 2] *= 0.5
    out[:, 0] -= x[:, 1]
    out[0] += x  # E: shape "value of shape (B N) to a slice of shape (N)"
    out[0] += i  # E: dtype "float32 and int32"
