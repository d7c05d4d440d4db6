import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def stats(x: Float32[Tensor, "B N"]) -> tuple[Float32[Tensor, "B"], Int64[Tensor, "B"]]:
    if dsl.sum(x) > 0.0:
        return dsl.mean(x, axis=1), dsl.max(x, axis=1)  # E: dtype "return value 1 has dtype float32"
    return dsl.mean(x, axis=0), dsl.argmax(x, axis=1)  # E: shape "return value 0 has shape (N) but the annotation says (B)"
