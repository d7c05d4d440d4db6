import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], h: Float16[Tensor, "N"]) -> None:
    reveal_type(dsl.exp(x))  # R: float32 B N
    reveal_type(dsl.log(x))  # R: float32 B N
    reveal_type(dsl.sqrt(x))  # R: float32 B N
    reveal_type(dsl.sin(x))  # R: float32 B N
    reveal_type(dsl.cos(x))  # R: float32 B N
    reveal_type(dsl.tanh(x))  # R: float32 B N
    reveal_type(dsl.sigmoid(x))  # R: float32 B N
    reveal_type(dsl.rsqrt(x))  # R: float32 B N
    reveal_type(dsl.erf(h))  # R: float16 N
