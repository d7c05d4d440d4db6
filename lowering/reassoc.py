"""A stage that lets LLVM vectorize reductions: the combining op of every reduction
`linalg.generic` (the op that folds an input element into the accumulator `%out`) gets the
`reassoc` fast-math flag.

Without it a float sum or max over a row is one serial dependency chain (one add per 4 cycles,
say) that LLVM must keep in order; with it LLVM's loop vectorizer keeps several vector
accumulators and combines them at the end, like numpy's pairwise sums. Only the combiner is
flagged: the element computations (e.g. the range reduction in `exp`, which relies on exact
rounding of `(x + C) - C`) keep strict semantics.
"""

from __future__ import annotations

from mlir import ir

_COMBINERS = frozenset({"arith.addf", "arith.mulf", "arith.maximumf", "arith.minimumf",
                        "arith.maxnumf", "arith.minnumf"})

_INTRINSICS = {"arith.maximumf": "llvm.intr.maximum", "arith.minimumf": "llvm.intr.minimum"}


def _is_out(value: ir.Value, block: ir.Block, first_out: int) -> bool:
    """Whether `value` is one of the block's output (accumulator) arguments."""
    if not isinstance(value.owner, ir.Block) or value.owner != block:
        return False
    return bool(ir.BlockArgument(value).arg_number >= first_out)


def _mark(generic: ir.Operation, flag: ir.Attribute) -> None:
    if "reduction" not in str(generic.attributes["iterator_types"]):
        return
    n_out = len(generic.results)
    block = generic.regions[0].blocks[0]
    first_out = len(block.arguments) - n_out
    ops = list(block.operations)
    yielded = list(ops[-1].operands) if ops else []
    for op in ops:
        op = op.operation
        if op.name in _COMBINERS and len(op.results) == 1 and op.results[0] in yielded \
                and any(_is_out(v, block, first_out) for v in op.operands):
            if op.name in _INTRINSICS:
                # `arith-expand` would turn the max into compares and selects, which LLVM does
                # not vectorize as a reduction; its own intrinsic (same NaN semantics) it does.
                with ir.InsertionPoint(op), op.location:
                    new = ir.Operation.create(_INTRINSICS[op.name],
                                              results=[op.results[0].type],
                                              operands=list(op.operands))
                op.results[0].replace_all_uses_with(new.results[0])
                op.erase()
            else:
                op.attributes["fastmath"] = flag


def mark_reductions(module: ir.Module) -> None:
    """Flag the combiners of the module's reductions (in place)."""
    flag = ir.Attribute.parse("#arith.fastmath<reassoc>", module.context)

    def visit(op: ir.Operation) -> ir.WalkResult:
        if op.name == "linalg.generic":
            _mark(op, flag)
        return ir.WalkResult.ADVANCE
    module.operation.walk(visit)
