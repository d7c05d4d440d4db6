import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(i: Int32[Tensor, "B N"], m: Bool[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    x = dsl.astype(i, dsl.float32)
    reveal_type(x)  # R: float32 B N
    reveal_type(dsl.astype(m, dsl.int8))  # R: int8 N
    reveal_type(dsl.astype(x, dsl.bfloat16))  # R: bfloat16 B N
    reveal_type(dsl.astype(x, dsl.bool))  # R: bool B N
    reveal_type(dsl.astype(x, dsl.int64))  # R: int64 B N
    return x / 2.0
