import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "M K"], i: Int32[Tensor, "K N"], m: Bool[Tensor, "K N"], h: Float16[Tensor, "K N"]) -> None:
    a = x @ i  # E: dtype "float32 and int32"
    b = m.T @ m  # E: dtype "bool"
    reveal_type(x @ h)  # R: float32 M N
