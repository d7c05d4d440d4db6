"""Every kernel of the CPU test suites and every example compiles with the CUDA pipeline
(no GPU needed): the PTX passes `ptxas -arch=sm_90a`, the library links with `-z defs`
against libc / libdl / libm only, exports the entry and embeds the kernels."""

from __future__ import annotations

import ctypes
import os

import pytest

import gpu_build
import gpu_cases


@pytest.mark.parametrize("group", sorted(gpu_cases.GROUPS))
def test_group_compiles_and_assembles(group: str) -> None:
    results = gpu_build.build_all(group)
    assert results, f"no cases in group {group}"
    bad = {k: v for k, v in results.items() if v}
    assert not bad, "\n".join(f"{k}: {v}" for k, v in sorted(bad.items()))


@pytest.mark.parametrize("chip", ["sm_80", "sm_86", "sm_89", "sm_90"])
def test_other_chips_assemble(chip: str) -> None:
    case_id, problems = gpu_build.build("examples:softmax.softmax[float32]", chip=chip)
    assert problems == "", problems


def test_unknown_chip_is_a_clear_error() -> None:
    from lowering.pipeline import compile_kernel_cuda
    case = gpu_cases.group_cases("examples")[0]
    with pytest.raises(ValueError, match="unsupported CUDA chip 'sm_75'.*sm_90a"):
        compile_kernel_cuda(case[1].fn, case[2], "sk_x", chip="sm_75")


def test_library_loads_without_a_gpu(tmp_path: os.PathLike[str]) -> None:
    """Loading runs the module constructors (they only record the binary): no driver is
    needed to load; preparing a call reports the missing driver or device."""
    from lowering.pipeline import compile_kernel_cuda
    case = next(c for c in gpu_cases.group_cases("examples") if "softmax" in c[0])
    art = compile_kernel_cuda(case[1].fn, case[2], "sk_load", keep_ir=False)
    so = os.path.join(tmp_path, "k.so")
    with open(so, "wb") as f:
        f.write(art.shared_object)
    lib = ctypes.CDLL(so)
    prepare = lib.sk_load_cuda_prepare
    prepare.argtypes, prepare.restype = [ctypes.c_void_p], ctypes.c_int32
    error = lib.sk_load_cuda_error
    error.restype = ctypes.c_char_p
    if prepare(None) == 0:
        pytest.skip("this machine has a CUDA driver and device")
    assert error()
