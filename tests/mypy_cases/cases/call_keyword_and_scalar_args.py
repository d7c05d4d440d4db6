import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def scale(x: Float32[Tensor, "N"], factor: float, *, out: Float32[Tensor, "N"]) -> None:
    out[:] = x * factor

def g(a: Float32[Tensor, "4"], b: Float32[Tensor, "4"], c: Float32[Tensor, "5"]) -> None:
    scale(a, 2.0, out=b)
    scale(a, 2.0, out=c)  # E: shape "argument 'out'"
    scale(factor=1.0, x=c, out=c)
