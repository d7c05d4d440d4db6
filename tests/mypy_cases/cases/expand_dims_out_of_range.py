import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    a = dsl.expand_dims(x, axis=3)  # E: shape "out of range"
    b = dsl.expand_dims(x, axis=-4)  # E: shape "out of range"
