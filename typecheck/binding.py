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
from typecheck.dims import Dim, solve_for
from typecheck.errors import ShapeError
from typecheck.shapes import ANON, ONE, BDim, SDim, Shape, dim_text


@dataclass
class Bindings:
    """Dim names and variadic names bound so far, with where each was bound."""

    dims: dict[str, SDim] = field(default_factory=dict)
    variadics: dict[str, Shape] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)

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
    pairs, seg, var_name = _split(spec, actual, param)
    if var_name is not None and seg is not None:
        _bind_variadic(var_name, seg, b, param)
    pending: list[tuple[int, ExprDim, SDim]] = []
    for index, d, got in pairs:
        if isinstance(d, ExprDim):
            pending.append((index, d, got))
    progress = True
    while pending and progress:
        progress = False
        rest = []
        for item in pending:
            if _try_bind(item, b, param):
                progress = True
            else:
                rest.append(item)
        pending = rest
    # Whatever is left has two or more unbound names: it cannot be checked here.


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
    env = b.dim_env()
    unbound = [n for n in spec.dim.free_symbols() if n not in b.dims]
    if spec.broadcastable and got == ONE:
        return True
    got_dim = got.dim if isinstance(got, BDim) else got
    if not unbound:
        if any(b.dims[n] is None for n in spec.dim.free_symbols()):
            return True  # depends on an unknown dim: nothing to check
        expected = spec.dim.subst(env)
        if got_dim is not None and got_dim != expected:
            raise _mismatch(param, index, spec, expected, got, b)
        return True
    if len(unbound) > 1:
        return False
    name = unbound[0]
    if got_dim is None:
        b.dims[name] = None
        b.origin[name] = _where(param, index)
        return True
    value = solve_for(spec.dim.subst(env), got_dim, name)
    if value is None:
        if spec.dim.as_symbol() is None and got_dim.is_const:
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
