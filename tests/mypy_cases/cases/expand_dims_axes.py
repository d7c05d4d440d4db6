import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B 1 N"]:
    reveal_type(dsl.expand_dims(x, axis=0))  # R: float32 1 B N
    reveal_type(dsl.expand_dims(x, axis=2))  # R: float32 B N 1
    reveal_type(dsl.expand_dims(x, axis=-1))  # R: float32 B N 1
    reveal_type(dsl.expand_dims(x))  # R: float32 1 B N
    return dsl.expand_dims(x, axis=1)
