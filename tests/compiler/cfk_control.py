"""Control-flow kernels for test_control_flow.py (compiled vs eager)."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Bool, Float32, Int64


@kernel
def branch_scalar(x: Float32[Tensor, "N"], t: float) -> Float32[Tensor, "N"]:
    if t > 1.0:
        y = x * 2.0
    elif t > 0.0:
        y = x + 1.0
    else:
        y = x - 1.0
    return y


@kernel
def branch_elem(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    out = dsl.zeros_like(x)
    for i in range(x.shape[0]):
        if x[i] > 0:
            out[i] = x[i]
        elif x[i] < -1.0:
            out[i] = -x[i]
        else:
            out[i] = 0.5
    return out


@kernel
def range_sum(x: Float32[Tensor, "N"], a: int, b: int, s: int) -> float:
    acc = 0.0
    for i in range(a, b, s):
        acc = acc + float(x[i])
    return acc


@kernel
def range1(n: int) -> int:
    t = 0
    for i in range(n):
        t = t + i * i
    return t


@kernel
def range2(a: int, b: int) -> int:
    t = 0
    for i in range(a, b):
        t = t * 3 + i
    return t


@kernel
def range3(a: int, b: int, s: int) -> int:
    t = 0
    for i in range(a, b, s):
        t = t * 3 + i
    return t


@kernel
def range_neg_const(n: int) -> int:
    t = 0
    for i in range(n, -1, -2):
        t = t * 3 + i
    return t


@kernel
def loop_var_after(a: int, b: int, s: int) -> int:
    i = -7
    for i in range(a, b, s):
        pass
    return i


@kernel
def while_collatz(n: int) -> int:
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


@kernel
def first_nonpos(x: Float32[Tensor, "N"]) -> int:
    i = 0
    while i < x.shape[0] and x[i] > 0:
        i += 1
    return i


@kernel
def any_or(x: Float32[Tensor, "N"], k: int) -> bool:
    return k >= x.shape[0] or bool(x[k] > 0)


@kernel
def break_continue(x: Int64[Tensor, "N"], limit: int) -> int:
    t = 0
    for i in range(x.shape[0]):
        if x[i] < 0:
            continue
        if t > limit:
            break
        t = t + int(x[i])
    return t


@kernel
def nested_break(x: Int64[Tensor, "R C"]) -> Int64[Tensor, "R"]:
    out = dsl.zeros((x.shape[0],), dtype=dsl.int64)
    for r in range(x.shape[0]):
        if r == 3:
            continue
        for c in range(x.shape[1]):
            if x[r, c] == 0:
                break
            if x[r, c] < 0:
                continue
            out[r] = out[r] + x[r, c]
        if out[r] > 100:
            break
    return out


@kernel
def while_break(n: int) -> int:
    i = 0
    t = 0
    while True:
        i += 1
        if i % 3 == 0:
            continue
        t += i
        if t > n:
            break
    return t


@kernel
def find_first(x: Float32[Tensor, "N"], v: float) -> int:
    for i in range(x.shape[0]):
        if x[i] == v:
            return i
    return -1


@kernel
def early_ret_branch(x: Float32[Tensor, "N"], t: float) -> Float32[Tensor, "N"]:
    if t < 0.0:
        return x * 0.0
    y = x + t
    if t > 10.0:
        return y * 2.0
    return y


@kernel
def early_ret_nested(x: Int64[Tensor, "R C"], v: int) -> int:
    for r in range(x.shape[0]):
        for c in range(x.shape[1]):
            if x[r, c] == v:
                return r * 1000 + c
    return -1


@kernel
def loop_acc(x: Float32[Tensor, "N D"]) -> Float32[Tensor, "D"]:
    acc = dsl.zeros((x.shape[1],), dtype=dsl.float32)
    for i in range(x.shape[0]):
        acc = acc + x[i]
    return acc


@kernel
def halve(x: Float32[Tensor, "N"], k: int) -> Float32[Tensor, "N"]:
    for _ in range(k):
        x = x * 0.5
    return x


@kernel
def shrink(x: Float32[Tensor, "N"], k: int) -> float:
    y = x
    for _ in range(k):
        y = y[1:]
    return float(dsl.sum(y))


@kernel
def shrink_while(x: Float32[Tensor, "N"]) -> int:
    y = x
    while y.shape[0] > 0 and y[0] < 0:
        y = y[1:]
    return y.shape[0]


@kernel
def bool_tensor_branch(m: Bool[Tensor, "N"]) -> int:
    c = 0
    for i in range(m.shape[0]):
        if m[i]:
            c += 1
        if not m[i] and i > 2:
            c += 10
    return c


@kernel
def mixed_static(x: Float32[Tensor, "N"], t: float) -> Float32[Tensor, "N"]:
    if t > 0.0:
        y = dsl.zeros((x.shape[0],), dtype=dsl.float32)
    else:
        y = x
    return y + 1.0


@kernel
def static_then_dyn(x: Float32[Tensor, "N"], t: float) -> float:
    if t > 0.0:
        y = dsl.zeros((3,), dtype=dsl.float32)
    else:
        y = x
    return float(dsl.sum(y))


@kernel
def static_shrink(n: int) -> int:
    y = dsl.ones((6,), dtype=dsl.float32)
    i = 0
    while i < n:
        y = y[1:]
        i += 1
    return y.shape[0]


@kernel
def new_in_loop(x: Float32[Tensor, "N"]) -> float:
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > 0:
            v = x[i] * 2.0
        else:
            v = x[i] * 0.0
        s = s + float(v)
    return s
