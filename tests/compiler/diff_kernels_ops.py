"""Reduction, matmul, shape, creation and indexing kernels for the differential tests."""

import dsl
from dsl import Int64, Tensor, kernel
from jaxtyping import Shaped

T0 = Shaped[Tensor, ""]
T2 = Shaped[Tensor, "A B"]


# --- reductions -------------------------------------------------------------------------
@kernel
def sum2(x: Shaped[Tensor, "A B"]) -> tuple[T0, Shaped[Tensor, "B"], Shaped[Tensor, "A 1"],
                                            T0, Shaped[Tensor, "1 1"], Shaped[Tensor, "A"]]:
    return (dsl.sum(x), dsl.sum(x, axis=0), dsl.sum(x, axis=-1, keepdims=True),
            dsl.sum(x, axis=(0, 1)), dsl.sum(x, keepdims=True), dsl.sum(x, axis=(-1,)))


@kernel
def mean2(x: Shaped[Tensor, "A B"]) -> tuple[T0, Shaped[Tensor, "B"], Shaped[Tensor, "A 1"],
                                             Shaped[Tensor, "1 1"]]:
    return (dsl.mean(x), dsl.mean(x, axis=0), dsl.mean(x, axis=-1, keepdims=True),
            dsl.mean(x, axis=(0, 1), keepdims=True))


@kernel
def max_min2(x: Shaped[Tensor, "A B"]) -> tuple[
        T0, Shaped[Tensor, "B"], Shaped[Tensor, "A 1"], T0, Shaped[Tensor, "A"],
        Shaped[Tensor, "1 B"], Int64[Tensor, ""], Int64[Tensor, "B"], Int64[Tensor, "A 1"],
        Int64[Tensor, "A"]]:
    return (dsl.max(x), dsl.max(x, axis=0), dsl.max(x, axis=-1, keepdims=True),
            dsl.min(x), dsl.min(x, axis=1), dsl.min(x, axis=(0,), keepdims=True),
            dsl.argmax(x), dsl.argmax(x, axis=0), dsl.argmax(x, axis=1, keepdims=True),
            dsl.argmax(x, axis=-1))


@kernel
def reduce3(x: Shaped[Tensor, "A B C"]) -> tuple[Shaped[Tensor, "B"], Shaped[Tensor, "A 1 C"],
                                                 Shaped[Tensor, "A C"], Shaped[Tensor, "1 B 1"]]:
    return (dsl.sum(x, axis=(0, 2)), dsl.max(x, axis=1, keepdims=True),
            dsl.min(x, axis=-2), dsl.sum(x, axis=(2, 0), keepdims=True))


# --- matmul -----------------------------------------------------------------------------
@kernel
def matmuls(a: Shaped[Tensor, "M K"], b: Shaped[Tensor, "K N"], v: Shaped[Tensor, "K"],
            w: Shaped[Tensor, "M"], a3: Shaped[Tensor, "B M K"], b3: Shaped[Tensor, "B K N"],
            a1: Shaped[Tensor, "1 M K"], a4: Shaped[Tensor, "P 1 M K"]) -> tuple[
        Shaped[Tensor, "M N"], Shaped[Tensor, "M"], Shaped[Tensor, "K"], Shaped[Tensor, ""],
        Shaped[Tensor, "B M N"], Shaped[Tensor, "B M N"], Shaped[Tensor, "B M"],
        Shaped[Tensor, "B M N"], Shaped[Tensor, "P B M N"]]:
    return (a @ b, a @ v, w @ a, dsl.matmul(v, v), a3 @ b3, dsl.matmul(a3, b), a3 @ v,
            a1 @ b3, a4 @ b3)


# --- shape ------------------------------------------------------------------------------
@kernel
def shapes_a(x: Shaped[Tensor, "A B"], x3: Shaped[Tensor, "A B C"],
             s: Shaped[Tensor, "A 1 B 1"]) -> tuple[
        Shaped[Tensor, "A*B"], Shaped[Tensor, "B A"], Shaped[Tensor, "B A"],
        Shaped[Tensor, "A B 1"], Shaped[Tensor, "C A B"], Shaped[Tensor, "A C B"],
        Shaped[Tensor, "A B*C"], Shaped[Tensor, "A 1 B C"], Shaped[Tensor, "A 1 B"],
        Shaped[Tensor, "A B"], T2]:
    n = x.shape[0]
    m = x.shape[1]
    # (x.T, matrix_transpose and permute_dims share one lowering; each is used once)
    return (dsl.reshape(x, (-1,)), dsl.reshape(x, (m, n)), x.T, dsl.expand_dims(x, -1),
            dsl.permute_dims(x3, (2, 0, 1)), dsl.matrix_transpose(x3),
            dsl.reshape(x3, (x3.shape[0], -1)), dsl.expand_dims(x3, 1),
            dsl.squeeze(s, -1), dsl.squeeze(s, (1, 3)), dsl.zeros_like(x))


@kernel
def shapes_b(r: Shaped[Tensor, "1 B"], y: Shaped[Tensor, "B"], n: int,
             x: Shaped[Tensor, "A B"], y2: Shaped[Tensor, "C B"], z: Shaped[Tensor, "A B"]
             ) -> tuple[Shaped[Tensor, "n B"], Shaped[Tensor, "2 n B"],
                        Shaped[Tensor, "A+C B"], Shaped[Tensor, "A 2*B"],
                        Shaped[Tensor, "2 A B"], Shaped[Tensor, "A B 2"],
                        Shaped[Tensor, "A+C+A B"]]:
    return (dsl.broadcast_to(r, (n, r.shape[1])), dsl.broadcast_to(y, (2, n, y.shape[0])),
            dsl.concat([x, y2], axis=0), dsl.concat((x, z), axis=-1), dsl.stack([x, z], axis=0),
            dsl.stack([x, z], axis=-1), dsl.concat([x, y2, z], axis=0))


# --- creation ---------------------------------------------------------------------------
@kernel
def like(x: Shaped[Tensor, "A B"]) -> tuple[T2, T2]:
    return dsl.zeros_like(x), dsl.where(x == x, dsl.zeros_like(x), x)


@kernel
def create(n: int, m: int) -> tuple[
        Shaped[Tensor, "n m"], Shaped[Tensor, "n m"], Shaped[Tensor, "n m"],
        Shaped[Tensor, "n m"], Shaped[Tensor, "n"], Shaped[Tensor, "m"], Shaped[Tensor, "n"],
        Shaped[Tensor, "n m"], Shaped[Tensor, "n"]]:
    return (dsl.zeros((n, m), dsl.float32), dsl.ones((n, m), dsl.int8),
            dsl.full((n, m), 2.5, dsl.bfloat16), dsl.full((n, m), True, dsl.bool),
            dsl.arange(n, dsl.int64), dsl.arange(m, dsl.float16), dsl.arange(n, dsl.int32),
            dsl.ones((n, m), dsl.bool), dsl.full((n,), -3, dsl.int64))


@kernel
def create_f64(n: int, v: float) -> tuple[Shaped[Tensor, "n"], Shaped[Tensor, "n 2"],
                                          Shaped[Tensor, "n"]]:
    return dsl.arange(n, dsl.float64), dsl.full((n, 2), v, dsl.float64), \
        dsl.zeros((n,), dsl.int64)


# --- indexing ---------------------------------------------------------------------------
@kernel
def indexing(x: Shaped[Tensor, "A B"], i: int, j: int, lo: int, hi: int,
             x3: Shaped[Tensor, "A B C"], k: int) -> tuple[
        Shaped[Tensor, "B"], T0, Shaped[Tensor, "A"], Shaped[Tensor, "A"],
        Shaped[Tensor, "1 A B"],
        Shaped[Tensor, "hi-lo B"], Shaped[Tensor, "(A+1)//2 B"], Shaped[Tensor, "A (B+2)//3"],
        Shaped[Tensor, "A B"], Shaped[Tensor, "A C"], Shaped[Tensor, "A 1 B C"]]:
    return (x[i], x[i, j], x[:, j], x[..., j], x[None],
            x[lo:hi], x[::2], x[:, ::3],
            x3[..., k], x3[:, k], x3[:, None])


@kernel
def matmul_unknown(a: Shaped[Tensor, "M _"], b: Shaped[Tensor, "_ N"], c: Shaped[Tensor, "_ M K"],
                   d: Shaped[Tensor, "_ K N"]) -> tuple[Shaped[Tensor, "M N"],
                                                        Shaped[Tensor, "M N"]]:
    return a @ b, dsl.sum(c @ d, axis=0)
