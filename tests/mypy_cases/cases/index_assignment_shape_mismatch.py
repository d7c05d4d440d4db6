import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], out: Float32[Tensor, "B N"], v: Float32[Tensor, "M"], p: int) -> None:
    out[p:p + 4] = x[0:3]  # E: shape "value of shape (3 N) to a slice of shape (4 N)"
    out[0] = v  # E: shape "(M)"
    out[:, 0] = x[0]  # E: shape "(N) to a slice of shape (B)"
