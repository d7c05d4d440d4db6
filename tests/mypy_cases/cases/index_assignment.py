import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], out: Float32[Tensor, "B N"], p: int) -> None:
    out[0] = x[0] * 2.0
    out[:, 0] = x[:, 1]
    out[p] = 0.0
    out[p:p + 4] = x[0:4]
    out[...] = x
    out[:, :] = x[0]
    out[1:3, 0] = 1
