import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float16[Tensor, "B N"], i: Int32[Tensor, "B N"], m: Bool[Tensor, "N"]) -> None:
    reveal_type(dsl.sum(x, axis=1))  # R: float16 B
    reveal_type(dsl.max(i, axis=1))  # R: int32 B
    reveal_type(dsl.min(i))  # R: int32
    reveal_type(dsl.sum(i, axis=0))  # R: int64 N
    reveal_type(dsl.sum(m))  # R: int64
    a = dsl.mean(i, axis=1)  # E: dtype "int32"
    reveal_type(dsl.mean(dsl.astype(i, dsl.float32), axis=1))  # R: float32 B
