"""`dsl.load_library`: call a library that `python -m dsl build` wrote, from Python.

The library carries everything needed: `<name>_shapekit_metadata()` returns JSON with each
kernel's ABI (`dsl._runtime.abi`), and the kernels' internal entries are exported next to the
C entries. Each kernel becomes a `LoadedKernel` (the runtime of compiled kernels), so calls
take numpy arrays, check them with the eager messages (`ShapeError`, `DTypeError`), copy
non-contiguous arrays, write in-place updates back and print through Python. Neither MLIR nor
the compiler (`lowering`) is imported. A cuda library's kernels are `CudaKernel`s (the Python
GPU runtime): torch / cupy arrays used in place on the GPU, numpy arrays copied in and out,
`dsl.DeviceError` when no driver or GPU is there.

Loading installs Python's hooks in the library (the library's own C hooks are replaced for the
whole process): C code in the same process that calls the library's C entries afterwards
prints through Python, and its `<name>_last_error()` lacks the run-time values of a failed
site (the file, line and message are still there).
"""

from __future__ import annotations

import ctypes
import pathlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when a library is loaded: `import dsl` stays as cheap as it was
    from dsl._runtime.abi import KernelABI
    from dsl._runtime.cuda_call import CudaKernel
    from dsl._runtime.library import LoadedKernel

__all__ = ["Library", "LibraryError", "load_library"]

METADATA_FORMAT = 1


class LibraryError(Exception):
    """The file is no shapekit library this version can load; the message says why."""


class KernelInfo:
    """One exported kernel as the metadata describes it: its C entry and C signature."""

    def __init__(self, name: str, entry: str, c_signature: str, abi: KernelABI) -> None:
        self.name, self.entry, self.c_signature, self.abi = name, entry, c_signature, abi

    def __repr__(self) -> str:
        return f"<KernelInfo {self.name}: {self.c_signature}>"


class Library:
    """A loaded ahead-of-time library: one attribute per kernel, a `LoadedKernel` called with
    numpy arrays and scalars in the kernel's parameter order (`lib.softmax(x)`)."""

    def __init__(self, path: pathlib.Path, name: str, target: str,
                 kernels: dict[str, LoadedKernel | CudaKernel], info: dict[str, KernelInfo]
                 ) -> None:
        self.path = path
        self.name = name
        self.target = target
        self.kernels = kernels
        self.info = info

    def __getattr__(self, attr: str) -> LoadedKernel | CudaKernel:
        kernels = self.__dict__.get("kernels", {})
        if attr in kernels:
            kernel: LoadedKernel | CudaKernel = kernels[attr]
            return kernel
        raise AttributeError(f"library '{self.__dict__.get('name')}' has no kernel '{attr}' "
                             f"(it has: {', '.join(sorted(kernels)) or 'none'})")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self.kernels))

    def __repr__(self) -> str:
        return f"<dsl.Library {self.name} [{self.target}] {sorted(self.kernels)} from {self.path}>"


def _metadata(lib: ctypes.CDLL, name: str, path: pathlib.Path) -> dict[str, Any]:
    import json
    try:
        fn = getattr(lib, f"{name}_shapekit_metadata")
    except AttributeError:
        raise LibraryError(f"{path}: no '{name}_shapekit_metadata': not a shapekit library "
                           "(or named differently: pass name=)") from None
    fn.argtypes = []
    fn.restype = ctypes.c_char_p
    raw = fn()
    try:
        meta: dict[str, Any] = json.loads(raw.decode("utf-8"))
    except (AttributeError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LibraryError(f"{path}: malformed metadata: {exc}") from None
    if meta.get("format") != METADATA_FORMAT:
        raise LibraryError(f"{path}: metadata format {meta.get('format')!r}; this version "
                           f"reads format {METADATA_FORMAT}")
    return meta


def load_library(path: str | pathlib.Path, name: str | None = None) -> Library:
    """Load `lib<name>.so` written by `python -m dsl build` (the name is read from the file
    name unless given). Raises `LibraryError` for a file that is not such a library."""
    import json
    from dsl._runtime.abi import KernelABI
    from dsl._runtime.cuda_call import CudaKernel
    from dsl._runtime.library import load_kernel
    path = pathlib.Path(path)
    if name is None:
        stem = path.name.split(".so")[0]
        name = stem[3:] if stem.startswith("lib") else stem
    try:
        lib = ctypes.CDLL(str(path.resolve()))
    except OSError as exc:
        raise LibraryError(f"cannot load {path}: {exc}") from None
    meta = _metadata(lib, name, path)
    target = str(meta.get("target", ""))
    if target not in ("cpu", "cuda"):
        raise LibraryError(f"{path}: built for target {target!r}; this version loads 'cpu' "
                           "and 'cuda'")
    kernels: dict[str, LoadedKernel | CudaKernel] = {}
    info: dict[str, KernelInfo] = {}
    try:
        for k in meta["kernels"]:
            abi = KernelABI.from_json(json.dumps(k["abi"]))
            info[abi.name] = KernelInfo(abi.name, str(k["entry"]), str(k["c_signature"]), abi)
            kernels[abi.name] = load_kernel(path, abi) if target == "cpu" else \
                CudaKernel(path, abi)
    except (KeyError, TypeError, ValueError) as exc:
        raise LibraryError(f"{path}: malformed metadata: {exc}") from None
    return Library(path, name, target, kernels, info)
