import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Int32[Tensor, "N"], steps: int) -> Int32[Tensor, "N"]:
    acc = dsl.zeros_like(x)
    for _ in range(steps):
        acc = acc * 2 + x
        acc = dsl.astype(acc, dsl.float32)  # E: dtype "variable 'acc' has dtype int32 but is assigned float32"
    return acc
