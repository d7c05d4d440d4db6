import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    reveal_type(dsl.full(x.shape, 1.5, dsl.float32))  # R: float32 B N
    reveal_type(dsl.full((3,), 7, dsl.int64))  # R: int64 3
    reveal_type(dsl.full((x.shape[1],), True, dsl.bool))  # R: bool N
    bad = dsl.full((3,), 0.5, dsl.int32)  # E: dtype "int32"
