"""The JIT's fast link (`link_shared_object(..., for_this_process=True)`): `ld -shared` of the
object alone when every undefined symbol is a libc or libm function of this process, the full
`cc` link otherwise (an unknown symbol is still a link error naming it)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("mlir.ir")

from lowering.link import LinkError, link_shared_object, undefined_symbols  # noqa: E402
from lowering.llvm_capi import compile_llvm_ir  # noqa: E402

# y[i] = f(x[i]) for i < n, with f's call spliced in
MAP_LL = """
define void @map(ptr noalias %x, ptr noalias %y, i64 %n) {
entry:
  %nonempty = icmp sgt i64 %n, 0
  br i1 %nonempty, label %loop, label %exit
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %px = getelementptr inbounds float, ptr %x, i64 %i
  %v = load float, ptr %px, align 4
  CALL
  %py = getelementptr inbounds float, ptr %y, i64 %i
  store float %w, ptr %py, align 4
  %next = add nuw nsw i64 %i, 1
  %done = icmp eq i64 %next, %n
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
"""


def _object(call: str, declare: str) -> bytes:
    return compile_llvm_ir(MAP_LL.replace("CALL", call) + declare, opt_level=0).object_code


EXPF = _object("%w = call float @expf(float %v)", "declare float @expf(float)\n")
NOPE = _object("%w = call float @no_such_fn(float %v)", "declare float @no_such_fn(float)\n")


def _needed(so_path: Path) -> list[str]:
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("readelf is not installed")
    out = subprocess.run([readelf, "-d", str(so_path)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split("[")[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


def _run_map(so_path: Path) -> np.ndarray:
    fn = ctypes.CDLL(str(so_path)).map
    fn.argtypes, fn.restype = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int64], None
    x = np.linspace(-2, 2, 37, dtype=np.float32)
    y = np.zeros_like(x)
    fn(x.ctypes.data, y.ctypes.data, x.size)
    np.testing.assert_allclose(y, np.exp(x), rtol=1e-6)
    return y


def test_undefined_symbols_of_an_object() -> None:
    assert undefined_symbols(EXPF) == ["expf"]
    assert undefined_symbols(NOPE) == ["no_such_fn"]


@pytest.mark.parametrize("data", [b"", b"garbage", b"\x7fELF\x01\x01",
                                  b"\x7fELF\x02\x01" + b"\0" * 8])
def test_undefined_symbols_of_anything_else_is_none(data: bytes) -> None:
    assert undefined_symbols(data) is None


def test_fast_link_needs_no_library_and_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                             ) -> None:
    monkeypatch.delenv("CC", raising=False)
    so_path = tmp_path / "fast.so"
    link_shared_object(EXPF, so_path, for_this_process=True)
    assert _needed(so_path) == []  # expf binds to the process's libm at load time
    _run_map(so_path)


def test_full_link_records_libm(tmp_path: Path) -> None:
    so_path = tmp_path / "full.so"
    link_shared_object(EXPF, so_path)
    assert "libm.so.6" in _needed(so_path)
    _run_map(so_path)


def test_cc_set_takes_the_full_link(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CC", "cc")
    so_path = tmp_path / "cc.so"
    link_shared_object(EXPF, so_path, for_this_process=True)
    assert "libm.so.6" in _needed(so_path)


def test_unknown_symbol_is_still_a_link_error(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CC", raising=False)
    with pytest.raises(LinkError, match="no_such_fn"):
        link_shared_object(NOPE, tmp_path / "nope.so", for_this_process=True)
    assert list(tmp_path.iterdir()) == []
