"""`@kernel` and `dsl.eager`.

Until the compiler exists (issue 3), calling a `@kernel` runs its Python source eagerly on
numpy, exactly like `dsl.eager(kernel)`. Both check the arguments and the result against the
jaxtyping annotations at the call boundary (`dsl._check`), run the body with `EagerArray`
views of the arguments (so operators follow the language's rules and index assignment writes
into the caller's arrays), turn a failed `assert` into `KernelAssertionError`, and hand back
plain numpy arrays.

Calls with GPU arrays (torch CUDA tensors, cupy arrays) run a CUDA specialisation compiled for
the arrays' device (`_cuda_call`); they are looked up in a dict of their own, so the CPU
path's fast lookup is unchanged.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Generic, ParamSpec, TypeVar

from dsl._check import Signature
import numpy as np

from dsl._core import KERNEL_DEPTH
from dsl._eager_array import rewrap, unwrap
from dsl._errors import CompileError, KernelAssertionError

__all__ = ["EagerKernel", "Kernel", "eager", "kernel"]

P = ParamSpec("P")
R = TypeVar("R")


class _Runner:
    """Runs one Python function eagerly with boundary checks; parses annotations once."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn
        self.name = getattr(fn, "__qualname__", repr(fn))
        self._signature: Signature | None = None

    @property
    def signature(self) -> Signature:
        """The checked signature (read on first use, so later-defined names resolve)."""
        if self._signature is None:
            self._signature = Signature.of(self.fn)
        return self._signature

    def run(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """Check the arguments, run the body, check the result."""
        sig = self.signature
        call_args, call_kwargs, state = sig.check_args(args, kwargs)
        outer = KERNEL_DEPTH.get()
        token = KERNEL_DEPTH.set(outer + 1)
        try:
            result = self.fn(*[rewrap(a) for a in call_args],
                             **{k: rewrap(v) for k, v in call_kwargs.items()})
        except KernelAssertionError:
            raise
        except AssertionError as exc:
            detail = f": {exc}" if str(exc) else ""
            raise KernelAssertionError(f"assertion failed in kernel '{self.name}'"
                                       f"{detail}") from exc
        finally:
            KERNEL_DEPTH.reset(token)
        checked = sig.check_result(unwrap(result), state)
        return rewrap(checked) if outer > 0 else checked


class Kernel(Generic[P, R]):
    """A function decorated with `@dsl.kernel`.

    Calling it checks the arguments against the annotations and runs it. Until the compiler
    exists (issue 3), the call runs the Python source eagerly on numpy, exactly like
    `dsl.eager(k)(...)`.
    """

    def __init__(self, fn: Callable[P, R], runner: _Runner | None = None) -> None:
        self.fn = fn
        self._runner = runner if runner is not None else _Runner(fn)
        self._specializer: Any = None
        self._fast: dict[Any, Any] = {}
        self._fast_gpu: dict[Any, Any] = {}
        functools.update_wrapper(self, fn)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        """Run the kernel (eagerly, for now) with run-time argument and result checks."""
        result: R = self._execute(args, kwargs)
        return result

    def _execute(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        # Inside an eagerly running kernel (dsl.eager), calls stay eager.
        if KERNEL_DEPTH.get() > 0:
            return self._runner.run(args, kwargs)
        if not kwargs:
            key = tuple((a.dtype, a.ndim) if type(a) is np.ndarray else type(a) for a in args)
            compiled = self._fast.get(key)
            if compiled is not None:
                return compiled(*args)
        return self._compiled_call(args, kwargs)

    def _compiled_call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        if self._fast_gpu and not kwargs:
            gpu = self._fast_gpu.get(_gpu_key(args))
            if gpu is not None:
                return gpu._loaded(*args)
        if _any_device_array(args, kwargs):
            return self._cuda_call(args, kwargs)
        sig = self._runner.signature
        checked, _, _ = sig.check_args(args, kwargs)  # the eager checks: exact messages
        compiled = self._get_compiled(tuple(checked), "cpu")
        if not kwargs:
            key = tuple((a.dtype, a.ndim) if type(a) is np.ndarray else type(a) for a in args)
            if len(self._fast) < 64:
                self._fast[key] = compiled
        return compiled(*checked)

    def _cuda_call(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        """A call with GPU arrays: the CUDA specialisation for their dtypes, ranks and
        device's chip (cached by those, apart from the CPU specialisations)."""
        if kwargs:
            args = self._runner.signature.sig.bind(*args, **kwargs).args
        key = _gpu_key(args)
        compiled = self._fast_gpu.get(key)
        if compiled is None:
            from dsl._runtime import cuda_arrays, cuda_driver
            devices = [cuda_arrays.describe(a) for a in args
                       if cuda_arrays.is_device_array(a)]
            checked = self._checked_like_host(args)
            chip = cuda_driver.chip_for_device(devices[0].device)
            compiled = self._get_compiled(tuple(checked), "cuda", chip)
            if len(self._fast_gpu) < 64:
                self._fast_gpu[key] = compiled
        return compiled(*args)

    def _checked_like_host(self, args: tuple[Any, ...]) -> list[Any]:
        """The eager checks on the arguments, GPU arrays replaced by memory-less numpy
        arrays of the same dtype and shape."""
        from dsl._runtime import cuda_arrays
        proxies = tuple(cuda_arrays.shape_proxy(cuda_arrays.describe(a))
                        if cuda_arrays.is_device_array(a) else a for a in args)
        checked, _, _ = self._runner.signature.check_args(proxies, {})
        return checked

    def _get_compiled(self, args: tuple[Any, ...], target: str, chip: str = "sm_90a",
                      keep_ir: bool = False) -> Any:
        from dsl._compiled import Specializer
        if self._specializer is None:
            self._specializer = Specializer(self.fn, lambda: self._runner.signature)
        try:
            return self._specializer.get(self._specializer.kinds(args), target, chip, keep_ir)
        except CompileError as exc:
            # The compiler's frames say nothing about the user's code: a short traceback.
            raise exc.with_traceback(None) from None

    def compile(self, *example_args: Any, target: str = "cpu", chip: str = "sm_90a") -> Any:
        """Compile for `target` ("cpu" or "cuda"; `chip` is the CUDA architecture, "sm_90a"
        or "sm_80") and the dtypes and ranks of `example_args` (numpy arrays, or GPU arrays
        for "cuda"). The result is callable like the kernel and has `.ir`: the IR text after
        every stage ("mlir", ..., "llvm"; "ptx" for CUDA). Compiling for CUDA needs no GPU;
        calling the result without one raises `dsl.DeviceError`."""
        checked = self._checked_like_host(example_args)
        return self._get_compiled(tuple(checked), target, chip, keep_ir=True)

    def __repr__(self) -> str:
        return f"<dsl.kernel {self._runner.name}>"


def _gpu_key(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """What selects a CUDA specialisation: each array's type, dtype and rank."""
    return tuple((type(a), a.dtype, a.ndim) if hasattr(a, "ndim") else type(a) for a in args)


def _any_device_array(args: tuple[Any, ...], kwargs: dict[str, Any]) -> bool:
    """Whether any argument is a GPU array (not numpy, not a Python scalar)."""
    for a in (*args, *kwargs.values()):
        if type(a) is not np.ndarray and not isinstance(a, (int, float)):
            from dsl._runtime.cuda_arrays import is_device_array
            if is_device_array(a):
                return True
    return False


class EagerKernel(Kernel[P, R]):
    """The plain-Python runner returned by `dsl.eager`: same source, same boundary checks.

    It is a `Kernel` (so the checker treats calls to it like kernel calls) that always runs
    eagerly, also once kernels are compiled.
    """

    def _execute(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Any:
        return self._runner.run(args, kwargs)

    def __repr__(self) -> str:
        return f"<dsl.eager {self._runner.name}>"


def kernel(fn: Callable[P, R]) -> Kernel[P, R]:
    """Decorate a function with jaxtyping-annotated tensors as a kernel.

    Until the compiler exists (issue 3), calling the kernel runs it eagerly on numpy; the
    arguments and the result are checked against the annotations at every call
    (`dsl.ShapeError` / `dsl.DTypeError` naming the parameter, the dim and both sizes).
    """
    return Kernel(fn)


def eager(fn: Kernel[P, R] | Callable[P, R]) -> EagerKernel[P, R]:
    """A runner that executes the kernel's Python source on numpy (for debugging).

    Accepts a `Kernel` or a plain function; the arguments and the result are checked against
    the annotations as for a kernel call, a failed `assert` raises `dsl.KernelAssertionError`,
    and breakpoints inside the source work.
    """
    if isinstance(fn, Kernel):
        return EagerKernel(fn.fn, fn._runner)
    return EagerKernel(fn)
