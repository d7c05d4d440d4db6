import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> Int32[Tensor, "N"]:
    reveal_type(dsl.arange(x.shape[1]))  # R: int64 N
    reveal_type(dsl.arange(16, dsl.int32))  # R: int32 16
    reveal_type(dsl.arange(x.shape[0] * 2, dsl.float32))  # R: float32 2*B
    return dsl.arange(x.shape[1], dsl.int32)
