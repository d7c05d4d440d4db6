"""The typed IR: what the front end builds from a kernel's AST and the emitter lowers.

Every node carries its source location; every expression its abstract value from
`typecheck.values` (dtype and symbolic shape for tensors, kind for scalars), computed with the
same rules the mypy plugin uses. Statements are structured (no `goto`); `break`, `continue`,
`return`, failing checks and inlined-call blocks are removed by `lowering.structure` before
emission.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

from dsl._errors import SourceLoc as SourceLoc
from typecheck.values import ScalarV, TensorV, Value


# --- expressions ------------------------------------------------------------------------
@dataclass(frozen=True)
class Const:
    """A compile-time constant: a Python int/float/bool, or a static object (a dtype, None,
    a string) that only ops take as an argument."""

    loc: SourceLoc
    type: Value
    value: object


@dataclass(frozen=True)
class Var:
    """A read of a local variable (parameters included)."""

    loc: SourceLoc
    type: Value
    name: str


@dataclass(frozen=True)
class Op:
    """An operation of the language by its rule name (`add`, `exp`, `sum`, `getitem`, ...),
    or an internal one (`dim`: run-time size of a tensor dim; `scalar_cast`; `not`;
    `select`; `bool_and`; `bool_or`). `kwargs` are static or dynamic arguments by name."""

    loc: SourceLoc
    type: Value
    op: str
    args: tuple["Expr", ...]
    kwargs: tuple[tuple[str, "Expr"], ...] = ()

    def kwarg(self, name: str) -> "Expr | None":
        """The keyword argument `name`, if given."""
        for k, v in self.kwargs:
            if k == name:
                return v
        return None


@dataclass(frozen=True)
class TupleExpr:
    """A tuple or list display (shapes, axes, tensor lists, tuple returns)."""

    loc: SourceLoc
    type: Value
    items: tuple["Expr", ...]


@dataclass(frozen=True)
class SliceExpr:
    """`lo:hi:step` inside an index; parts may be None."""

    loc: SourceLoc
    type: Value
    lo: "Expr | None"
    hi: "Expr | None"
    step: "Expr | None"


Expr = Union[Const, Var, Op, TupleExpr, SliceExpr]


# --- statements -------------------------------------------------------------------------
@dataclass
class Assign:
    """`name = value` (tuple unpacking is split into several assigns by the front end)."""

    loc: SourceLoc
    name: str
    value: Expr


@dataclass
class SetItem:
    """`name[index] = value`: writes into the tensor held by `name` (a parameter's writes
    reach the caller's buffer)."""

    loc: SourceLoc
    name: str
    index: Expr
    value: Expr


@dataclass
class If:
    """`if cond: then else: orelse` on a run-time bool."""

    loc: SourceLoc
    cond: Expr
    then: list["Stmt"]
    orelse: list["Stmt"]


@dataclass
class For:
    """`for var in range(start, stop, step)`; `step` is never zero at run time (checked)."""

    loc: SourceLoc
    var: str
    start: Expr
    stop: Expr
    step: Expr
    body: list["Stmt"]


@dataclass
class While:
    """`while cond: body`."""

    loc: SourceLoc
    cond: Expr
    body: list["Stmt"]


@dataclass
class Break:
    loc: SourceLoc


@dataclass
class Continue:
    loc: SourceLoc


@dataclass
class Return:
    """`return value` (value None for a kernel that returns nothing)."""

    loc: SourceLoc
    value: Expr | None


@dataclass
class Print:
    """`print(...)`: `site` indexes the kernel's print table; `values` are the run-time
    arguments in order (the literal strings live in the table)."""

    loc: SourceLoc
    site: int
    values: tuple[Expr, ...]


@dataclass
class Check:
    """A run-time check: when `cond` is false the kernel reports `a`, `b` through the error
    hook and returns `site` (an `assert`, a bounds or a shape check)."""

    loc: SourceLoc
    cond: Expr
    site: int
    a: Expr | None = None
    b: Expr | None = None


@dataclass
class Inlined:
    """The body of an inlined kernel call that may return before its end: a `Return` in
    `body` (outside nested `Inlined`) leaves only this block, storing its value in `result`
    (None: the callee returns nothing); the caller goes on after the block."""

    loc: SourceLoc
    scope: str
    body: list["Stmt"]
    result: str | None
    type: Value | None


@dataclass
class Function:
    """A kernel after the front end: parameters with their abstract values, the body, the
    result's abstract value (None: returns nothing)."""

    name: str
    loc: SourceLoc
    params: list[tuple[str, Value]]
    body: list[Stmt]
    result: Value | None
    written: set[str] = field(default_factory=set)


def is_tensor(v: Value) -> bool:
    """Whether an abstract value is a tensor."""
    return isinstance(v, TensorV)


def scalar_kind(v: Value) -> str | None:
    """'int', 'float' or 'bool' for a scalar value, else None."""
    return v.kind if isinstance(v, ScalarV) else None


@dataclass
class Fail:
    """Report a failing site through the error hook and set the kernel's status (made from
    `Check` by `lowering.structure`; the statements after it are skipped by flags)."""

    loc: SourceLoc
    site: int
    a: Expr | None = None
    b: Expr | None = None


Stmt = Union[Assign, SetItem, If, For, While, Break, Continue, Return, Print, Check, Fail,
             Inlined]
