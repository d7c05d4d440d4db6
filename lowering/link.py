"""Link an object file from `llvm_capi.compile_llvm_ir` into a loadable shared object.

The system C compiler drives the linker (`$CC`, else `cc`):

    cc -shared -Wl,-z,defs -Wl,-z,text -o out.so kernel.o -lm

`-z defs` turns a symbol that neither the object, libm nor libc defines into a link error
(rather than a failed `dlopen` later), `-z text` turns a text relocation into one (the objects
are position-independent, so there are none). Measured on x86-64 Debian, that link takes about
20-26 ms, most of it in the compiler driver and in ld.bfd reading libc and libm.

Kernels for this process (`for_this_process=True`, the JIT's cache) take a faster way when
`$CC` is not set: if every undefined symbol of the object is a function of libc or libm as
this process has them loaded (found with `dlsym` and `dladdr`: every CPython process has
both), `ld -shared` links the object alone in about 6 ms, and the symbols bind to the
process's libc and libm when the kernel is loaded. Any other symbol takes the full link.
"""

from __future__ import annotations

import ctypes
import functools
import os
import shlex
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

__all__ = ["LinkError", "c_compiler", "link_shared_object", "linker_command", "run_tool",
           "undefined_symbols"]

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


def link_shared_object(object_code: bytes, out_path: Path,
                       for_this_process: bool = False) -> None:
    """Link `object_code` (a relocatable ELF object) into the shared object `out_path`;
    `for_this_process`: the result is only loaded into Python processes on this machine,
    which allows the fast link (module docstring).

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
            fast = _fast_linker_command(object_code, object_path, linked_path) \
                if for_this_process else None
            run_tool(fast or linker_command(object_path, linked_path), "linking")
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


def _fast_linker_command(object_code: bytes, object_path: Path,
                         out_path: Path) -> list[str] | None:
    """`ld -shared` of the object alone, when that is safe here (module docstring)."""
    if os.environ.get("CC", "").strip():
        return None
    ld = _plain_ld()
    undefined = undefined_symbols(object_code)
    if ld is None or undefined is None or not all(map(_from_libc_or_libm, undefined)):
        return None
    return [ld, "-shared", "-z", "text", "-z", "noexecstack", "-o", str(out_path),
            str(object_path)]


@functools.lru_cache(maxsize=1)
def _plain_ld() -> str | None:
    return shutil.which("ld")


_ELF64_LSB = b"\x7fELF\x02\x01"
_SHT_SYMTAB = 2
_SECTION = struct.Struct("<IIQQQQIIQQ")  # Elf64_Shdr
_SYMBOL = struct.Struct("<IBBHQQ")       # Elf64_Sym


def undefined_symbols(object_code: bytes) -> list[str] | None:
    """The names of the global and weak symbols a relocatable ELF64 little-endian object
    uses but does not define; None for any other kind of file or a malformed one."""
    try:
        if not object_code.startswith(_ELF64_LSB):
            return None
        shoff, = struct.unpack_from("<Q", object_code, 0x28)
        shentsize, shnum = struct.unpack_from("<HH", object_code, 0x3A)
        if shentsize != _SECTION.size:
            return None
        sections = [_SECTION.unpack_from(object_code, shoff + i * shentsize)
                    for i in range(shnum)]
        names: list[str] = []
        for section in sections:
            if section[1] != _SHT_SYMTAB:
                continue
            offset, size, strtab = section[4], section[5], sections[section[6]]
            for at in range(offset + _SYMBOL.size, offset + size, _SYMBOL.size):  # 0: null
                name, info, _, shndx, _, _ = _SYMBOL.unpack_from(object_code, at)
                if shndx == 0 and name and info >> 4 in (1, 2):  # UNDEF; GLOBAL or WEAK
                    start = strtab[4] + name
                    names.append(object_code[start:object_code.index(b"\0", start)].decode())
        return names
    except (struct.error, IndexError, ValueError, UnicodeDecodeError):
        return None


class _DlInfo(ctypes.Structure):
    _fields_ = [("dli_fname", ctypes.c_char_p), ("dli_fbase", ctypes.c_void_p),
                ("dli_sname", ctypes.c_char_p), ("dli_saddr", ctypes.c_void_p)]


@functools.lru_cache(maxsize=None)
def _from_libc_or_libm(name: str) -> bool:
    """Whether this process resolves `name` to a function of libc or libm."""
    try:
        process = ctypes.CDLL(None)
        address = ctypes.cast(getattr(process, name), ctypes.c_void_p).value
        dladdr = process.dladdr
    except (AttributeError, OSError, ValueError):
        return False
    dladdr.argtypes, dladdr.restype = [ctypes.c_void_p, ctypes.POINTER(_DlInfo)], ctypes.c_int
    info = _DlInfo()
    if not address or not dladdr(address, ctypes.byref(info)) or not info.dli_fname:
        return False
    fname: bytes = info.dli_fname
    library = os.path.basename(fname.decode("utf-8", "replace"))
    return library.startswith(("libc.so.", "libm.so."))
