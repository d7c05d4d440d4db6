import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float16, Float32, Float64, BFloat16, Int8, Int32, Int64

def gelu(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    """A helper without @kernel: its returns are checked too."""
    return 0.5 * x * (1.0 + dsl.erf(x * 0.7071))

def wrong(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "N B"]:
    return x  # E: shape "the return value has shape (B N) but the annotation says (N B)"

def wrong_dtype(x: Float32[Tensor, "B N"]) -> Int32[Tensor, "B N"]:
    if callable(x):
        return dsl.astype(x, dsl.int32)
    return x  # E: dtype "float32 but the annotation says int32"

# mypy's own empty-body error; the plugin adds nothing to trivial bodies.
def stub(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:  # E: empty-body
    ...

def stub_with_doc(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:  # E: empty-body
    """Only a docstring: nothing to check."""

reveal_type(callable(gelu))  # R: bool
