"""Symbolic dims as integer polynomials in a normal form.

A `Dim` is a sum of terms `coef * atom1^p1 * atom2^p2 ...`. Atoms are dim names (`N`) or
opaque floor divisions that could not be simplified (`N//2`). Terms are kept sorted and merged,
so `2*N`, `N+N` and `N*2` are the same object value, and `(4*D)//4` simplifies to `D`.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Mapping, Union

from typecheck.errors import ShapeError

# A monomial: sorted (atom key, power) pairs; () is the constant monomial.
Monomial = tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class FloorDivAtom:
    """An opaque `num // den` that did not divide exactly."""

    num: "Dim"
    den: "Dim"

    @property
    def key(self) -> str:
        return f"{_paren(self.num)}//{_paren(self.den)}"


Atom = Union[str, FloorDivAtom]


def _paren(d: "Dim") -> str:
    text = str(d)
    return text if d.is_atomic_text() else f"({text})"


@dataclass(frozen=True, eq=False)
class Dim:
    """An immutable symbolic dim: `terms` maps monomials to non-zero coefficients."""

    terms: tuple[tuple[Monomial, int], ...]
    atoms: tuple[tuple[str, Atom], ...] = ()

    # --- construction -------------------------------------------------------------------
    @staticmethod
    def const(value: int) -> "Dim":
        """The constant dim `value`."""
        return Dim((((), value),) if value else ())

    @staticmethod
    def sym(name: str) -> "Dim":
        """The dim named `name`."""
        return Dim((((((name, 1),), 1),)), ((name, name),))

    @staticmethod
    def _atom(atom: FloorDivAtom) -> "Dim":
        return Dim(((((atom.key, 1),), 1),), ((atom.key, atom),))

    @staticmethod
    def _build(terms: Mapping[Monomial, int], atoms: Mapping[str, Atom]) -> "Dim":
        kept = tuple(sorted((m, c) for m, c in terms.items() if c != 0))
        used = {k for m, _ in kept for k, _ in m}
        return Dim(kept, tuple(sorted((k, a) for k, a in atoms.items() if k in used)))

    # --- queries ------------------------------------------------------------------------
    @property
    def const_value(self) -> int | None:
        """The integer value when the dim has no symbols, else None."""
        if not self.terms:
            return 0
        if len(self.terms) == 1 and self.terms[0][0] == ():
            return self.terms[0][1]
        return None

    @property
    def is_const(self) -> bool:
        return self.const_value is not None

    def free_symbols(self) -> frozenset[str]:
        """The dim names this dim depends on (through floor divisions too)."""
        names: set[str] = set()
        for _, atom in self.atoms:
            if isinstance(atom, str):
                names.add(atom)
            else:
                names |= atom.num.free_symbols() | atom.den.free_symbols()
        return frozenset(names)

    def as_symbol(self) -> str | None:
        """The name when this dim is exactly one dim name, else None."""
        if len(self.terms) == 1 and self.terms[0][1] == 1:
            mono = self.terms[0][0]
            if len(mono) == 1 and mono[0][1] == 1:
                atom = dict(self.atoms)[mono[0][0]]
                return atom if isinstance(atom, str) else None
        return None

    def is_atomic_text(self) -> bool:
        return self.is_const and (self.const_value or 0) >= 0 or self.as_symbol() is not None

    # --- arithmetic ---------------------------------------------------------------------
    def __add__(self, other: "Dim | int") -> "Dim":
        o = _lift(other)
        terms = dict(self.terms)
        for m, c in o.terms:
            terms[m] = terms.get(m, 0) + c
        return Dim._build(terms, {**dict(self.atoms), **dict(o.atoms)})

    __radd__ = __add__

    def __neg__(self) -> "Dim":
        return Dim(tuple((m, -c) for m, c in self.terms), self.atoms)

    def __sub__(self, other: "Dim | int") -> "Dim":
        return self + (-_lift(other))

    def __rsub__(self, other: "Dim | int") -> "Dim":
        return _lift(other) - self

    def __mul__(self, other: "Dim | int") -> "Dim":
        o = _lift(other)
        terms: dict[Monomial, int] = {}
        for m1, c1 in self.terms:
            for m2, c2 in o.terms:
                m = _mono_mul(m1, m2)
                terms[m] = terms.get(m, 0) + c1 * c2
        return Dim._build(terms, {**dict(self.atoms), **dict(o.atoms)})

    __rmul__ = __mul__

    def __floordiv__(self, other: "Dim | int") -> "Dim":
        o = _lift(other)
        num_c, den_c = self.const_value, o.const_value
        if den_c == 0:
            raise ShapeError(f"division by zero in the dim ({self})//({o})")
        if num_c is not None and den_c is not None:
            return Dim.const(num_c // den_c)
        exact = self.exact_div(o)
        if exact is not None:
            return exact
        return Dim._atom(FloorDivAtom(self, o))

    def __rfloordiv__(self, other: "Dim | int") -> "Dim":
        return _lift(other) // self

    def exact_div(self, other: "Dim") -> "Dim | None":
        """`self / other` when `other` is one term dividing every term exactly, else None."""
        if len(other.terms) != 1:
            return None
        (dm, dc), = other.terms
        if dc == 0:
            return None
        out: dict[Monomial, int] = {}
        for m, c in self.terms:
            q = _mono_div(m, dm)
            if q is None or c % dc:
                return None
            out[q] = c // dc
        return Dim._build(out, dict(self.atoms))

    # --- substitution and evaluation ----------------------------------------------------
    def subst(self, env: Mapping[str, "Dim"]) -> "Dim":
        """Replace dim names by dims (simultaneously); unknown names stay."""
        if not env or not (self.free_symbols() & env.keys()):
            return self
        total = Dim.const(0)
        atoms = dict(self.atoms)
        for mono, coef in self.terms:
            term = Dim.const(coef)
            for key, power in mono:
                atom = atoms[key]
                base = env.get(atom, Dim.sym(atom)) if isinstance(atom, str) else (
                    atom.num.subst(env) // atom.den.subst(env))
                for _ in range(power):
                    term = term * base
            total = total + term
        return total

    def evaluate(self, env: Mapping[str, int]) -> int:
        """The integer value under `env`; raises KeyError naming a missing dim."""
        return _require_const(self.subst({k: Dim.const(v) for k, v in env.items()}))

    # --- identity (hot in the checker: cached) ---------------------------------------------
    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        return isinstance(other, Dim) and self.terms == other.terms and self.atoms == other.atoms

    def __hash__(self) -> int:
        return self._hash

    @functools.cached_property
    def _hash(self) -> int:
        return hash(self.terms)

    # --- printing -----------------------------------------------------------------------
    def __str__(self) -> str:
        return self._text

    @functools.cached_property
    def _text(self) -> str:
        if not self.terms:
            return "0"
        atoms = dict(self.atoms)
        parts: list[str] = []
        # Highest-degree terms first, the constant last: `2*N+1`.
        for mono, coef in sorted(self.terms, key=lambda t: (-_degree(t[0]), t[0])):
            wrap = len(mono) > 1 or coef != 1 or any(p > 1 for _, p in mono)
            factors = [_power_text(atoms[k], p, wrap) for k, p in mono]
            if not factors:
                body = str(abs(coef))
            elif abs(coef) == 1:
                body = "*".join(factors)
            else:
                body = "*".join([str(abs(coef))] + factors)
            sign = "-" if coef < 0 else "+"
            parts.append(body if not parts and sign == "+" else sign + body)
        return "".join(parts)

    def __repr__(self) -> str:
        return f"Dim({str(self)!r})"


def _require_const(d: Dim) -> int:
    value = d.const_value
    if value is None:
        raise KeyError(sorted(d.free_symbols())[0] if d.free_symbols() else str(d))
    return value


def _power_text(atom: Atom, power: int, wrap: bool) -> str:
    text = atom if isinstance(atom, str) else (f"({atom.key})" if wrap else atom.key)
    return "*".join([text] * power)


def _degree(mono: Monomial) -> int:
    return sum(p for _, p in mono)


def _lift(x: "Dim | int") -> Dim:
    if isinstance(x, Dim):
        return x
    if isinstance(x, bool) or not isinstance(x, int):
        raise TypeError(f"cannot use {x!r} as a dim")
    return Dim.const(x)


def _mono_mul(a: Monomial, b: Monomial) -> Monomial:
    powers = dict(a)
    for k, p in b:
        powers[k] = powers.get(k, 0) + p
    return tuple(sorted(powers.items()))


def _mono_div(a: Monomial, b: Monomial) -> Monomial | None:
    powers = dict(a)
    for k, p in b:
        left = powers.get(k, 0) - p
        if left < 0:
            return None
        if left:
            powers[k] = left
        else:
            powers.pop(k, None)
    return tuple(sorted(powers.items()))


def is_linear_in(expr: Dim, name: str) -> bool:
    """Whether `expr` is `a*name + rest` with a constant `a != 0` and `rest` free of `name`."""
    atoms = dict(expr.atoms)
    if any(isinstance(a, FloorDivAtom) and name in a.num.free_symbols() | a.den.free_symbols()
           for a in atoms.values()):
        return False
    linear = False
    for mono, _ in expr.terms:
        mentions = [k for k, _ in mono if atoms.get(k) == name]
        if mentions and mono != ((mentions[0], 1),):
            return False
        linear = linear or bool(mentions)
    return linear


def solve_for(expr: Dim, target: Dim, unknown: str) -> Dim | None:
    """Solve `expr == target` for the dim name `unknown` when `expr` is linear in it.

    Returns the value of `unknown`, or None when `expr` is not of the form `a*unknown + rest`
    with constant `a`, or when `target - rest` is not divisible by `a`.
    """
    coef = 0
    rest: dict[Monomial, int] = {}
    atoms = dict(expr.atoms)
    for mono, c in expr.terms:
        keys = [k for k, _ in mono if atoms.get(k) == unknown]
        if not keys:
            rest[mono] = c
        elif mono == ((keys[0], 1),):
            coef = c
        else:
            return None
    if any(isinstance(a, FloorDivAtom) and unknown in a.num.free_symbols() | a.den.free_symbols()
           for a in atoms.values()):
        return None
    if coef == 0:
        return None
    remainder = target - Dim._build(rest, atoms)
    if coef == 1:
        return remainder
    return remainder.exact_div(Dim.const(coef))
