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

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from lowering.link import LinkError

_TIMEOUT_S = 120


def _compiler() -> list[str]:
    try:
        return shlex.split(os.environ.get("CC", "").strip() or "cc")
    except ValueError as exc:
        raise LinkError(f"cannot parse $CC={os.environ['CC']!r}: {exc}") from exc


def _run(command: list[str]) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=_TIMEOUT_S, check=False)
    except FileNotFoundError as exc:
        raise LinkError(f"no C compiler: {command[0]!r} not found (install cc or set $CC)"
                        ) from exc
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise LinkError(f"cannot run {shlex.join(command)}: {exc}") from exc
    if done.returncode != 0:
        output = (done.stderr + done.stdout).strip() or "(no output)"
        raise LinkError(f"{shlex.join(command)} failed (exit {done.returncode}):\n{output}")


def shim_path() -> Path:
    """The shim's C source."""
    from dsl._runtime.cuda_shim import shim_source_path
    return Path(shim_source_path())


def link_cuda_object(object_code: bytes, symbol: str) -> bytes:
    """The shared object of `object_code` plus the shim compiled for `symbol`."""
    if not symbol.isidentifier():
        raise LinkError(f"not a C identifier: {symbol!r}")
    cc = _compiler()
    with tempfile.TemporaryDirectory(prefix="shapekit-cuda-") as tmp:
        work = Path(tmp)
        (work / "kernel.o").write_bytes(object_code)
        _run([*cc, "-shared", "-O2", "-fPIC", "-fvisibility=hidden", f"-DSK_PREFIX={symbol}",
              "-Wl,-z,defs", "-Wl,-z,text", "-o", str(work / "kernel.so"), str(shim_path()),
              str(work / "kernel.o"), "-ldl", "-lpthread", "-lm"])
        return (work / "kernel.so").read_bytes()
