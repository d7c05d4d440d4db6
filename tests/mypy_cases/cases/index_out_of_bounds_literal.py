import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "4 N"]) -> None:
    reveal_type(x[3])  # R: float32 N
    reveal_type(x[-4])  # R: float32 N
    a = x[4]  # E: shape "index 4 is out of bounds for dim 0 of size 4"
    b = x[-5]  # E: shape "size 4"
