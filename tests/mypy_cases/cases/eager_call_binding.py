import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "N B"]:
    return x.T

def g(a: Float32[Tensor, "3 4"], b: Float16[Tensor, "3 4"]) -> None:
    reveal_type(f(a))  # R: float32 4 3
    reveal_type(dsl.eager(f)(a))  # R: float32 4 3
    dsl.eager(f)(b)  # E: dtype "float16"
