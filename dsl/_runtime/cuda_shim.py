"""Where the C source of the CUDA shim lives, and the names of its control functions.

`cuda_shim.c` implements the `mgpu*` functions that MLIR's `gpu-to-llvm` lowering calls, on
the CUDA driver API loaded with dlopen at first use; it is compiled into each CUDA kernel's
shared object with `-DSK_PREFIX=<symbol> -fvisibility=hidden`, which exports only the control
functions named here.
"""

from __future__ import annotations

import pathlib

__all__ = ["CONTROL_SUFFIXES", "compile_flags", "control_names", "shim_source_path"]

# `<symbol>_cuda_prepare(void* stream)`, `<symbol>_cuda_finish(int32 sync)`,
# `<symbol>_cuda_error()`, `<symbol>_cuda_set_device(int32)`.
CONTROL_SUFFIXES = ("_cuda_prepare", "_cuda_finish", "_cuda_error", "_cuda_set_device")


def shim_source_path() -> pathlib.Path:
    """The path of `cuda_shim.c` (package data, installed next to this module)."""
    return pathlib.Path(__file__).with_name("cuda_shim.c")


def compile_flags(symbol: str) -> list[str]:
    """The `cc` flags that compile the shim for the kernel `symbol` (after `cc -c`)."""
    return ["-O2", "-fPIC", "-fvisibility=hidden", f"-DSK_PREFIX={symbol}"]


def control_names(symbol: str) -> tuple[str, ...]:
    """The exported control functions of the kernel `symbol`'s shared object."""
    return tuple(symbol + suffix for suffix in CONTROL_SUFFIXES)
