"""What a kernel's disk-cache key depends on (`dsl._compiled._source_identity`): its source
file, the module constants it reads (found from the code objects, so a hit parses nothing),
and its annotations; and that a kernel compiled by a call keeps no IR texts, which `.ir`
compiles again on first access."""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import textwrap
import types
import zlib

from dsl._compiled import _annotation_parts, _global_names, _source_identity

HERE = pathlib.Path(__file__).parent

MODULE = textwrap.dedent('''
    from __future__ import annotations
    import dsl
    from dsl import Float32, Tensor

    SCALE = 2.0
    SHIFT = 1
    UNUSED = 5

    @dsl.kernel
    def scaled(x: Float32[Tensor, "N"]) -> Float32[Tensor, "N"]:
        y = x * SCALE
        for _ in range(SHIFT):
            y = y + 1.0
        return y
''')


def _load(tmp_path: pathlib.Path, text: str = MODULE) -> types.ModuleType:
    path = tmp_path / "keyed_kernels.py"
    path.write_text(text)
    module = types.ModuleType("keyed_kernels")
    module.__file__ = str(path)
    exec(compile(text, str(path), "exec"), module.__dict__)
    return module


def test_constants_read_are_in_the_identity(tmp_path: pathlib.Path) -> None:
    module = _load(tmp_path)
    fn = module.scaled.fn
    before = _source_identity(fn)
    assert "('SCALE', '2.0')" in before and "('SHIFT', '1')" in before
    assert "UNUSED" not in before.split(fn.__qualname__)[-1]
    setattr(module, "SCALE", 3.0)  # e.g. an imported constant whose own module changed
    assert _source_identity(fn) != before


def test_nested_code_objects_are_searched() -> None:
    def outer() -> object:
        return [CONST_IN_COMPREHENSION for _ in range(2)]  # type: ignore[name-defined]  # noqa: F821
    assert "CONST_IN_COMPREHENSION" in _global_names(outer.__code__)


def test_annotations_are_in_the_identity() -> None:
    # evaluated annotations (no `from __future__ import annotations` in this source) are
    # shown by their repr; string ones give the names they will be evaluated with
    namespace: dict[str, object] = {}
    source = "def fn(x: 'Float32[Tensor, DIMS]', y: int) -> None: pass"
    exec(compile(source, "<annotations>", "exec", dont_inherit=True), namespace)
    shown, names = _annotation_parts(namespace["fn"])  # type: ignore[arg-type]
    assert {"Float32", "Tensor", "DIMS"} <= names
    assert shown == ["y: <class 'int'>", "return: None"]
    exec(compile("def g(x: object() = 1) -> None: pass", "<addr>", "exec", dont_inherit=True),
         namespace)
    by_address = _annotation_parts(namespace["g"])  # type: ignore[arg-type]
    assert by_address == (["x: object", "return: None"], set())


def test_portable_identity_names_no_directory(tmp_path: pathlib.Path) -> None:
    fn = _load(tmp_path).scaled.fn
    assert str(tmp_path) not in _source_identity(fn, portable=True)
    assert str(tmp_path) in _source_identity(fn)


_SCRIPT = textwrap.dedent("""
    import sys, numpy as np
    sys.path.insert(0, {here!r})
    from cache_kernels import scale_add
    x = np.arange(5, dtype=np.float32)
    scale_add(x, x)
    compiled = scale_add.compile(x, x)
    print(sorted(compiled.ir))
""")


def test_a_call_keeps_no_ir_and_ir_is_compiled_on_demand(tmp_path: pathlib.Path) -> None:
    env = dict(os.environ, SHAPEKIT_CACHE_DIR=str(tmp_path))
    env.pop("SHAPEKIT_NO_DISK_CACHE", None)
    done = subprocess.run([sys.executable, "-c", _SCRIPT.format(here=str(HERE))], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(sorted(["mlir", "fused", "bufferized", "loops",
                                              "llvm-dialect", "llvm", "llvm-opt"]))
    stored = [json.loads(zlib.decompress(p.read_bytes())) for p in tmp_path.rglob("ir.json.z")]
    assert stored == [{}]  # the call stored none, and reading `.ir` did not store any


def test_compile_keeps_ir_in_the_cache(tmp_path: pathlib.Path) -> None:
    env = dict(os.environ, SHAPEKIT_CACHE_DIR=str(tmp_path))
    env.pop("SHAPEKIT_NO_DISK_CACHE", None)
    script = _SCRIPT.replace("scale_add(x, x)\n", "")
    done = subprocess.run([sys.executable, "-c", script.format(here=str(HERE))], env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    stored = [json.loads(zlib.decompress(p.read_bytes())) for p in tmp_path.rglob("ir.json.z")]
    assert len(stored) == 1 and "llvm-opt" in stored[0]
