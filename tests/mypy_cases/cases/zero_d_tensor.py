import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(s: Float32[Tensor, ""], x: Float32[Tensor, "B N"]) -> Float32[Tensor, ""]:
    reveal_type(s)  # R: float32
    reveal_type(s * x)  # R: float32 B N
    reveal_type(dsl.expand_dims(s, axis=0))  # R: float32 1
    reveal_type(x[0, 0])  # R: float32
    reveal_type(dsl.reshape(s, (1, 1)))  # R: float32 1 1
    t = s[0]  # E: shape "too many indices"
    return dsl.sum(x) + s
