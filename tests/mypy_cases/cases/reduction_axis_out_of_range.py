import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    a = dsl.sum(x, axis=2)  # E: shape "axis 2 is out of range"
    b = dsl.max(x, axis=-3)  # E: shape "axis -3"
    c = dsl.mean(x, axis=(0, 5))  # E: shape "axis 5"
