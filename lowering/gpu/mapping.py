"""The GPU-mapping stage: every linalg op of the kernel's host code becomes a `gpu.launch`,
and host code reaches device memory only through the driver shim (`lowering.gpu.host`).

Runs on the bufferized module after `linalg-generalize-named-ops` (so fills and copies are
generics too). Which mapping a generic gets:
- all loops parallel: `lowering.gpu.elementwise` (flattened, grid-stride, 256 threads);
- a contraction (matmul pattern): `lowering.gpu.matmul.lower_matmul`, tiled;
- another reduction: `lowering.gpu.reduce.lower_reduction`, a block per output;
- what those two decline (NotImplementedError) or before they exist: the elementwise mapping
  with sequential reduction loops per thread, which is correct for every generic.
"""

from __future__ import annotations

import importlib
from typing import Callable, cast

from mlir import ir

from dsl._runtime.abi import KernelABI
from lowering.gpu.elementwise import dim_position, indexing_maps, iterator_kinds, lower_elementwise
from lowering import mlir_ops
from lowering.gpu.host import HostRewriter, walk

_MUL = frozenset({"arith.mulf", "arith.muli"})
_ADD = frozenset({"arith.addf", "arith.addi"})
_CASTS = frozenset({"arith.extf", "arith.extsi", "arith.extui", "arith.truncf",
                    "arith.sitofp", "arith.uitofp"})


def impl_function(module: ir.Module, symbol: str) -> ir.Operation:
    """The kernel's implementation function `<symbol>__impl`."""
    impl = mlir_ops.impl_function(module, symbol)
    if impl is None:
        raise LookupError(f"no function {symbol}__impl in the module")
    return impl


def host_arguments(abi: KernelABI) -> set[int]:
    """Indices of the implementation's arguments that point to host memory: the slots of
    scalar results (tensor arguments and results are device pointers)."""
    base = len(abi.params)
    return {base + k for k, r in enumerate(abi.results) if r.kind != "tensor"}


def is_contraction(op: ir.Operation) -> bool:
    """A matmul-like generic: two inputs, one output, a body of casts, one multiply and one
    add, and a reduction loop that indexes both inputs."""
    if len(op.operands) != 3:
        return False
    names = [o.operation.name for o in op.regions[0].blocks[0].operations][:-1]
    if sum(n in _MUL for n in names) != 1 or sum(n in _ADD for n in names) != 1 or \
            any(n not in _MUL | _ADD | _CASTS for n in names):
        return False
    kinds = iterator_kinds(op)
    maps = indexing_maps(op)
    used = [{dim_position(e) for e in m.results} for m in maps]
    return any(not k and d in used[0] and d in used[1] for d, k in enumerate(kinds))


def _helper(module: str, name: str) -> Callable[[ir.Operation], None] | None:
    """`lowering.gpu.<module>.<name>` if that module exists (another part of the backend)."""
    try:
        mod = importlib.import_module(f"lowering.gpu.{module}")
    except ModuleNotFoundError as exc:
        if exc.name != f"lowering.gpu.{module}":
            raise  # that module exists but is broken
        return None
    fn = getattr(mod, name, None)
    return cast(Callable[[ir.Operation], None], fn) if callable(fn) else None


def lower_linalg(op: ir.Operation) -> str:
    """Replace one linalg op by a launch; the mapping used ("elementwise", "matmul",
    "reduction" or "fallback")."""
    if op.name != "linalg.generic":
        raise NotImplementedError(f"{op.name} on the GPU (expected generalized linalg ops)")
    if all(iterator_kinds(op)):
        lower_elementwise(op)
        return "elementwise"
    tries = [("matmul", "lower_matmul")] if is_contraction(op) else []
    tries.append(("reduce", "lower_reduction"))
    for module, name in tries:
        fn = _helper(module, name)
        if fn is None:
            continue
        try:
            fn(op)
            return "reduction" if module == "reduce" else module
        except NotImplementedError:
            continue
    lower_elementwise(op)
    return "fallback"


def sink_constants(launch: ir.Operation) -> None:
    """Clone the host constants a launch body uses into it (outlining would pass each one as
    a kernel parameter)."""
    body = launch.regions[0].blocks[0]
    clones: dict[ir.Value, ir.Value] = {}

    def visit(op: ir.Operation) -> ir.WalkResult:
        for i, v in enumerate(op.operands):
            owner = v.owner
            defining = None if isinstance(owner, ir.Block) else owner.operation
            if defining is None or defining.name != "arith.constant" or \
                    _inside(defining, launch):
                continue
            if v not in clones:
                with ir.InsertionPoint.at_block_begin(body):
                    clones[v] = defining.clone().results[0]
            op.operands[i] = clones[v]
        return ir.WalkResult.ADVANCE
    for nested in list(body.operations):
        nested.operation.walk(visit)


def captured(launch: ir.Operation) -> list[ir.Value]:
    """The values defined outside `launch` that its body uses."""
    seen: dict[ir.Value, None] = {}

    def visit(op: ir.Operation) -> ir.WalkResult:
        for v in op.operands:
            owner = v.owner
            inner = owner.owner if isinstance(owner, ir.Block) else owner
            def_op = inner.operation if isinstance(inner, ir.OpView) else inner
            if def_op != launch and not _inside(def_op, launch):
                seen[v] = None
        return ir.WalkResult.ADVANCE
    for nested in launch.regions[0].blocks[0].operations:
        nested.operation.walk(visit)
    return list(seen)


def _inside(op: ir.Operation, ancestor: ir.Operation) -> bool:
    parent = op.parent
    while parent is not None:
        if parent == ancestor:
            return True
        parent = parent.parent
    return False


def map_to_gpu(module: ir.Module, abi: KernelABI) -> dict[str, int]:
    """The mapping stage on `module` (in place); how many ops each mapping got."""
    module.operation.attributes["gpu.container_module"] = ir.UnitAttr.get()
    impl = impl_function(module, abi.symbol)
    counts: dict[str, int] = {}
    for op in list(walk(impl)):
        if op.name.startswith("linalg."):
            kind = lower_linalg(op)
            counts[kind] = counts.get(kind, 0) + 1
    host = HostRewriter(module, impl, host_arguments(abi))
    for op in walk(impl):
        if op.name == "gpu.launch":
            sink_constants(op)
            for v in captured(op):
                if isinstance(v.type, ir.MemRefType) and not host.is_device(v):
                    raise NotImplementedError(f"a kernel would read host memory: {v}")
    host.run()
    for top in module.body.operations:
        for op in walk(top.operation):
            if op.name.startswith("linalg."):
                raise NotImplementedError(f"{op.name} left in host code")
    return counts
