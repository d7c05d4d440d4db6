"""Ahead-of-time builds: kernels of a Python file -> `lib<name>.so` + `<name>.h`.

Steps, for target "cpu":

1. each kernel is compiled once (`lowering.pipeline.compile_kernel`) with the internal symbol
   `<name>__sk_<kernel>`; its LLVM IR is turned into an object file and every symbol but the
   entry and its hooks table is made local (`objcopy --keep-global-symbol`), so helpers the
   compiler emits in each object (`dealloc_helper`, ...) do not clash;
2. one C wrapper (`lowering.aot.cwrap`) holds the checked entries `<name>_<kernel>`, the C
   print and error hooks, `<name>_last_error()` and `<name>_shapekit_metadata()` (JSON: the
   kernels' ABIs and C signatures, all `dsl.load_library` needs);
3. `cc` compiles the wrapper and links everything with a version script that exports only
   `<name>_...` symbols; the library needs libc and libm, nothing from Python or MLIR.

For target "cuda" step 1 uses `compile_kernel_cuda` (the object is the host code, with the
GPU code embedded as a fatbin of cubin and PTX), and step 3 also links one driver shim for
the whole library (`lowering.aot.cudawrap`: libcuda is opened with dlopen at run time, so
the library needs libc, libdl and libpthread only).
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

from dsl._runtime.abi import KernelABI
from lowering import llvm_capi
from lowering.aot.cprint import PRINT_C
from lowering.aot.cruntime import RUNTIME_C, STATUS_CODES
from lowering.aot.cudawrap import cuda_exports, cuda_glue, shim_command
from lowering.aot.cwrap import CEntry, entry_for
from lowering.aot.header import header_text
from lowering.aot.names import c_identifier, c_string
from lowering.aot.select import BuildError, ExportedKernel
from lowering.link import LinkError, c_compiler, run_tool
from lowering.pipeline import compile_kernel, compile_kernel_cuda

__all__ = ["BuildResult", "CPUS", "METADATA_FORMAT", "TARGETS", "build_library",
           "check_options"]

TARGETS = ("cpu", "cuda")
# LLVM CPU names `--cpu` accepts, per machine (`platform.machine()`).
CPUS: dict[str, tuple[str, ...]] = {
    "x86_64": ("x86-64", "x86-64-v2", "x86-64-v3", "x86-64-v4"),
    "aarch64": ("generic", "neoverse-n1", "neoverse-v1", "neoverse-v2", "cortex-a72"),
}
METADATA_FORMAT = 1
_TOOL_TIMEOUT_S = 300


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote."""

    library: Path
    header: Path
    entries: tuple[str, ...]


def build_library(kernels: list[ExportedKernel], name: str, out_dir: Path,
                  target: str = "cpu", cpu: str | None = None, chip: str = "sm_90a"
                  ) -> BuildResult:
    """Compile `kernels` into `out_dir/lib<name>.so` and `out_dir/<name>.h`, for the LLVM
    CPU `cpu` with its default features (None: this machine's CPU and features); for
    target "cuda" the GPU code is for `chip`."""
    check_options(name, target, cpu, chip)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    abis: list[KernelABI] = []
    with tempfile.TemporaryDirectory(prefix="shapekit-aot-") as tmp:
        work = Path(tmp)
        objects = []
        for k, exp in enumerate(kernels):
            abi, obj = _compile_object(exp, f"{name}__sk_{exp.name}", work / f"k{k}.o", cpu,
                                       chip if target == "cuda" else None)
            abis.append(abi)
            objects.append(obj)
        extra = ["-lm"]
        if target == "cuda":
            objects.append(work / "shim.o")
            _run(shim_command(_cc(), name, objects[-1]), "compiling the CUDA driver shim")
            extra = ["-ldl", "-lpthread", "-lm"]
        entries = [entry_for(abi, name, k, target) for k, abi in enumerate(abis)]
        wrapper = work / "wrapper.c"
        wrapper.write_text(wrapper_source(name, target, abis, entries, cpu or "host",
                                          chip if target == "cuda" else None))
        script = work / "exports.map"
        script.write_text(_version_script(name, target, abis, entries))
        lib = out_dir / f"lib{name}.so"
        staged = work / lib.name
        _run([*_cc(), "-std=gnu11", "-O2", "-fPIC", "-fvisibility=hidden", "-shared",
              "-Wl,-z,defs", "-Wl,-z,text", f"-Wl,--version-script={script}", "-o",
              str(staged), str(wrapper), *map(str, objects), *extra], "compiling the wrapper")
        header = out_dir / f"{name}.h"
        header.write_text(header_text(name, target, entries))
        os.replace(staged, lib)
    return BuildResult(lib, header, tuple(e.name for e in entries))


def check_options(name: str, target: str, cpu: str | None = None, chip: str = "sm_90a"
                  ) -> None:
    """Raise `BuildError` for a library name, target, CPU or chip a build cannot use."""
    known = CPUS.get(platform.machine(), ())
    if cpu is not None and cpu not in known:
        # LLVM aborts the process on some unknown CPU names: only known ones get through.
        raise BuildError(f"--cpu {cpu!r} is not one this build knows for "
                         f"{platform.machine()}: use one of {', '.join(known) or '(none)'}, "
                         "or leave it out for this machine's CPU")
    if target not in TARGETS:
        raise BuildError(f"unknown target {target!r}: use one of {', '.join(TARGETS)}")
    if target == "cuda":
        from lowering.gpu.binary import check_chip
        try:
            check_chip(chip)
        except ValueError as exc:
            raise BuildError(f"--chip: {exc}") from None
    if not c_identifier(name):
        raise BuildError(f"library name {name!r} cannot prefix C symbols: use letters, "
                         "digits and _ (--name)")


def _compile_object(exp: ExportedKernel, symbol: str, path: Path, cpu: str | None,
                    chip: str | None = None) -> tuple[KernelABI, Path]:
    """The kernel's object file (for `cpu`, None: the host; with a `chip`: the host code of
    the CUDA kernel) with only `symbol` and its hooks table global."""
    if chip is not None:
        art = compile_kernel_cuda(exp.fn, exp.specs, symbol, keep_ir=True, chip=chip)
    else:
        art = compile_kernel(exp.fn, exp.specs, symbol, keep_ir=True)
    # For the host the pipeline's own object is used; another CPU needs its own code generation.
    obj = art.object_code if cpu is None else llvm_capi.compile_llvm_ir(
        art.ir["llvm"], cpu=cpu, features="").object_code
    raw = path.with_suffix(".raw.o")
    raw.write_bytes(obj)
    _run(["objcopy", f"--keep-global-symbol={symbol}",
          f"--keep-global-symbol={art.abi.hooks_symbol}", str(raw), str(path)],
         f"localising the symbols of kernel '{exp.name}'")
    return art.abi, path


def wrapper_source(name: str, target: str, abis: list[KernelABI], entries: list[CEntry],
                   cpu: str = "host", chip: str | None = None) -> str:
    """The whole C wrapper of a library."""
    meta = metadata_json(name, target, abis, entries, cpu, chip)
    parts = ["/* Generated by shapekit (`python -m dsl build`); do not edit. */",
             '#define SK_EXPORT __attribute__((visibility("default")))',
             f"#define SK_DEVICE {int(target == 'cuda')}",
             "enum { " + ", ".join(f"{c} = {v}" for c, v, _ in STATUS_CODES) + " };",
             RUNTIME_C, PRINT_C]
    if target == "cuda":
        parts.append(cuda_glue(name, abis))
    parts += [e.code for e in entries]
    chunks = [c_string(meta[i:i + 2000]) for i in range(0, len(meta), 2000)] or ['""']
    parts += [f"SK_EXPORT const char *{name}_last_error(void) {{ return sk_err; }}",
              f"SK_EXPORT const char *{name}_shapekit_metadata(void) {{",
              "    return " + "\n        ".join(chunks) + ";", "}"]
    return "\n".join(parts) + "\n"


def metadata_json(name: str, target: str, abis: list[KernelABI], entries: list[CEntry],
                  cpu: str = "host", chip: str | None = None) -> str:
    """The metadata `<name>_shapekit_metadata()` returns (`chip`: cuda libraries)."""
    kernels = [{"name": abi.name, "entry": e.name, "c_signature": e.prototype,
                "size_params": e.size_params, "abi": asdict(abi)}
               for abi, e in zip(abis, entries)]
    meta = {"format": METADATA_FORMAT, "library": name, "target": target, "cpu": cpu,
            "kernels": kernels}
    if chip is not None:
        meta["chip"] = chip
    return json.dumps(meta, sort_keys=True)


def _version_script(name: str, target: str, abis: list[KernelABI], entries: list[CEntry]
                    ) -> str:
    exported = [f"{name}_last_error", f"{name}_shapekit_metadata", *(e.name for e in entries)]
    if target == "cuda":
        exported += cuda_exports(name, abis)
    exported += [s for abi in abis for s in (abi.symbol, abi.hooks_symbol)]
    return "{\n  global:\n" + "".join(f"    {s};\n" for s in exported) + "  local: *;\n};\n"


def _cc() -> list[str]:
    try:
        return c_compiler()
    except LinkError as exc:
        raise BuildError(str(exc)) from exc


def _run(command: list[str], what: str) -> None:
    try:
        run_tool(command, what, _TOOL_TIMEOUT_S)
    except LinkError as exc:
        raise BuildError(str(exc)) from exc
