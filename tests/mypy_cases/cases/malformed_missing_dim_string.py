import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def f(x: Float32[Tensor, 3]) -> None:  # E: shape "dim string"
    pass


def g(x: Float32[Tensor]) -> None:  # E: shape "takes an array type and a dim string"
    pass


# mypy itself also reads the lone "N" as a forward reference to a type named N.
def h(x: Float32["N"]) -> None:  # E: shape "takes an array type and a dim string" name-defined
    pass


def i(x: Float32[Tensor, "N", "M"]) -> None:  # E: shape "takes an array type and a dim string"
    pass
