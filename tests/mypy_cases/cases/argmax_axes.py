import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Int64[Tensor, "B"]:
    reveal_type(dsl.argmax(x, axis=1))  # R: int64 B
    reveal_type(dsl.argmax(x, axis=-2))  # R: int64 N
    reveal_type(dsl.argmax(x))  # R: int64
    reveal_type(dsl.argmax(x, axis=1, keepdims=True))  # R: int64 B 1
    return dsl.argmax(x, axis=-1)
