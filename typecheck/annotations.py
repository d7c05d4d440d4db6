"""Parsing jaxtyping dim strings (`"B N"`, `"*b 2*N #C"`, `"... 4*D"`) into dim specs.

The parser accepts exactly the grammar of the language contract and raises `AnnotationError`
(never anything else) on every other string.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Union

from typecheck.dims import Dim
from typecheck.errors import AnnotationError


@dataclass(frozen=True)
class ExprDim:
    """A named, literal or arithmetic dim; `broadcastable` for `#name`."""

    dim: Dim
    broadcastable: bool = False

    def __str__(self) -> str:
        return ("#" if self.broadcastable else "") + str(self.dim)


@dataclass(frozen=True)
class AnyDim:
    """`_`: any single dim."""

    def __str__(self) -> str:
        return "_"


@dataclass(frozen=True)
class VariadicDim:
    """`*name` (named) or `...` (name None): zero or more dims."""

    name: str | None

    def __str__(self) -> str:
        return "..." if self.name is None else f"*{self.name}"


DimSpec = Union[ExprDim, AnyDim, VariadicDim]


@dataclass(frozen=True)
class ShapeSpec:
    """A parsed dim string: the specs in order, at most one of them variadic."""

    dims: tuple[DimSpec, ...]
    text: str

    @property
    def variadic_index(self) -> int | None:
        for i, d in enumerate(self.dims):
            if isinstance(d, VariadicDim):
                return i
        return None

    def symbols(self) -> frozenset[str]:
        """Every dim name the spec mentions (not variadic names)."""
        out: set[str] = set()
        for d in self.dims:
            if isinstance(d, ExprDim):
                out |= d.dim.free_symbols()
        return frozenset(out)

    def __str__(self) -> str:
        return " ".join(str(d) for d in self.dims)


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_TOKEN = re.compile(r"(?:(\d+)|([A-Za-z_][A-Za-z0-9_]*)|(//|[-+*()]))")


def parse_shape(text: str) -> ShapeSpec:
    """Parse a jaxtyping dim string; raises `AnnotationError` naming the bad part."""
    if not isinstance(text, str):
        raise AnnotationError(f"dim string must be a str, got {type(text).__name__}")
    return _parse_shape(text)


@functools.lru_cache(maxsize=4096)
def _parse_shape(text: str) -> ShapeSpec:
    if text != text.strip() or "  " in text or any(c.isspace() and c != " " for c in text):
        raise AnnotationError(
            f"malformed dim string {text!r}: dims are separated by single spaces")
    if text == "":
        return ShapeSpec((), text)
    dims = tuple(_parse_one(tok, text) for tok in text.split(" "))
    if sum(isinstance(d, VariadicDim) for d in dims) > 1:
        raise AnnotationError(f"malformed dim string {text!r}: at most one variadic dim "
                              "(`*name` or `...`) is allowed")
    return ShapeSpec(dims, text)


def _parse_one(tok: str, whole: str) -> DimSpec:
    if tok == "...":
        return VariadicDim(None)
    if tok == "_":
        return AnyDim()
    if tok.startswith("*"):
        if not _NAME.match(tok[1:]):
            raise AnnotationError(f"malformed dim {tok!r} in {whole!r}: `*` takes a name")
        return VariadicDim(tok[1:])
    if tok.startswith("#"):
        inner = tok[1:]
        if not _NAME.match(inner) and not inner.isdigit():
            raise AnnotationError(f"malformed dim {tok!r} in {whole!r}: `#` takes a name")
        return ExprDim(_parse_expr(inner, whole), broadcastable=True)
    return ExprDim(_parse_expr(tok, whole))


def _tokenize(tok: str, whole: str) -> list[str]:
    out: list[str] = []
    pos = 0
    while pos < len(tok):
        m = _TOKEN.match(tok, pos)
        if not m or m.end() == pos:
            raise AnnotationError(f"malformed dim {tok!r} in {whole!r}: "
                                  f"unexpected {tok[pos:]!r}")
        out.append(m.group(m.lastindex or 0))
        pos = m.end()
    return out


class _ExprParser:
    """Recursive descent over `+ - * //` and parentheses, with the usual precedence."""

    def __init__(self, tokens: list[str], tok: str, whole: str) -> None:
        self.tokens, self.pos, self.tok, self.whole = tokens, 0, tok, whole

    def fail(self, why: str) -> AnnotationError:
        return AnnotationError(f"malformed dim {self.tok!r} in {self.whole!r}: {why}")

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        t = self.peek()
        if t is None:
            raise self.fail("expression ends too early")
        self.pos += 1
        return t

    def sum(self) -> Dim:
        value = self.product()
        while self.peek() in ("+", "-"):
            op = self.take()
            rhs = self.product()
            value = value + rhs if op == "+" else value - rhs
        return value

    def product(self) -> Dim:
        value = self.atom()
        while self.peek() in ("*", "//"):
            op = self.take()
            rhs = self.atom()
            if op == "*":
                value = value * rhs
            elif rhs.const_value == 0:
                raise self.fail("division by zero")
            else:
                value = value // rhs
        return value

    def atom(self) -> Dim:
        t = self.take()
        if t == "(":
            value = self.sum()
            if self.take() != ")":
                raise self.fail("missing `)`")
            return value
        if t == "-":
            return -self.atom()
        if t.isdigit():
            return Dim.const(int(t))
        if _NAME.match(t):
            return Dim.sym(t)
        raise self.fail(f"unexpected {t!r}")


def _parse_expr(tok: str, whole: str) -> Dim:
    if len(tok) > 200:
        raise AnnotationError(f"dim {tok[:20]!r}... in dim string is too long")
    parser = _ExprParser(_tokenize(tok, whole), tok, whole)
    value = parser.sum()
    if parser.peek() is not None:
        raise parser.fail(f"unexpected {parser.peek()!r}")
    const = value.const_value
    if const is not None and const < 0:
        raise parser.fail("a dim cannot be negative")
    return value
