import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "A B C"]) -> Float32[Tensor, "C A B"]:
    reveal_type(dsl.permute_dims(x, (2, 0, 1)))  # R: float32 C A B
    reveal_type(dsl.permute_dims(x, (0, 2, 1)))  # R: float32 A C B
    reveal_type(dsl.permute_dims(x, (-1, 0, 1)))  # R: float32 C A B
    return dsl.permute_dims(x, (2, 0, 1))
