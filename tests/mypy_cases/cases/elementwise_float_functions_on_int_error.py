import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(i: Int32[Tensor, "N"], j: Int64[Tensor, "N"]) -> None:
    a = dsl.exp(i)  # E: dtype "int32"
    b = dsl.sqrt(j)  # E: dtype "int64"
    c = dsl.sigmoid(i)  # E: dtype "int32"
    d = dsl.rsqrt(i)  # E: dtype "int32"
    e = dsl.erf(j)  # E: dtype "int64"
    reveal_type(dsl.tanh(dsl.astype(i, dsl.float64)))  # R: float64 N
