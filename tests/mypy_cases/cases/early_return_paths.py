import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], flag: bool) -> Float32[Tensor, "B N"]:
    if flag:
        return x
    for i in range(3):
        if i == 1:
            return x * 2.0
    if dsl.sum(x) > 0.0:
        return x.T  # E: shape "(N B) but the annotation says (B N)"
    return dsl.exp(x)
