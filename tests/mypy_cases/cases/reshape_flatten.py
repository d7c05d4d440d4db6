import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B*N"]:
    b, n = x.shape
    y = dsl.reshape(x, (b * n,))
    reveal_type(y)  # R: float32 B*N
    reveal_type(dsl.reshape(x, (x.shape[0], x.shape[1], 1)))  # R: float32 B N 1
    reveal_type(dsl.reshape(x, (n, b)))  # R: float32 N B
    return y
