"""A `linalg.generic` of host code as one `gpu.launch` with a thread per output element.

    n = product of the parallel loop sizes               (host)
    gpu.launch blocks(gridDim.x = min(ceil(n / 256), cap), 1, 1) threads(256, 1, 1):
        for i in blockIdx.x * 256 + threadIdx.x .. n step gridDim.x * 256:   # grid-stride
            (p0, p1, ...) = delinearize(i, parallel sizes)    # last dim fastest: coalesced
            for r0 in 0 .. R0: for r1 ...:                    # reduction loops, if any
                load each operand the body reads at its indexing map's position
                <the generic's body, cloned>
                store the yielded values into the outputs

For an all-parallel generic (the fused elementwise chains) there are no inner loops; for a
reduction this is the fallback when no cooperative mapping (`lowering.gpu.reduce`) applies:
correct for every body, since each output element is owned by one thread. Operands keep their
memref types, so strided and offset layouts (views, transposes) index correctly.
"""

from __future__ import annotations

from mlir import ir
from mlir.dialects import affine, arith, gpu, memref, scf

THREADS = 256
GRID_CAP = 65535


def _index(v: int) -> ir.Value:
    return arith.ConstantOp(ir.IndexType.get(), v).result


def iterator_kinds(op: ir.Operation) -> list[bool]:
    """For each loop of the generic: True for a parallel loop, False for a reduction."""
    return ["parallel" in str(a) for a in ir.ArrayAttr(op.attributes["iterator_types"])]


def indexing_maps(op: ir.Operation) -> list[ir.AffineMap]:
    """The generic's indexing maps, one per operand (inputs then outputs)."""
    return [ir.AffineMapAttr(a).value for a in ir.ArrayAttr(op.attributes["indexing_maps"])]


def loop_sizes(op: ir.Operation) -> list[ir.Value]:
    """The size of every loop, read as `memref.dim` of an operand a map indexes by it alone
    (the operation verifier guarantees one exists for a linalg op's loops)."""
    maps = indexing_maps(op)
    n_loops = maps[0].n_dims
    sizes: list[ir.Value | None] = [None] * n_loops
    for operand, amap in zip(op.operands, maps):
        for pos, expr in enumerate(amap.results):
            d = dim_position(expr)
            if d is not None:
                if sizes[d] is None:
                    sizes[d] = memref.DimOp(operand, _index(pos)).result
    missing = [d for d, s in enumerate(sizes) if s is None]
    if missing:
        raise NotImplementedError(f"no operand gives the size of loops {missing}")
    return [s for s in sizes if s is not None]


def dim_position(expr: ir.AffineExpr) -> int | None:
    """The loop a map result names, if it is a plain `d<k>`."""
    e = expr.maybe_downcast()
    return e.position if isinstance(e, ir.AffineDimExpr) else None


def grid_for(total: ir.Value) -> ir.Value:
    """Blocks for `total` elements: ceil(total / 256), at least 1, at most GRID_CAP."""
    blocks = arith.CeilDivUIOp(total, _index(THREADS)).result
    blocks = arith.MaxUIOp(blocks, _index(1)).result
    return arith.MinUIOp(blocks, _index(GRID_CAP)).result


def new_launch(grid: ir.Value) -> tuple[gpu.LaunchOp, list[ir.Value]]:
    """An empty 1-d `gpu.launch` of `grid` blocks of 256 threads; its block arguments (block
    ids, thread ids, grid dims, block dims). Launches are synchronous in the IR: the shim
    runs them on the call's stream and its `mgpuStreamSynchronize` of that stream is free."""
    one = _index(1)
    launch = gpu.LaunchOp((grid, one, one), (_index(THREADS), one, one))
    return launch, list(launch.regions[0].blocks[0].arguments)


def lower_elementwise(op: ir.Operation) -> None:
    """Replace the `linalg.generic` `op` by a thread-per-output `gpu.launch` (in place)."""
    kinds = iterator_kinds(op)
    with ir.InsertionPoint(op), op.location:
        sizes = loop_sizes(op)
        par = [s for s, k in zip(sizes, kinds) if k]
        total = _index(1)
        for s in par:
            total = arith.MulIOp(total, s).result
        flat = _flat_operands(op)
        launch, args = new_launch(grid_for(total))
        with ir.InsertionPoint(launch.regions[0].blocks[0]):
            bid, tid, gdim = args[0], args[3], args[6]
            block = _index(THREADS)
            start = arith.AddIOp(arith.MulIOp(bid, block).result, tid).result
            step = arith.MulIOp(gdim, block).result
            loop = scf.ForOp(start, total, step)
            with ir.InsertionPoint(loop.body):
                if flat is not None:
                    one_d = ir.AffineMap.get_identity(1)
                    _element(op, [loop.induction_variable], flat, [one_d] * len(flat))
                else:
                    ivs = _delinearize(loop.induction_variable, sizes, kinds)
                    _reduction_loops(op, sizes, kinds, ivs, 0)
                scf.YieldOp([])
            gpu.TerminatorOp()
    op.erase()


def _flat_operands(op: ir.Operation) -> list[ir.Value] | None:
    """The operands collapsed to 1-d when the generic is a plain elementwise map over
    contiguous buffers (all maps the identity, identity layouts, rank > 1, no linalg.index):
    the kernel then indexes with the flat index and needs no division per element."""
    maps = indexing_maps(op)
    operands = list(op.operands)
    rank = maps[0].n_dims
    if rank < 2 or any(m != ir.AffineMap.get_identity(rank) for m in maps):
        return None
    for v in operands:
        t = v.type
        if not isinstance(t, ir.MemRefType) or not isinstance(t.layout, ir.AffineMapAttr) \
                or t.layout.value != ir.AffineMap.get_identity(t.rank):
            return None
    if any(o.operation.name == "linalg.index" for o in op.regions[0].blocks[0].operations):
        return None
    group = ir.ArrayAttr.get([ir.ArrayAttr.get([ir.IntegerAttr.get(
        ir.IntegerType.get_signless(64), d) for d in range(rank)])])
    out: list[ir.Value] = []
    for v in operands:
        t = ir.MemRefType(v.type)
        n = ir.ShapedType.get_dynamic_size()
        if all(d != n for d in t.shape):
            n = 1
            for d in t.shape:
                n *= d
        flat_t = ir.MemRefType.get([n], t.element_type)
        out.append(memref.CollapseShapeOp(flat_t, v, group).result)
    return out


def _delinearize(flat: ir.Value, sizes: list[ir.Value], kinds: list[bool]
                 ) -> list[ir.Value | None]:
    """The parallel loop indices of a flat index (row-major over the parallel loops)."""
    ivs: list[ir.Value | None] = [None] * len(sizes)
    rest = flat
    par = [d for d, k in enumerate(kinds) if k]
    for n, d in enumerate(reversed(par)):
        if n == len(par) - 1:
            ivs[d] = rest
        else:
            ivs[d] = arith.RemUIOp(rest, sizes[d]).result
            rest = arith.DivUIOp(rest, sizes[d]).result
    return ivs


def _reduction_loops(op: ir.Operation, sizes: list[ir.Value], kinds: list[bool],
                     ivs: list[ir.Value | None], d: int) -> None:
    """Nested sequential loops over the reduction dims from `d` on, then the element."""
    while d < len(kinds) and kinds[d]:
        d += 1
    if d == len(kinds):
        _element(op, [v for v in ivs if v is not None])
        return
    loop = scf.ForOp(_index(0), sizes[d], _index(1))
    with ir.InsertionPoint(loop.body):
        inner = list(ivs)
        inner[d] = loop.induction_variable
        _reduction_loops(op, sizes, kinds, inner, d + 1)
        scf.YieldOp([])


def _positions(amap: ir.AffineMap, ivs: list[ir.Value]) -> list[ir.Value]:
    """The memref indices an indexing map gives for the loop indices `ivs`."""
    out: list[ir.Value] = []
    for expr in amap.results:
        e = expr.maybe_downcast()
        if isinstance(e, ir.AffineDimExpr):
            out.append(ivs[e.position])
        elif isinstance(e, ir.AffineConstantExpr):
            out.append(_index(e.value))
        else:
            single = ir.AffineMap.get(amap.n_dims, amap.n_symbols, [expr])
            out.append(affine.AffineApplyOp(single, ivs).result)
    return out


def _element(op: ir.Operation, ivs: list[ir.Value], operands: list[ir.Value] | None = None,
             maps: list[ir.AffineMap] | None = None) -> None:
    """Loads, the cloned body and the stores for one iteration point (of the generic's own
    operands and maps, or of replacements for them)."""
    body = op.regions[0].blocks[0]
    maps = maps if maps is not None else indexing_maps(op)
    operands = operands if operands is not None else list(op.operands)
    n_out = _num_outputs(op)
    mapping: dict[ir.Value, ir.Value] = {}
    for k, (arg, operand, amap) in enumerate(zip(body.arguments, operands, maps)):
        if not isinstance(operand.type, ir.MemRefType):
            mapping[arg] = operand  # a scalar input
        elif _has_uses(arg):
            mapping[arg] = memref.LoadOp(operand, _positions(amap, ivs)).result
    yielded: list[ir.Value] = []
    for inner in body.operations:
        inner_op = inner.operation
        if inner_op.name == "linalg.yield":
            yielded = [mapping.get(v, v) for v in inner_op.operands]
            break
        if inner_op.name == "linalg.index":
            dim = ir.IntegerAttr(inner_op.attributes["dim"]).value
            mapping[inner_op.results[0]] = ivs[dim]
            continue
        if inner_op.name == "math.absi":  # NVVM has no lowering for it
            x = mapping.get(inner_op.operands[0], inner_op.operands[0])
            mapping[inner_op.results[0]] = _absi(x)
            continue
        clone = inner_op.clone()
        for i, v in enumerate(clone.operands):
            if v in mapping:
                clone.operands[i] = mapping[v]
        _remap_nested(clone, mapping)
        for old, new in zip(inner_op.results, clone.results):
            mapping[old] = new
    first_out = len(operands) - n_out
    for k, value in enumerate(yielded):
        out = operands[first_out + k]
        memref.StoreOp(value, out, _positions(maps[first_out + k], ivs))


def _absi(x: ir.Value) -> ir.Value:
    zero = arith.ConstantOp(x.type, 0).result
    neg = arith.SubIOp(zero, x).result
    return arith.SelectOp(arith.CmpIOp(arith.CmpIPredicate.slt, x, zero).result, neg, x).result


def _remap_nested(op: ir.Operation, mapping: dict[ir.Value, ir.Value]) -> None:
    """Uses of the body's values inside the regions of a cloned op (e.g. an `scf.if`)."""
    for region in op.regions:
        for block in region.blocks:
            for nested in block.operations:
                n = nested.operation
                for i, v in enumerate(n.operands):
                    if v in mapping:
                        n.operands[i] = mapping[v]
                _remap_nested(n, mapping)


def _has_uses(v: ir.Value) -> bool:
    return any(True for _ in v.uses)


def _num_outputs(op: ir.Operation) -> int:
    """Outputs of a buffer-semantics linalg op (it has no results): from the segment sizes."""
    seg = op.attributes["operandSegmentSizes"]
    return int(ir.DenseI32ArrayAttr(seg)[1])


__all__ = ["lower_elementwise", "iterator_kinds", "indexing_maps", "loop_sizes", "grid_for",
           "new_launch", "dim_position", "THREADS"]
