"""Running the CUDA pipeline's mapped module ("gpu" stage) on the CPU, to test the mapping
without a GPU: the host rewrites (device allocations, staged scalar reads and writes, host
copies for print) and the thread-per-element launches (delinearization, indexing maps,
strided views, the flat path).

Every linalg op gets the thread-per-element mapping (the cooperative reductions use
barriers and warp shuffles, which a sequential loop cannot run). Then:
    gpu.launch         -> scf.for over blocks, scf.for over threads, the body inlined
    gpu.alloc/dealloc  -> memref.alloc/dealloc      gpu.wait async -> nothing
    mgpuMemcpy         -> an LLVM memcpy
and the CPU pipeline's own stages build a library the CPU runtime loads.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any, Callable

from mlir import ir
from mlir.dialects import arith, llvm, memref, scf

from dsl._runtime.library import load_kernel
from lowering import link, llvm_capi
from lowering.emit.entry import emit_module
from lowering.frontend.params import ArgSpec
from lowering.gpu import binary, mapping
from lowering.gpu.host import walk
from lowering.passes import run_pipeline, verify
from lowering.emit import inplace
from lowering.pipeline import MLIR_STAGES, front_end
from lowering.widen_i1 import memref_fixups

_MEMCPY = """
llvm.func @mgpuMemcpy(%d: !llvm.ptr, %s: !llvm.ptr, %n: i64, %st: !llvm.ptr) {
  "llvm.intr.memcpy"(%d, %s, %n) <{isVolatile = false}> : (!llvm.ptr, !llvm.ptr, i64) -> ()
  llvm.return
}
"""


def _inline_launch(launch: ir.Operation) -> None:
    args = list(launch.regions[0].blocks[0].arguments)
    sizes = list(launch.operands)[-6:]
    with ir.InsertionPoint(launch), launch.location:
        zero = arith.ConstantOp(ir.IndexType.get(), 0).result
        one = arith.ConstantOp(ir.IndexType.get(), 1).result
        blocks = scf.ForOp(zero, sizes[0], one)
        with ir.InsertionPoint(blocks.body):
            threads = scf.ForOp(zero, sizes[3], one)
            with ir.InsertionPoint(threads.body):
                scf.YieldOp([])
            scf.YieldOp([])
    ids = [blocks.induction_variable, zero, zero, threads.induction_variable, zero, zero]
    for arg, value in zip(args, ids + sizes):
        arg.replace_all_uses_with(value)
    body = threads.body
    yield_op = list(body.operations)[-1]
    for op in list(launch.regions[0].blocks[0].operations):
        if op.operation.name == "gpu.terminator":
            continue
        op.operation.move_before(yield_op)
    launch.erase()


def _to_cpu(module: ir.Module, impl: ir.Operation) -> None:
    with impl.location:
        for op in list(walk(impl)):
            if op.name == "gpu.launch":
                _inline_launch(op)
        for op in list(walk(impl)):
            if op.name == "gpu.alloc":
                with ir.InsertionPoint(op):
                    new = memref.AllocOp(op.results[0].type, list(op.operands)[1:], [])
                op.results[0].replace_all_uses_with(new.result)
                op.erase()
            elif op.name == "gpu.dealloc":
                with ir.InsertionPoint(op):
                    memref.DeallocOp(op.operands[1])
                op.erase()
            elif op.name == "builtin.unrealized_conversion_cast" and \
                    str(op.operands[0].type) == "!gpu.async.token":
                with ir.InsertionPoint(op):
                    zero = llvm.ZeroOp(llvm.PointerType.get()).result
                op.results[0].replace_all_uses_with(zero)
                op.erase()
        for op in list(walk(impl)):
            if op.name == "gpu.wait":
                op.erase()
    for op in list(module.body.operations):
        if op.operation.name == "llvm.func" and \
                ir.StringAttr(op.attributes["sym_name"]).value == "mgpuMemcpy":
            op.operation.erase()
    for op in ir.Module.parse(_MEMCPY, module.context).body.operations:
        module.body.append(op.operation.clone())


def compile_emulated(fn: Callable[..., Any], specs: list[ArgSpec], symbol: str) -> Any:
    """The kernel through the CUDA mapping, run on the CPU: a callable like a compiled
    kernel (numpy arrays in and out)."""
    front, fn_ir, result_site = front_end(fn, specs, symbol)
    results = front.results
    loc = front.function.loc
    original = mapping._helper
    mapping._helper = lambda module, name: None  # type: ignore[assignment]
    try:
        with ir.Context():
            module = emit_module(fn_ir, front.abi, results, result_site)
            for stage, pipeline in MLIR_STAGES[:2]:
                inplace.run_stage(module, stage, pipeline, front.abi, loc)
                if stage == "bufferized":
                    module = memref_fixups(module)
            run_pipeline(module, binary.PREPARE, "generalize", loc)
            mapping.map_to_gpu(module, front.abi)
            verify(module, "gpu", loc)
            _to_cpu(module, mapping.impl_function(module, symbol))
            module.operation.attributes.__delitem__("gpu.container_module")
            verify(module, "emulated", loc)
            for stage, pipeline in MLIR_STAGES[2:]:
                run_pipeline(module, pipeline, stage, loc)
            text = llvm_capi.translate_to_llvm_ir(module)
    finally:
        mapping._helper = original  # type: ignore[assignment]
    code = llvm_capi.compile_llvm_ir(text)
    so = Path(tempfile.mkdtemp(prefix="shapekit-emu-")) / f"{symbol}.so"
    link.link_shared_object(code.object_code, so)
    return load_kernel(so, front.abi)
