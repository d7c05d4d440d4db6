"""Operations behind MLIR values and uses, as `ir.Operation`s (the bindings hand back an
`OpView` or an `Operation` depending on whether the op's dialect has Python classes)."""

from __future__ import annotations

from mlir import ir


# Every dialect the compiler builds, parses or lowers to (the CPU and the CUDA pipelines).
COMPILER_DIALECTS = ("builtin", "func", "arith", "math", "scf", "cf", "tensor", "linalg",
                     "bufferization", "memref", "affine", "llvm", "gpu", "nvvm", "vector",
                     "index", "ub")


def new_context() -> ir.Context:
    """A context with the compiler's dialects loaded. The bindings' default loads every
    registered dialect (about 60), 5-10 ms of each cold compile; passes load the dialects
    they produce themselves."""
    context = ir.Context(load_on_create_dialects=[])
    for name in COMPILER_DIALECTS:
        context.get_dialect_descriptor(name)  # loads it without importing Python modules
    context.allow_unregistered_dialects = False
    return context


def defining_op(v: ir.Value) -> ir.Operation | None:
    """The op that defines `v` (None for a block argument)."""
    owner = v.owner
    if isinstance(owner, ir.Block):
        return None
    return owner.operation if isinstance(owner, ir.OpView) else owner


def user_op(use: ir.OpOperand) -> ir.Operation:
    """The op that `use` is an operand of."""
    owner = use.owner
    return owner.operation if isinstance(owner, ir.OpView) else owner


def impl_function(module: ir.Module, symbol: str) -> ir.Operation | None:
    """The kernel's implementation function `<symbol>__impl` in `module`, if there is one."""
    for op in module.body.operations:
        if op.operation.name == "func.func" and \
                ir.StringAttr(op.attributes["sym_name"]).value == f"{symbol}__impl":
            return op.operation
    return None
