"""Kernels that must not compile (test_compile_errors.py). Each one's offending node is marked
with a `# <-` comment; the test finds the line and column from the source."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32


def plain_python(v: float) -> float:
    return v * 2.0


@kernel
def uses_with(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    with open("f"):  # <- With
        pass
    return x


@kernel
def uses_try(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    try:  # <- Try
        x = x + 1.0
    except ValueError:
        pass
    return x


@kernel
def uses_lambda(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    f = lambda v: v  # noqa: E731  # <- Lambda
    return f(x)


@kernel
def uses_listcomp(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    ys = [x for _ in range(3)]  # <- ListComp
    return ys[0]


@kernel
def loops_over_list(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    for s in [1.0, 2.0]:  # <- List
        x = x * s
    return x


@kernel
def for_else(x: Float32[Tensor, "N"], n: int) -> Float32[Tensor, "N"]:
    for i in range(n):  # <- For
        x = x + 1.0
    else:
        x = x - 1.0
    return x


@kernel
def uses_global(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    global plain_python  # <- Global
    return x


@kernel
def nested_def(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    def inner(v: float) -> float:  # <- FunctionDef
        return v
    return x


@kernel
def fstring_print(x: Float32[Tensor, "N"], n: int) -> Float32[Tensor, "N"]:
    print(f"n = {n}")  # <- JoinedStr
    return x


@kernel
def calls_python(x: Float32[Tensor, "N"], v: float) -> Float32[Tensor, "N"]:
    w = plain_python(v)  # <- Call
    return x * w


@kernel
def dtype_changes(x: Float32[Tensor, "N"], n: int) -> int:
    if n > 0:  # <- If
        y = 1
    else:
        y = 1.5
    return int(y)


@kernel
def tensor_and(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    m = (x > 0) and (x < 1)  # <- Compare
    return dsl.where(m, x, 0.0)


@kernel
def rank_changes(x: Float32[Tensor, "N"], n: int) -> float:
    y = x
    for i in range(n):
        y = dsl.sum(y)  # <- Name
    return float(y)


@kernel
def helper_returns_mixed(n: int):
    if n > 0:
        return n
    return 1.5


@kernel
def calls_mixed_returns(x: Float32[Tensor, "N"], n: int) -> float:
    y = helper_returns_mixed(n)  # <- Call
    return float(y)
