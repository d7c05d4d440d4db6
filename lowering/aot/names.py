"""C spellings for the generated wrapper: identifiers, string literals, dim expressions."""

from __future__ import annotations

from typecheck.annotations import AnyDim, DimSpec, ExprDim, VariadicDim, parse_shape
from typecheck.dims import Dim, FloorDivAtom

__all__ = ["CNames", "c_identifier", "c_string", "dim_c", "dim_specs"]

_C_KEYWORDS = frozenset(
    "auto break case char const continue default do double else enum extern float for goto "
    "if inline int long register restrict return short signed sizeof static struct switch "
    "typedef union unsigned void volatile while bool true false NULL int64_t int32_t int8_t "
    "uint16_t size_t intptr_t".split())


def c_identifier(name: str) -> bool:
    """Whether `name` can name a C function or library prefix."""
    return name.isidentifier() and name.isascii() and name not in _C_KEYWORDS


class CNames:
    """Hands out C parameter names: a wanted name, or it with `_` appended until free (C
    keywords and the wrapper's own `sk_` names are never handed out)."""

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._owned: dict[str, str] = {}

    def take(self, want: str, space: str = "param") -> str:
        """The C name for `want` in `space` ("param", "dim", "result"): the same one on a
        second call."""
        key = f"{space}:{want}"
        if key in self._owned:
            return self._owned[key]
        name = f"u_{want}" if want.startswith("sk_") else want
        while (name in self._taken or name in _C_KEYWORDS
               or any(name == f"{t}_sizes" or name == f"{t}_strides" for t in self._taken)):
            name += "_"
        self._taken |= {name, f"{name}_sizes", f"{name}_strides"}
        self._owned[key] = name
        return name


def c_string(text: str) -> str:
    """A C string literal with the UTF-8 bytes of `text`."""
    out = ['"']
    for byte in text.encode("utf-8"):
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "?":
            out.append("\\?")  # no trigraphs
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    out.append('"')
    return "".join(out)


def dim_c(dim: Dim, env: dict[str, str]) -> str:
    """`dim` as a C int64_t expression over the C names of its dim names (`env`)."""
    if not dim.terms:
        return "INT64_C(0)"
    atoms = dict(dim.atoms)
    terms: list[str] = []
    for mono, coef in dim.terms:
        factors = [f"INT64_C({coef})"]
        for key, power in mono:
            atom = atoms[key]
            base = env[atom] if isinstance(atom, str) else _floordiv_c(atom, env)
            factors += [base] * power
        terms.append("*".join(factors))
    return "(" + " + ".join(terms) + ")"


def _floordiv_c(atom: FloorDivAtom, env: dict[str, str]) -> str:
    return f"sk_floordiv({dim_c(atom.num, env)}, {dim_c(atom.den, env)})"


def dim_specs(annotation: str, rank: int) -> list[tuple[str, DimSpec]]:
    """Per axis of a tensor of `rank`: the annotation's text for it and its spec; a named
    variadic `*b` becomes `b__0`, `b__1`, ... (the ABI's names), `...` unnamed axes."""
    if not annotation:
        return [("_", AnyDim()) for _ in range(rank)]
    spec = parse_shape(annotation)
    extra = rank - sum(1 for d in spec.dims if not isinstance(d, VariadicDim))
    out: list[tuple[str, DimSpec]] = []
    for d in spec.dims:
        if isinstance(d, VariadicDim):
            for i in range(extra):
                if d.name is None:
                    out.append(("_", AnyDim()))
                else:
                    name = f"{d.name}__{i}"
                    out.append((name, ExprDim(Dim.sym(name))))
        else:
            out.append((str(d), d))
    return out
