import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def helper(x: Float32[Tensor, "B N"], w: Float32[Tensor, "N M"]) -> Float32[Tensor, "B M"]:
    h = x
    h = h @ w  # E: shape "variable 'h' has shape (B N) but is assigned shape (B M)"
    y: Float32[Tensor, "B M"] = x @ w
    z: Float32[Tensor, "M B"] = x @ w  # E: shape "variable 'z' has shape (M B)"
    return y


class Layer:
    def forward(self, x: Float32[Tensor, "B N"], w: Float32[Tensor, "N M"]) -> Float32[Tensor, "B M"]:
        def inner(t: Float32[Tensor, "B M"]) -> Float32[Tensor, "B M"]:
            return t.T  # E: shape "(M B) but the annotation says (B M)"
        return inner(x @ w)

    def bad(self, x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B"]:
        return dsl.sum(x, axis=0)  # E: shape "(N) but the annotation says (B)"


def traced(f: object) -> object:
    return f


@traced
def decorated(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "N"]:
    return x[:, 0]  # E: shape "(B) but the annotation says (N)"


class Model:
    @staticmethod
    def head(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B"]:
        return dsl.mean(x, axis=1)

    @dsl.kernel
    def as_kernel(self, x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B"]:
        return dsl.mean(x, axis=0)  # E: shape "(N) but the annotation says (B)"
