import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"], t: float) -> None:
    # mypy itself also rejects a float index (code index).
    a = x[t]  # E: dtype "float" index
