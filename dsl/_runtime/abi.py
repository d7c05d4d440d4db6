"""The calling convention between the Python runtime and a compiled kernel (ABI version 1).

A compiled kernel is one exported C function in a shared object::

    int32_t <symbol>(const int64_t *packed);

`packed` is an array of 8-byte slots, filled in this order:

* for each parameter, in signature order:
  - a tensor: its data pointer, then its `rank` sizes (C-contiguous, so strides are implied);
  - an `int`: the value (int64); a `bool`: 0 or 1 (int64); a `float`: the IEEE double's bits;
* for each result (a tuple return is flattened, in order):
  - a tensor: the data pointer of a C-contiguous output buffer that the caller allocated with
    the shape `ResultSpec.shape` evaluated on the call's dim bindings, then its `rank` sizes
    (the kernel checks that its result has exactly these sizes before writing it);
  - a scalar: a pointer to an 8-byte slot the kernel writes (int64, double, or int64 0/1).

The return value is 0 on success, otherwise the id of the failing site (`ErrorSite`), whose
details (run-time sizes, indices) the kernel reported through the `error` hook just before.

Hooks: the shared object exports `<symbol>_hooks`, an array of `len(HOOK_NAMES)` function
pointers that the loader fills (a null entry is skipped by the kernel):

* `print_scalar(int64 site, int64 kind, int64 bits)`   kind: 0 int, 1 float (double bits), 2 bool
* `print_tensor(int64 site, int64 dtype_code, int64 rank, int64 data, const int64 *sizes)`
* `print_end(int64 site)`  the print statement `site` is complete: format and write it
* `error(int64 site, int64 a, int64 b)`  details of a failing site, before it returns `site`

Everything here is plain data that round-trips through JSON (`to_json` / `from_json`), so a
kernel compiled on one machine can be loaded on another without the compiler.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

ABI_VERSION = 1

HOOK_NAMES: tuple[str, ...] = ("print_scalar", "print_tensor", "print_end", "error")

# dtype names (numpy spellings; bfloat16 is ml_dtypes') and their codes in `print_tensor`.
DTYPE_CODES: dict[str, int] = {
    "float16": 0, "bfloat16": 1, "float32": 2, "float64": 3,
    "int8": 4, "int32": 5, "int64": 6, "bool": 7,
}

SCALAR_KINDS: tuple[str, ...] = ("int", "float", "bool")


@dataclass(frozen=True)
class ParamSpec:
    """One parameter: `kind` is "tensor", "int", "float" or "bool".

    For tensors: `dtype` (a DTYPE_CODES key), `rank`, `annotation` (the dim string, e.g.
    "B 4*D", used for the entry checks and in messages) and `written` (the kernel assigns into
    it, so a non-contiguous argument is copied back after the call).
    """

    name: str
    kind: str
    dtype: str = ""
    rank: int = 0
    annotation: str = ""
    written: bool = False


@dataclass(frozen=True)
class ResultSpec:
    """One (flattened) result: `kind` as for parameters; for tensors `dtype` and `shape`, one
    dim expression per axis in the `typecheck.dims` syntax over the parameters' dim names and
    the names of `int` parameters (e.g. ["B", "4*D"])."""

    kind: str
    dtype: str = ""
    shape: tuple[str, ...] = ()


@dataclass(frozen=True)
class PrintSite:
    """A `print(...)` call: `parts` are the literal strings and, as None, the places of the
    run-time values in order; `sep` and `end` as given to print."""

    parts: tuple[str | None, ...]
    sep: str = " "
    end: str = "\n"


@dataclass(frozen=True)
class ErrorSite:
    """A place that can fail at run time: `exception` is "KernelAssertionError",
    "ShapeError", "IndexError" or "ZeroDivisionError"; `message` may use `{a}` and `{b}` (the
    values the `error` hook reported); `file`, `line`, `col` locate it in the user's source."""

    exception: str
    message: str
    file: str
    line: int
    col: int


@dataclass(frozen=True)
class KernelABI:
    """Everything the runtime needs to call one compiled kernel specialisation."""

    name: str
    symbol: str
    params: tuple[ParamSpec, ...]
    results: tuple[ResultSpec, ...]
    result_is_tuple: bool = False
    prints: dict[int, PrintSite] = field(default_factory=dict)
    errors: dict[int, ErrorSite] = field(default_factory=dict)
    abi_version: int = ABI_VERSION

    def check_version(self) -> None:
        """Raise ValueError unless this ABI is the version this runtime calls."""
        if self.abi_version != ABI_VERSION:
            raise ValueError(f"kernel '{self.name}': ABI version {self.abi_version} is not "
                             f"{ABI_VERSION}")

    @property
    def hooks_symbol(self) -> str:
        """The exported array of hook pointers."""
        return f"{self.symbol}_hooks"

    def slot_count(self) -> int:
        """How many 8-byte slots `packed` has."""
        slots = sum(1 + p.rank if p.kind == "tensor" else 1 for p in self.params)
        return slots + sum(1 + len(r.shape) if r.kind == "tensor" else 1
                           for r in self.results)

    def to_json(self) -> str:
        """Serialise (stable key order)."""
        return json.dumps(asdict(self), sort_keys=True)

    @staticmethod
    def from_json(text: str) -> "KernelABI":
        """Parse what `to_json` wrote; raises ValueError on anything malformed."""
        try:
            raw: dict[str, Any] = json.loads(text)
            if raw.get("abi_version") != ABI_VERSION:
                raise ValueError(f"ABI version {raw.get('abi_version')} is not {ABI_VERSION}")
            return KernelABI(
                name=str(raw["name"]), symbol=str(raw["symbol"]),
                params=tuple(ParamSpec(**p) for p in raw["params"]),
                results=tuple(ResultSpec(kind=r["kind"], dtype=r["dtype"],
                                         shape=tuple(r["shape"])) for r in raw["results"]),
                result_is_tuple=bool(raw["result_is_tuple"]),
                prints={int(k): PrintSite(parts=tuple(v["parts"]), sep=v["sep"], end=v["end"])
                        for k, v in raw["prints"].items()},
                errors={int(k): ErrorSite(**v) for k, v in raw["errors"].items()},
            )
        except (KeyError, TypeError, AttributeError, json.JSONDecodeError) as exc:
            raise ValueError(f"malformed kernel ABI: {exc}") from exc
