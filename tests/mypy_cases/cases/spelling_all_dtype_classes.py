import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(a: dsl.Float16[Tensor, "N"], b: dsl.BFloat16[Tensor, "N"], c: dsl.Float32[Tensor, "N"],
      d: dsl.Float64[Tensor, "N"], e: dsl.Int8[Tensor, "N"], g: dsl.Int32[Tensor, "N"],
      h: dsl.Int64[Tensor, "N"], i: dsl.Bool[Tensor, "N"]) -> None:
    reveal_type(a)  # R: float16 N
    reveal_type(b)  # R: bfloat16 N
    reveal_type(c)  # R: float32 N
    reveal_type(d)  # R: float64 N
    reveal_type(e)  # R: int8 N
    reveal_type(g)  # R: int32 N
    reveal_type(h)  # R: int64 N
    reveal_type(i)  # R: bool N
