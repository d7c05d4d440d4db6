"""The compiler's pipeline: one function lists the stages in order.

    parse -> typed IR -> structured control flow -> MLIR ("mlir") -> fused ("fused")
    -> bufferized ("bufferized") -> loops ("loops") -> LLVM dialect ("llvm-dialect")
    -> LLVM IR ("llvm") -> optimized LLVM IR ("llvm-opt") -> object -> shared object

Each MLIR stage is one pass pipeline (below); `.ir` of a compiled kernel holds the text after
every stage.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
import tempfile
from typing import Any, Callable

from mlir import ir

from dsl._runtime.abi import ErrorSite, KernelABI
from lowering import llvm_capi, link, mlir_ops, structure, tir
from lowering.emit import inplace
from lowering.emit.entry import emit_module
from lowering.frontend.build import FrontEndResult, build
from lowering.frontend.params import ArgSpec
from lowering.passes import run_pipeline, verify
from lowering.reassoc import mark_reductions
from lowering.widen_i1 import memref_fixups


# canonicalize first: `tensor.dim` of a generic's result is another use of it, which stops
# elementwise fusion until it is folded to a dim of an input.
FUSE = "builtin.module(canonicalize,func.func(linalg-fuse-elementwise-ops),canonicalize,cse)"
BUFFERIZE = inplace.BUFFERIZE  # run in two parts by inplace.run_stage
LOOPS = ("builtin.module(func.func(convert-linalg-to-loops),func.func(math-expand-ops),"
         "convert-math-to-funcs,lower-affine,canonicalize,cse)")
TO_LLVM = ("builtin.module(expand-strided-metadata,lower-affine,arith-emulate-unsupported-floats"
           "{source-types=bf16,f16 target-type=f32},func.func(convert-scf-to-cf),"
           "arith-expand,convert-math-to-llvm,convert-math-to-libm,convert-to-llvm,"
           "reconcile-unrealized-casts)")

MLIR_STAGES: list[tuple[str, str]] = [
    ("fused", FUSE), ("bufferized", BUFFERIZE), ("loops", LOOPS), ("llvm-dialect", TO_LLVM)]


@dataclass
class Artifact:
    """A compiled kernel specialisation: shared object bytes, ABI, IR text per stage."""

    shared_object: bytes
    abi: KernelABI
    ir: dict[str, str] = field(default_factory=dict)
    object_code: bytes = b""  # the kernel's object file before linking (AOT builds link it)


def front_end(fn: Callable[..., Any], specs: list[ArgSpec], symbol: str
              ) -> tuple[FrontEndResult, tir.Function, int]:
    """The stages every target shares before MLIR: the typed IR of `fn` for `specs`, its
    structured form, and the error site of the check of the result's shape (0: no results)."""
    front = build(fn, specs, symbol)
    result_site = 0
    if any(True for _ in front.results):
        result_site = max(front.abi.errors, default=0) + 1
        loc = front.function.loc
        front.abi.errors[result_site] = ErrorSite(
            "ShapeError", "the kernel's result does not have the shape its annotation gives",
            loc.file, loc.line, loc.col)
    return front, structure.structure(front.function, front.results), result_site


def compile_kernel(fn: Callable[..., Any], specs: list[ArgSpec], symbol: str,
                   keep_ir: bool = True) -> Artifact:
    """Compile `fn` for argument specs `specs` to a shared object exporting `symbol`; with
    `keep_ir` False the IR texts are not printed (`Artifact.ir` is empty), which saves
    10-20 ms of a cold compile."""
    front, fn_ir, result_site = front_end(fn, specs, symbol)
    results = front.results
    texts: dict[str, str] = {}
    with mlir_ops.new_context():
        module = emit_module(fn_ir, front.abi, results, result_site)
        verify(module, "mlir", front.function.loc)
        if keep_ir:
            texts["mlir"] = module.operation.get_asm(enable_debug_info=True)
        for stage, pipeline in MLIR_STAGES:
            inplace.run_stage(module, stage, pipeline, front.abi, front.function.loc)
            if stage == "fused":
                mark_reductions(module)  # lets LLVM vectorize reductions
            if stage == "bufferized":
                module = memref_fixups(module)
            if keep_ir:
                texts[stage] = str(module)
        llvm_ir = llvm_capi.translate_to_llvm_ir(module)
    # O2 vectorizes these loops as O3 does (same kernel times in benchmarks/compiler.py) and
    # takes 10-25% less time in LLVM, the largest part of a cold compile.
    code = llvm_capi.compile_llvm_ir(llvm_ir, opt_level=2, keep_optimized_ir=keep_ir)
    if keep_ir:
        texts.update({"llvm": llvm_ir, "llvm-opt": code.optimized_ir})
    with tempfile.TemporaryDirectory(prefix="shapekit-") as tmp:
        so = Path(tmp) / f"{symbol}.so"
        link.link_shared_object(code.object_code, so, for_this_process=True)
        data = so.read_bytes()
    return Artifact(data, front.abi, texts, code.object_code)


# ---- CUDA (issue 4): the same front end and tensor-level stages, then lowering.gpu ----------

CUDA_STAGES: list[str] = [
    "mlir", "fused", "bufferized", "gpu", "outlined", "nvvm", "ptx", "host-llvm", "llvm"]


def compile_kernel_cuda(fn: Callable[..., Any], specs: list[ArgSpec], symbol: str,
                        keep_ir: bool = True, chip: str = "sm_90a") -> Artifact:
    """Compile `fn` for `specs` to a shared object that runs it on an NVIDIA GPU of `chip`.

    Same entry ABI as `compile_kernel` (tensor slots hold device pointers, scalar results
    host pointers), plus the shim's `<symbol>_cuda_prepare/finish/error`. `.ir` holds the
    text of every stage of `CUDA_STAGES` ("ptx" always, even with keep_ir=False)."""
    from dsl._errors import CompileError
    from lowering.gpu import binary, link as gpu_link
    from lowering.gpu.mapping import map_to_gpu
    binary.check_chip(chip)
    front, fn_ir, result_site = front_end(fn, specs, symbol)
    results = front.results
    loc = front.function.loc
    texts: dict[str, str] = {}

    def keep(stage: str, module: ir.Module) -> None:
        if keep_ir:
            texts[stage] = module.operation.get_asm(enable_debug_info=stage == "mlir")
    with mlir_ops.new_context():
        module = emit_module(fn_ir, front.abi, results, result_site)
        verify(module, "mlir", loc)
        keep("mlir", module)
        for stage, pipeline in MLIR_STAGES[:2]:
            inplace.run_stage(module, stage, pipeline, front.abi, loc)
            if stage == "bufferized":
                module = memref_fixups(module)
            keep(stage, module)
        run_pipeline(module, binary.PREPARE, "generalize", loc)
        try:
            map_to_gpu(module, front.abi)
        except NotImplementedError as exc:
            raise CompileError(loc, f"internal compiler error in stage 'gpu': {exc}") from None
        verify(module, "gpu", loc)
        keep("gpu", module)
        binary.outline(module, chip, loc)
        binary.merge_kernel_modules(module)
        binary.copy_callees(module)
        keep("outlined", module)
        binary.to_nvvm(module, loc)
        keep("nvvm", module)
        texts["ptx"] = binary.to_ptx(module, loc)
        try:
            binary.embed_machine_code(module, chip)
        except RuntimeError as exc:
            raise CompileError(loc, f"internal compiler error in stage 'binary': {exc}"
                               ) from None
        binary.host_to_llvm(module, loc)
        keep("host-llvm", module)
        texts["llvm"] = llvm_capi.translate_to_llvm_ir(module)
    code = llvm_capi.compile_llvm_ir(texts["llvm"])
    data = gpu_link.link_cuda_object(code.object_code, symbol)
    return Artifact(data, front.abi, texts, code.object_code)
