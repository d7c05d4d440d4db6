import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B 4*D"], y: Float32[Tensor, "6 4"]) -> None:
    reveal_type(dsl.reshape(x, (-1,)))  # R: float32 4*B*D
    reveal_type(dsl.reshape(x, (x.shape[0], 4, -1)))  # R: float32 B 4 D
    reveal_type(dsl.reshape(y, (-1, 8)))  # R: float32 3 8
    bad = dsl.reshape(y, (-1, 5))  # E: shape "24 elements"
    two = dsl.reshape(y, (-1, -1))  # E: shape "-1"
