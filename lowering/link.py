"""Link an object file from `llvm_capi.compile_llvm_ir` into a loadable shared object.

The system C compiler drives the linker (`$CC`, else `cc`):

    cc -shared -Wl,-z,defs -Wl,-z,text -o out.so kernel.o -lm

`-z defs` turns a symbol that neither the object, libm nor libc defines into a link error
(rather than a failed `dlopen` later), `-z text` turns a text relocation into one (the objects
are position-independent, so there are none). Measured on x86-64 Debian, a link takes about
19 ms, 13 ms of it in ld.bfd reading libc and libm; `-nostartfiles` saves nothing measurable,
so the default start files stay.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

__all__ = ["LinkError", "c_compiler", "link_shared_object", "linker_command", "run_tool"]

_LINK_TIMEOUT_S = 120
_ELF_MAGIC = b"\x7fELF"


class LinkError(Exception):
    """The linker is missing or failed; the message carries its output."""


def c_compiler() -> list[str]:
    """The C compiler that drives the linker: `$CC` split as a shell would, else `cc`."""
    try:
        return shlex.split(os.environ.get("CC", "").strip() or "cc")
    except ValueError as exc:
        raise LinkError(f"cannot parse $CC={os.environ['CC']!r}: {exc}") from exc


def linker_command(object_path: Path, out_path: Path) -> list[str]:
    """The command line that links `object_path` into the shared object `out_path`."""
    return [*c_compiler(), "-shared", "-Wl,-z,defs", "-Wl,-z,text", "-o", str(out_path),
            str(object_path), "-lm"]


def link_shared_object(object_code: bytes, out_path: Path) -> None:
    """Link `object_code` (a relocatable ELF object) into the shared object `out_path`.

    The result appears atomically: it is linked under a temporary name in the same directory,
    then renamed into place. Raises `LinkError` if the object is not ELF, the linker cannot be
    run or fails (with its output), or the directory cannot be written.
    """
    if not object_code.startswith(_ELF_MAGIC):
        raise LinkError("the object code is not an ELF object file")
    out_path = Path(out_path)
    try:
        with tempfile.TemporaryDirectory(dir=out_path.parent, prefix=".link-") as work:
            object_path = Path(work) / "kernel.o"
            linked_path = Path(work) / "kernel.so"
            object_path.write_bytes(object_code)
            run_tool(linker_command(object_path, linked_path), "linking")
            os.replace(linked_path, out_path)
    except OSError as exc:
        raise LinkError(f"cannot write {out_path}: {exc}") from exc


def run_tool(command: list[str], what: str, timeout_s: float = _LINK_TIMEOUT_S) -> None:
    """Run `command` (the C compiler or a binutils tool) for `what`; a missing program, a
    non-zero exit or a run longer than `timeout_s` raise `LinkError` with the command and its
    output."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              timeout=timeout_s, check=False)
    except FileNotFoundError as exc:
        raise LinkError(f"{what}: {command[0]!r} not found (install cc and binutils, or set "
                        "$CC)") from exc
    except OSError as exc:
        raise LinkError(f"{what}: cannot run {command[0]!r}: {exc}") from exc
    except subprocess.TimeoutExpired as exc:
        raise LinkError(f"{what}: ran for more than {timeout_s} s: "
                        f"{shlex.join(command)}") from exc
    if done.returncode != 0:
        output = (done.stderr + done.stdout).strip() or "(no output)"
        raise LinkError(f"{what} failed (exit {done.returncode}): {shlex.join(command)}\n"
                        f"{output}")
