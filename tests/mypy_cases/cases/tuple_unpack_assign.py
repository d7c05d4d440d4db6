import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], y: Float32[Tensor, "N"]) -> None:
    a, b = x, y
    reveal_type(a)  # R: float32 B N
    reveal_type(b)  # R: float32 N
    a = b  # E: shape "variable 'a' has shape (B N) but is assigned shape (N)"
    rows, cols = x.shape
    reveal_type(rows)  # R: int B
    reveal_type(cols)  # R: int N
