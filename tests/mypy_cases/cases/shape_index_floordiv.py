import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

@kernel
def f(x: Float32[Tensor, "B N 4*D"], y: Float32[Tensor, "2*K"]) -> None:
    reveal_type(x.shape[0])  # R: int B
    reveal_type(x.shape[2])  # R: int 4*D
    reveal_type(x.shape[2] // 4)  # R: int D
    reveal_type(y.shape[0] // 2)  # R: int K
    reveal_type(x.shape[1] * 2 + 1)  # R: int 2*N+1
    reveal_type(x.shape[-1])  # R: int 4*D
