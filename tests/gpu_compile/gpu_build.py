"""Compiling cases in worker processes and checking each artifact: the PTX passes
`ptxas -arch=<chip>`, the shared object exports the entry, the hooks and the shim's control
functions, needs nothing but libc / libdl / libpthread / libm, and embeds the kernels."""

from __future__ import annotations

import subprocess
import tempfile
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

import gpu_cases

SYMBOL = "sk_gpu_test"
FATBIN_MAGIC = (0xBA55ED50).to_bytes(4, "little")
ELF = b"\x7fELF"


def check_ptx(ptx: str, chip: str = "sm_90a") -> str:
    """'' if ptxas accepts `ptx` for `chip`, else its message."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "k.ptx"
        src.write_text(ptx)
        done = subprocess.run(["ptxas", f"-arch={chip}", str(src), "-o", str(Path(tmp) / "k.o")],
                              capture_output=True, text=True)
    return "" if done.returncode == 0 else f"ptxas: {done.stderr.strip()[:2000]}"


def check_shared_object(data: bytes, symbol: str = SYMBOL, kernels: bool = True) -> str:
    """'' if the library's symbols are as expected (and it embeds GPU code if `kernels`),
    else what is wrong."""
    with tempfile.TemporaryDirectory() as tmp:
        so = Path(tmp) / "k.so"
        so.write_bytes(data)
        out = subprocess.run(["nm", "-D", str(so)], capture_output=True, text=True,
                             check=True).stdout
    defined, undefined = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] == "U":
            undefined.add(parts[1])
        elif len(parts) == 3 and parts[1] in "TDBR":
            defined.add(parts[2])
    problems = [f"undefined {u}" for u in sorted(undefined) if "@GLIBC_" not in u]
    want = {symbol, f"{symbol}_hooks", f"{symbol}_cuda_prepare", f"{symbol}_cuda_finish",
            f"{symbol}_cuda_error"}
    problems += [f"missing export {w}" for w in sorted(want - defined)]
    if kernels and FATBIN_MAGIC not in data and data.count(ELF) < 2:
        problems.append("no embedded fatbin / cubin")
    return "; ".join(problems)


def build(case_id: str, chip: str = "sm_90a") -> tuple[str, str]:
    """(case id, '' or the problems) for one case of `gpu_cases` (run in a worker)."""
    from lowering.pipeline import compile_kernel_cuda
    group, _, wanted = case_id.partition(":")
    case = next(c for c in gpu_cases.group_cases(group) if c[0] == wanted)
    try:
        art = compile_kernel_cuda(case[1].fn, case[2], SYMBOL, keep_ir=False, chip=chip)
    except Exception as exc:  # reported per case, the test fails with all of them
        first = str(exc).splitlines()[0] if str(exc) else ""
        if "error: dtype error" in first:  # the language rejects this dtype (CPU too)
            return case_id, ""
        return case_id, f"compile: {type(exc).__name__}: {first}"
    ptx = art.ir["ptx"]  # empty for a kernel that launches nothing (scalar code only)
    problems = [p for p in (check_ptx(ptx, chip) if ptx else "",
                            check_shared_object(art.shared_object, kernels=bool(ptx))) if p]
    return case_id, "; ".join(problems)


def build_all(group: str, workers: int = 2) -> dict[str, str]:
    """Every case of `group`, compiled and checked in parallel: id -> problems ('' = ok)."""
    ids = [f"{group}:{c[0]}" for c in gpu_cases.group_cases(group)]
    with ProcessPoolExecutor(workers, mp_context=get_context("spawn"),
                             initializer=_init_worker,
                             initargs=(str(Path(__file__).parent),)) as pool:
        return dict(pool.map(build, ids))


def _init_worker(here: str) -> None:
    import sys
    if here not in sys.path:
        sys.path.insert(0, here)
