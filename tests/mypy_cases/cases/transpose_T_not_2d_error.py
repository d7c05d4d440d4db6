import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B M N"], v: Float32[Tensor, "N"]) -> None:
    a = x.T  # E: shape "(B M N)"
    b = v.T  # E: shape "(N)"
    reveal_type(dsl.matrix_transpose(x))  # R: float32 B N M
