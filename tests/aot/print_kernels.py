"""A kernel that prints tensors of several dtypes and ranks, for comparing the C print hook
with numpy's `str`."""

from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, Int64


@kernel
def show(a: Float32[Tensor, "A"], b: Float64[Tensor, "B C"], c: Int64[Tensor, "D E"],
         d: Bool[Tensor, "F"], e: Float32[Tensor, "G H I"], f: Float16[Tensor, "J"]) -> None:
    print(a)
    print(b)
    print(c)
    print(d)
    print(e)
    print(f)
