import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B T 4*D"], w: Float32[Tensor, "4*D 4*D"]) -> Float32[Tensor, "B 4 T D"]:
    y = x @ w
    reveal_type(y)  # R: float32 B T 4*D
    b, t, e = y.shape
    d = e // 4
    reveal_type(d)  # R: int D
    heads = dsl.reshape(y, (b, t, 4, d))
    reveal_type(heads)  # R: float32 B T 4 D
    bad = dsl.reshape(y, (b, t, 4, e))  # E: shape "changes the element count"
    return dsl.permute_dims(heads, (0, 2, 1, 3))
