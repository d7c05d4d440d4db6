import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

from jaxtyping import Float, Shaped

@kernel
def f(x: Float[Tensor, "B N"], y: Shaped[Tensor, "N"], z: Float32[Tensor, "B M"]) -> None:
    reveal_type(x)  # R: any B N
    reveal_type(x + y)  # R: any B N
    a = x + z  # E: shape "(B N) and (B M)"
