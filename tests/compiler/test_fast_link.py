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
from test_llvm_capi import EXPF_LL  # noqa: E402  (the scale loop of test_llvm_capi, calling expf)


def _object(llvm_ir: str) -> bytes:
    return compile_llvm_ir(llvm_ir, opt_level=0).object_code


EXPF = _object(EXPF_LL)
NOPE = _object(EXPF_LL.replace("expf", "no_such_fn"))


def _needed(so_path: Path) -> list[str]:
    readelf = shutil.which("readelf")
    if readelf is None:
        pytest.skip("readelf is not installed")
    out = subprocess.run([readelf, "-d", str(so_path)], capture_output=True, text=True,
                         check=True).stdout
    return [line.split("[")[1].rstrip("]") for line in out.splitlines() if "(NEEDED)" in line]


def _run_scale(so_path: Path) -> np.ndarray:
    fn = ctypes.CDLL(str(so_path)).scale
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
    _run_scale(so_path)


def test_full_link_records_libm(tmp_path: Path) -> None:
    so_path = tmp_path / "full.so"
    link_shared_object(EXPF, so_path)
    assert "libm.so.6" in _needed(so_path)
    _run_scale(so_path)


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
