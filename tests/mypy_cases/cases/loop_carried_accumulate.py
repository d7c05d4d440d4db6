import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "N"]:
    b, n = x.shape
    acc = dsl.zeros((n,), dsl.float32)
    for i in range(b):
        acc = acc + x[i]
        acc = dsl.maximum(acc, 0.0)
    reveal_type(acc)  # R: float32 N
    return acc
