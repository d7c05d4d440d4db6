import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"], m: Bool[Tensor, "N"]) -> None:
    a = m * x  # E: dtype "bool"
    b = m + 1.0  # E: dtype "bool"
    c = dsl.exp(m)  # E: dtype "bool"
    d = dsl.where(m, x, 0.0)
    reveal_type(d)  # R: float32 N
    e = x * dsl.astype(m, dsl.float32)
    reveal_type(e)  # R: float32 N
    g = m + m  # E: dtype "bool"
    h = -m  # E: dtype "bool"
    reveal_type(m & (x > 0.0))  # R: bool N
