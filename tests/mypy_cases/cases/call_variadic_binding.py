import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def swap(x: Float32[Tensor, "*b M N"]) -> Float32[Tensor, "*b N M"]:
    return dsl.matrix_transpose(x)

def bmm(x: Float32[Tensor, "*b M K"], y: Float32[Tensor, "*b K N"]) -> Float32[Tensor, "*b M N"]:
    return x @ y

def g(a: Float32[Tensor, "2 3 4 5"], m: Float32[Tensor, "4 5"], c: Float32[Tensor, "*c P Q"], d: Float32[Tensor, "3 5 6"]) -> None:
    reveal_type(swap(a))  # R: float32 2 3 5 4
    reveal_type(swap(m))  # R: float32 5 4
    reveal_type(swap(c))  # R: float32 *c Q P
    reveal_type(bmm(a, dsl.zeros((2, 3, 5, 7))))  # R: float32 2 3 4 7
    bmm(a, d)  # E: shape "*b is (3) but it is (2 3)"
