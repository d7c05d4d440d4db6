import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def add_into(x: Float32[Tensor, "N"], y: Float32[Tensor, "N"], out: Float32[Tensor, "N"]) -> None:
    out[:] = x + y

@kernel
def g(a: Float32[Tensor, "8"], b: Float32[Tensor, "8"], c: Float32[Tensor, "8"], d: Float32[Tensor, "4"]) -> None:
    add_into(a, b, c)
    add_into(a, b, d)  # E: shape "argument 'out'"
