"""shapekit's kernel language: jaxtyping-annotated tensor kernels in plain Python.

```python
import dsl
from dsl import Float32, Tensor, kernel

@kernel
def softmax(x: Float32[Tensor, "B N"]) -> Float32[Tensor, "B N"]:
    m = dsl.max(x, axis=1, keepdims=True)
    e = dsl.exp(x - m)
    return e / dsl.sum(e, axis=1, keepdims=True)
```

Until the compiler exists (issue 3), calling a `@kernel` runs it eagerly on numpy, with the
arguments and the result checked against the annotations at the call boundary. Every operation
also works on plain numpy arrays outside kernels. The language contract is
`shared/spec/LANGUAGE.md`.
"""

from jaxtyping import BFloat16, Bool, Float16, Float32, Float64, Int8, Int32, Int64

from dsl._creation import arange, full, ones, zeros, zeros_like
from dsl._dtypes import (DTypeObject, bfloat16, bool, float16, float32, float64, int8, int32,
                         int64)
from dsl._elementwise import (abs, astype, cos, erf, exp, log, maximum, minimum, rsqrt, sigmoid,
                              sin, sqrt, tanh, where)
from dsl._errors import (CompileError, DeviceError, DTypeError, KernelAssertionError, ShapeError,
                         SourceLoc)
from dsl._kernel import EagerKernel, Kernel, eager, kernel
from dsl._linalg import matmul, matrix_transpose
from dsl._reductions import argmax, max, mean, min, sum
from dsl._shape_ops import (broadcast_to, concat, expand_dims, permute_dims, reshape, squeeze,
                            stack)
from dsl._tensor import Tensor
from dsl._runtime.aot_loader import load_library

__all__ = [
    # types and decorators
    "Tensor", "Kernel", "EagerKernel", "kernel", "eager",
    # jaxtyping dtype classes
    "Float16", "BFloat16", "Float32", "Float64", "Int8", "Int32", "Int64", "Bool",
    # dtype objects
    "DTypeObject", "float16", "bfloat16", "float32", "float64", "int8", "int32", "int64", "bool",
    # errors
    "ShapeError", "DTypeError", "CompileError", "KernelAssertionError", "DeviceError", "SourceLoc",
    # elementwise
    "abs", "exp", "log", "sqrt", "sin", "cos", "tanh", "maximum", "minimum", "where", "astype",
    "sigmoid", "rsqrt", "erf",
    # reductions
    "sum", "max", "min", "mean", "argmax",
    # linear algebra
    "matmul", "matrix_transpose",
    # shape
    "reshape", "permute_dims", "expand_dims", "squeeze", "broadcast_to", "concat", "stack",
    # creation
    "zeros", "ones", "full", "zeros_like", "arange",
    # ahead-of-time libraries
    "load_library",
]
