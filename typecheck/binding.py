"""Binding the dim names of a signature to the shapes of the arguments of one call.

Used at a call site by the mypy plugin (argument shapes are symbolic) and at a kernel's call
boundary by the eager runtime (argument shapes are concrete): one algorithm, so the static
and the run-time checks agree. Names bind left to right; an arithmetic dim (`2*N`, `N+1`)
binds its one unknown name when it is linear in it, otherwise it is checked once its names
are bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from typecheck.annotations import AnyDim, ExprDim, ShapeSpec, VariadicDim
from typecheck.dims import Dim, is_linear_in, solve_for
from typecheck.errors import ShapeError
from typecheck.shapes import ANON, ONE, BDim, SDim, Shape, dim_text


@dataclass
class Bindings:
    """Dim names and variadic names bound so far, with where each was bound."""

    dims: dict[str, SDim] = field(default_factory=dict)
    variadics: dict[str, Shape] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    # Dims that could not be checked yet (`N//2` before N is bound), with their parameter.
    pending: list[tuple[str, tuple[int, ExprDim, SDim]]] = field(default_factory=list)

    def dim_env(self) -> dict[str, Dim]:
        """The bound names whose value is a plain dim (for substitution)."""
        return {k: v for k, v in self.dims.items() if isinstance(v, Dim)}


def _where(param: str, index: int) -> str:
    return f"'{param}' dim {index}"


def _mismatch(param: str, index: int, spec: ExprDim, expected: SDim, actual: SDim,
              b: Bindings) -> ShapeError:
    names = sorted(spec.dim.free_symbols())
    origins = [f"{n} from {b.origin[n]}" for n in names if n in b.origin]
    because = f" ({', '.join(origins)})" if origins else ""
    label = str(spec.dim)
    exp = dim_text(expected)
    head = f"{label} = {exp}" if exp != label else label
    return ShapeError(f"argument '{param}': dim {index} is {dim_text(actual)} but the annotation "
                      f"expects {head}{because}")


def _split(spec: ShapeSpec, actual: Shape, param: str
           ) -> tuple[list[tuple[int, ExprDim | AnyDim, SDim]], Shape | None, str | None]:
    """Pair each non-variadic spec dim with the actual dim; cut out the variadic part."""
    vi = spec.variadic_index
    dims = spec.dims
    before = dims if vi is None else dims[:vi]
    after = () if vi is None else dims[vi + 1:]
    pairs: list[tuple[int, ExprDim | AnyDim, SDim]] = []
    if actual.var is None:
        n = len(actual.prefix)
        fixed = len(before) + len(after)
        if (vi is None and n != fixed) or n < fixed:
            need = f"{fixed}" if vi is None else f"at least {fixed}"
            raise ShapeError(f"argument '{param}': expected rank {need} ({spec.text}), "
                             f"got rank {n} ({actual})")
        for i, d in enumerate(before):
            assert not isinstance(d, VariadicDim)
            pairs.append((i, d, actual.prefix[i]))
        for j, d in enumerate(after):
            assert not isinstance(d, VariadicDim)
            k = n - len(after) + j
            pairs.append((k, d, actual.prefix[k]))
        seg = Shape(actual.prefix[len(before):n - len(after)]) if vi is not None else None
        v = dims[vi] if vi is not None else None
        return pairs, seg, v.name if isinstance(v, VariadicDim) else None
    # The actual shape has a variadic segment: match the known ends, the middle is the segment.
    if vi is None:
        if actual.var != ANON or len(before) < actual.min_rank:
            raise ShapeError(f"argument '{param}': expected rank {len(before)} ({spec.text}), "
                             f"got a tensor of unknown rank ({actual})")
        return [], None, None
    head = min(len(before), len(actual.prefix))
    tail = min(len(after), len(actual.suffix))
    for i in range(head):
        d = before[i]
        assert not isinstance(d, VariadicDim)
        pairs.append((i, d, actual.prefix[i]))
    for j in range(tail):
        d = after[len(after) - tail + j]
        assert not isinstance(d, VariadicDim)
        pairs.append((-tail + j, d, actual.suffix[len(actual.suffix) - tail + j]))
    if len(before) > len(actual.prefix) or len(after) > len(actual.suffix):
        seg = Shape.unknown()
    else:
        seg = Shape(actual.prefix[len(before):], actual.var,
                    actual.suffix[:len(actual.suffix) - len(after)])
    v = dims[vi]
    assert isinstance(v, VariadicDim)
    return pairs, seg, v.name


def bind_shape(spec: ShapeSpec, actual: Shape, b: Bindings, param: str) -> None:
    """Bind `spec`'s names against `actual`, checking what is already bound."""
    _check_same_variadic(spec, actual, b, param)
    pairs, seg, var_name = _split(spec, actual, param)
    if var_name is not None and seg is not None:
        _bind_variadic(var_name, seg, b, param)
    pending = [(param, (index, d, got)) for index, d, got in pairs if isinstance(d, ExprDim)]
    pending += b.pending
    progress = True
    while pending and progress:
        progress = False
        rest = []
        for owner, item in pending:
            if _try_bind(item, b, owner):
                progress = True
            else:
                rest.append((owner, item))
        pending = rest
    # What is left needs names that no parameter has bound so far; a later one may.
    b.pending = pending


def _check_same_variadic(spec: ShapeSpec, actual: Shape, b: Bindings, param: str) -> None:
    """`*b D` against a symbolic `*c` when `*b` is already bound to `*c` (with fixed dims
    around it): both ends must have exactly as many fixed dims, or the ranks differ."""
    vi = spec.variadic_index
    if vi is None or actual.var is None or actual.var == ANON:
        return
    v = spec.dims[vi]
    if not isinstance(v, VariadicDim) or v.name is None:
        return
    have = b.variadics.get(v.name)
    if have is None or have.var != actual.var:
        return
    head = vi + len(have.prefix)
    tail = len(spec.dims) - vi - 1 + len(have.suffix)
    if head != len(actual.prefix) or tail != len(actual.suffix):
        raise ShapeError(f"argument '{param}': expected ({spec.text}) with *{v.name} = "
                         f"({have}), got ({actual}): the ranks differ")


def _bind_variadic(name: str, seg: Shape, b: Bindings, param: str) -> None:
    if name not in b.variadics:
        b.variadics[name] = seg
        b.origin["*" + name] = f"'{param}'"
        return
    have = b.variadics[name]
    if have.var is None and seg.var is None and have != seg:
        raise ShapeError(f"argument '{param}': *{name} is ({seg}) but it is ({have}) "
                         f"from {b.origin['*' + name]}")


def _try_bind(item: tuple[int, ExprDim, SDim], b: Bindings, param: str) -> bool:
    """Bind or check one dim; False when it has to wait for other names."""
    index, spec, got = item
    if spec.broadcastable and got == ONE:
        return True
    if any(b.dims.get(n, ONE) is None for n in spec.dim.free_symbols()):
        return True  # depends on an unknown dim: nothing to check
    expr = spec.dim.subst(b.dim_env())
    # Unbound names of the spec; those a bound factor of 0 cancelled (`N*M`, M = 0) drop out.
    left = expr.free_symbols()
    unbound = [n for n in spec.dim.free_symbols() if n not in b.dims and n in left]
    got_dim = got.dim if isinstance(got, BDim) else got
    if not unbound:
        if got_dim is not None and got_dim != expr:
            raise _mismatch(param, index, spec, expr, got, b)
        return True
    if len(unbound) > 1:
        return False
    name = unbound[0]
    if got_dim is None:
        b.dims[name] = None
        b.origin[name] = _where(param, index)
        return True
    if not is_linear_in(expr, name):
        return False  # `N//2`, `N*N`: checked once N is bound by another dim
    value = solve_for(expr, got_dim, name)
    if value is None:
        if got_dim.is_const:
            raise ShapeError(f"argument '{param}': dim {index} is {got_dim}, which does not "
                             f"fit {spec.dim}")
        b.dims[name] = None  # not solvable symbolically: treat as unknown
        return True
    if value.const_value is not None and value.const_value < 0:
        raise ShapeError(f"argument '{param}': dim {index} is {got_dim}, which does not "
                         f"fit {spec.dim}")
    b.dims[name] = value
    b.origin[name] = _where(param, index)
    return True


def instantiate(spec: ShapeSpec, b: Bindings) -> Shape:
    """The shape `spec` denotes under the bindings (unbound names stay symbolic)."""
    env = b.dim_env()
    unknown = {n for n, v in b.dims.items() if v is None}
    prefix: list[SDim] = []
    seg: Shape | None = None
    suffix: list[SDim] = []
    for d in spec.dims:
        target = prefix if seg is None else suffix
        if isinstance(d, VariadicDim):
            seg = b.variadics.get(d.name, Shape.unknown()) if d.name else Shape.unknown()
            if seg.var is None:
                prefix.extend(seg.prefix)
                seg = Shape(())
            continue
        if isinstance(d, AnyDim) or (d.dim.free_symbols() & unknown):
            target.append(None)
            continue
        value = d.dim.subst(env)
        target.append(BDim(value) if d.broadcastable and value != ONE else value)
    if seg is None or seg.var is None:
        return Shape(tuple(prefix + suffix))
    return Shape(tuple(prefix) + seg.prefix, seg.var, seg.suffix + tuple(suffix))
