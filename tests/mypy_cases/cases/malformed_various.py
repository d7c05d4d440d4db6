import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def a(x: Float32[Tensor, "B,N"]) -> None:  # E: shape "'B,N'"
    pass

def b(x: Float32[Tensor, "2N"]) -> None:  # E: shape "'2N'"
    pass

def c(x: Float32[Tensor, "(N"]) -> None:  # E: shape "'(N'"
    pass

def d(x: Float32[Tensor, "N//0"]) -> None:  # E: shape "division by zero"
    pass

def e(x: Float32[Tensor, " N"]) -> None:  # E: shape "' N'"
    pass

def g(x: Float32[Tensor, "3-5"]) -> None:  # E: shape "negative"
    pass

def h(x: Float32[Tensor, "*"]) -> None:  # E: shape "'*'"
    pass

def i(x: Float32[Tensor, "#"]) -> None:  # E: shape "'#'"
    pass

def j(x: Float32[Tensor, "N$"]) -> None:  # E: shape "'N$'"
    pass
