"""Binding signature dims to argument shapes (`typecheck.binding`).

Shapes are generated to fit a signature, so binding must succeed with the generating values;
then one dim is perturbed and binding must fail with a `ShapeError` that names the parameter
and both sizes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from typecheck.annotations import ExprDim, VariadicDim, parse_shape
from typecheck.binding import Bindings, bind_shape, instantiate
from typecheck.dims import Dim
from typecheck.errors import ShapeError
from typecheck.shapes import Shape

from ._settings import examples
from .test_dims import POLY, build

SETTINGS = examples(150)


@dataclass(frozen=True)
class Sig:
    """Two parameters `x` and `y` whose specs share names (and maybe a variadic)."""

    x: str
    y: str


SIGS = [
    Sig("B N", "N M"),
    Sig("B 2*N", "B N"),
    Sig("N+1", "N"),
    Sig("*b M N", "*b N K"),
    Sig("... K", "K"),
    Sig("#N", "N"),
    Sig("N", "#N"),
    Sig("B 4*D", "D 3"),
    Sig("N M", "N*M+1"),
]


def concrete(spec_text: str, env: dict[str, int], batch: tuple[int, ...], bcast: bool
             ) -> tuple[int, ...]:
    """The shape `spec_text` denotes under `env`; `bcast` turns every `#` dim into 1."""
    out: list[int] = []
    for d in parse_shape(spec_text).dims:
        if isinstance(d, VariadicDim):
            out.extend(batch)
        else:
            assert isinstance(d, ExprDim)
            out.append(1 if d.broadcastable and bcast else d.dim.evaluate(env))
    return tuple(out)


@st.composite
def fitting(draw: st.DrawFn) -> tuple[Sig, dict[str, int], tuple[int, ...], tuple[int, ...],
                                      tuple[int, ...]]:
    sig = draw(st.sampled_from(SIGS))
    names = sorted(parse_shape(sig.x).symbols() | parse_shape(sig.y).symbols())
    env = {n: draw(st.integers(0, 9), label=n) for n in names}
    batch = tuple(draw(st.lists(st.integers(0, 5), max_size=3), label="batch"))
    # `...` is anonymous: each argument may have its own batch.
    other = tuple(draw(st.lists(st.integers(0, 5), max_size=3))) if "..." in sig.x else batch
    bcast = draw(st.booleans(), label="#N given as 1")
    return (sig, env, batch, concrete(sig.x, env, batch, bcast),
            concrete(sig.y, env, other, bcast))


def bind(sig: Sig, xs: tuple[int, ...], ys: tuple[int, ...]) -> Bindings:
    b = Bindings()
    bind_shape(parse_shape(sig.x), Shape.of(xs), b, "x")
    bind_shape(parse_shape(sig.y), Shape.of(ys), b, "y")
    return b


@SETTINGS
@given(fitting())
def test_fitting_shapes_bind_the_generating_values(case: tuple) -> None:  # type: ignore[type-arg]
    sig, env, batch, xs, ys = case
    b = bind(sig, xs, ys)
    for name, value in env.items():
        bound = b.dims.get(name)
        if bound is None:
            # Only a `#N` that was given as 1 everywhere leaves N unbound.
            assert "#" in sig.x + sig.y and 1 in xs + ys, (name, b.dims)
            continue
        assert bound == Dim.const(value), (name, b.dims)
    if "*b" in sig.x:
        assert b.variadics["b"] == Shape.of(batch)
    # Instantiating the specs under the bindings gives the shapes back.
    for text, shape in ((sig.x, xs), (sig.y, ys)):
        if "#" in text or "..." in text:
            continue
        assert instantiate(parse_shape(text), b).concrete() == shape


def _number(n: int) -> str:
    return rf"(?<![\d]){n}(?![\d])"


@SETTINGS
@given(fitting(), st.data())
def test_perturbing_one_dim_of_the_second_argument_is_a_shape_error(
        case: tuple, data: st.DataObject) -> None:  # type: ignore[type-arg]
    sig, env, batch, xs, ys = case
    bind(sig, xs, ys)  # fits
    spec = parse_shape(sig.y)
    # Dims of y that are fixed once x is bound: literal dims, or dims whose names x binds.
    x_names = {n for n in parse_shape(sig.x).symbols()
               if not ("#" + n in sig.x.split() and 1 in xs)}
    offset = 0 if spec.variadic_index is None else len(ys) - len(spec.dims) + 1
    candidates = []
    for i, d in enumerate(spec.dims):
        if isinstance(d, ExprDim) and d.dim.free_symbols() <= x_names:
            pos = i if spec.variadic_index is None or i < spec.variadic_index else i - 1 + offset
            candidates.append((pos, d.dim.evaluate(env)))
    if not candidates:
        return
    pos, expected = data.draw(st.sampled_from(candidates), label="position")
    new = data.draw(st.integers(100, 140), label="new size")  # > every fitting size
    bad = ys[:pos] + (new,) + ys[pos + 1:]
    with pytest.raises(ShapeError) as info:
        bind(sig, xs, bad)
    message = str(info.value)
    assert "'y'" in message
    assert re.search(_number(new), message), message
    assert re.search(_number(expected), message), message


@SETTINGS
@given(fitting(), st.data())
def test_perturbing_the_shared_batch_is_a_shape_error(case: tuple, data: st.DataObject
                                                      ) -> None:  # type: ignore[type-arg]
    sig, env, batch, xs, ys = case
    if "*b" not in sig.y or not batch:
        return
    i = data.draw(st.integers(0, len(batch) - 1), label="batch dim")
    new = data.draw(st.integers(100, 140), label="new size")  # > every fitting size
    bad = ys[:i] + (new,) + ys[i + 1:]
    with pytest.raises(ShapeError, match=r"'y'.*\*b") as info:
        bind(sig, xs, bad)
    assert str(Shape.of(batch)) in str(info.value)
    assert str(Shape.of(bad[:len(batch)])) in str(info.value)


@SETTINGS
@given(fitting(), st.data())
def test_wrong_rank_is_a_shape_error(case: tuple, data: st.DataObject) -> None:  # type: ignore
    sig, env, batch, xs, ys = case
    spec = parse_shape(sig.x)
    fixed = len(spec.dims) - (spec.variadic_index is not None)
    if spec.variadic_index is None:
        bad = xs + (1,) if data.draw(st.booleans()) else xs[:-1]
    elif fixed:
        bad = xs[len(xs) - fixed + 1:]
    else:
        return
    with pytest.raises(ShapeError, match="'x'.*rank"):
        bind_shape(spec, Shape.of(bad), Bindings(), "x")


@pytest.mark.parametrize("spec, shape", [
    ("B 2*N", (3, 7)),
    ("N+1", (0,)),
    ("4*D", (6,)),
    ("3", (4,)),
    ("_ 2", (5, 3)),
    ("#N", ()),
    ("*b M N", (2,)),
])
def test_shapes_that_cannot_fit_one_spec(spec: str, shape: tuple[int, ...]) -> None:
    with pytest.raises(ShapeError, match="'x'"):
        bind_shape(parse_shape(spec), Shape.of(shape), Bindings(), "x")


# --- symbolic argument shapes (the mypy plugin's call sites) ----------------------------------

@SETTINGS
@given(POLY, POLY, st.integers(1, 5))
def test_symbolic_binding_solves_linear_dims(b_tree: tuple, d_tree: tuple, k: int  # type: ignore
                                             ) -> None:
    bdim, ddim = build(b_tree), build(d_tree)
    assume(all(d.const_value is None or d.const_value >= 0 for d in (bdim, ddim)))
    b = Bindings()
    bind_shape(parse_shape(f"B {k}*D"), Shape.of((bdim, k * ddim)), b, "x")
    assert b.dims["B"] == bdim
    assert b.dims["D"] == ddim
    assert instantiate(parse_shape("D B"), b) == Shape.of((ddim, bdim))


def test_binding_b_4d_to_symbolic_dims_gives_back_d() -> None:
    x, d = Dim.sym("X"), Dim.sym("Y")
    b = Bindings()
    bind_shape(parse_shape("B 4*D"), Shape.of((x, 4 * d)), b, "x")
    assert b.dims == {"B": x, "D": d}
    b = Bindings()
    bind_shape(parse_shape("B 4*D"), Shape.of((x, 4 * d + 8)), b, "x")
    assert b.dims["D"] == d + 2
    with pytest.raises(ShapeError):  # a second argument that disagrees symbolically
        bind_shape(parse_shape("D"), Shape.of((d + 1,)), b, "y")


def test_symbolic_variadic_binding() -> None:
    m, n = Dim.sym("P"), Dim.sym("Q")
    b = Bindings()
    bind_shape(parse_shape("*b M N"), Shape((), "batch", (m, n)), b, "x")
    assert b.dims == {"M": m, "N": n}
    assert instantiate(parse_shape("*b N M"), b) == Shape((), "batch", (n, m))


# --- regressions (bugs found by these tests, now fixed) ---------------------------------------

@pytest.mark.parametrize("spec, shape", [
    ("M N//M", (0, 3)),
    ("M N N//M", (0, 5, 1)),
    ("N//(M-1) M", (3, 1)),
])
def test_floor_division_by_a_zero_dim_is_a_shape_error(spec: str, shape: tuple[int, ...]
                                                       ) -> None:
    with pytest.raises(ShapeError):
        bind_shape(parse_shape(spec), Shape.of(shape), Bindings(), "x")


@pytest.mark.parametrize("spec, shape", [("N//2 N", (3, 6)), ("N*N N", (9, 3))])
def test_non_linear_dim_is_checked_after_its_names_are_bound(spec: str, shape: tuple[int, ...]
                                                             ) -> None:
    b = Bindings()
    bind_shape(parse_shape(spec), Shape.of(shape), b, "x")
    assert b.dims["N"] == Dim.const(shape[1])


def test_zero_coefficient_dim_that_fits() -> None:
    bind_shape(parse_shape("M N*M"), Shape.of((0, 0)), Bindings(), "x")
