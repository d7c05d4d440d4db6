import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float16[Tensor, "B N"]:
    return x  # E: dtype "the return value has dtype float32 but the annotation says float16"

@kernel
def g(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    return x > 0.0  # E: dtype "bool but the annotation says float32"
