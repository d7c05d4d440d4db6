import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def linear(x: Float32[Tensor, "B K"], w: Float32[Tensor, "K N"]) -> Float32[Tensor, "B N"]:
    return x @ w

def g(a: Float32[Tensor, "8 16"], b: Float32[Tensor, "16 4"], p: Float32[Tensor, "T D"], q: Float32[Tensor, "D E"]) -> None:
    reveal_type(linear(a, b))  # R: float32 8 4
    reveal_type(linear(p, q))  # R: float32 T E
    reveal_type(linear(w=q, x=p))  # R: float32 T E
    reveal_type(linear(p, dsl.zeros((p.shape[1], 3), dsl.float32)))  # R: float32 T 3
