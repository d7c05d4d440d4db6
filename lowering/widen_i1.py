"""A stage that stores booleans in memory as bytes.

The MLIR build we use asserts (and so kills the process) when lowering a `memref.store` of
`i1`. Our own bool tensors are stored as `i8` already (`lowering.emit.context`), but
`bufferization-lower-deallocations` creates `memref<?xi1>` ownership arrays. This stage
rewrites every `i1` memref to `i8`, widening stored values (`arith.extui`) and narrowing loaded
ones (`arith.trunci`). It works on the module's text (with locations), which is regular enough
for the three forms involved: the memref types, `memref.store` and `memref.load`.
"""

from __future__ import annotations

import itertools
import re

from mlir import ir

_STORE = re.compile(r"^(?P<ind>\s*)memref\.store (?P<val>%[\w.#$-]+), (?P<rest>.*?) : "
                    r"(?P<ty>memref<(?:[?\dx]*x)?i1>)(?P<tail>.*)$")
_LOAD = re.compile(r"^(?P<ind>\s*)(?P<res>%[\w.#$-]+) = memref\.load (?P<rest>.*?) : "
                   r"(?P<ty>memref<(?:[?\dx]*x)?i1>)(?P<tail>.*)$")
_TYPE = re.compile(r"(memref<(?:[?\dx]*x)?)i1>")


def _widen_type(text: str) -> str:
    return _TYPE.sub(r"\1i8>", text)


def rewrite_text(text: str) -> str:
    """The rewrite on MLIR text (exposed for tests)."""
    counter = itertools.count()
    out: list[str] = []
    for line in text.splitlines():
        m = _STORE.match(line)
        if m:
            tmp = f"%__widen{next(counter)}"
            out.append(f"{m['ind']}{tmp} = arith.extui {m['val']} : i1 to i8{m['tail']}")
            out.append(f"{m['ind']}memref.store {tmp}, {m['rest']} : "
                       f"{_widen_type(m['ty'])}{m['tail']}")
            continue
        m = _LOAD.match(line)
        if m:
            tmp = f"%__narrow{next(counter)}"
            out.append(f"{m['ind']}{tmp} = memref.load {m['rest']} : {_widen_type(m['ty'])}"
                       f"{m['tail']}")
            out.append(f"{m['ind']}{m['res']} = arith.trunci {tmp} : i8 to i1{m['tail']}")
            continue
        out.append(_widen_type(line))
    return "\n".join(out)


def widen_i1_memrefs(module: ir.Module) -> ir.Module:
    """The module with every i1 memref stored as i8 (the same module if there is none)."""
    text = module.operation.get_asm(enable_debug_info=True)
    if not _TYPE.search(text):
        return module
    return ir.Module.parse(rewrite_text(text), module.context)


_COPY = re.compile(r"^(?P<ind>\s*)memref\.copy (?P<src>%[\w.#$-]+), (?P<dst>%[\w.#$-]+) : "
                   r"(?P<st>.+?) to (?P<dt>.+?)(?P<loc> loc\(.*\))?$")


def copies_to_linalg_text(text: str) -> str:
    """`memref.copy` as `linalg.copy` (a strided `memref.copy` would call `memrefCopy` from
    MLIR's runner library, which a kernel must not need)."""
    out: list[str] = []
    for line in text.splitlines():
        m = _COPY.match(line)
        if m:
            line = (f"{m['ind']}linalg.copy ins({m['src']} : {m['st']}) outs({m['dst']} : "
                    f"{m['dt']}){m['loc'] or ''}")
        out.append(line)
    return "\n".join(out)


def memref_fixups(module: ir.Module) -> ir.Module:
    """Both rewrites of this module, after bufferization."""
    text = module.operation.get_asm(enable_debug_info=True)
    if not _TYPE.search(text) and "memref.copy" not in text:
        return module
    return ir.Module.parse(copies_to_linalg_text(rewrite_text(text)), module.context)
