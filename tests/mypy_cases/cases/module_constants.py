import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

BLOCK = 128
HALF = BLOCK // 2
STEPS = 3
STEPS = 4

@kernel
def f(x: Float32[Tensor, "N D"], p: int) -> Float32[Tensor, "128 D"]:
    reveal_type(x[p:p + BLOCK])  # R: float32 128 D
    reveal_type(dsl.zeros((BLOCK, HALF)))  # R: float32 128 64
    reveal_type(dsl.zeros((STEPS,)))  # R: float32 _
    tile = x[p:p + HALF]
    return tile  # E: shape "(64 D) but the annotation says (128 D)"
