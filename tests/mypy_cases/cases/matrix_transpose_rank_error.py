import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(v: Float32[Tensor, "N"], x: Float32[Tensor, "*b N"]) -> None:
    a = dsl.matrix_transpose(v)  # E: shape "(N)"
