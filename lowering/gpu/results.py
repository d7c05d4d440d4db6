"""Results computed straight into the caller's buffers.

The entry glue computes a tensor result into a temporary, checks that its shape is the one
the caller allocated, and then copies it into the caller's buffer (`lowering.emit.entry`).
On a GPU the copy costs as much as the kernel that computed the result when that kernel is
elementwise. This rewrite (on generalized, bufferized linalg ops, before the mapping) makes
every linalg op that uses the temporary use

    %dst = arith.select %same_shape, %caller_buffer, %temporary

instead, and runs the final copy only when `%dst` is not the caller's buffer already:

    %t = memref.alloc(...)                         %t = memref.alloc(...)
    linalg.generic ... outs(%t)                    %dst = select(dims(%t) == dims(%out), %out, %t)
    ...                                       ->   linalg.generic ... outs(%dst)
    scf.if %same {                                 scf.if %same {
      linalg.copy %t -> %out                         scf.if ptr(%dst) != ptr(%out) { copy }
    }                                              }

It applies when the temporary has no other users than linalg ops, `memref.dim`, metadata
reads and its deallocation (so it is never yielded, viewed or read on the host), and the
caller's buffer is a result slot (which nothing else reads or writes before the copy).
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, memref, scf

from lowering.gpu.elementwise import indexing_maps
from lowering.gpu.host import defining_op, walk

_ALLOWED = frozenset({"memref.dim", "memref.dealloc", "memref.extract_strided_metadata",
                      "memref.extract_aligned_pointer_as_index"})


def _is_copy(op: ir.Operation) -> bool:
    """A generic that copies its one input to its one output (identity maps)."""
    if op.name != "linalg.generic" or len(op.operands) != 2:
        return False
    maps = indexing_maps(op)
    if maps[0] != maps[1] or maps[0] != ir.AffineMap.get_identity(maps[0].n_dims):
        return False
    block = op.regions[0].blocks[0]
    ops = list(block.operations)
    return len(ops) == 1 and list(ops[0].operands) == [block.arguments[0]]


def _user(use: ir.OpOperand) -> ir.Operation:
    owner = use.owner
    return owner.operation if isinstance(owner, ir.OpView) else owner


def write_results_in_place(impl: ir.Operation, result_args: list[int]) -> int:
    """Apply the rewrite to the implementation function; how many results it applied to."""
    entry = impl.regions[0].blocks[0]
    outs = [entry.arguments[i] for i in result_args]
    done = 0
    for op in list(walk(impl)):
        if not _is_copy(op) or op.operands[1] not in outs:
            continue
        src, out = op.operands[0], op.operands[1]
        alloc = defining_op(src)
        if alloc is None or alloc.name != "memref.alloc" or src.type != out.type:
            continue
        users = [_user(u) for u in src.uses]
        if any(u.name not in _ALLOWED and not u.name.startswith("linalg.") for u in users):
            continue
        with alloc.location:
            _rewrite(alloc, op, src, out)
        done += 1
    return done


def _rewrite(alloc: ir.Operation, copy: ir.Operation, src: ir.Value, out: ir.Value) -> None:
    index = ir.IndexType.get()
    with ir.InsertionPoint.after(alloc):
        same = arith.ConstantOp(ir.IntegerType.get_signless(1), 1).result
        for d in range(ir.MemRefType(src.type).rank):
            k = arith.ConstantOp(index, d).result
            eq = arith.CmpIOp(arith.CmpIPredicate.eq, memref.DimOp(src, k).result,
                              memref.DimOp(out, k).result).result
            same = arith.AndIOp(same, eq).result
        dst = arith.SelectOp(same, out, src).result
    for use in list(src.uses):
        user = _user(use)
        if user.name.startswith("linalg.") and user != copy:
            user.operands[use.operand_number] = dst
    with ir.InsertionPoint(copy):
        a = memref.ExtractAlignedPointerAsIndexOp(dst).result
        b = memref.ExtractAlignedPointerAsIndexOp(out).result
        differ = arith.CmpIOp(arith.CmpIPredicate.ne, a, b).result
        guard = scf.IfOp(differ)
        with ir.InsertionPoint(guard.then_block):
            scf.YieldOp([])
    copy.move_before(list(guard.then_block.operations)[-1])
    copy.operands[0] = dst
