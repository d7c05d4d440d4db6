"""From the mapped module to NVVM, PTX / cubin and the host's LLVM dialect.

    outline ("gpu-kernel-outlining", kernels merged into one gpu.module, NVVM target attached)
    -> kernels to NVVM ("nvvm") -> gpu-module-to-binary{format=isa}: the PTX (`.ir["ptx"]`)
    -> ptxas + fatbinary: the embedded object becomes a fatbin (cubin + PTX), a cubin without
       `fatbinary`, or stays PTX without `ptxas` -> host code to the LLVM dialect ("host-llvm")

LLVM generates the PTX once; `gpu-module-to-binary{format=fatbin}` would run the NVPTX
back end a second time (a third of a compile).

The NVVM target needs the PTX feature the chip requires (sm_90a: `+ptx80`); a wrong one makes
LLVM abort the whole process, so chips come from a fixed table. f16 / bf16 arithmetic is done
in f32 and rounded after every op, as on the CPU, so both backends give the same bits.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

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


def to_ptx(module: ir.Module, loc: SourceLoc) -> str:
    """Replace the kernels' `gpu.module` by a `gpu.binary` holding their PTX; the PTX text
    ('' when the kernel launches nothing)."""
    run_pipeline(module, TO_BINARY.format(format="isa"), "ptx", loc)
    texts = [gpu.ObjectAttr(attr).object.decode() for op in _binaries(module)
             for attr in ir.ArrayAttr(op.attributes["objects"])]
    return "\n".join(texts)


def _binaries(module: ir.Module) -> list[ir.Operation]:
    return [op.operation for op in module.body.operations
            if op.operation.name == "gpu.binary"]


def embed_machine_code(module: ir.Module, chip: str) -> str:
    """Swap the PTX in each `gpu.binary` for a fatbin (cubin + PTX; `ptxas` and `fatbinary`
    of the CUDA toolkit) or a cubin (no `fatbinary`); keep the PTX (the driver compiles it at
    load time) without `ptxas`. The format used: "fatbin", "bin" or "isa"."""
    fmt = "isa"
    for op in _binaries(module):
        objects = []
        for attr in ir.ArrayAttr(op.attributes["objects"]):
            obj = gpu.ObjectAttr(attr)
            code = assemble(obj.object.decode(), chip)
            if code is None:
                return fmt
            fmt, data = code
            kind = _FORMATS[fmt]
            objects.append(gpu.ObjectAttr.get(obj.target, kind, data))
        op.attributes["objects"] = ir.ArrayAttr.get(objects)
    return fmt


_FORMATS = {"isa": 2, "bin": 3, "fatbin": 4}  # gpu::CompilationTarget


def assemble(ptx: str, chip: str) -> tuple[str, bytes] | None:
    """("fatbin" | "bin", bytes) for `ptx`, or None without `ptxas`. CompileError-free: a
    PTX that `ptxas` rejects is a compiler bug, raised as RuntimeError with its message."""
    ptxas = shutil.which("ptxas")
    if ptxas is None:
        return None
    with tempfile.TemporaryDirectory(prefix="shapekit-ptx-") as tmp:
        work = Path(tmp)
        (work / "k.ptx").write_text(ptx)
        _tool([ptxas, f"-arch={chip}", "-O3", str(work / "k.ptx"), "-o", str(work / "k.cubin")])
        fatbinary = shutil.which("fatbinary")
        if fatbinary is None:
            return "bin", (work / "k.cubin").read_bytes()
        sm = chip.removeprefix("sm_")
        _tool([fatbinary, "-64", f"--create={work / 'k.fatbin'}",
               f"--image3=kind=elf,sm={sm},file={work / 'k.cubin'}",
               f"--image3=kind=ptx,sm={sm},file={work / 'k.ptx'}"])
        return "fatbin", (work / "k.fatbin").read_bytes()


def _tool(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                          check=False, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr.strip()}")


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
