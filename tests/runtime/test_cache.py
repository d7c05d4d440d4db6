"""`dsl._runtime.cache`: the on-disk cache of compiled kernels."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest

from dsl._runtime import cache as cache_module
from dsl._runtime.cache import CacheEntry, DiskCache, cache_key, default_cache_dir

REPO = Path(__file__).resolve().parents[2]
SO = b"\x7fELF" + bytes(range(256)) * 64  # the cache never looks inside the shared object
ABI = '{"abi_version": 1, "name": "softmax"}'
IR = {"source": "def softmax(x): ...", "llvm": "define void @softmax() {}\n" * 1000}


def entry_dir(cache: DiskCache, key: str) -> Path:
    return cache.root / f"v{cache_module.FORMAT}" / key


@pytest.fixture
def cache(tmp_path: Path) -> DiskCache:
    return DiskCache(tmp_path / "cache")


@pytest.fixture
def key() -> str:
    return cache_key("def softmax(x): ...", "float32[B N]", "x86_64 znver4", "0.1.0")


def test_round_trip(cache: DiskCache, key: str) -> None:
    assert cache.load(key) is None
    stored = cache.store(key, SO, ABI, IR)
    loaded = cache.load(key)
    assert loaded == stored
    assert isinstance(loaded, CacheEntry) and loaded.key == key and loaded.abi_json == ABI
    assert loaded.so_path.read_bytes() == SO
    assert loaded.read_ir() == IR


def test_a_new_instance_finds_the_entry(cache: DiskCache, key: str) -> None:
    cache.store(key, SO, ABI, IR)
    loaded = DiskCache(cache.root).load(key)
    assert loaded is not None and loaded.abi_json == ABI


def test_ir_is_read_only_on_request(cache: DiskCache, key: str) -> None:
    cache.store(key, SO, ABI, IR)
    (entry_dir(cache, key) / "ir.json.z").write_bytes(b"damaged")
    loaded = cache.load(key)  # the IR is not read (nor checked) by `load`
    assert loaded is not None
    with pytest.raises(ValueError, match="unreadable"):
        loaded.read_ir()


def test_cache_key_is_unambiguous() -> None:
    assert cache_key("a", "b") == cache_key("a", "b")
    assert len(cache_key("a")) == 64 and int(cache_key("a"), 16) >= 0
    distinct = {cache_key(), cache_key(""), cache_key("", ""), cache_key("ab", "c"),
                cache_key("a", "bc"), cache_key("a\0b"), cache_key("a", "b"), cache_key("\udc80")}
    assert len(distinct) == 8


def test_default_cache_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("SHAPEKIT_CACHE_DIR", str(tmp_path / "explicit"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "explicit"
    monkeypatch.delenv("SHAPEKIT_CACHE_DIR")
    assert default_cache_dir() == tmp_path / "xdg" / "shapekit"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")  # ignored, as the XDG spec says
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "shapekit"
    assert DiskCache().root == tmp_path / "home" / ".cache" / "shapekit"


def test_bad_keys_and_abi_are_refused(cache: DiskCache, key: str) -> None:
    for bad in ("", "../escape", ".tmp-x", "a/b", "x" * 200):
        with pytest.raises(ValueError, match="invalid cache key"):
            cache.load(bad)
    with pytest.raises(ValueError):
        cache.store(key, SO, "{not json", IR)


def truncate_so(path: Path) -> None:
    (path / "kernel.so").write_bytes(SO[: len(SO) // 2])


def flip_a_byte_of_the_so(path: Path) -> None:
    data = bytearray(SO)
    data[100] ^= 0xFF
    (path / "kernel.so").write_bytes(bytes(data))  # same size, other sum


def garbage_abi(path: Path) -> None:
    (path / "abi.json").write_text("{garbage")


def garbage_manifest(path: Path) -> None:
    (path / "manifest.json").write_text("{garbage")


def manifest_of_another_key(path: Path) -> None:
    manifest = path / "manifest.json"
    manifest.write_text(manifest.read_text().replace('"key": "', '"key": "0'))


def remove(name: str) -> Callable[[Path], None]:
    def damage(path: Path) -> None:
        (path / name).unlink()
    damage.__name__ = f"remove_{name}"
    return damage


@pytest.mark.parametrize("damage", [
    truncate_so, flip_a_byte_of_the_so, garbage_abi, garbage_manifest,
    manifest_of_another_key, remove("manifest.json"), remove("kernel.so"), remove("abi.json"),
], ids=lambda damage: damage.__name__)
def test_damaged_entries_are_removed_and_rebuilt(cache: DiskCache, key: str,
                                                 damage: Callable[[Path], None]) -> None:
    cache.store(key, SO, ABI, IR)
    damage(entry_dir(cache, key))
    assert cache.load(key) is None
    assert not entry_dir(cache, key).exists()
    assert [p.name for p in entry_dir(cache, key).parent.iterdir()] == []  # no trash left
    cache.store(key, SO, ABI, IR)
    loaded = cache.load(key)
    assert loaded is not None and loaded.so_path.read_bytes() == SO


def test_store_replaces_a_damaged_entry_in_its_way(cache: DiskCache, key: str) -> None:
    cache.store(key, SO, ABI, IR)
    truncate_so(entry_dir(cache, key))
    stored = cache.store(key, SO, ABI, IR)  # the rename fails, the damaged entry goes
    assert stored.so_path.read_bytes() == SO and cache.load(key) == stored


def test_stale_temporaries_are_cleaned(cache: DiskCache, key: str) -> None:
    entries = entry_dir(cache, key).parent
    entries.mkdir(parents=True)
    stale, fresh = entries / ".tmp-dead", entries / ".tmp-busy"
    for path in (stale, fresh):
        path.mkdir()
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    cache.store(key, SO, ABI, IR)
    assert not stale.exists() and fresh.exists()


CHILD = """
import sys, time
from pathlib import Path
from dsl._runtime.cache import DiskCache
root, key, so_file, ready, go = sys.argv[1:]
so = Path(so_file).read_bytes()
Path(ready).touch()
while not Path(go).exists():
    time.sleep(0.001)
cache = DiskCache(Path(root))
entry = cache.store(key, so, '{"abi_version": 1}', {"llvm": "x" * 100000})
loaded = cache.load(key)
assert loaded == entry and loaded.so_path.read_bytes() == so, (entry, loaded)
print(entry.so_path)
"""


def test_processes_storing_the_same_key_at_once(tmp_path: Path, key: str) -> None:
    root, go, so_file = tmp_path / "cache", tmp_path / "go", tmp_path / "kernel.so"
    so_file.write_bytes(SO)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    children = []
    for i in range(4):
        ready = tmp_path / f"ready{i}"
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(root), key, str(so_file),
                                  str(ready), str(go)], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
        children.append((child, ready))
    deadline = time.monotonic() + 60
    while not all(ready.exists() for _, ready in children) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = []
    for child, _ in children:
        out, err = child.communicate(timeout=60)
        assert child.returncode == 0, err
        outputs.append(out.strip())
    assert len(set(outputs)) == 1
    entries = root / f"v{cache_module.FORMAT}"
    assert [p.name for p in entries.iterdir()] == [key]  # no temporaries left behind
    loaded = DiskCache(root).load(key)
    assert loaded is not None and loaded.so_path.read_bytes() == SO


def check_fallback(cache: DiskCache, key: str) -> None:
    with pytest.warns(RuntimeWarning, match="cannot write the kernel cache"):
        stored = cache.store(key, SO, ABI, IR)
    assert cache.root not in stored.so_path.parents
    assert stored.so_path.read_bytes() == SO and stored.read_ir() == IR
    assert cache.load(key) == stored  # this process finds it again
    assert DiskCache(cache.root.parent / "elsewhere").load(key) is None  # for this root only
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # warned once only
        other = cache_key("another kernel")
        assert cache.store(other, SO, ABI, IR).so_path.exists()


def test_cache_root_below_a_file_falls_back(tmp_path: Path, key: str) -> None:
    (tmp_path / "file").write_text("not a directory")
    check_fallback(DiskCache(tmp_path / "file" / "cache"), key)


def test_read_only_cache_root_falls_back(tmp_path: Path, key: str) -> None:
    root = tmp_path / "readonly"
    root.mkdir(mode=0o500)
    try:
        if os.access(root, os.W_OK):
            pytest.skip("running as root: chmod does not stop writes")
        check_fallback(DiskCache(root), key)
    finally:
        root.chmod(0o700)


def test_load_of_a_hit_is_fast(cache: DiskCache, key: str) -> None:
    cache.store(key, SO, ABI, IR)
    timings = []
    for _ in range(200):
        start = time.perf_counter()
        assert cache.load(key) is not None
        timings.append(time.perf_counter() - start)
    assert sorted(timings)[len(timings) // 2] < 5e-3


def test_the_runtime_cache_imports_no_compiler() -> None:
    code = ("import sys, dsl._runtime.cache; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('mlir', 'lowering')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.stdout.strip() == "[]"
