"""Tensor results written straight into the caller's buffers (stage "bufferized").

The entry glue (`lowering.emit.entry`) materialises each tensor result into its result slot
after the body, once the result's shape has been checked against the slot's. One-shot
bufferization turns that into a copy from the buffer the body computed the result in, which
costs a full read and write of the result. This rewrite runs between one-shot bufferization
and the deallocation passes and makes the body compute the result in the slot instead:

                                              %d = scf.if (%b, %n) == dims(%out) {
                                                yield %out
                                              } else {
    %t = memref.alloc(%b, %n)                   %t = memref.alloc(%b, %n); yield %t
                                              }
    linalg.generic ... outs(%t)          ->   linalg.generic ... outs(%d)
    ...                                       ...
    memref.copy %t, %out                      scf.if ptr(%d) != ptr(%out) { memref.copy %d, %out }

The allocation may also reach the copy through `scf.if` results (a body that follows a check
or an early `return` runs under `scf.if`) and casts; each branch's own allocation is
rewritten. The copy is erased when every branch yields such an allocation (or a buffer with
no elements, like the placeholder of a result not yet assigned), else it is guarded. Because
this runs before `ownership-based-buffer-deallocation`, that pass sees the `scf.if` and
frees `%d` only when it is the temporary (the caller's buffer, a function argument, is
never owned).

It is safe because a result slot is fresh (the runtime allocates it; nothing reads it before
the final copy, nothing else frees it), the temporary is still allocated and used whenever
the shapes differ (the glue then reports the error as before), and an allocation is only rewritten when
it is used by nothing but reads and writes of its elements, views of it, and the one yield
that carries it to the copy; the allocations rewritten for one slot lie in different branches
of the `scf.if` tree, so at most one of them is computed in any run.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import arith, memref, scf

from dsl._runtime.abi import KernelABI
from lowering.mlir_ops import defining_op, impl_function, user_op
from lowering.passes import run_pipeline
from lowering.tir import SourceLoc

ONE_SHOT = ("builtin.module(one-shot-bufferize{bufferize-function-boundaries=1 "
            "allow-return-allocs-from-loops=1 "
            "function-boundary-type-conversion=identity-layout-map},canonicalize)")
DEALLOCATE = ("builtin.module(func.func(ownership-based-buffer-deallocation),canonicalize,"
              "buffer-deallocation-simplification,bufferization-lower-deallocations,cse,"
              "canonicalize)")
# The whole stage as one pipeline, without the rewrite (what `run_stage` runs in two parts).
BUFFERIZE = ONE_SHOT[:-1] + "," + DEALLOCATE[len("builtin.module("):]

# Uses that read or write the elements of a buffer (or only its shape or address).
_ACCESSES = frozenset({"memref.copy", "memref.load", "memref.store", "memref.dim",
                       "memref.extract_strided_metadata",
                       "memref.extract_aligned_pointer_as_index"})
# Uses that are other views of the same buffer.
_VIEWS = frozenset({"memref.expand_shape", "memref.collapse_shape", "memref.subview",
                    "memref.cast", "memref.reinterpret_cast", "memref.transpose"})


def run_stage(module: ir.Module, stage: str, pipeline: str, abi: KernelABI,
              loc: SourceLoc) -> None:
    """Run one stage of `lowering.pipeline.MLIR_STAGES` ("bufferized" with this rewrite)."""
    if stage == "bufferized":
        bufferize(module, abi, loc)
    else:
        run_pipeline(module, pipeline, stage, loc)


def bufferize(module: ir.Module, abi: KernelABI, loc: SourceLoc) -> int:
    """One-shot bufferization, results in place, deallocation; how many results were
    rewritten to be computed in their slot."""
    run_pipeline(module, ONE_SHOT, "bufferized", loc)
    impl = impl_function(module, abi.symbol)
    first = len(abi.params)
    slots = [first + k for k, r in enumerate(abi.results) if r.kind == "tensor"]
    done = write_results_in_place(impl, slots) if impl is not None and slots else 0
    run_pipeline(module, DEALLOCATE, "bufferized", loc)
    return done


def _walk(op: ir.Operation) -> list[ir.Operation]:
    found: list[ir.Operation] = []
    for region in op.regions:
        for block in region.blocks:
            for nested in block.operations:
                found.append(nested.operation)
                found.extend(_walk(nested.operation))
    return found


def write_results_in_place(impl: ir.Operation, slots: list[int]) -> int:
    """Apply the rewrite to the bufferized implementation function, whose arguments
    `slots` are the result slots; how many final copies it applied to."""
    entry = impl.regions[0].blocks[0]
    outs = [entry.arguments[i] for i in slots]
    done = 0
    for op in _walk(impl):
        if op.name != "memref.copy" or not any(op.operands[1] == o for o in outs):
            continue
        src, out = op.operands[0], op.operands[1]
        trace = _Trace()
        if not trace.follow(src, out.type) or not trace.only_accessed():
            continue
        for alloc in trace.allocs:
            with alloc.location:
                _slot_unless_shapes_differ(alloc, out)
        if trace.other_leaves:
            with op.location:
                _guard(op, out)
        else:
            # a copy needs equal shapes: it now copies the slot onto itself or copies nothing
            op.erase()
        done += 1
    return done


class _Trace:
    """The allocations a value may be, through `scf.if` results: the branches that compute
    the value in an allocation of their own (or in a further such `scf.if`). Branches that
    yield anything else keep their buffer (the guarded copy still runs for them)."""

    def __init__(self) -> None:
        self.allocs: list[ir.Operation] = []
        self.carried: list[ir.Value] = []  # the `scf.if` results on the way
        # the yields and casts (with the operand) that carry them
        self.yields: list[tuple[ir.Operation, int]] = []
        self.other_leaves = False  # whether some branch yields another buffer

    def follow(self, v: ir.Value, ty: ir.Type) -> bool:
        """Record the allocations `v` may be; whether there is one."""
        op = defining_op(v)
        if op is None:
            return False
        if op.name == "memref.alloc":
            mt = ir.MemRefType(ty)
            if v.type != ty or len(op.operands) != sum(mt.is_dynamic_dim(d)
                                                       for d in range(mt.rank)):
                return False  # another type, or symbol operands of a layout map
            self.allocs.append(op)
            return True
        if op.name == "memref.cast":  # to the layout an `scf.if` joins its branches' into
            alloc = defining_op(op.operands[0])
            if alloc is None or alloc.block != op.block or not self.follow(op.operands[0], ty):
                return False
            self.carried.append(v)
            self.yields.append((op, 0))
            return True
        if op.name != "scf.if":
            return False
        k = ir.OpResult(v).result_number
        found = False
        for region in op.regions:
            block = region.blocks[0]
            term = list(block.operations)[-1]
            inner = defining_op(term.operands[k])
            # only values defined in the branch itself: two branches never both run
            if inner is not None and inner.block == block and self.follow(term.operands[k], ty):
                self.yields.append((term, k))
                found = True
            elif not _no_elements(term.operands[k]):
                self.other_leaves = True
        if found:
            self.carried.append(v)
        return found

    def only_accessed(self) -> bool:
        """Whether the allocations and the values carrying them are used only by element
        accesses (the final copy among them), views, linalg ops and the yields and casts
        that carry them."""
        values = [a.result for a in self.allocs] + self.carried
        return all(_uses_ok(v, self.yields) for v in values)


def _no_elements(v: ir.Value) -> bool:
    """Whether `v` is (a cast of) an allocation with a static zero extent, such as the
    placeholder a result variable holds before its assignment: copying it copies nothing."""
    op = defining_op(v)
    if op is not None and op.name == "memref.cast":
        op = defining_op(op.operands[0])
    return (op is not None and op.name == "memref.alloc" and
            0 in ir.MemRefType(op.result.type).shape)


def _uses_ok(v: ir.Value, carriers: list[tuple[ir.Operation, int]]) -> bool:
    for use in v.uses:
        user = user_op(use)
        if user.name.startswith("linalg.") or user.name in _ACCESSES:
            continue
        if any(user == c and use.operand_number == k for c, k in carriers):
            continue
        if user.name in _VIEWS and _uses_ok(user.result, []):
            continue
        return False
    return True


def _slot_unless_shapes_differ(alloc: ir.Operation, out: ir.Value) -> None:
    """Allocate only when the shapes differ: `%d = scf.if same { out } else { alloc }`, and
    use `%d` instead of the alloc."""
    index = ir.IndexType.get()
    temp = alloc.result
    ty = ir.MemRefType(temp.type)
    sizes = iter(list(alloc.operands))  # the dynamic sizes, in order (no symbol operands)
    with ir.InsertionPoint(alloc):
        same = arith.ConstantOp(ir.IntegerType.get_signless(1), 1).result
        for d, extent in enumerate(ty.shape):
            size = (next(sizes) if ty.is_dynamic_dim(d) else
                    arith.ConstantOp(index, extent).result)
            k = arith.ConstantOp(index, d).result
            eq = arith.CmpIOp(arith.CmpIPredicate.eq, size, memref.DimOp(out, k).result).result
            same = arith.AndIOp(same, eq).result
        choice = scf.IfOp(same, [temp.type], has_else=True)
        with ir.InsertionPoint(choice.then_block):
            scf.YieldOp([out])
        with ir.InsertionPoint(choice.else_block):
            keep = scf.YieldOp([temp])
    temp.replace_all_uses_except(choice.result, keep.operation)
    alloc.move_before(keep.operation)


def _guard(copy: ir.Operation, out: ir.Value) -> None:
    """Run the final copy only when its source is not the slot itself."""
    a = memref.ExtractAlignedPointerAsIndexOp(copy.operands[0], ip=ir.InsertionPoint(copy))
    b = memref.ExtractAlignedPointerAsIndexOp(out, ip=ir.InsertionPoint(copy))
    differ = arith.CmpIOp(arith.CmpIPredicate.ne, a.result, b.result,
                          ip=ir.InsertionPoint(copy))
    guard = scf.IfOp(differ.result, ip=ir.InsertionPoint(copy))
    with ir.InsertionPoint(guard.then_block):
        scf.YieldOp([])
    copy.move_before(list(guard.then_block.operations)[-1])
