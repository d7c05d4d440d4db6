import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "N*2"], y: Float32[Tensor, "N+N"], z: Float32[Tensor, "2*N"], w: Float32[Tensor, "(N+1)*2-2"]) -> None:
    reveal_type(x)  # R: float32 2*N
    reveal_type(y)  # R: float32 2*N
    reveal_type(x + y + z + w)  # R: float32 2*N

def g(x: Float32[Tensor, "4*D//4"], y: Float32[Tensor, "D"], h: Float32[Tensor, "N//2"]) -> None:
    reveal_type(x + y)  # R: float32 D
    reveal_type(h)  # R: float32 N//2
