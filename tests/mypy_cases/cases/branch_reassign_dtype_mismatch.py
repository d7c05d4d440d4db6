import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "N"], flag: bool) -> None:
    if flag:
        y = x
    else:
        y = dsl.astype(x, dsl.float16)  # E: dtype "float32 but is assigned float16"
