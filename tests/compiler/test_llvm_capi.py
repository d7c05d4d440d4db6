"""`lowering.llvm_capi` and `lowering.link`: MLIR's LLVM dialect to a loaded shared object.

Everything runs in-process through ctypes, so each failure case here also checks that LLVM
reports the error instead of ending the process.
"""

from __future__ import annotations

import ctypes
import re
import shutil
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ir = pytest.importorskip("mlir.ir")
passmanager = pytest.importorskip("mlir.passmanager")

from lowering.link import LinkError, link_shared_object  # noqa: E402
from lowering.llvm_capi import (LLVMError, MachineCode, compile_llvm_ir,  # noqa: E402
                                host_target, translate_to_llvm_ir)

ADD_MLIR = """
func.func @add(%a: i64, %b: i64) -> i64 {
  %c = arith.addi %a, %b : i64
  return %c : i64
}
"""

# y[i] = 2 * x[i]: the loop vectoriser's textbook case.
SCALE_LL = """
define void @scale(ptr noalias %x, ptr noalias %y, i64 %n) {
entry:
  %nonempty = icmp sgt i64 %n, 0
  br i1 %nonempty, label %loop, label %exit
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %px = getelementptr inbounds float, ptr %x, i64 %i
  %v = load float, ptr %px, align 4
  %w = fmul float %v, 2.0
  %py = getelementptr inbounds float, ptr %y, i64 %i
  store float %w, ptr %py, align 4
  %next = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
"""

# the same loop calling libm's expf (the test of needed libraries, and test_fast_link.py)
EXPF_LL = SCALE_LL.replace("fmul float %v, 2.0", "call float @expf(float %v)") \
    + "declare float @expf(float)\n"

ALLOWED_LIBRARIES = ("linux-vdso", "libc.so", "libm.so", "libmvec.so", "ld-linux")


def lowered_module(source: str) -> Any:
    """`source` (func + arith) parsed and lowered to the LLVM dialect."""
    context = ir.Context()
    with context:
        module = ir.Module.parse(source)
        passmanager.PassManager.parse("builtin.module(convert-to-llvm)").run(module.operation)
    return module


def build(tmp_path: Path, llvm_ir: str, name: str) -> Path:
    """Compile and link `llvm_ir` into `tmp_path/name.so`."""
    so_path = tmp_path / f"{name}.so"
    link_shared_object(compile_llvm_ir(llvm_ir).object_code, so_path)
    return so_path


@pytest.fixture(scope="module")
def add_so(tmp_path_factory: pytest.TempPathFactory) -> Path:
    llvm_ir = translate_to_llvm_ir(lowered_module(ADD_MLIR))
    return build(tmp_path_factory.mktemp("add"), llvm_ir, "add")


def test_add_end_to_end(add_so: Path) -> None:
    add = ctypes.CDLL(str(add_so)).add
    add.argtypes = [ctypes.c_int64, ctypes.c_int64]
    add.restype = ctypes.c_int64
    assert add(40, 2) == 42
    assert add(-5, 3) == -2


def test_translation_is_llvm_ir() -> None:
    text = translate_to_llvm_ir(lowered_module(ADD_MLIR))
    assert re.search(r"define i64 @add\(i64 %\d+, i64 %\d+\)", text)


def test_machine_code_fields() -> None:
    triple, cpu, features = host_target()
    assert triple and cpu and features.startswith(("+", "-"))
    code = compile_llvm_ir(SCALE_LL)
    assert isinstance(code, MachineCode)
    assert (code.triple, code.cpu) == (triple, cpu)
    assert code.object_code.startswith(b"\x7fELF")
    assert f'target triple = "{triple}"' in code.optimized_ir


def test_float_loop_is_vectorized_for_avx2() -> None:
    # An explicit CPU, so that the vector width does not depend on the machine running this.
    code = compile_llvm_ir(SCALE_LL, triple="x86_64-unknown-linux-gnu", cpu="x86-64-v3")
    assert "<8 x float>" in code.optimized_ir or "<16 x float>" in code.optimized_ir


def test_float_loop_on_the_host(tmp_path: Path) -> None:
    code = compile_llvm_ir(SCALE_LL)
    assert re.search(r"<(4|8|16) x float>", code.optimized_ir)
    so_path = tmp_path / "scale.so"
    link_shared_object(code.object_code, so_path)
    scale = ctypes.CDLL(str(so_path)).scale
    scale.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64]
    scale.restype = None
    x = np.arange(1000, dtype=np.float32)
    y = np.zeros_like(x)
    scale(x.ctypes.data, y.ctypes.data, x.size)
    np.testing.assert_array_equal(y, 2 * x)


def test_opt_level_zero_does_not_vectorize() -> None:
    code = compile_llvm_ir(SCALE_LL, opt_level=0)
    assert "x float>" not in code.optimized_ir


@pytest.mark.parametrize("text, message", [
    ("define i32 @f( {", "expected type"),
    ("define i32 @f() {\n  ret i64 0\n}", "value doesn't match function result type"),
    ("this is not IR", "expected top-level entity"),
    ("define i32 @f() {\n  ret i32 0\n}\0", "NUL character"),
])
def test_bad_llvm_ir_raises(text: str, message: str) -> None:
    with pytest.raises(LLVMError, match=re.escape(message)):
        compile_llvm_ir(text)


def test_ir_that_parses_but_does_not_verify_raises() -> None:
    # Would end the process inside the pass manager without the verifier run first.
    text = ("define i32 @f() {\n  %a = add i32 %b, 1\n  %b = add i32 %a, 1\n"
            "  ret i32 %a\n}")
    with pytest.raises(LLVMError, match="does not dominate all uses"):
        compile_llvm_ir(text)


@pytest.mark.parametrize("kwargs, message", [
    ({"triple": "riscv64-unknown-linux-gnu"}, "No available targets"),
    ({"triple": "x86_64 linux"}, "invalid target triple"),
    ({"cpu": "native\0"}, "invalid CPU"),
    ({"features": "avx2"}, "invalid feature string"),
    ({"opt_level": 4}, "opt_level must be"),
    ({"opt_level": True}, "opt_level must be"),
])
def test_bad_target_settings_raise(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(LLVMError, match=message):
        compile_llvm_ir(SCALE_LL, **kwargs)


def test_untranslatable_module_raises() -> None:
    # func.func was never lowered: MLIR reports it through the bindings' diagnostic handler,
    # which must run with the GIL held (else nanobind aborts the process).
    with ir.Context():
        module = ir.Module.parse(ADD_MLIR)
    with pytest.raises(LLVMError, match="cannot be converted to LLVM IR"):
        translate_to_llvm_ir(module)


def test_module_that_does_not_verify_raises() -> None:
    from mlir.dialects import func  # type: ignore[import-untyped, unused-ignore]

    with ir.Context(), ir.Location.unknown():
        module = ir.Module.create()
        with ir.InsertionPoint(module.body):
            function = func.FuncOp("f", ([], [ir.IntegerType.get_signless(64)]))
            with ir.InsertionPoint(function.add_entry_block()):
                func.ReturnOp([])  # returns nothing from a function that returns an i64
    with pytest.raises(LLVMError, match="does not verify"):
        translate_to_llvm_ir(module)


def test_translate_rejects_non_modules() -> None:
    with pytest.raises(TypeError, match="mlir.ir.Module"):
        translate_to_llvm_ir("module {}")  # type: ignore[arg-type]


def test_concurrent_compiles_agree() -> None:
    results: list[bytes] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            results.append(compile_llvm_ir(SCALE_LL).object_code)
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(results) == 4 and len(set(results)) == 1


def tool(name: str) -> Callable[..., str]:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed")

    def run(*args: str) -> str:
        return subprocess.run([path, *args], capture_output=True, text=True,
                              check=True).stdout
    return run


def test_no_text_relocations(add_so: Path) -> None:
    dynamic = tool("readelf")("-d", str(add_so))
    assert "Dynamic section" in dynamic
    assert "TEXTREL" not in dynamic  # neither a DT_TEXTREL entry nor the flag


def test_only_libc_and_friends_are_needed(add_so: Path, tmp_path: Path) -> None:
    ldd = tool("ldd")
    libm_user = build(tmp_path, EXPF_LL, "uses_libm")
    needed: dict[str, list[str]] = {}
    for so_path in (add_so, libm_user):
        # "statically linked" is ldd's word for a shared object that needs no library at all.
        lines = [line.split()[0] for line in ldd(str(so_path)).splitlines() if "=>" in line
                 or line.strip().startswith(("/", "linux-vdso"))]
        assert all(n.startswith(ALLOWED_LIBRARIES) or "ld-linux" in n for n in lines), lines
        needed[so_path.name] = lines
    assert any(n.startswith("libm.so") for n in needed["uses_libm.so"]), needed


def test_undefined_symbol_is_a_link_error(tmp_path: Path) -> None:
    text = "declare i32 @no_such_function()\ndefine i32 @f() {\n  %r = call i32 " \
           "@no_such_function()\n  ret i32 %r\n}\n"
    with pytest.raises(LinkError, match="no_such_function"):
        build(tmp_path, text, "undefined")
    assert list(tmp_path.iterdir()) == []  # no half-written output, no temporaries


def test_missing_linker_is_a_link_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC", str(tmp_path / "no-such-cc"))
    with pytest.raises(LinkError, match="not found"):
        build(tmp_path, SCALE_LL, "scale")


def test_non_object_is_a_link_error(tmp_path: Path) -> None:
    with pytest.raises(LinkError, match="not an ELF object"):
        link_shared_object(b"garbage", tmp_path / "x.so")
