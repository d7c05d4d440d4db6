import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "10 8"]) -> None:
    reveal_type(x[2:5])  # R: float32 3 8
    reveal_type(x[::3])  # R: float32 4 8
    reveal_type(x[-3:])  # R: float32 3 8
    reveal_type(x[5:100, 6:2])  # R: float32 5 0
    reveal_type(x[1:9:2, ::-1])  # R: float32 4 8
