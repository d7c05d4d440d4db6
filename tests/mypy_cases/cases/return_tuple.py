import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def stats(x: Float32[Tensor, "B N"]) -> tuple[Float32[Tensor, "B"], Float32[Tensor, "B"]]:
    return dsl.mean(x, axis=1), dsl.max(x, axis=1)

def g(a: Float32[Tensor, "4 16"]) -> None:
    m, s = stats(a)
    reveal_type(m)  # R: float32 4
    reveal_type(s)  # R: float32 4
    reveal_type(stats(a)[0])  # R: float32 4
