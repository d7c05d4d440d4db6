import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B T 4*D"]) -> Float32[Tensor, "B 4 T D"]:
    d = x.shape[2] // 4
    reveal_type(d)  # R: int D
    h = dsl.reshape(x, (x.shape[0], x.shape[1], 4, d))
    reveal_type(h)  # R: float32 B T 4 D
    return dsl.permute_dims(h, (0, 2, 1, 3))
