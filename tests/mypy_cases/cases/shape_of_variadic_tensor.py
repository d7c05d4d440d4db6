import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


@kernel
def f(x: Float32[Tensor, "*b D"], y: Float32[Tensor, "B ... E"], g: Float32[Tensor, "D"]) -> Float32[Tensor, "D"]:
    d = x.shape[-1]
    reveal_type(d)  # R: int D
    reveal_type(x.shape[0])  # R: int
    reveal_type(y.shape[0])  # R: int B
    reveal_type(y.shape[-1])  # R: int E
    reveal_type(y.shape[1])  # R: int
    acc = dsl.zeros((d,), dsl.float32)
    reveal_type(acc)  # R: float32 D
    acc = acc + g
    return acc


@kernel
def wrong(x: Float32[Tensor, "*b D"]) -> Float32[Tensor, "D D"]:
    d = x.shape[-1]
    return dsl.zeros((d, 2))  # E: shape "(D 2) but the annotation says (D D)"
