"""FileCheck tests of the CUDA lowering on `compile_kernel_cuda(...).ir[stage]`: a fused
elementwise chain is one kernel, a reduction is a launch, host control flow stays on the
host around launches, and host code reaches device memory only through the shim."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import gpu_cases  # puts tests/compiler on sys.path
import cfk_ir as K  # noqa: E402

from filecheck_run import filecheck  # noqa: E402


@functools.cache
def ir_of(name: str) -> dict[str, str]:
    from lowering.pipeline import compile_kernel_cuda
    kernel = getattr(K, name)
    specs = gpu_cases.specs(kernel, gpu_cases.F32)
    assert specs is not None
    texts: dict[str, str] = compile_kernel_cuda(kernel.fn, specs, f"sk_{name}").ir
    return texts


def kernels(text: str) -> list[str]:
    """The text of each `gpu.func` of the outlined module."""
    parts = text.split("gpu.func @")[1:]
    return [p.split("gpu.return")[0] for p in parts]


def test_elementwise_chain_is_one_kernel(tmp_path: Path) -> None:
    text = ir_of("chain")["outlined"]
    filecheck(text, """
// CHECK: func.func private @sk_chain__impl
// CHECK: gpu.launch_func @[[MOD:[a-z_]+]]::@[[K:[a-z_0-9]+]] blocks in
// CHECK-SAME: threads in (%{{.*}}, %{{.*}}, %{{.*}})
// CHECK: gpu.module @[[MOD]] [#nvvm.target<O = 3, chip = "sm_90a", features = "+ptx80">]
// CHECK: gpu.func @[[K]](
// CHECK-SAME: kernel
// CHECK: gpu.block_id x
// CHECK: gpu.thread_id x
// CHECK: gpu.grid_dim x
// CHECK: scf.for
// CHECK: memref.load
// CHECK: memref.load
// CHECK: arith.mulf
// CHECK: arith.addf
// CHECK: math.fma
// CHECK: arith.subf
// CHECK: memref.store
// CHECK: gpu.return
""", tmp_path)
    with_math = [k for k in kernels(text) if "arith.mulf" in k]
    assert len(with_math) == 1, "the chain is split over several kernels"


def test_reduction_is_a_launch(tmp_path: Path) -> None:
    filecheck(ir_of("row_sum")["gpu"], """
// CHECK: func.func private @sk_row_sum__impl
// CHECK: gpu.alloc async
// CHECK: gpu.launch blocks
// CHECK: arith.addf
// CHECK: gpu.terminator
""", tmp_path)


def test_host_loop_around_launch(tmp_path: Path) -> None:
    filecheck(ir_of("loop")["outlined"], """
// CHECK: func.func private @sk_loop__impl
// CHECK: scf.for %{{.*}} iter_args
// CHECK: gpu.alloc async
// CHECK: gpu.launch_func @{{.*}}::@{{.*}} blocks in
// CHECK: scf.yield
// CHECK: gpu.module
""", tmp_path)


def test_host_scalar_read_is_a_copy(tmp_path: Path) -> None:
    """`x[i] < 0` in a host `if` reads one element through a staging buffer."""
    filecheck(ir_of("breaks")["gpu"], """
// CHECK: func.func private @sk_breaks__impl
// CHECK: %[[TOK:.*]] = gpu.wait async
// CHECK: %[[STREAM:.*]] = builtin.unrealized_conversion_cast %[[TOK]] : !gpu.async.token to !llvm.ptr
// CHECK: %[[STAGE:.*]] = memref.alloca() : memref<1xf32>
// CHECK: memref.extract_strided_metadata
// CHECK: llvm.call @mgpuMemcpy(%{{.*}}, %{{.*}}, %{{.*}}, %[[STREAM]])
// CHECK: memref.load %[[STAGE]]
""", tmp_path)


def test_ptx_targets_sm90a() -> None:
    ptx = ir_of("chain")["ptx"]
    assert ".target sm_90a" in ptx and ".version 8.0" in ptx
    assert ".entry sk_chain__impl_kernel(" in ptx


def test_contiguous_elementwise_needs_no_division(tmp_path: Path) -> None:
    """A 2-d elementwise op over contiguous buffers indexes the collapsed buffers with the
    flat index; a transposed read (a non-identity map) delinearizes it."""
    from lowering.pipeline import compile_kernel_cuda
    import diff_kernels_elem as E
    specs = gpu_cases.specs(E.truediv, gpu_cases.F32)
    assert specs is not None
    text = compile_kernel_cuda(E.truediv.fn, specs, "sk_div").ir["outlined"]
    filecheck(text, """
// CHECK: memref.collapse_shape %{{.*}} {{\\[\\[}}0, 1]] : memref<?x?xf32> into memref<?xf32>
// CHECK: gpu.func
// CHECK-NOT: arith.remui
// CHECK: arith.divf
// CHECK-NOT: arith.remui
// CHECK: gpu.return
""", tmp_path)


def test_result_written_in_place(tmp_path: Path) -> None:
    """The chain writes the caller's buffer when the shapes agree (a temporary is allocated
    only when they do not) and no launch copies a temporary into it
    (`lowering.emit.inplace`)."""
    filecheck(ir_of("chain")["gpu"], """
// CHECK: func.func private @sk_chain__impl({{.*}}, %[[OUT:arg2]]: memref<?xf32>)
// CHECK: %[[DST:[0-9]+]] = scf.if %{{.*}} -> (memref<?xf32>) {
// CHECK-NEXT: scf.yield %[[OUT]] : memref<?xf32>
// CHECK-NEXT: } else {
// CHECK-NEXT: gpu.alloc async
// CHECK: gpu.launch
// CHECK: arith.subf
// CHECK: memref.store %{{.*}}, %[[DST]]
// CHECK: gpu.terminator
// CHECK-NOT: gpu.launch
// CHECK: return
""", tmp_path)
