import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"], y: Float32[Tensor, "N"], m: Bool[Tensor, "M"]) -> None:
    a = x & y  # E: dtype "float32"
    b = ~x  # E: dtype "float32"
    c = (x > y) | m  # E: shape "(N) and (M)"
