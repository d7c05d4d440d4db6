import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return x

def g(h: Float16[Tensor, "4"], i: Int32[Tensor, "4"]) -> None:
    f(h)  # E: dtype "argument 'x' has dtype float16 but the annotation expects float32"
    f(i)  # E: dtype "int32"
    reveal_type(f(dsl.astype(h, dsl.float32)))  # R: float32 4
