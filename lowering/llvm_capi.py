"""MLIR's LLVM dialect to LLVM IR to optimized IR to an object file, in-process via ctypes.

The Python bindings reach neither the translation to LLVM IR nor LLVM's optimiser and code
generator, but `libMLIRPythonCAPI.so` and the `libLLVM.so` it links export their C APIs. The
functions used are declared in `_PROTOTYPES` and wrapped in three calls:

* `translate_to_llvm_ir(module)`: an `mlir.ir.Module` already lowered to the LLVM dialect, as
  LLVM IR text;
* `compile_llvm_ir(text)`: parse, verify, run `default<O3>` and emit a position-independent
  object file for the host (or a given triple/CPU/features), as a `MachineCode`;
* `host_target()`: the host's triple, CPU name and feature string.

LLVM ends the process on some errors (a broken module reaching the pass manager, an error
diagnostic with no handler), so the module is verified after parsing, every LLVM context gets a
diagnostic handler and the target strings and optimisation level are validated first. Failures
raise `LLVMError`. One lock serialises all LLVM use; target machines are created once and kept.
"""

from __future__ import annotations

import ctypes
import functools
import importlib.util
import itertools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:  # the typed stubs live with the native module (`mlir.ir` has no py.typed)
    import mlir._mlir_libs._mlir.ir as ir

__all__ = ["LLVMError", "MachineCode", "compile_llvm_ir", "host_target", "translate_to_llvm_ir"]


class LLVMError(Exception):
    """MLIR's translation or LLVM failed; the message is theirs."""


@dataclass(frozen=True)
class MachineCode:
    """The result of `compile_llvm_ir`: the IR after optimisation and the object file."""

    optimized_ir: str
    object_code: bytes
    triple: str
    cpu: str


# --- the C functions used, in one place ---------------------------------------------------

_P = ctypes.c_void_p
_S = ctypes.c_char_p
_INT = ctypes.c_int
_PP = ctypes.POINTER(ctypes.c_void_p)
# void (*LLVMDiagnosticHandler)(LLVMDiagnosticInfoRef, void *)
_DIAG_HANDLER = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)


class _MlirHandle(ctypes.Structure):
    """`MlirContext` / `MlirOperation`: a struct holding one pointer, passed by value."""

    _fields_ = [("ptr", ctypes.c_void_p)]


# Strings LLVM allocates come back as `_P` (not `_S`) so that they can be freed.
_PROTOTYPES: dict[str, tuple[Any, list[Any]]] = {
    # the Python C API, to open the bindings' `_CAPIPtr` capsules
    "PyCapsule_GetName": (_S, [ctypes.py_object]),
    "PyCapsule_GetPointer": (_P, [ctypes.py_object, _S]),
    # libMLIRPythonCAPI.so
    "mlirRegisterAllLLVMTranslations": (None, [_MlirHandle]),
    "mlirTranslateModuleToLLVMIR": (_P, [_MlirHandle, _P]),
    # libLLVM.so: contexts, diagnostics, messages
    "LLVMContextCreate": (_P, []), "LLVMContextDispose": (None, [_P]),
    "LLVMContextSetDiagnosticHandler": (None, [_P, _DIAG_HANDLER, _P]),
    "LLVMGetDiagInfoDescription": (_P, [_P]), "LLVMGetDiagInfoSeverity": (_INT, [_P]),
    "LLVMDisposeMessage": (None, [_P]),
    "LLVMGetErrorMessage": (_P, [_P]), "LLVMDisposeErrorMessage": (None, [_P]),
    # memory buffers and modules
    "LLVMCreateMemoryBufferWithMemoryRangeCopy": (_P, [_S, ctypes.c_size_t, _S]),
    "LLVMGetBufferStart": (_P, [_P]), "LLVMGetBufferSize": (ctypes.c_size_t, [_P]),
    "LLVMDisposeMemoryBuffer": (None, [_P]),
    "LLVMParseIRInContext2": (_INT, [_P, _P, _PP, _PP]),
    "LLVMVerifyModule": (_INT, [_P, _INT, _PP]),
    "LLVMPrintModuleToString": (_P, [_P]), "LLVMDisposeModule": (None, [_P]),
    "LLVMSetTarget": (None, [_P, _S]), "LLVMSetModuleDataLayout": (None, [_P, _P]),
    # targets
    "LLVMGetDefaultTargetTriple": (_P, []),
    "LLVMGetHostCPUName": (_P, []), "LLVMGetHostCPUFeatures": (_P, []),
    "LLVMGetTargetFromTriple": (_INT, [_S, _PP, _PP]),
    "LLVMCreateTargetMachine": (_P, [_P, _S, _S, _S, _INT, _INT, _INT]),
    "LLVMCreateTargetDataLayout": (_P, [_P]), "LLVMDisposeTargetData": (None, [_P]),
    "LLVMTargetMachineEmitToMemoryBuffer": (_INT, [_P, _P, _INT, _PP, _PP]),
    # the new pass manager
    "LLVMCreatePassBuilderOptions": (_P, []), "LLVMDisposePassBuilderOptions": (None, [_P]),
    "LLVMPassBuilderOptionsSetLoopUnrolling": (None, [_P, _INT]),
    "LLVMRunPasses": (_P, [_P, _S, _P, _P]),
}

_VERIFIER_RETURN_STATUS = 2    # LLVMReturnStatusAction (enum values of the LLVM C API)
_RELOC_PIC = 2                 # LLVMRelocPIC
_CODE_MODEL_DEFAULT = 0        # LLVMCodeModelDefault
_OBJECT_FILE = 1               # LLVMObjectFile
_DIAG_ERROR = 0                # LLVMDSError

_TARGETS = ("X86", "AArch64", "NVPTX")
_TARGET_PARTS = ("TargetInfo", "Target", "TargetMC", "AsmPrinter")

_LOCK = threading.RLock()
# Diagnostics of the LLVM context in use; only touched with `_LOCK` held.
_diagnostics: list[str] = []
_target_machines: dict[tuple[str, str, str, int], int] = {}


def _bind(lib: ctypes.CDLL, name: str) -> Any:
    fn = getattr(lib, name)
    fn.restype, fn.argtypes = _PROTOTYPES[name]
    return fn


class _Libs:
    """The two libraries with every function of `_PROTOTYPES` typed, and the targets ready."""

    def __init__(self) -> None:
        spec = importlib.util.find_spec("mlir")
        if spec is None or not spec.submodule_search_locations:
            raise LLVMError("the MLIR Python bindings (package `mlir`) are not installed")
        package = Path(next(iter(spec.submodule_search_locations)))
        try:
            # PyDLL keeps the GIL during calls: MLIR calls back into the bindings' Python
            # diagnostic handlers, which abort the process if called without it.
            self.mlir = ctypes.PyDLL(str(package / "_mlir_libs" / "libMLIRPythonCAPI.so"))
            # By soname: the libLLVM that MLIR loaded, as modules and contexts cross over.
            self.llvm = ctypes.CDLL("libLLVM.so")
        except OSError as exc:
            raise LLVMError(f"cannot load the MLIR/LLVM libraries: {exc}") from exc
        # A private handle on the Python C API: prototypes set on `ctypes.pythonapi` are global.
        libraries = {"Py": ctypes.PyDLL(None), "ml": self.mlir, "LL": self.llvm}
        self.fn = {name: _bind(libraries[name[:2]], name) for name in _PROTOTYPES}
        for target, part in itertools.product(_TARGETS, _TARGET_PARTS):
            init = getattr(self.llvm, f"LLVMInitialize{target}{part}", None)
            if init is not None:  # absent when this LLVM was built without the target
                init.restype, init.argtypes = None, []
                init()


_loaded: _Libs | None = None


def _libs() -> _Libs:
    """The libraries, loaded on first use."""
    global _loaded
    if _loaded is None:
        with _LOCK:
            if _loaded is None:
                _loaded = _Libs()
    return _loaded


def _c(name: str) -> Any:
    """The typed C function `name`."""
    return _libs().fn[name]


def _take_message(ptr: int | None) -> str:
    """The text of an LLVM-allocated C string, which is then freed."""
    if not ptr:
        return ""
    try:
        return ctypes.string_at(ptr).decode("utf-8", "replace")
    finally:
        _c("LLVMDisposeMessage")(ptr)


def _capsule_handle(capsule: object) -> _MlirHandle:
    """The C handle inside a binding object's `_CAPIPtr` capsule."""
    pointer = _c("PyCapsule_GetPointer")(capsule, _c("PyCapsule_GetName")(capsule))
    if not pointer:
        raise LLVMError("an MLIR object without a C handle")
    return _MlirHandle(pointer)


# --- LLVM contexts with diagnostics collected instead of printed (or exiting) ---------------

def _on_diagnostic(info: int | None, _context: int | None) -> None:
    if info and _c("LLVMGetDiagInfoSeverity")(info) == _DIAG_ERROR:
        _diagnostics.append(_take_message(_c("LLVMGetDiagInfoDescription")(info)))


# Kept in a global: LLVM holds on to the C function pointer.
_DIAGNOSTIC_CALLBACK = _DIAG_HANDLER(_on_diagnostic)


@contextmanager
def _llvm_context() -> Iterator[int]:
    """A fresh LLVM context (types and constants are interned per context, so one per job
    keeps memory flat); the caller holds `_LOCK`."""
    context = _c("LLVMContextCreate")()
    if not context:
        raise LLVMError("LLVMContextCreate failed")
    _diagnostics.clear()
    _c("LLVMContextSetDiagnosticHandler")(context, _DIAGNOSTIC_CALLBACK, None)
    try:
        yield context
    finally:
        _c("LLVMContextDispose")(context)
        _diagnostics.clear()


def _fail(what: str, message: str = "") -> NoReturn:
    """Raise `LLVMError` with `message` and the error diagnostics collected."""
    details = [m for m in (message.strip(), *_diagnostics) if m]
    raise LLVMError(f"{what}: " + ("\n".join(details) or "no message from LLVM"))


def _check(failed: bool | int, what: str, message: str = "") -> None:
    """`_fail` if a step failed or reported an error diagnostic."""
    if failed or _diagnostics:
        _fail(what, message)


@contextmanager
def _owned(pointer: int, dispose: str) -> Iterator[int]:
    """Dispose `pointer` with the C function `dispose` on leaving the block."""
    try:
        yield pointer
    finally:
        _c(dispose)(pointer)


# --- MLIR to LLVM IR ----------------------------------------------------------------------

def translate_to_llvm_ir(module: ir.Module) -> str:
    """The LLVM IR text of `module`, which passes have already lowered to the LLVM dialect.

    Raises `LLVMError` with MLIR's diagnostics when the module does not verify or holds
    operations that have no translation to LLVM IR.
    """
    import mlir._mlir_libs._mlir.ir as mlir_ir

    if not isinstance(module, mlir_ir.Module):
        raise TypeError(f"translate_to_llvm_ir takes an mlir.ir.Module, not {type(module)!r}")
    messages: list[str] = []

    def collect(diagnostic: ir.Diagnostic) -> bool:
        messages.append(f"{diagnostic.location}: {diagnostic.message}")
        return True

    handler: Any = module.context.attach_diagnostic_handler(collect)
    verify_error: type[Exception] = getattr(mlir_ir, "MLIRError", Exception)  # not in stubs
    try:
        try:
            module.operation.verify()
        except verify_error as exc:
            raise LLVMError(f"the MLIR module does not verify: {exc}") from exc
        return _translate(module, messages)
    finally:
        handler.detach()


def _translate(module: ir.Module, messages: list[str]) -> str:
    operation = _capsule_handle(module.operation._CAPIPtr)
    with _LOCK:
        _c("mlirRegisterAllLLVMTranslations")(_capsule_handle(module.context._CAPIPtr))
        with _llvm_context() as context:
            # Not mlirTranslateModuleToLLVMIRToString: it prints a null module on failure.
            llvm_module = _c("mlirTranslateModuleToLLVMIR")(operation, context)
            _check(not llvm_module, "cannot translate the module to LLVM IR",
                   "\n".join(messages))
            with _owned(llvm_module, "LLVMDisposeModule"):
                return _take_message(_c("LLVMPrintModuleToString")(llvm_module))


# --- LLVM IR to machine code --------------------------------------------------------------

@functools.cache
def host_target() -> tuple[str, str, str]:
    """(triple, cpu, features) of the machine this process runs on, as LLVM names them."""
    with _LOCK:
        return (_take_message(_c("LLVMGetDefaultTargetTriple")()),
                _take_message(_c("LLVMGetHostCPUName")()),
                _take_message(_c("LLVMGetHostCPUFeatures")()))


_NAME = r"[A-Za-z0-9_.\-]"
_TRIPLE_RE = re.compile(rf"{_NAME}+")
_CPU_RE = re.compile(rf"{_NAME}*")
_FEATURES_RE = re.compile(rf"(?:[+\-]{_NAME}+(?:,[+\-]{_NAME}+)*)?")


def _resolve_target(triple: str | None, cpu: str | None,
                    features: str | None) -> tuple[str, str, str]:
    """The target to compile for: the host's by default; CPU and features default to the
    host's only for the host triple (otherwise to LLVM's generic choice)."""
    host_triple, host_cpu, host_features = host_target()
    triple = host_triple if triple is None else triple
    is_host = triple == host_triple
    cpu = (host_cpu if is_host else "") if cpu is None else cpu
    features = (host_features if is_host else "") if features is None else features
    for value, pattern, what in ((triple, _TRIPLE_RE, "target triple"), (cpu, _CPU_RE, "CPU"),
                                 (features, _FEATURES_RE, "feature string")):
        if not pattern.fullmatch(value):
            raise LLVMError(f"invalid {what} {value!r}")
    return triple, cpu, features


def _target_machine(triple: str, cpu: str, features: str, opt_level: int) -> int:
    """The process's target machine for these settings (created once); `_LOCK` held."""
    key = (triple, cpu, features, opt_level)
    machine = _target_machines.get(key)
    if machine is None:
        target, error = ctypes.c_void_p(), ctypes.c_void_p()
        failed = _c("LLVMGetTargetFromTriple")(triple.encode(), ctypes.byref(target),
                                                ctypes.byref(error))
        _check(failed, f"no LLVM target for {triple!r}", _take_message(error.value))
        machine = _c("LLVMCreateTargetMachine")(
            target, triple.encode(), cpu.encode(), features.encode(), opt_level, _RELOC_PIC,
            _CODE_MODEL_DEFAULT)
        _check(not machine, f"cannot create a target machine for {triple!r}")
        _target_machines[key] = machine
    return machine


@contextmanager
def _parsed(context: int, llvm_ir: str) -> Iterator[int]:
    """A module of `context` parsed from LLVM IR text and verified, disposed on exit."""
    if "\0" in llvm_ir:
        raise LLVMError("LLVM IR text contains a NUL character")
    data = llvm_ir.encode("utf-8")
    buffer = _c("LLVMCreateMemoryBufferWithMemoryRangeCopy")(data, len(data), b"kernel.ll")
    _check(not buffer, "cannot allocate a memory buffer")
    module, error = ctypes.c_void_p(), ctypes.c_void_p()
    with _owned(buffer, "LLVMDisposeMemoryBuffer"):
        failed = _c("LLVMParseIRInContext2")(context, buffer, ctypes.byref(module),
                                             ctypes.byref(error))
    message = _take_message(error.value)
    if not module.value:
        _fail("invalid LLVM IR", message)
    with _owned(module.value, "LLVMDisposeModule"):
        _check(failed, "invalid LLVM IR", message)
        # The pass manager ends the process on a broken module: verify it here first.
        broken = _c("LLVMVerifyModule")(module.value, _VERIFIER_RETURN_STATUS,
                                        ctypes.byref(error))
        _check(broken, "the LLVM IR does not verify", _take_message(error.value))
        yield module.value


def _optimize(module: int, machine: int, opt_level: int) -> None:
    """Run LLVM's standard `default<On>` pipeline on `module`, tuned for `machine`, without
    the loop unroller: the vectorizer still interleaves its loops, and the unroller's
    runtime-unrolled remainder loops only cost compile time (25-30% of LLVM's time on
    softmax, the same kernel times in benchmarks/compiler.py)."""
    options = _c("LLVMCreatePassBuilderOptions")()
    with _owned(options, "LLVMDisposePassBuilderOptions"):
        _c("LLVMPassBuilderOptionsSetLoopUnrolling")(options, 0)
        error = _c("LLVMRunPasses")(module, f"default<O{opt_level}>".encode(), machine, options)
    message = ""
    if error:
        text = _c("LLVMGetErrorMessage")(error)  # consumes `error`
        message = ctypes.string_at(text).decode("utf-8", "replace")
        _c("LLVMDisposeErrorMessage")(text)
    _check(bool(error), "the LLVM optimisation pipeline failed", message)


def _emit_object(module: int, machine: int) -> bytes:
    """Code generation: the object file of `module` for `machine`."""
    buffer, error = ctypes.c_void_p(), ctypes.c_void_p()
    failed = _c("LLVMTargetMachineEmitToMemoryBuffer")(
        machine, module, _OBJECT_FILE, ctypes.byref(error), ctypes.byref(buffer))
    _check(failed or not buffer.value, "code generation failed", _take_message(error.value))
    assert buffer.value is not None
    with _owned(buffer.value, "LLVMDisposeMemoryBuffer"):
        start = _c("LLVMGetBufferStart")(buffer.value)
        return ctypes.string_at(start, _c("LLVMGetBufferSize")(buffer.value))


def compile_llvm_ir(llvm_ir: str, *, opt_level: int = 3, triple: str | None = None,
                    cpu: str | None = None, features: str | None = None,
                    keep_optimized_ir: bool = True) -> MachineCode:
    """Optimise LLVM IR text and generate a position-independent object file (with
    `keep_optimized_ir` False, `optimized_ir` is left empty, which saves printing it).

    `triple`, `cpu` and `features` (LLVM's names, e.g. "x86_64-unknown-linux-gnu", "znver4",
    "+avx2,-avx512f") default to the host's (`host_target`). Raises `LLVMError` for IR that
    does not parse or verify, an unknown target, or a failure in LLVM.
    """
    if isinstance(opt_level, bool) or opt_level not in (0, 1, 2, 3):
        raise LLVMError(f"opt_level must be 0, 1, 2 or 3, not {opt_level!r}")
    triple, cpu, features = _resolve_target(triple, cpu, features)
    with _LOCK:
        machine = _target_machine(triple, cpu, features, opt_level)
        with _llvm_context() as context, _parsed(context, llvm_ir) as module:
            _set_target(module, machine, triple)
            _optimize(module, machine, opt_level)
            optimized = (_take_message(_c("LLVMPrintModuleToString")(module))
                         if keep_optimized_ir else "")
            return MachineCode(optimized, _emit_object(module, machine), triple, cpu)


def _set_target(module: int, machine: int, triple: str) -> None:
    """Give `module` the machine's triple and data layout (the optimiser needs both)."""
    _c("LLVMSetTarget")(module, triple.encode())
    with _owned(_c("LLVMCreateTargetDataLayout")(machine), "LLVMDisposeTargetData") as layout:
        _c("LLVMSetModuleDataLayout")(module, layout)
