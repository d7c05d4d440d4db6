import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "A N"], b: Float32[Tensor, "A M"], v: Float32[Tensor, "N"]) -> None:
    x = dsl.concat([a, b], axis=0)  # E: shape "(A M)"
    reveal_type(dsl.concat([a, b], axis=1))  # R: float32 A M+N
    y = dsl.concat([a, v], axis=0)  # E: shape "rank"
    z = dsl.concat([a, b], axis=2)  # E: shape "out of range"
