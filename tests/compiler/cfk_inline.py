"""Kernels for test_inline_returns.py: calls between kernels whose callee returns early
(in branches and loops, scalars, tensors, tuples, None), compiled vs eager."""

import dsl
from dsl import Tensor, kernel
from jaxtyping import Float32, Int64


# --- callees ----------------------------------------------------------------------------
@kernel
def sign_of(v: float) -> int:
    if v > 0.0:
        return 1
    if v < 0.0:
        return -1
    return 0


@kernel
def find(x: Int64[Tensor, "N"], v: int, stop: int) -> int:
    """The first index of `v` (negatives skipped, gives up at a value above `stop`)."""
    for i in range(x.shape[0]):
        if x[i] < 0:
            continue
        if x[i] > stop:
            break
        if x[i] == v:
            return i
    return -1


@kernel
def collatz_capped(n: int, cap: int) -> int:
    steps = 0
    while n != 1:
        if steps >= cap:
            return -steps
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


@kernel
def first_pair(x: Int64[Tensor, "N"], t: int) -> tuple[int, int]:
    """The first `(i, x[i])` with x[i] > t, searched with a `while True` loop."""
    i = 0
    while True:
        if i >= x.shape[0]:
            return -1, 0
        if x[i] > t:
            return i, int(x[i])
        i += 1


@kernel
def head_or_all(x: Float32[Tensor, "N"], k: int) -> Float32[Tensor, "M"]:
    if k > 0:
        if k < x.shape[0]:
            return x[:k] * 2.0
        return x + 1.0
    return x


@kernel
def fill_until(x: Float32[Tensor, "N"], v: float, stop: int) -> None:
    """Writes before and after a possible early return."""
    x[0] = v
    if stop <= 0:
        return
    for i in range(1, x.shape[0]):
        if i >= stop:
            return
        x[i] = v + i
    x[0] = -v


@kernel
def inner_clip(v: int, lo: int, hi: int) -> int:
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


@kernel
def outer_clip_sum(x: Int64[Tensor, "N"], lo: int, hi: int, limit: int) -> int:
    """Calls a callee that returns early, and returns early itself."""
    t = 0
    for i in range(x.shape[0]):
        t += inner_clip(int(x[i]), lo, hi)
        if t > limit:
            return -t
    return t


@kernel
def checked_get(x: Float32[Tensor, "N"], i: int) -> float:
    if i < 0:
        return 0.0
    assert x[i] > 0, "element must be positive"
    return float(x[i])


@kernel
def no_value_on_some_path(v: int) -> int:
    if v > 0:
        return v
    v = v - 1


@kernel
def find2(m: Int64[Tensor, "R C"], v: int) -> tuple[int, int]:
    """A return from the inner of two loops leaves both."""
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            if m[i, j] < 0:
                break
            if m[i, j] == v:
                return i, j
    return -1, -1


@kernel
def scaled_or_total(x: Float32[Tensor, "N"], s: float) -> tuple[Float32[Tensor, "N"], float]:
    """A tuple of a tensor and a scalar; the returns end if/else branches (no flag)."""
    if s > 0.0:
        return x * s, s
    else:
        if s < -1.0:
            return x - 1.0, float(dsl.sum(x))
        return x, 0.0


@kernel
def static_early(v: int) -> int:
    if DEBUG:
        return -1
    if v > 3:
        return v * 2
    return v


DEBUG = False


@kernel
def bump_first(x: Float32[Tensor, "N"], t: float) -> float:
    for i in range(x.shape[0]):
        if x[i] > t:
            x[i] = x[i] + 100.0
            return float(x[i])
    return t


# --- callers ----------------------------------------------------------------------------
@kernel
def signs(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    out = dsl.zeros_like(x)
    for i in range(x.shape[0]):
        out[i] = float(sign_of(float(x[i])))
    return out


@kernel
def find_all(x: Int64[Tensor, "N"], stop: int) -> int:
    """Breaks and continues around calls that return inside a loop."""
    acc = 0
    for v in range(10):
        if v == 7:
            continue
        j = find(x, v, stop)
        if j == -2:
            break
        acc = acc * 3 + j
    return acc


@kernel
def collatz_sum(n: int, cap: int) -> int:
    t = 0
    k = 1
    while k <= n:
        c = collatz_capped(k, cap)
        if c < 0:
            t -= 1
            k += 1
            continue
        t += c
        k += 1
    return t


@kernel
def pairs(x: Int64[Tensor, "N"], t: int) -> tuple[int, int, int]:
    i, v = first_pair(x, t)
    j, w = first_pair(x, v)
    return i, v + w, j


@kernel
def heads(x: Float32[Tensor, "N"], k: int) -> tuple[float, int]:
    """Tensor results whose length depends on the path taken."""
    y = head_or_all(x, k)
    z = head_or_all(y, k - 1)
    return float(dsl.sum(z * z)), z.shape[0]


@kernel
def fills(x: Float32[Tensor, "N"], stop: int) -> float:
    fill_until(x, 2.0, stop)
    return float(dsl.sum(x))


@kernel
def nested(x: Int64[Tensor, "N"], lo: int, hi: int, limit: int) -> int:
    a = outer_clip_sum(x, lo, hi, limit)
    if a < 0:
        return a * 2
    return a + outer_clip_sum(x, hi, hi, limit)


@kernel
def sum_checked(x: Float32[Tensor, "N"], k: int) -> float:
    t = 0.0
    for i in range(-1, k):
        t += checked_get(x, i)
    return t


@kernel
def after_call(v: float) -> int:
    s = sign_of(v)
    return s * 10


@kernel
def after_loop_call(x: Int64[Tensor, "N"], v: int) -> int:
    j = find(x, v, 100)
    return j * 10


@kernel
def print_around(x: Float32[Tensor, "N"], i: int) -> float:
    """A failing assert in the callee stops the caller too."""
    print("before", i)
    t = checked_get(x, i)
    print("after", t)
    return t


@kernel
def grid_search(m: Int64[Tensor, "R C"], n: int) -> int:
    acc = 0
    for v in range(n):
        i, j = find2(m, v)
        acc = acc * 7 + i * 3 + j
    return acc


@kernel
def tuple_tensor(x: Float32[Tensor, "N"], s: float) -> tuple[Float32[Tensor, "N"], float]:
    y, t = scaled_or_total(x, s)
    z, u = scaled_or_total(y, t - 2.0)
    return z + y, t + u + float(static_early(int(s)))


@kernel
def ignore_result(x: Float32[Tensor, "N"], t: float) -> None:
    """The callee's result is dropped; only its writes are seen."""
    bump_first(x, t)
    bump_first(x, t + 1.0)


@kernel
def calls_no_value(v: int) -> int:
    return no_value_on_some_path(v) + 1


@kernel
def while_cond_call(x: Float32[Tensor, "N"]) -> int:
    """A callee that returns early in a `while` condition."""
    i = 0
    while i < x.shape[0] and sign_of(float(x[i])) >= 0:
        i += 1
    return i


@kernel
def ends_plainly(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return x * 2.0


@kernel
def calls_plain(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
    return ends_plainly(x) + 1.0


# --- compile errors ---------------------------------------------------------------------
@kernel
def mixed_types(v: int):
    if v > 0:
        return v
    return 1.5


@kernel
def calls_mixed(v: int) -> float:
    return float(mixed_types(v))
