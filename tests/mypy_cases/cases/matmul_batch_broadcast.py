import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(q: Float32[Tensor, "B 1 T D"], k: Float32[Tensor, "H D S"], w: Float32[Tensor, "D E"]) -> None:
    reveal_type(q @ k)  # R: float32 B H T S
    reveal_type(q @ w)  # R: float32 B 1 T E
    reveal_type(w.T @ k)  # R: float32 H E S
