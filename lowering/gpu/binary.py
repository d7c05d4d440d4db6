"""From the mapped module to NVVM, PTX / cubin and the host's LLVM dialect.

    outline ("gpu-kernel-outlining") -> NVVM target attached -> kernels to NVVM ("nvvm")
    -> a copy: gpu-module-to-binary{format=isa} -> the PTX text (`.ir["ptx"]`)
    -> the module: gpu-module-to-binary{format=fatbin} (cubin + PTX; `bin` if the toolkit has
       no `fatbinary`) -> host code to the LLVM dialect ("host-llvm")

The NVVM target needs the PTX feature the chip requires (sm_90a: `+ptx80`); a wrong one makes
LLVM abort the whole process, so chips come from a fixed table. f16 / bf16 arithmetic is done
in f32 and rounded after every op, as on the CPU, so both backends give the same bits.
"""

from __future__ import annotations

import shutil

from mlir import ir
from mlir.dialects import gpu

from dsl._errors import SourceLoc
from lowering.passes import run_pipeline

# chip -> PTX ISA feature (the PTX version that introduced the chip, within CUDA 12/13)
CHIPS: dict[str, str] = {"sm_80": "+ptx70", "sm_86": "+ptx71", "sm_89": "+ptx78",
                         "sm_90": "+ptx78", "sm_90a": "+ptx80"}

# before mapping: named linalg ops as generics; math ops without an NVVM lowering (`ipowi`)
# as functions, which outlining copies into the kernels' module
PREPARE = ("builtin.module(func.func(linalg-generalize-named-ops),"
           "convert-math-to-funcs)")
OUTLINE = "builtin.module(gpu-kernel-outlining,nvvm-attach-target{{chip={chip} " \
    "features={features} O=3}})"
KERNEL = ("builtin.module(gpu.module(expand-strided-metadata,lower-affine,"
          "arith-emulate-unsupported-floats{source-types=bf16,f16 target-type=f32},"
          "convert-scf-to-cf,canonicalize,convert-gpu-to-nvvm,canonicalize,cse,"
          "reconcile-unrealized-casts))")
TO_BINARY = "builtin.module(gpu-module-to-binary{{format={format}}})"
HOST = ("builtin.module(func.func(math-expand-ops),convert-math-to-funcs,"
        "expand-strided-metadata,lower-affine,"
        "arith-emulate-unsupported-floats{source-types=bf16,f16 target-type=f32},"
        "func.func(convert-scf-to-cf),arith-expand,convert-math-to-llvm,convert-math-to-libm,"
        "gpu-to-llvm,convert-to-llvm,reconcile-unrealized-casts)")


def check_chip(chip: str) -> str:
    """The PTX feature for `chip`; ValueError naming the supported chips otherwise."""
    if chip not in CHIPS:
        raise ValueError(f"unsupported CUDA chip {chip!r}: use one of {', '.join(CHIPS)}")
    return CHIPS[chip]


def outline(module: ir.Module, chip: str, loc: SourceLoc) -> None:
    """Launches become `gpu.launch_func`s of kernels in `gpu.module`s targeting `chip`."""
    pipeline = OUTLINE.format(chip=chip, features=check_chip(chip))
    run_pipeline(module, pipeline, "gpu-outline", loc)


def to_nvvm(module: ir.Module, loc: SourceLoc) -> None:
    """The kernels' bodies to the NVVM / LLVM dialects."""
    run_pipeline(module, KERNEL, "nvvm", loc)


def ptx_of(module: ir.Module, loc: SourceLoc) -> str:
    """The PTX of the module's kernels (from a copy; the module is unchanged)."""
    copy = ir.Module.parse(module.operation.get_asm(enable_debug_info=True), module.context)
    run_pipeline(copy, TO_BINARY.format(format="isa"), "ptx", loc)
    texts: list[str] = []
    for op in copy.body.operations:
        if op.operation.name == "gpu.binary":
            for attr in ir.ArrayAttr(op.attributes["objects"]):
                texts.append(gpu.ObjectAttr(attr).object.decode())
    return "\n".join(texts)


def embed_binary(module: ir.Module, loc: SourceLoc) -> str:
    """Replace the `gpu.module`s by embedded binaries; the format used."""
    fmt = "fatbin" if shutil.which("fatbinary") else "bin"
    run_pipeline(module, TO_BINARY.format(format=fmt), "binary", loc)
    return fmt


def host_to_llvm(module: ir.Module, loc: SourceLoc) -> None:
    """Host code (with launches of embedded kernels) to the LLVM dialect."""
    run_pipeline(module, HOST, "host-llvm", loc)


def merge_kernel_modules(module: ir.Module) -> None:
    """Move every outlined kernel into the first `gpu.module` (one PTX / cubin per kernel
    library, one module load at run time) and retarget the launches."""
    gpu_modules = [op.operation for op in module.body.operations
                   if op.operation.name == "gpu.module"]
    if len(gpu_modules) < 2:
        return
    target = gpu_modules[0]
    target_name = ir.StringAttr(target.attributes["sym_name"]).value
    body = target.regions[0].blocks[0]
    for other in gpu_modules[1:]:
        name = ir.StringAttr(other.attributes["sym_name"]).value
        fns = [f.operation for f in other.regions[0].blocks[0].operations
               if f.operation.name == "gpu.func"]
        if len(fns) != 1:
            raise NotImplementedError(f"gpu.module @{name} holds {len(fns)} kernels, not 1")
        fns[0].attributes["sym_name"] = ir.StringAttr.get(name)  # module names are unique
        body.append(fns[0])
        other.erase()

    def retarget(op: ir.Operation) -> ir.WalkResult:
        if op.name == "gpu.launch_func":
            path = ir.SymbolRefAttr(op.attributes["kernel"]).value
            op.attributes["kernel"] = ir.SymbolRefAttr.get(
                [target_name, path[0] if path[0] != target_name else path[-1]])
        return ir.WalkResult.ADVANCE
    module.operation.walk(retarget)


def copy_callees(module: ir.Module) -> None:
    """Copy the host functions kernels call (`convert-math-to-funcs` helpers such as
    `__mlir_math_ipowi_i8`) into each `gpu.module`, transitively."""
    funcs = {ir.StringAttr(op.attributes["sym_name"]).value: op.operation
             for op in module.body.operations if op.operation.name == "func.func"}
    for gm in [op.operation for op in module.body.operations
               if op.operation.name == "gpu.module"]:
        body = gm.regions[0].blocks[0]
        have: set[str] = set()
        todo = _callees(gm)
        while todo:
            name = todo.pop()
            if name in have:
                continue
            if name not in funcs:
                raise NotImplementedError(f"a kernel calls @{name}, which is not a function")
            have.add(name)
            clone = funcs[name].clone()
            body.append(clone)  # the clone was made at the module's end: move it in
            todo |= _callees(clone)


def _callees(op: ir.Operation) -> set[str]:
    names: set[str] = set()

    def visit(o: ir.Operation) -> ir.WalkResult:
        if o.name == "func.call":
            names.add(ir.FlatSymbolRefAttr(o.attributes["callee"]).value)
        return ir.WalkResult.ADVANCE
    op.walk(visit)
    return names
