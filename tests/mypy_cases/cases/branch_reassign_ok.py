import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], mode: int) -> Float32[Tensor, "B N"]:
    if mode == 0:
        y = x * 2.0
    elif mode == 1:
        y = dsl.exp(x)
    else:
        y = x - dsl.max(x, axis=1, keepdims=True)
    reveal_type(y)  # R: float32 B N
    return y
