import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N D"], lo: int, hi: int) -> None:
    reveal_type(x[2:6])  # R: float32 4 D
    reveal_type(x[:, 1:])  # R: float32 N D-1
    reveal_type(x[1:-1])  # R: float32 N-2 D
    reveal_type(x[::2])  # R: float32 (N+1)//2 D
    reveal_type(x[lo:hi])  # R: float32 _ D
    reveal_type(x[lo:])  # R: float32 _ D
