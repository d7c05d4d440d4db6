import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "M K"], v: Float32[Tensor, "K"], u: Float32[Tensor, "M"]) -> None:
    reveal_type(a @ v)  # R: float32 M
    reveal_type(u @ a)  # R: float32 K
    reveal_type(v @ v)  # R: float32
    reveal_type(dsl.matmul(u, u))  # R: float32
    bad = v @ a  # E: shape "(K) and (M K)"
    bad2 = a @ u  # E: shape "(M K) and (M)"
