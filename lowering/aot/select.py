"""Which kernels a build exports and the one specialisation (dtypes, ranks) of each.

A parameter whose annotation fixes its dtype (one dtype class, e.g. `Float32`) and its rank
(no `*name` or `...`) needs nothing from the user. Anything else is chosen with a signature
`KERNEL:PARAM=DTYPE[RANK],PARAM=...`, e.g. `gelu:x=float32[2]`; the dtype may be left out
where the annotation fixes it (`gelu:x=[2]`).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from dsl._check import OtherSpec, Signature, TensorSpec
from dsl._dtypes import language_dtype
from dsl._kernel import EagerKernel, Kernel
from lowering.aot.names import c_identifier
from lowering.frontend.params import ArgSpec, rank_matches

__all__ = ["BuildError", "ExportedKernel", "load_kernels", "parse_sigs", "select"]

# <lib>_last_error, <lib>_shapekit_metadata and <lib>__sk_<kernel> are the library's own.
_RESERVED = frozenset({"last_error", "shapekit_metadata"})
_SCALARS: dict[Any, str] = {int: "int", float: "float", bool: "bool"}
_SIG = re.compile(r"\s*([A-Za-z_]\w*)\s*=\s*([A-Za-z0-9_]*)\s*\[\s*(\d+)\s*\]\s*\Z")


class BuildError(Exception):
    """A build cannot go ahead: the message says why and what to change."""


@dataclass(frozen=True)
class ExportedKernel:
    """One kernel to export: its Python function and the specialisation to compile."""

    name: str
    fn: Callable[..., Any]
    specs: list[ArgSpec]


def load_kernels(path: Path) -> dict[str, Kernel[Any, Any]]:
    """Import the Python file `path` and return its `@kernel`s by name (kernels it imports
    from other modules are not its own and are left out)."""
    path = Path(path)
    if not path.is_file():
        raise BuildError(f"{path}: no such file")
    module_name = f"_shapekit_build_{abs(hash(str(path.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise BuildError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(path.resolve().parent))
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        raise BuildError(f"{path}: importing it failed: {type(exc).__name__}: {exc}") from exc
    finally:
        sys.path.remove(str(path.resolve().parent))
    return {name: value for name, value in vars(module).items()
            if isinstance(value, Kernel) and not isinstance(value, EagerKernel)
            and getattr(value.fn, "__module__", "") == module_name}


def parse_sigs(texts: list[str]) -> dict[str, dict[str, tuple[str, int]]]:
    """`--sig` texts as {kernel: {param: (dtype or "", rank)}}."""
    out: dict[str, dict[str, tuple[str, int]]] = {}
    for text in texts:
        kernel, colon, rest = text.partition(":")
        if not colon or not kernel.strip().isidentifier():
            raise BuildError(f"--sig {text!r}: write KERNEL:PARAM=DTYPE[RANK],... "
                             "(e.g. gelu:x=float32[2])")
        params = out.setdefault(kernel.strip(), {})
        for item in rest.split(","):
            m = _SIG.match(item)
            if m is None:
                raise BuildError(f"--sig {text!r}: {item.strip()!r} is not PARAM=DTYPE[RANK] "
                                 "(e.g. x=float32[2], or x=[2] where the dtype is annotated)")
            params[m.group(1)] = (m.group(2), int(m.group(3)))
    return out


def select(kernels: dict[str, Kernel[Any, Any]], wanted: list[str],
           sigs: dict[str, dict[str, tuple[str, int]]]) -> list[ExportedKernel]:
    """The kernels to export (all of the file's when `wanted` is empty), each specialised."""
    names = wanted or sorted(kernels)
    if not names:
        raise BuildError("the file defines no @kernel")
    for name in [*names, *sigs]:
        if name not in kernels:
            known = ", ".join(sorted(kernels)) or "none"
            raise BuildError(f"no kernel '{name}' in the file (its kernels: {known})")
    out = []
    for name in dict.fromkeys(names):
        if not c_identifier(f"sk_{name}"):  # it follows the library prefix in C
            raise BuildError(f"kernel '{name}': its name cannot name a C function")
        if name in _RESERVED or name.startswith("_sk_"):
            raise BuildError(f"kernel '{name}': <lib>_{name} would clash with the library's "
                             "own symbols; rename the kernel")
        fn = kernels[name].fn
        out.append(ExportedKernel(name, fn, _specs(name, fn, sigs.get(name, {}))))
    return out


def _specs(kernel: str, fn: Callable[..., Any], chosen: dict[str, tuple[str, int]]
           ) -> list[ArgSpec]:
    sig = Signature.of(fn)
    unknown = set(chosen) - {p.name for p in sig.params}
    if unknown:
        raise BuildError(f"--sig for '{kernel}': it has no parameter '{sorted(unknown)[0]}'")
    specs: list[ArgSpec] = []
    for p in sig.params:
        where = f"kernel '{kernel}', parameter '{p.name}'"
        if isinstance(p.spec, TensorSpec):
            specs.append(_tensor_spec(where, kernel, p.name, p.spec, chosen.get(p.name)))
        elif isinstance(p.spec, OtherSpec) and p.spec.hint in _SCALARS:
            if p.name in chosen:
                raise BuildError(f"--sig: {where} is a {_SCALARS[p.spec.hint]}, not a tensor")
            specs.append(ArgSpec(_SCALARS[p.spec.hint]))
        else:
            raise BuildError(f"{where}: only tensors, int, float and bool parameters can be "
                             "exported")
    return specs


def _tensor_spec(where: str, kernel: str, param: str, spec: TensorSpec,
                 chosen: tuple[str, int] | None) -> ArgSpec:
    dtypes = sorted(language_dtype(d).value for d in spec.accepted)
    fixed_rank = (spec.shape is not None and spec.shape.variadic_index is None)
    hint = f"pick with --sig '{kernel}:{param}=DTYPE[RANK]'"
    dtype = chosen[0] if chosen and chosen[0] else (dtypes[0] if len(dtypes) == 1 else "")
    if not dtype:
        raise BuildError(f"{where}: the annotation allows {', '.join(dtypes)}: {hint}")
    if dtype not in dtypes:
        raise BuildError(f"{where}: dtype {dtype} is not one the annotation allows "
                         f"({', '.join(dtypes)})")
    if chosen is not None:
        rank = chosen[1]
    elif fixed_rank and spec.shape is not None:
        rank = len(spec.shape.dims)
    else:
        raise BuildError(f"{where}: the annotation does not fix the rank: {hint}")
    if not rank_matches(spec.shape, rank):
        raise BuildError(f"{where}: rank {rank} does not match the annotation "
                         f"'{spec.shape.text if spec.shape else ''}'")
    return ArgSpec("tensor", dtype, rank)
