"""Compiled kernels: specialisation per argument dtypes and ranks, the in-memory and on-disk
caches, and the object `Kernel.compile` returns.

Compiling needs the compiler (`lowering`, which imports MLIR); running an already compiled
kernel does not: a disk-cache hit loads the shared object with `dsl._runtime` only.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pathlib
import re
import threading
import types
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

import numpy as np

from dsl._check import Signature, TensorSpec
from dsl._dtypes import language_dtype
from dsl._errors import DeviceError
from dsl._runtime.abi import KernelABI
from dsl._runtime.cache import DiskCache, cache_key
from dsl._runtime.library import LoadedKernel, load_kernel

if TYPE_CHECKING:  # the CUDA runtime is imported only for CUDA specialisations
    from dsl._runtime.cuda_call import CudaKernel
    from lowering.frontend.params import ArgSpec
    from lowering.pipeline import Artifact

__all__ = ["CompiledKernel", "Specializer"]

COMPILER_VERSION = "shapekit-cpu-1"
_TARGETS = ("cpu", "cuda")
DEFAULT_CHIP = "sm_90a"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


class ArgKind(NamedTuple):
    """The part of an argument that selects a specialisation."""

    kind: str
    dtype: str = ""
    rank: int = 0


class CompiledKernel:
    """A kernel compiled for one specialisation: call it like the kernel (positional
    arguments of the same dtypes and ranks); `.ir` maps stage names to IR text. A CUDA
    kernel (`target == "cuda"`) takes GPU arrays (torch, cupy) or numpy arrays (copied to
    the GPU and back) and has "ptx" among its IR texts."""

    def __init__(self, name: str, loaded: LoadedKernel | CudaKernel,
                 ir_reader: Callable[[], dict[str, str]], target: str) -> None:
        self.name = name
        self.target = target
        self._loaded = loaded
        self._ir_reader = ir_reader
        self.__call__ = loaded  # type: ignore[method-assign]

    def __call__(self, *args: Any) -> Any:
        return self._loaded(*args)

    @functools.cached_property
    def ir(self) -> dict[str, str]:
        """The IR after every stage: "mlir" (as emitted), "fused", "bufferized", "loops",
        "llvm-dialect", "llvm" (LLVM IR) and "llvm-opt" (after LLVM's O2); for CUDA the
        stages of `lowering.pipeline.compile_kernel_cuda`, "ptx" among them. A kernel that
        was compiled for a call (not by `Kernel.compile`) kept no IR: its texts are compiled
        again on first access, which needs the compiler."""
        return self._ir_reader()

    @property
    def abi(self) -> KernelABI:
        """The calling convention of the compiled entry point."""
        return self._loaded.abi

    def __repr__(self) -> str:
        return f"<dsl.compiled {self.name} [{self.target}]>"


def _arg_kind(spec: object, value: Any) -> ArgKind:
    if isinstance(spec, TensorSpec):
        arr = value if isinstance(value, np.ndarray) else np.asarray(value)
        return ArgKind("tensor", language_dtype(arr.dtype).value, arr.ndim)
    if isinstance(value, bool):
        return ArgKind("bool")
    if isinstance(value, (int, np.integer)):
        return ArgKind("int")
    return ArgKind("float")


class Specializer:
    """Compiles and caches the specialisations of one kernel."""

    def __init__(self, fn: Callable[..., Any], signature: Callable[[], Signature]) -> None:
        self.fn = fn
        self._signature = signature
        self._memory: dict[tuple[Any, ...], CompiledKernel] = {}
        self._lock = threading.Lock()

    def kinds(self, args: tuple[Any, ...]) -> tuple[ArgKind, ...]:
        """The specialisation an argument list selects (after the eager checks passed)."""
        sig = self._signature()
        return tuple(_arg_kind(p.spec, a) for p, a in zip(sig.params, args))

    def get(self, kinds: tuple[ArgKind, ...], target: str = "cpu",
            chip: str = DEFAULT_CHIP, keep_ir: bool = False) -> CompiledKernel:
        """The compiled kernel for `kinds`: from memory, the disk cache, or compiled now
        (`chip` only matters for target "cuda"). A CPU kernel compiled now keeps its IR
        texts only with `keep_ir`; otherwise `.ir` compiles them again when first read."""
        key = (target, chip if target == "cuda" else "", kinds)
        hit = self._memory.get(key)
        if hit is not None:
            return hit
        with self._lock:
            hit = self._memory.get(key)
            if hit is None:
                hit = self._memory[key] = self._load_or_compile(kinds, target, chip, keep_ir)
        return hit

    def _load_or_compile(self, kinds: tuple[ArgKind, ...], target: str, chip: str,
                         keep_ir: bool) -> CompiledKernel:
        if target not in _TARGETS:
            raise ValueError(f"unknown target {target!r}: use 'cpu' or 'cuda'")
        if target == "cuda":
            return self._load_or_compile_cuda(kinds, chip)
        name = getattr(self.fn, "__qualname__", "kernel")
        key = cache_key(_compiler_identity(), target, _host_cpu(),
                        _source_identity(self.fn), repr(kinds))
        symbol = f"sk_{_c_name(self.fn.__name__)}_{key[:12]}"
        cache = _private_cache() if _cache_disabled() else DiskCache()
        entry = cache.load(key)
        if entry is None:
            art = self._compile_cpu(kinds, symbol, keep_ir)
            entry = cache.store(key, art.shared_object, art.abi.to_json(), art.ir)
        abi = KernelABI.from_json(entry.abi_json)
        loaded = load_kernel(entry.so_path, abi)
        stored = entry.read_ir
        return CompiledKernel(name, loaded,
                              lambda: stored() or self._compile_cpu(kinds, symbol, True).ir,
                              target)

    def _compile_cpu(self, kinds: tuple[ArgKind, ...], symbol: str,
                     keep_ir: bool) -> Artifact:
        """`lowering.pipeline.compile_kernel` for `kinds` (its `Artifact`)."""
        from lowering.pipeline import compile_kernel
        return compile_kernel(self.fn, _arg_specs(kinds), symbol, keep_ir=keep_ir)

    def _load_or_compile_cuda(self, kinds: tuple[ArgKind, ...], chip: str) -> CompiledKernel:
        """The CUDA specialisation. Its cache key holds no absolute path and no host CPU, so
        kernels compiled on one machine (with MLIR) run from a copied cache directory on a
        GPU machine without MLIR."""
        name = getattr(self.fn, "__qualname__", "kernel")
        key = cache_key(_portable_compiler_identity(), "cuda", chip,
                        _source_identity(self.fn, portable=True), repr(kinds))
        symbol = f"sk_{_c_name(self.fn.__name__)}_{key[:12]}"
        cache = _private_cache() if _cache_disabled() else DiskCache()
        entry = cache.load(key)
        if entry is None:
            try:
                from lowering.pipeline import compile_kernel_cuda
            except ModuleNotFoundError as exc:
                raise DeviceError(
                    f"kernel '{name}': no precompiled CUDA specialisation for {chip} in the "
                    f"cache, and the compiler cannot run here ({exc}); compile it on a "
                    "machine with MLIR and copy the cache directory (SHAPEKIT_CACHE_DIR)"
                ) from None
            # SHAPEKIT_CUDA_KEEP_IR=0 keeps only the PTX (smaller caches to ship)
            keep_ir = os.environ.get("SHAPEKIT_CUDA_KEEP_IR", "1") != "0"
            art = compile_kernel_cuda(self.fn, _arg_specs(kinds), symbol, keep_ir=keep_ir,
                                      chip=chip)
            entry = cache.store(key, art.shared_object, art.abi.to_json(), art.ir)
        from dsl._runtime.cuda_call import load_cuda_kernel
        abi = KernelABI.from_json(entry.abi_json)
        return CompiledKernel(name, load_cuda_kernel(entry.so_path, abi), entry.read_ir,
                              "cuda")


def _arg_specs(kinds: tuple[ArgKind, ...]) -> list[ArgSpec]:
    """The compiler's argument specs for `kinds` (imports the compiler)."""
    from lowering.frontend.params import ArgSpec
    return [ArgSpec(k.kind, k.dtype, k.rank) for k in kinds]


def _cache_disabled() -> bool:
    return os.environ.get("SHAPEKIT_NO_DISK_CACHE", "") not in ("", "0")


@functools.lru_cache(maxsize=1)
def _private_cache() -> DiskCache:
    """With SHAPEKIT_NO_DISK_CACHE set: a cache in a directory of this process only."""
    import atexit
    import shutil
    import tempfile
    root = tempfile.mkdtemp(prefix="shapekit-private-")
    atexit.register(shutil.rmtree, root, True)
    return DiskCache(pathlib.Path(root))


@functools.lru_cache(maxsize=1)
def _compiler_identity() -> str:
    """The compiler version plus a hash of the compiler's sources when they are installed, so
    that a changed compiler never loads kernels an older one built (found without importing
    it: a cache hit must not import MLIR)."""
    import importlib.util
    digest = hashlib.sha256(COMPILER_VERSION.encode())
    spec = importlib.util.find_spec("lowering")
    for root in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(pathlib.Path(root).rglob("*.py")):
            digest.update(path.as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _portable_compiler_identity() -> str:
    """`_compiler_identity` with paths relative to the compiler's package, plus the CUDA
    shim linked into every kernel: the same on every machine with the same sources."""
    import importlib.util
    from dsl._runtime.cuda_shim import shim_source_path
    digest = hashlib.sha256(COMPILER_VERSION.encode())
    digest.update(shim_source_path().read_bytes())
    spec = importlib.util.find_spec("lowering")
    for root in (spec.submodule_search_locations or []) if spec else []:
        for path in sorted(pathlib.Path(root).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _c_name(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)[:40]


@functools.lru_cache(maxsize=1)
def _host_cpu() -> str:
    """What the machine code is specialised for (the CPU model line of /proc/cpuinfo)."""
    try:
        text = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return os.uname().machine
    for line in text.splitlines():
        if line.startswith(("model name", "flags")):
            return hashlib.sha256(line.encode()).hexdigest()[:16] + os.uname().machine
    return os.uname().machine


def _source_identity(fn: Callable[..., Any], portable: bool = False) -> str:
    """The kernel's source file text plus the values of the module constants it reads: what
    the compiled code depends on (kernels it calls in other files are not tracked). With
    `portable`, the file is named without its directory.

    The constants are found from the code objects (every global name the function or a
    function nested in it loads), not by parsing the source: a cache hit stays cheap."""
    code = getattr(fn, "__code__", None)
    file = getattr(code, "co_filename", "")
    try:
        text = pathlib.Path(file).read_text() if file else ""
    except (OSError, UnicodeDecodeError):
        text = ""
    if not isinstance(code, types.CodeType) or not text:
        return repr(code if code is not None else fn)
    glb = getattr(fn, "__globals__", {})
    annotations, names = _annotation_parts(fn)
    consts = sorted((n, repr(glb[n])) for n in _global_names(code) | names
                    if n in glb and isinstance(glb[n], (int, float, bool, tuple)))
    shown = pathlib.Path(file).name if portable else file
    return f"{shown}\n{text}\n{fn.__qualname__}\n{consts}\n{annotations}"


def _annotation_parts(fn: Callable[..., Any]) -> tuple[list[str], set[str]]:
    """The annotations as the signature will read them: evaluated ones by their repr (an
    f-string dim holds a constant's value), and the identifiers in string annotations (read
    later in the module's globals, which may be imported constants)."""
    shown: list[str] = []
    names: set[str] = set()
    for key, value in getattr(fn, "__annotations__", {}).items():
        if isinstance(value, str):
            names.update(_IDENTIFIER.findall(value))
        else:
            text = repr(value)  # an address would make every process's key differ
            shown.append(f"{key}: {type(value).__qualname__ if ' at 0x' in text else text}")
    return shown, names


def _global_names(code: types.CodeType) -> set[str]:
    """The names `code` and the code objects nested in it may load as globals (a superset:
    attribute names are among them too, which only adds key material)."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names
