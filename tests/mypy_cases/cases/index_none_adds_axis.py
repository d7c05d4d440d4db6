import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    reveal_type(x[None])  # R: float32 1 B N
    reveal_type(x[:, None])  # R: float32 B 1 N
    reveal_type(x[..., None])  # R: float32 B N 1

@kernel
def g(x: Float32[Tensor, "*b N"]) -> None:
    reveal_type(x[..., None])  # R: float32 *b N 1
    reveal_type(x[..., None, 0])  # R: float32 *b 1
