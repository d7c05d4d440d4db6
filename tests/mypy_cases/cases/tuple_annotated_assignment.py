import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32, Int64


@kernel
def f(x: Float32[Tensor, "B N"]) -> None:
    ok: tuple[Float32[Tensor, "B N"], Float32[Tensor, "N"]] = (x, x[0])
    bad: tuple[Float32[Tensor, "B N"], Float32[Tensor, "N"]] = (x, x)  # E: shape "variable 'bad' item 1 has shape (N) but is assigned shape (B N)"
    idx: tuple[Float32[Tensor, "B"], Int64[Tensor, "B"]] = (dsl.max(x, axis=1), dsl.max(x, axis=1))  # E: dtype "item 1 has dtype int64 but is assigned float32"
