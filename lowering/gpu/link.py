"""Link a CUDA kernel's host object with the driver shim into one shared object.

    cc -shared -O2 -fPIC -fvisibility=hidden -DSK_PREFIX=<symbol> -Wl,-z,defs -Wl,-z,text
       -o out.so cuda_shim.c kernel.o -ldl -lpthread -lm

(one driver run compiles the shim and links; `-fvisibility=hidden` applies to the shim only,
the object's entry, hooks and `mgpu*` functions keep their visibility).

The shim (`dsl/_runtime/cuda_shim.c`) implements the `mgpu*` functions the host code calls on
the CUDA driver, loaded with dlopen at first use, so the library links and loads on machines
without a GPU driver; its control functions are `<symbol>_cuda_prepare/finish/error`.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from lowering.link import LinkError, c_compiler, run_tool


def shim_path() -> Path:
    """The shim's C source."""
    from dsl._runtime.cuda_shim import shim_source_path
    return Path(shim_source_path())


def link_cuda_object(object_code: bytes, symbol: str) -> bytes:
    """The shared object of `object_code` plus the shim compiled for `symbol`."""
    if not symbol.isidentifier():
        raise LinkError(f"not a C identifier: {symbol!r}")
    cc = c_compiler()
    with tempfile.TemporaryDirectory(prefix="shapekit-cuda-") as tmp:
        work = Path(tmp)
        (work / "kernel.o").write_bytes(object_code)
        run_tool([*cc, "-shared", "-O2", "-fPIC", "-fvisibility=hidden",
                  f"-DSK_PREFIX={symbol}", "-Wl,-z,defs", "-Wl,-z,text", "-o",
                  str(work / "kernel.so"), str(shim_path()), str(work / "kernel.o"), "-ldl",
                  "-lpthread", "-lm"], "compiling the CUDA shim and linking")
        return (work / "kernel.so").read_bytes()
