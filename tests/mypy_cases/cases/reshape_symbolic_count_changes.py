import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    b, n = x.shape
    ok = dsl.reshape(x, (n, b))
    bad = dsl.reshape(x, (b, n + 1))  # E: shape "changes the element count"
    bad2 = dsl.reshape(x, (b * n * 2,))  # E: shape "(B N)"
