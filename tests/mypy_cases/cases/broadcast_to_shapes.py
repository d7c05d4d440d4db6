import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "1 N"], v: Float32[Tensor, "N"]) -> Float32[Tensor, "B N"]:
    reveal_type(dsl.broadcast_to(x, (4, x.shape[1])))  # R: float32 4 N
    reveal_type(dsl.broadcast_to(v, (2, 3, v.shape[0])))  # R: float32 2 3 N
    # B appears only in the return annotation: the body decides it (here 8).
    return dsl.broadcast_to(x, (8, x.shape[1]))
