import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

from dsl import Float32 as F32, Int64 as I64

@kernel
def f(x: dsl.Float32[dsl.Tensor, "B N"], y: F32[Tensor, "N"], i: dsl.Int32[Tensor, "B"]) -> I64[Tensor, "B"]:
    reveal_type(x)  # R: float32 B N
    reveal_type(y)  # R: float32 N
    reveal_type(i)  # R: int32 B
    z = x + i  # E: dtype "float32 and int32"
    return dsl.argmax(x + y, axis=1)
