"""Tiled matmul: the `linalg.generic` that `lowering.emit.ops_reduce.matmul` emits becomes one
`gpu.launch` (no tensor cores yet).

Mapping: a block of 16x16 threads computes a 64x64 tile of the output; thread (tx, ty) owns
the 4x4 outputs at rows i0 + ty + 16r and columns j0 + tx + 16c (so that neighbouring threads
read neighbouring shared-memory words). Blocks walk the tiles and the flattened batch dims
with grid-stride loops over (x: column tiles, y: row tiles, z: batch), whose trip counts
depend only on the block index. Per output, accumulation starts from the output's current
value (the fill linalg reads from `outs`) and adds the k terms in order, like the CPU loop:

    for k0 in 0 .. K step 16:
        stage A[i0:i0+64, k0:k0+16] and B[k0:k0+16, j0:j0+64] in shared memory (one buffer
            per input: producers fused into the matmul bring extra inputs, staged like A or B;
            loads outside M, N or K store a zero instead);   gpu.barrier
        for kk in 0 .. min(16, K - k0): acc[r][c] = acc[r][c] + term(As[kk][r], Bs[kk][c])
        gpu.barrier
    store the outputs that lie inside M x N

`term` is the generic's element computation (conversions and the multiply), cloned, so
f16/bf16 operands accumulate in the f32 output the emitter gives them. Matrix-vector
products (no i or no j loop) are left to the cooperative reduction (`is_matmul` is False).
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir
from mlir.dialects import arith, gpu, memref, scf

from lowering.gpu.reduce_ir import (
    Combiner, GenericView, Launch, clone_ops, delinearize, element_ops, grid_size, index,
    loop_sizes, map_dims, map_indices, map_results, new_launch, product, single_combiner,
    stride_loop, view_generic, workgroup_buffer, zero_of)

TILE = 64       # output tile edge
TK = 16         # k tile
THREADS = 16    # threads along each block edge
MICRO = TILE // THREADS
GRID_CAP = 65535


@dataclass
class _Plan:
    view: GenericView
    comb: Combiner
    i: int
    j: int
    k: int
    batch: list[int]
    on_b: list[bool]   # per input: staged like b (k x j) rather than like a (i x k)


def is_matmul(op: ir.Operation) -> bool:
    """Whether `op` is a (batched) matrix-matrix product generic `lower_matmul` handles."""
    try:
        with op.location:
            _plan(op)
    except NotImplementedError:
        return False
    return True


def lower_matmul(op: ir.Operation) -> None:
    """Replace the matmul generic `op` by a tiled `gpu.launch` (in place); NotImplementedError
    (IR untouched) when `op` is not a matmul this mapping covers."""
    with op.location:
        plan = _plan(op)
        with ir.InsertionPoint(op):
            _emit(plan)
    op.erase()


def _plan(op: ir.Operation) -> _Plan:
    view = view_generic(op)
    red = [d for d in range(view.n_loops) if view.reduction[d]]
    if len(view.outputs) != 1 or len(red) != 1:
        raise NotImplementedError("matmul has one output and one reduction dim")
    k = red[0]
    comb = single_combiner(view)
    if comb.op.name not in ("arith.addf", "arith.addi"):
        raise NotImplementedError("matmul accumulates with an add")
    o_res = map_results(view.maps[-1])
    if len(o_res) < 2 or None in o_res or k in o_res or len(set(o_res)) != len(o_res):
        raise NotImplementedError("not a matrix-matrix product")
    i, j = o_res[-2], o_res[-1]
    assert i is not None and j is not None
    batch = sorted({d for d in o_res if d is not None} - {i, j})
    if set(batch) | {i, j, k} != set(range(view.n_loops)):
        raise NotImplementedError("not a matmul's loops")
    # inputs indexed like a[..., i, k] (also elementwise producers fused into the matmul, and
    # operands that use neither i nor j) or like b[..., k, j]
    on_b: list[bool] = []
    for m in view.maps[:-1]:
        dims = map_dims(m)
        if i in dims and j in dims:
            raise NotImplementedError("an input is indexed by both i and j")
        on_b.append(j in dims)
    uses = [map_dims(m) for m in view.maps[:-1]]
    if not any(i in u for u in uses) or not any(j in u for u in uses) \
            or not any(k in u for u in uses):
        raise NotImplementedError("not a matrix-matrix product")
    return _Plan(view, comb, i, j, k, batch, on_b)


def _emit(plan: _Plan) -> None:
    view = plan.view
    sizes = loop_sizes(view)
    m, n, k = sizes[plan.i], sizes[plan.j], sizes[plan.k]
    batch_sizes = [sizes[d] for d in plan.batch]
    tiles_m, tiles_n = _ceil_div(m, TILE), _ceil_div(n, TILE)
    n_batch = product(batch_sizes)
    shared = [workgroup_buffer(TK * TILE, ir.MemRefType(v.type).element_type)
              for v in view.inputs]
    launch = new_launch([grid_size(tiles_n, GRID_CAP), grid_size(tiles_m, GRID_CAP),
                         grid_size(n_batch, GRID_CAP)], [THREADS, THREADS, 1], shared)
    with ir.InsertionPoint(launch.body):
        bz = stride_loop(launch.block_id[2], n_batch, launch.grid_dim[2])
        with ir.InsertionPoint(bz.body):
            by = stride_loop(launch.block_id[1], tiles_m, launch.grid_dim[1])
            with ir.InsertionPoint(by.body):
                bx = stride_loop(launch.block_id[0], tiles_n, launch.grid_dim[0])
                with ir.InsertionPoint(bx.body):
                    ivs: list[ir.Value | None] = [None] * view.n_loops
                    for d, v in zip(plan.batch, delinearize(bz.induction_variable,
                                                            batch_sizes)):
                        ivs[d] = v
                    i0 = arith.muli(by.induction_variable, index(TILE))
                    j0 = arith.muli(bx.induction_variable, index(TILE))
                    _tile(plan, launch, ivs, i0, j0, (m, n, k))
                    scf.YieldOp([])
                scf.YieldOp([])
            scf.YieldOp([])
        gpu.TerminatorOp()


def _tile(plan: _Plan, launch: Launch, ivs: list[ir.Value | None], i0: ir.Value,
          j0: ir.Value, mnk: tuple[ir.Value, ir.Value, ir.Value]) -> None:
    """One 64x64 output tile (the body of the grid-stride loops)."""
    view = plan.view
    m, n, k = mnk
    tx, ty = launch.thread_id[0], launch.thread_id[1]
    rows = [arith.addi(i0, arith.addi(ty, index(THREADS * r))) for r in range(MICRO)]
    cols = [arith.addi(j0, arith.addi(tx, index(THREADS * c))) for c in range(MICRO)]
    out, o_map = view.outputs[0], view.maps[-1]
    acc_t = ir.MemRefType(out.type).element_type
    inside = [[_and(_lt(rw, m), _lt(cl, n)) for cl in cols] for rw in rows]
    init = [_guarded_load(inside[r][c], out, o_map, _with(ivs, plan, rw, cols[c]), acc_t)
            for r, rw in enumerate(rows) for c in range(MICRO)]
    loop = stride_loop(index(0), k, index(TK), init)
    with ir.InsertionPoint(loop.body):
        k0 = loop.induction_variable
        _stage(plan, launch, ivs, i0, j0, k0, mnk)
        gpu.BarrierOp()
        k_end = arith.minui(index(TK), arith.subi(k, k0))
        inner = stride_loop(index(0), k_end, index(1), list(loop.inner_iter_args))
        with ir.InsertionPoint(inner.body):
            kk = inner.induction_variable
            row0 = arith.muli(kk, index(TILE))
            # per input: its 4 values along i (like a) or along j (like b)
            vals = [[memref.load(buf, [arith.addi(row0, arith.addi(
                tx if b_side else ty, index(THREADS * q)))]) for q in range(MICRO)]
                for buf, b_side in zip(launch.workgroup, plan.on_b)]
            accs = list(inner.inner_iter_args)
            new: list[ir.Value] = []
            for r in range(MICRO):
                for c in range(MICRO):
                    term_ivs = _with(ivs, plan, rows[r], cols[c])
                    term_ivs[plan.k] = arith.addi(k0, kk)
                    elems = [v[c] if b_side else v[r] for v, b_side in zip(vals, plan.on_b)]
                    new.append(plan.comb.apply(_term(plan, elems, term_ivs),
                                               accs[r * MICRO + c]))
            scf.YieldOp(new)
        gpu.BarrierOp()
        scf.YieldOp(list(inner.results))
    for r, rw in enumerate(rows):
        for c, cl in enumerate(cols):
            store = scf.IfOp(inside[r][c])
            with ir.InsertionPoint(store.then_block):
                memref.store(loop.results[r * MICRO + c], out,
                             map_indices(o_map, _with(ivs, plan, rw, cl)))
                scf.YieldOp([])


def _stage(plan: _Plan, launch: Launch, ivs: list[ir.Value | None], i0: ir.Value,
           j0: ir.Value, k0: ir.Value, mnk: tuple[ir.Value, ir.Value, ir.Value]) -> None:
    """The block copies each input's A[i0:+64, k0:+16] (or B[k0:+16, j0:+64]) to shared
    memory (k-major); each of the 256 threads moves 4 elements of each."""
    view = plan.view
    m, n, k = mnk
    tid = arith.addi(arith.muli(launch.thread_id[1], index(THREADS)), launch.thread_id[0])
    per_thread = TK * TILE // (THREADS * THREADS)
    for q in range(per_thread):
        e = arith.addi(tid, index(q * THREADS * THREADS))
        ar, ak = arith.divui(e, index(TK)), arith.remui(e, index(TK))   # a: 64 rows x 16
        bk, bc = arith.divui(e, index(TILE)), arith.remui(e, index(TILE))  # b: 16 x 64 cols
        for x, m_x, buf, b_side in zip(view.inputs, view.maps, launch.workgroup, plan.on_b):
            t = ir.MemRefType(x.type).element_type
            if b_side:
                gk, gj = arith.addi(k0, bk), arith.addi(j0, bc)
                x_ivs, ok, slot = _with(ivs, plan, None, gj), _and(_lt(gk, k), _lt(gj, n)), \
                    arith.addi(arith.muli(bk, index(TILE)), bc)
            else:
                gi, gk = arith.addi(i0, ar), arith.addi(k0, ak)
                x_ivs, ok, slot = _with(ivs, plan, gi, None), _and(_lt(gi, m), _lt(gk, k)), \
                    arith.addi(arith.muli(ak, index(TILE)), ar)
            x_ivs[plan.k] = gk
            memref.store(_guarded_load(ok, x, m_x, x_ivs, t), buf, [slot])


def _term(plan: _Plan, elems: list[ir.Value], ivs: list[ir.Value | None]) -> ir.Value:
    """The generic's element value (what the add folds in) for the input elements `elems`."""
    args = list(plan.view.block.arguments)
    mapping: dict[ir.Value, ir.Value] = dict(zip(args, elems))
    clone_ops(element_ops(plan.view), mapping, ivs)
    return mapping.get(plan.comb.element, plan.comb.element)


def _with(ivs: list[ir.Value | None], plan: _Plan, i: ir.Value | None,
          j: ir.Value | None) -> list[ir.Value | None]:
    out = list(ivs)
    out[plan.i], out[plan.j] = i, j
    return out


def _guarded_load(cond: ir.Value, buf: ir.Value, m: ir.AffineMap,
                  ivs: list[ir.Value | None], t: ir.Type) -> ir.Value:
    """buf[m(ivs)] where `cond` holds, else zero (the load is skipped)."""
    op = scf.IfOp(cond, [t], has_else=True)
    with ir.InsertionPoint(op.then_block):
        scf.YieldOp([memref.load(buf, map_indices(m, ivs))])
    with ir.InsertionPoint(op.else_block):
        scf.YieldOp([zero_of(t)])
    result: ir.Value = op.results[0]
    return result


def _lt(a: ir.Value, b: ir.Value) -> ir.Value:
    return arith.cmpi(arith.CmpIPredicate.ult, a, b)


def _and(a: ir.Value, b: ir.Value) -> ir.Value:
    return arith.andi(a, b)


def _ceil_div(a: ir.Value, b: int) -> ir.Value:
    return arith.divui(arith.addi(a, index(b - 1)), index(b))
