"""The kernels the CUDA compile tests build: every kernel of the CPU differential and
control-flow suites and of the examples, with argument specs derived from the annotations
(one specialisation per dtype for dtype-generic kernels)."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path
from typing import Any, Iterator

import numpy as np

from dsl._check import OtherSpec, Signature, TensorSpec
from dsl._dtypes import language_dtype
from lowering.frontend.params import ArgSpec
from typecheck.annotations import VariadicDim

ROOT = Path(__file__).resolve().parents[2]
for _p in (ROOT / "tests" / "compiler", ROOT / "examples"):
    if str(_p) not in sys.path:
        sys.path.insert(0, str(_p))

F16, F32, F64 = np.dtype(np.float16), np.dtype(np.float32), np.dtype(np.float64)
I8, I32, I64, BOOL = np.dtype(np.int8), np.dtype(np.int32), np.dtype(np.int64), np.dtype(np.bool_)


def bf16() -> np.dtype[Any]:
    import ml_dtypes
    return np.dtype(ml_dtypes.bfloat16)


def kernels_of(module: Any) -> Iterator[tuple[str, Any]]:
    """The `@kernel` objects a module defines, in source order."""
    for name, obj in vars(module).items():
        if hasattr(obj, "_runner") and getattr(obj, "__module__", "") == module.__name__:
            yield name, obj


def specs(kernel: Any, dtype: np.dtype[Any]) -> list[ArgSpec] | None:
    """Argument specs for `kernel` with its generic tensors of `dtype` (None when a tensor
    parameter does not accept `dtype`); variadic dims are two dims."""
    sig: Signature = kernel._runner.signature
    out: list[ArgSpec] = []
    for p in sig.params:
        spec = p.spec
        if isinstance(spec, TensorSpec):
            accepted = spec.accepted
            if len(accepted) == 1:
                dt = next(iter(accepted))
            elif dtype in accepted:
                dt = dtype
            else:
                return None
            rank = 2
            if spec.shape is not None:
                rank = sum(2 if isinstance(d, VariadicDim) else 1 for d in spec.shape.dims)
            out.append(ArgSpec("tensor", language_dtype(dt).value, rank))
        elif isinstance(spec, OtherSpec) and spec.hint in (int, float, bool):
            out.append(ArgSpec(spec.hint.__name__))
        else:
            raise TypeError(f"{kernel.__name__}: parameter {p.name} has no spec to compile")
    return out


def module_cases(module_name: str, dtypes: list[np.dtype[Any]]) -> list[tuple[str, Any,
                                                                            list[ArgSpec]]]:
    """(id, kernel, specs) for every kernel of the module and every dtype it accepts."""
    import importlib
    module = importlib.import_module(module_name)
    cases: list[tuple[str, Any, list[ArgSpec]]] = []
    for name, k in kernels_of(module):
        seen: set[str] = set()
        for dt in dtypes:
            s = specs(k, dt)
            if s is None or str(s) in seen:
                continue
            seen.add(str(s))
            cases.append((f"{module_name}.{name}[{dt}]", k, s))
    return cases


def all_dtypes() -> list[np.dtype[Any]]:
    return [F16, bf16(), F32, F64, I8, I32, I64, BOOL]


def source_of(kernel: Any) -> str:
    return inspect.getsource(kernel.fn)


# ---- the groups the tests compile -----------------------------------------------------------

FULL = __import__("os").environ.get("SHAPEKIT_GPU_COMPILE_FULL", "") not in ("", "0")

# Kernels compiled for every dtype they accept (the others at float32 only, or at their fixed
# dtype); SHAPEKIT_GPU_COMPILE_FULL=1 compiles every kernel at every dtype.
# (reductions and matmul per dtype: test_reduce_matmul.py)
DTYPE_SWEEP = {"diff_kernels_elem": {"arith", "astype_all", "float_fns", "negate"},
               "diff_kernels_ops": {"indexing"}}

GROUPS: dict[str, list[str]] = {
    "elementwise": ["diff_kernels_elem"],
    "ops": ["diff_kernels_ops"],
    "control": ["cfk_control", "cfk_effects", "cfk_ir"],
    "examples": ["softmax", "layernorm", "mlp", "attention", "kv_cache"],
}


def group_cases(group: str) -> list[tuple[str, Any, list[ArgSpec]]]:
    """The (id, kernel, specs) of one group."""
    out: list[tuple[str, Any, list[ArgSpec]]] = []
    for module in GROUPS[group]:
        sweep = DTYPE_SWEEP.get(module, set())
        single = {c[0].partition("[")[0]: c for c in module_cases(module, [F32])}
        for case in module_cases(module, all_dtypes()):
            name = case[0].partition("[")[0]
            if FULL or name.partition(".")[2] in sweep:
                out.append(case)
            elif name in single:
                out.append(single.pop(name))
    return out
