import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

import jaxtyping

@kernel
def f(x: Float32[Tensor, "B N"], y: jaxtyping.Float32[Tensor, "N M"]) -> jaxtyping.Float32[dsl.Tensor, "B M"]:
    reveal_type(x)  # R: float32 B N
    reveal_type(y)  # R: float32 N M
    return x @ y

@kernel
def g(x: Float32[Tensor, "B N"], y: jaxtyping.Float32[Tensor, "M N"]) -> jaxtyping.Float32[dsl.Tensor, "B M"]:
    return x @ y  # E: shape "contraction dims differ: N vs M"
