import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def k(x: Float32[Tensor, "B 4*D"]) -> Float32[Tensor, "2*B+1 D"]:
    b, e = x.shape
    reveal_type(b * 2 + 1)  # R: int 2*B+1
    reveal_type(2 * b)  # R: int 2*B
    reveal_type(e // 4 - 1)  # R: int D-1
    reveal_type(e - e)  # R: int 0
    m = b * 2
    z = dsl.zeros((m + 1, e // 4), dsl.float32)
    reveal_type(z)  # R: float32 2*B+1 D
    reveal_type(dsl.ones((e // 3,)))  # R: float32 (4*D)//3
    return z
