import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"], w: Float32[Tensor, "N N"], limit: float) -> Float32[Tensor, "N"]:
    y = x
    i = 0
    while i < 10:
        i += 1
        if i % 2 == 0:
            continue
        y = w @ y
        if dsl.max(y) > limit:
            break
        y = dsl.sum(w, axis=0)
        y = dsl.sum(w, axis=None)  # E: shape "(N) but is assigned shape ()"
    return y
