"""Cooperative reductions: a reduction `linalg.generic` becomes one `gpu.launch`.

Mapping (256 threads a block, one block per output element):

    for g in blockIdx.x .. P step gridDim.x:          # P = flattened parallel dims
        state = identity
        for r in threadIdx.x .. R step blockDim.x:    # R = flattened reduction dims
            state = merge(element(g, r), state)        # the generic's own body, cloned
        state = butterfly over the warp (gpu.shuffle xor 16, 8, 4, 2, 1)
        lane 0 of each warp: shared[warp] = state;    gpu.barrier
        warp 0: state = shared[lane] (identity past the 8 warps); butterfly again
                lane 0: out[g] = combine(state, out[g])  (the init linalg reads from `outs`)
        gpu.barrier                                     # shared memory is reused next g

The loop over `g` depends only on the block index, so every barrier is reached by the whole
block. Two kinds of bodies are understood (anything else raises NotImplementedError and the
caller falls back to a thread per output):
- one output folded by a known associative op (`addf`, `maximumf`, `andi`, ...; the CPU path
  marks these `reassoc` too): partial states start at the op's identity;
- argmax (`lowering.emit.ops_reduce._argmax`): two outputs, value and i64 flat index, chosen
  by two `select`s on one condition. Partial states are (value, index) with index -1 for
  "none yet", merged by the order NaN first, then larger value, then smaller index, which is
  what the sequential CPU loop (first occurrence wins, first NaN wins) computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from mlir import ir
from mlir.dialects import arith, gpu, memref, scf

from lowering.gpu.reduce_ir import (
    Combiner, GenericView, Launch, clone_ops, delinearize, depends_on, element_ops,
    grid_size, if_then, index, loop_sizes, map_dims, map_indices, new_launch, product, single_combiner,
    stride_loop, view_generic, workgroup_buffer, zero_of)

THREADS = 256
WARP = 32
GRID_CAP = 1 << 20

Values = list[ir.Value]


@dataclass
class _State:
    """How partial results of one reduction are represented, made and merged."""

    types: list[ir.Type]
    element_values: list[ir.Value]            # body values that form an element's state
    identity: Callable[[], Values]
    merge: Callable[[Values, Values], Values]
    finish: Callable[[Values, list[ir.Value | None]], None]  # (total, loop indices) -> stores


def lower_reduction(op: ir.Operation) -> None:
    """Replace the reduction `linalg.generic` `op` by a cooperative `gpu.launch` (in place);
    NotImplementedError (IR untouched) for a body or map this mapping does not cover."""
    with op.location:
        view = view_generic(op)
        if not any(view.reduction):
            raise NotImplementedError("no reduction loop")
        for m in view.maps[len(view.inputs):]:
            if any(view.reduction[p] for p in map_dims(m)):
                raise NotImplementedError("an output is indexed by a reduction dim")
        state = _argmax_state(view) if len(view.outputs) == 2 else _combiner_state(view)
        with ir.InsertionPoint(op):
            _emit(view, state)
    op.erase()


def _emit(view: GenericView, state: _State) -> None:
    sizes = loop_sizes(view)
    par = [d for d in range(view.n_loops) if not view.reduction[d]]
    red = [d for d in range(view.n_loops) if view.reduction[d]]
    n_par, n_red = product([sizes[d] for d in par]), product([sizes[d] for d in red])
    nwarps = THREADS // WARP
    shared = [workgroup_buffer(nwarps, t) for t in state.types]
    launch = new_launch([grid_size(n_par, GRID_CAP), index(1), index(1)], [THREADS, 1, 1],
                        shared)
    with ir.InsertionPoint(launch.body):
        outer = stride_loop(launch.block_id[0], n_par, launch.grid_dim[0])
        with ir.InsertionPoint(outer.body):
            ivs: list[ir.Value | None] = [None] * view.n_loops
            for d, v in zip(par, delinearize(outer.induction_variable,
                                             [sizes[d] for d in par])):
                ivs[d] = v
            partial = _thread_loop(view, state, launch, ivs, red, sizes, n_red)
            _block_combine(view, state, launch, partial, ivs)
            scf.YieldOp([])
        gpu.TerminatorOp()


def _thread_loop(view: GenericView, state: _State, launch: Launch,
                 ivs: list[ir.Value | None], red: list[int], sizes: list[ir.Value],
                 n_red: ir.Value) -> Values:
    """Each thread folds the elements r = tid, tid + blockDim, ... into its own state."""
    loop = stride_loop(launch.thread_id[0], n_red, launch.block_dim[0], state.identity())
    with ir.InsertionPoint(loop.body):
        all_ivs = list(ivs)
        for d, v in zip(red, delinearize(loop.induction_variable, [sizes[d] for d in red])):
            all_ivs[d] = v
        mapping: dict[ir.Value, ir.Value] = {}
        for value, m, arg in zip(view.inputs, view.maps, view.block.arguments):
            if any(True for _ in arg.uses):
                mapping[arg] = memref.load(value, map_indices(m, all_ivs))
        clone_ops(element_ops(view), mapping, all_ivs)
        element = [mapping.get(v, v) for v in state.element_values]
        scf.YieldOp(state.merge(element, list(loop.inner_iter_args)))
    return list(loop.results)


def _block_combine(view: GenericView, state: _State, launch: Launch, partial: Values,
                   ivs: list[ir.Value | None]) -> None:
    """Warp butterflies, one shared slot per warp, the first warp combines the slots."""
    tid = launch.thread_id[0]
    lane, warp = arith.remui(tid, index(WARP)), arith.divui(tid, index(WARP))
    zero = index(0)
    partial = _warp_reduce(state, partial)
    first_lane = if_then(arith.cmpi(arith.CmpIPredicate.eq, lane, zero))
    with ir.InsertionPoint(first_lane.then_block):
        for v, buf in zip(partial, launch.workgroup):
            memref.store(v, buf, [warp])
        scf.YieldOp([])
    gpu.BarrierOp()
    first_warp = if_then(arith.cmpi(arith.CmpIPredicate.eq, warp, zero))
    with ir.InsertionPoint(first_warp.then_block):
        nwarps = THREADS // WARP
        valid = arith.cmpi(arith.CmpIPredicate.ult, lane, index(nwarps))
        slot = arith.remui(lane, index(nwarps))
        ident = state.identity()
        mine = [arith.select(valid, memref.load(buf, [slot]), e)
                for buf, e in zip(launch.workgroup, ident)]
        total = _warp_reduce(state, mine)
        writer = if_then(arith.cmpi(arith.CmpIPredicate.eq, lane, zero))
        with ir.InsertionPoint(writer.then_block):
            state.finish(total, ivs)
            scf.YieldOp([])
        scf.YieldOp([])
    gpu.BarrierOp()


def _warp_reduce(state: _State, values: Values) -> Values:
    for offset in (16, 8, 4, 2, 1):
        values = state.merge(values, [_shuffle_xor(v, offset) for v in values])
    return values


def _shuffle_xor(v: ir.Value, offset: int) -> ir.Value:
    """`gpu.shuffle xor` of any scalar (16-bit floats via f32, small ints via i32)."""
    i32 = ir.IntegerType.get_signless(32)
    t = v.type
    wide = v
    if isinstance(t, (ir.F16Type, ir.BF16Type)):
        wide = arith.extf(ir.F32Type.get(), v)
    elif isinstance(t, ir.IntegerType) and t.width < 32:
        wide = arith.extui(i32, v)
    res = gpu.ShuffleOp(wide, arith.constant(i32, offset), arith.constant(i32, WARP),
                        gpu.ShuffleMode.XOR).results[0]
    if isinstance(t, (ir.F16Type, ir.BF16Type)):
        return arith.truncf(t, res)
    if isinstance(t, ir.IntegerType) and t.width < 32:
        return arith.trunci(t, res)
    return res


# --- one-output reductions with a known combiner -------------------------------------------
def _combiner_state(view: GenericView) -> _State:
    comb = single_combiner(view)
    out, out_map = view.outputs[0], view.maps[len(view.inputs)]
    t = ir.MemRefType(out.type).element_type

    def finish(total: Values, ivs: list[ir.Value | None]) -> None:
        idx = map_indices(out_map, ivs)
        memref.store(comb.apply(total[0], memref.load(out, idx)), out, idx)
    return _State([t], [comb.element], lambda: [comb.identity(t)],
                  lambda a, b: [comb.apply(a[0], b[0])], finish)


# --- argmax ---------------------------------------------------------------------------------
def _argmax_state(view: GenericView) -> _State:
    acc = view.out_args()
    ops = list(view.block.operations)
    selects = [v.owner for v in ops[-1].operands]
    if len(selects) != 2 or any(not isinstance(s, ir.OpView) or s.name != "arith.select"
                                for s in selects):
        raise NotImplementedError("two-output reduction that is not argmax")
    s0, s1 = (s.operation for s in selects)
    if s0.operands[0] != s1.operands[0] or s0.operands[2] != acc[0] \
            or s1.operands[2] != acc[1]:
        raise NotImplementedError("two-output reduction that is not argmax")
    value, flat = s0.operands[1], s1.operands[1]
    dep = depends_on(view, list(acc))
    if any(isinstance(v.owner, ir.OpView) and v.owner.operation in dep for v in (value, flat)):
        raise NotImplementedError("argmax element depends on the accumulator")
    vt = ir.MemRefType(view.outputs[0].type).element_type
    i64 = ir.IntegerType.get_signless(64)
    if value.type != vt or flat.type != i64 or \
            ir.MemRefType(view.outputs[1].type).element_type != i64:
        raise NotImplementedError("argmax with unexpected types")
    unsigned = any(o.name == "arith.cmpi" and ir.IntegerAttr(o.attributes["predicate"]).value
                   == arith.CmpIPredicate.ugt for o in dep)
    maps = view.maps[len(view.inputs):]

    def finish(total: Values, ivs: list[ir.Value | None]) -> None:
        found = if_then(arith.cmpi(arith.CmpIPredicate.sge, total[1], arith.constant(i64, 0)))
        with ir.InsertionPoint(found.then_block):
            for v, out, m in zip(total, view.outputs, maps):
                memref.store(v, out, map_indices(m, ivs))
            scf.YieldOp([])
    return _State([vt, i64], [value, flat],
                  lambda: [zero_of(vt), arith.constant(i64, -1)],
                  lambda a, b: _argmax_merge(a, b, unsigned), finish)


def _argmax_merge(a: Values, b: Values, unsigned: bool) -> Values:
    """The better of two (value, index) states; index -1 is an empty state."""
    (va, ia), (vb, ib) = a, b
    i64 = ia.type
    first = arith.cmpi(arith.CmpIPredicate.slt, ia, ib)
    if isinstance(va.type, ir.IntegerType):
        pred = arith.CmpIPredicate.ugt if unsigned else arith.CmpIPredicate.sgt
        gt = arith.cmpi(pred, va, vb)
        eq = arith.cmpi(arith.CmpIPredicate.eq, va, vb)
        beats = arith.ori(gt, arith.andi(eq, first))
    else:
        nan_a = arith.cmpf(arith.CmpFPredicate.UNO, va, va)
        nan_b = arith.cmpf(arith.CmpFPredicate.UNO, vb, vb)
        gt = arith.cmpf(arith.CmpFPredicate.OGT, va, vb)
        eq = arith.cmpf(arith.CmpFPredicate.OEQ, va, vb)
        ordered = arith.ori(gt, arith.andi(eq, first))
        beats = arith.select(arith.xori(nan_a, nan_b), nan_a,
                             arith.select(nan_a, first, ordered))
    zero = arith.constant(i64, 0)
    b_empty = arith.cmpi(arith.CmpIPredicate.slt, ib, zero)
    a_full = arith.cmpi(arith.CmpIPredicate.sge, ia, zero)
    take_a = arith.ori(b_empty, arith.andi(a_full, beats))
    return [arith.select(take_a, va, vb), arith.select(take_a, ia, ib)]


__all__ = ["lower_reduction", "Combiner"]
