import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    b, n = x.shape
    z = dsl.zeros((b, n), dsl.float32)
    reveal_type(z)  # R: float32 B N
    reveal_type(dsl.ones((4, 8), dsl.int32))  # R: int32 4 8
    reveal_type(dsl.zeros((n,), dtype=dsl.float16))  # R: float16 N
    reveal_type(dsl.ones((b, 2 * n)))  # R: float32 B 2*N
    reveal_type(dsl.zeros(n, dsl.bool))  # R: bool N
    return z + x
