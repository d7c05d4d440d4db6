import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(a: Float32[Tensor, "2 M K"], b: Float32[Tensor, "3 K N"]) -> None:
    c = a @ b  # E: shape "(2 M K) and (3 K N)"
    d = a[0] @ b
    reveal_type(d)  # R: float32 3 M N
