"""IR helpers shared by the cooperative reduction and tiled matmul rewrites.

A bufferized `linalg.generic` is read into a `GenericView` (operands, indexing maps, loop
kinds, body). Its body is split into the element computation (ops that do not depend on the
accumulator arguments), which the kernels clone per element, and the combiner (the one op
that folds an element into the accumulator), which they re-create wherever partial results
meet. Every check that can fail runs before the rewrite touches the IR, so a
`NotImplementedError` leaves the module unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlir import ir
from mlir.dialects import arith, memref, scf

# combiners: op name -> identity ("-0.0", "1", "-inf", "inf", "0", "-1", "min", "max")
_FLOAT_IDENTITY = {"arith.addf": "-0.0", "arith.mulf": "1", "arith.maximumf": "-inf",
                   "arith.minimumf": "inf", "llvm.intr.maximum": "-inf",
                   "llvm.intr.minimum": "inf"}
_INT_IDENTITY = {"arith.addi": "0", "arith.muli": "1", "arith.andi": "-1", "arith.ori": "0",
                 "arith.xori": "0", "arith.maxsi": "min", "arith.minsi": "max",
                 "arith.maxui": "0", "arith.minui": "-1"}


@dataclass
class GenericView:
    """The parts of a bufferized `linalg.generic` the GPU rewrites use."""

    op: ir.Operation
    inputs: list[ir.Value]
    outputs: list[ir.Value]
    maps: list[ir.AffineMap]
    reduction: list[bool]          # per loop dim: reduction iterator?
    block: ir.Block

    @property
    def n_loops(self) -> int:
        """The number of loop dims."""
        return len(self.reduction)

    def out_args(self) -> list[ir.BlockArgument]:
        """The body's accumulator arguments (one per output)."""
        args = list(self.block.arguments)
        return [ir.BlockArgument(a) for a in args[len(self.inputs):]]


def view_generic(op: ir.Operation) -> GenericView:
    """Read `op` (a `linalg.generic` on memrefs); NotImplementedError for anything else."""
    if op.name != "linalg.generic" or len(op.results) != 0:
        raise NotImplementedError("not a bufferized linalg.generic")
    seg = ir.DenseI32ArrayAttr(op.attributes["operandSegmentSizes"])
    n_in, n_out = seg[0], seg[1]
    operands = list(op.operands)
    maps = [ir.AffineMapAttr(a).value for a in ir.ArrayAttr(op.attributes["indexing_maps"])]
    kinds = ["reduction" in str(a) for a in ir.ArrayAttr(op.attributes["iterator_types"])]
    for v in operands:
        if not isinstance(v.type, ir.MemRefType):
            raise NotImplementedError("generic operand is not a memref")
    for m in maps:
        for e in m.results:
            if not isinstance(e, (ir.AffineDimExpr, ir.AffineConstantExpr)):
                raise NotImplementedError(f"indexing map {m} is not a projection")
    view = GenericView(op, operands[:n_in], operands[n_in:n_in + n_out], maps, kinds,
                       op.regions[0].blocks[0])
    if any(len(r.blocks[0].operations) for o in view.block.operations
           for r in o.operation.regions):
        raise NotImplementedError("generic body with nested regions")
    return view


def loop_sizes(view: GenericView) -> list[ir.Value]:
    """The size of every loop dim (host-side `memref.dim` ops at the insertion point)."""
    sizes: list[ir.Value | None] = [None] * view.n_loops
    for value, m in zip(view.inputs + view.outputs, view.maps):
        for pos, d in enumerate(map_results(m)):
            if d is not None and sizes[d] is None:
                sizes[d] = memref.dim(value, index(pos))
    if any(s is None for s in sizes):
        raise NotImplementedError("a loop dim is not the dim of any operand")
    return [s for s in sizes if s is not None]


def index(v: int) -> ir.Value:
    """An `index` constant."""
    return arith.constant(ir.IndexType.get(), v)


def product(values: list[ir.Value]) -> ir.Value:
    """The product of index values (1 for none)."""
    out = index(1)
    for v in values:
        out = arith.muli(out, v)
    return out


def delinearize(flat: ir.Value, sizes: list[ir.Value]) -> list[ir.Value]:
    """The C-order multi-index of `flat` in a space of `sizes`."""
    out: list[ir.Value] = []
    for s in reversed(sizes):
        out.append(arith.remui(flat, s))
        flat = arith.divui(flat, s)
    return list(reversed(out))


def map_indices(m: ir.AffineMap, ivs: list[ir.Value | None]) -> list[ir.Value]:
    """The memref indices of a projection map applied to loop indices `ivs`."""
    out: list[ir.Value] = []
    for e, d in zip(m.results, map_results(m)):
        if d is not None:
            iv = ivs[d]
            assert iv is not None, "indexing map uses a loop dim without an index"
            out.append(iv)
        else:
            assert isinstance(e, ir.AffineConstantExpr)
            out.append(index(e.value))
    return out


def map_results(m: ir.AffineMap) -> list[int | None]:
    """Per result of a projection map: the loop dim it is, or None for a constant."""
    return [e.position if isinstance(e, ir.AffineDimExpr) else None for e in m.results]


def map_dims(m: ir.AffineMap) -> set[int]:
    """The loop dims a projection map uses."""
    return {d for d in map_results(m) if d is not None}


def depends_on(view: GenericView, roots: list[ir.Value]) -> set[ir.Operation]:
    """The body ops except the yield that (transitively) use one of `roots`."""
    tainted: set[ir.Value] = set(roots)
    ops: set[ir.Operation] = set()
    for o in view.block.operations:
        op = o.operation
        if op.name != "linalg.yield" and any(v in tainted for v in op.operands):
            ops.add(op)
            tainted.update(op.results)
    return ops


def element_ops(view: GenericView) -> list[ir.Operation]:
    """The body ops that do not depend on the accumulators (the element computation)."""
    dep = depends_on(view, list(view.out_args()))
    return [o.operation for o in view.block.operations
            if o.operation not in dep and o.operation.name != "linalg.yield"]


def clone_ops(ops: list[ir.Operation], mapping: dict[ir.Value, ir.Value],
              ivs: list[ir.Value | None]) -> None:
    """Clone `ops` at the insertion point with operands renamed by `mapping` (which gains
    their results); `linalg.index` ops become the loop indices `ivs`."""
    for op in ops:
        if op.name == "linalg.index":
            iv = ivs[ir.IntegerAttr(op.attributes["dim"]).value]
            assert iv is not None, "linalg.index of a loop dim without an index"
            mapping[op.results[0]] = iv
            continue
        new = op.clone()
        for i, v in enumerate(op.operands):
            if v in mapping:
                new.operands[i] = mapping[v]
        for old, res in zip(op.results, new.results):
            mapping[old] = res


@dataclass
class Combiner:
    """The op that folds an element into the accumulator: `acc' = name(elem, acc)`."""

    op: ir.Operation
    element: ir.Value              # the operand that is not the accumulator (body value)

    def identity(self, t: ir.Type) -> ir.Value:
        """The combiner's neutral element of type `t`."""
        if self.op.name in _FLOAT_IDENTITY:
            return arith.constant(t, float(_FLOAT_IDENTITY[self.op.name]))
        width = ir.IntegerType(t).width
        name = _INT_IDENTITY[self.op.name]
        value = {"min": -(1 << (width - 1)), "max": (1 << (width - 1)) - 1}.get(name)
        return arith.constant(t, int(name) if value is None else value)

    def apply(self, a: ir.Value, b: ir.Value) -> ir.Value:
        """`a combined with b` (a new op with the combiner's attributes)."""
        attrs = {name: self.op.attributes[name] for name in self.op.attributes}
        new = ir.Operation.create(self.op.name, results=[a.type], operands=[a, b],
                                  attributes=attrs)
        return new.results[0]


def single_combiner(view: GenericView) -> Combiner:
    """The combiner of a one-output reduction body; NotImplementedError unless the body is
    `yield C(element, acc)` with C a known associative, commutative op."""
    acc = view.out_args()
    if len(acc) != 1:
        raise NotImplementedError("reduction with several outputs")
    dep = depends_on(view, [acc[0]])
    ops = list(view.block.operations)
    yielded = list(ops[-1].operands)
    if len(dep) != 1:
        raise NotImplementedError("the accumulator feeds more than one body op")
    op = next(iter(dep))
    if op.name not in _FLOAT_IDENTITY and op.name not in _INT_IDENTITY:
        raise NotImplementedError(f"unknown reduction combiner {op.name}")
    if len(yielded) != 1 or yielded[0] != op.results[0] or len(op.operands) != 2:
        raise NotImplementedError("the combiner's result is not what the body yields")
    a, b = op.operands
    if a == acc[0] and b == acc[0]:
        raise NotImplementedError("the combiner uses only the accumulator")
    return Combiner(op, b if a == acc[0] else a)


@dataclass
class Launch:
    """A `gpu.launch` being built: its body block and id values."""

    op: ir.Operation
    body: ir.Block
    block_id: list[ir.Value]
    thread_id: list[ir.Value]
    grid_dim: list[ir.Value]
    block_dim: list[ir.Value]
    workgroup: list[ir.Value]


def new_launch(grid: list[ir.Value], threads: list[int], workgroup: list[ir.Type]) -> Launch:
    """A `gpu.launch` at the insertion point with `workgroup` shared-memory buffers; the
    caller fills `body` and ends it with `gpu.terminator`."""
    sizes = [index(t) for t in threads]
    attrs = {"operandSegmentSizes": ir.DenseI32ArrayAttr.get([0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0])}
    if workgroup:
        attrs["workgroup_attributions"] = ir.IntegerAttr.get(ir.IntegerType.get_signless(64),
                                                             len(workgroup))
    op = ir.Operation.create("gpu.launch", operands=list(grid) + sizes, attributes=attrs,
                             regions=1)
    types = [ir.IndexType.get()] * 12 + workgroup
    body = op.regions[0].blocks.append(*types)
    args = list(body.arguments)
    return Launch(op.operation, body, args[0:3], args[3:6], args[6:9], args[9:12], args[12:])


def workgroup_buffer(size: int, elem: ir.Type) -> ir.Type:
    """The type of a shared-memory buffer of `size` elements."""
    space = ir.Attribute.parse("#gpu.address_space<workgroup>")
    return ir.MemRefType.get([size], elem, memory_space=space)


def grid_size(count: ir.Value, cap: int) -> ir.Value:
    """min(max(count, 1), cap): a launch dim for `count` work items (never 0)."""
    return arith.minui(arith.maxui(count, index(1)), index(cap))


def stride_loop(start: ir.Value, stop: ir.Value, step: ir.Value,
                carried: list[ir.Value] | None = None) -> scf.ForOp:
    """An `scf.for` (the caller enters `.body` and ends it with `scf.yield`)."""
    return scf.ForOp(start, stop, step, carried or [])


def if_then(cond: ir.Value) -> scf.IfOp:
    """An `scf.if` without results (the caller fills `then_block` and yields)."""
    return scf.IfOp(cond)


def zero_of(t: ir.Type) -> ir.Value:
    """The zero of a scalar type."""
    if isinstance(t, ir.IntegerType):
        return arith.constant(t, 0)
    return arith.constant(t, 0.0)
