import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "M N"], flag: bool) -> Float32[Tensor, "M N"]:
    if flag:
        y = x
    else:
        y = x.T  # E: shape "variable 'y' has shape (M N) but is assigned shape (N M)"
    return y
