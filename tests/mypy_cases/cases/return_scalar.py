import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def rows(x: Float32[Tensor, "B N"]) -> int:
    return x.shape[0]

@kernel
def total(x: Float32[Tensor, "B N"]) -> float:
    return float(dsl.sum(x))

def g(a: Float32[Tensor, "4 16"]) -> None:
    reveal_type(rows(a))  # R: int
    reveal_type(total(a))  # R: float
