import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "B N"], b: Float32[Tensor, "N B"]) -> None:
    x = dsl.stack([a, b])  # E: shape "tensor 1 has shape (N B) but tensor 0 has (B N)"
    y = dsl.stack([a, a], axis=3)  # E: shape "out of range"
