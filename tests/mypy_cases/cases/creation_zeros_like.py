import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], i: Int32[Tensor, "*b K"]) -> None:
    reveal_type(dsl.zeros_like(x))  # R: float32 B N
    reveal_type(dsl.zeros_like(i))  # R: int32 *b K
    reveal_type(dsl.zeros_like(x, dtype=dsl.int8))  # R: int8 B N
    acc = dsl.zeros_like(x)
    acc = acc + x
    acc = acc + i  # E: dtype "float32 and int32"
