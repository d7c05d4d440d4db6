import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    z = dsl.zeros((x.shape[1], x.shape[0]), dsl.float32)
    y = x + z  # E: shape "(B N) and (N B)"
    w = dsl.zeros((x.shape[0], x.shape[1]), dsl.int32)
    v = x + w  # E: dtype "float32 and int32"
    return z  # E: shape "(N B)"
