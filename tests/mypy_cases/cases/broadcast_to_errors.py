import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    a = dsl.broadcast_to(x, (x.shape[0], 3))  # E: shape "(B N) does not broadcast to (B 3)"
    b = dsl.broadcast_to(x, (4,))  # E: shape "more dims"
