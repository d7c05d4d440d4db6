import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "A N"], b: Float32[Tensor, "B N"]) -> Float32[Tensor, "A+B N"]:
    reveal_type(dsl.concat([a, b], axis=0))  # R: float32 A+B N
    reveal_type(dsl.concat((a, a, a)))  # R: float32 3*A N
    reveal_type(dsl.concat([a.T, b.T], axis=-1))  # R: float32 N A+B
    reveal_type(dsl.concat([a, b], axis=None))  # R: float32 A*N+B*N
    return dsl.concat([a, b], axis=0)
