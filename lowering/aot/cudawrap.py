"""The CUDA part of an ahead-of-time library (`--target cuda`).

A cuda library holds one copy of the driver shim (`dsl/_runtime/cuda_shim.c`), compiled with
the prefix `<name>__sk`, so every kernel of the library shares its driver state, and its
`mgpu*` functions stay hidden. Each C entry runs the kernel's internal entry between the
shim's `prepare(stream)` and `finish(sync=1)` (`sk_cuda_run`): the work is queued on the
caller's stream and the entry returns once that stream has finished it (scalar results and
status codes are then final). A failing `prepare` (no driver, no device) gives
SHAPEKIT_ERR_NO_DEVICE, a driver failure later SHAPEKIT_ERR_DEVICE; `<name>_last_error()`
holds the shim's message.

For `dsl.load_library` each kernel also gets the control functions the Python GPU runtime
(`dsl._runtime.cuda_call.CudaKernel`) looks up: `<internal symbol>_cuda_prepare/finish/error/
set_device`, forwarding to the shared shim.
"""

from __future__ import annotations

from pathlib import Path

from dsl._runtime.abi import KernelABI
from dsl._runtime.cuda_shim import CONTROL_SUFFIXES, compile_flags, shim_source_path

__all__ = ["cuda_exports", "cuda_glue", "shim_command", "shim_prefix"]

# (suffix, C return type, C parameters, argument names) of the shim's control functions
_CONTROLS = {
    "_cuda_prepare": ("int32_t", "void *stream", "stream"),
    "_cuda_finish": ("int32_t", "int32_t sync", "sync"),
    "_cuda_error": ("const char *", "void", ""),
    "_cuda_set_device": ("int32_t", "int32_t ordinal", "ordinal"),
}


def shim_prefix(name: str) -> str:
    """The `SK_PREFIX` of the library's shim (its control functions stay local)."""
    return f"{name}__sk"


def shim_command(cc: list[str], name: str, out: Path) -> list[str]:
    """The command that compiles the library's shim into the object `out`."""
    return [*cc, "-c", *compile_flags(shim_prefix(name)), "-o", str(out),
            str(shim_source_path())]


def cuda_glue(name: str, abis: list[KernelABI]) -> str:
    """C text of the wrapper: the shim's declarations, `sk_cuda_run`, `<name>_set_device`
    and the per-kernel control functions of the Python loader."""
    p = shim_prefix(name)
    lines = [f"{ret} {p}{suffix}({params});" for suffix, (ret, params, _) in _CONTROLS.items()]
    lines += [
        "/* The kernel between prepare and finish: its status (>= 0), or minus a",
        "   SHAPEKIT_ERR_* code for a driver failure (the message then in sk_err). */",
        "static int sk_cuda_run(int32_t (*entry)(const int64_t *), const int64_t *packed,",
        "                       void *stream) {",
        f"    if ({p}_cuda_prepare(stream) != 0) {{",
        f"        int code = sk_fail(SHAPEKIT_ERR_NO_DEVICE, \"DeviceError: %s\", "
        f"{p}_cuda_error());",
        f"        {p}_cuda_finish(0);",
        "        return -code;",
        "    }",
        "    int32_t st = entry(packed);",
        f"    if ({p}_cuda_finish(1) != 0)",
        f"        return -sk_fail(SHAPEKIT_ERR_DEVICE, \"DeviceError: %s\", {p}_cuda_error());",
        "    return st;",
        "}",
        f"SK_EXPORT int {name}_set_device(int ordinal) {{",
        f"    return {p}_cuda_set_device((int32_t)ordinal);",
        "}"]
    for abi in abis:
        for suffix, (ret, params, args) in _CONTROLS.items():
            lines.append(f"SK_EXPORT {ret} {abi.symbol}{suffix}({params}) {{ "
                         f"return {p}{suffix}({args}); }}")
    assert tuple(_CONTROLS) == CONTROL_SUFFIXES
    return "\n".join(lines) + "\n"


def cuda_exports(name: str, abis: list[KernelABI]) -> list[str]:
    """The symbols a cuda library exports beyond the CPU ones."""
    return [f"{name}_set_device",
            *(abi.symbol + suffix for abi in abis for suffix in CONTROL_SUFFIXES)]
