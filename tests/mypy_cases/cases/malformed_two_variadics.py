import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, "*a *b"]) -> None:  # E: shape "at most one variadic"
    pass

def g(x: Float32[Tensor, "... *b N"]) -> None:  # E: shape "at most one variadic"
    pass

def h(x: Float32[Tensor, "*b ..."]) -> None:  # E: shape "'*b ...'"
    pass
