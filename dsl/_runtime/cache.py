"""The on-disk cache of compiled kernels.

One compiled kernel specialisation is one directory, named by its key, under
`<root>/v<FORMAT>/`:

* `kernel.so`: the shared object;
* `abi.json`: its `abi.KernelABI` as JSON text;
* `ir.json.z`: the IR texts by stage name (zlib-compressed JSON), read only on request;
* `manifest.json`: the key and the sha256 and size of the three files above.

An entry is written into a temporary directory beside the entries, then renamed into place in
one step, so another process sees all of it or nothing; if another process renamed the same key
first, its entry is used. `load` checks the manifest's sums before handing out the .so path:
a truncated or altered entry is removed (so the caller rebuilds it) and never loaded, since
`dlopen` of a damaged shared object can crash the process.

If the cache cannot be written, `store` warns once and keeps the entry in a temporary
directory private to this process (removed at exit), so compilation still works.
"""

from __future__ import annotations

import atexit
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import warnings
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CacheEntry", "DiskCache", "cache_key", "default_cache_dir"]

FORMAT = 1
_SO, _ABI, _IR, _MANIFEST = "kernel.so", "abi.json", "ir.json.z", "manifest.json"
_TEMP_PREFIX, _TRASH_PREFIX = ".tmp-", ".trash-"
_STALE_TEMP_S = 3600.0
_KEY_RE = re.compile(r"[0-9A-Za-z_\-]{1,128}")


def default_cache_dir() -> Path:
    """`$SHAPEKIT_CACHE_DIR`, else `$XDG_CACHE_HOME/shapekit`, else `~/.cache/shapekit`."""
    explicit = os.environ.get("SHAPEKIT_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and os.path.isabs(xdg):  # the XDG spec says to ignore a relative path
        return Path(xdg) / "shapekit"
    try:
        return Path.home() / ".cache" / "shapekit"
    except RuntimeError:  # no home directory (e.g. no $HOME and no passwd entry)
        return Path(tempfile.gettempdir()) / f"shapekit-cache-{os.getuid()}"


def cache_key(*parts: str) -> str:
    """The sha256 (hex) of `parts`; each part is length-prefixed, so distinct tuples of
    parts never hash the same bytes."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass")
        digest.update(len(data).to_bytes(8, "little"))
        digest.update(data)
    return digest.hexdigest()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class CacheEntry:
    """A verified cache entry: the shared object to load and its ABI description."""

    key: str
    so_path: Path
    abi_json: str

    def read_ir(self) -> dict[str, str]:
        """The IR texts by stage name; raises ValueError if they are damaged or missing."""
        directory = self.so_path.parent
        try:
            manifest = json.loads((directory / _MANIFEST).read_bytes())
            packed = (directory / _IR).read_bytes()
            if _sha256(packed) != manifest["ir_sha256"]:
                raise ValueError("checksum mismatch")
            ir = json.loads(zlib.decompress(packed))
        except (OSError, ValueError, KeyError, TypeError, zlib.error) as exc:
            raise ValueError(f"the IR of cache entry {directory} is unreadable: {exc}") from exc
        if not isinstance(ir, dict) or not all(isinstance(v, str) for v in ir.values()):
            raise ValueError(f"the IR of cache entry {directory} is not a dict of strings")
        return ir


# The directories private to this process that stand in for unwritable cache roots.
_fallbacks: dict[Path, Path] = {}


def _fallback_entries(root: Path, error: OSError) -> Path:
    """Where entries for the unwritable `root` go: a temporary directory private to this
    process and removed when it exits; the first call for a root warns."""
    fallback = _fallbacks.get(root)
    if fallback is None:
        fallback = Path(tempfile.mkdtemp(prefix="shapekit-cache-"))
        atexit.register(shutil.rmtree, fallback, True)
        _fallbacks[root] = fallback
        warnings.warn(f"shapekit: cannot write the kernel cache {root} ({error}); compiled "
                      "kernels are kept for this process only", RuntimeWarning, stacklevel=3)
    return fallback / f"v{FORMAT}"


class DiskCache:
    """Compiled kernels on disk, keyed by `cache_key` strings; safe across processes."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = Path(root) if root is not None else default_cache_dir()
        self._entries = self.root / f"v{FORMAT}"

    def load(self, key: str) -> CacheEntry | None:
        """The entry for `key`, or None when absent or damaged (a damaged one is removed)."""
        _check_key(key)
        entry = _load_entry(self._entries / key, key)
        fallback = _fallbacks.get(self.root)
        if entry is None and fallback is not None:
            entry = _load_entry(fallback / f"v{FORMAT}" / key, key)
        return entry

    def store(self, key: str, shared_object: bytes, abi_json: str,
              ir: dict[str, str]) -> CacheEntry:
        """Write an entry (or adopt the one another process wrote first) and return it.

        If the cache directory cannot be written, warns once and stores the entry in a
        temporary directory private to this process instead. Raises ValueError if `abi_json`
        is not JSON.
        """
        _check_key(key)
        json.loads(abi_json)  # refuse to store an ABI that could never be read back
        files = _entry_files(key, shared_object, abi_json, ir)
        try:
            return _publish(self._entries, key, files)
        except OSError as exc:
            error = exc
        return _publish(_fallback_entries(self.root, error), key, files)


def _check_key(key: str) -> None:
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise ValueError(f"invalid cache key {key!r} (expected e.g. a `cache_key` hex digest)")


def _entry_files(key: str, shared_object: bytes, abi_json: str,
                 ir: dict[str, str]) -> dict[str, bytes]:
    """The files of one entry by name, the manifest included."""
    abi = abi_json.encode("utf-8")
    packed_ir = zlib.compress(json.dumps(ir).encode("utf-8"), 6)
    manifest: dict[str, Any] = {
        "format": FORMAT, "key": key,
        "so_sha256": _sha256(shared_object), "so_size": len(shared_object),
        "abi_sha256": _sha256(abi), "ir_sha256": _sha256(packed_ir),
    }
    return {_SO: shared_object, _ABI: abi, _IR: packed_ir,
            _MANIFEST: json.dumps(manifest).encode("utf-8")}


def _publish(entries: Path, key: str, files: dict[str, bytes]) -> CacheEntry:
    """Write `files` into a temporary directory and rename it to `entries/key`; if that name
    is taken by a valid entry (another process won the race), return that one."""
    entries.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(entries)
    target = entries / key
    for _attempt in range(3):
        temporary = _write_temporary(entries, files)
        try:
            os.rename(temporary, target)
        except OSError:
            shutil.rmtree(temporary, ignore_errors=True)
            existing = _load_entry(target, key)  # a damaged one is removed: try again
            if existing is not None:
                return existing
            continue
        return CacheEntry(key, target / _SO, files[_ABI].decode("utf-8"))
    raise OSError(f"cannot publish the cache entry {target}")


def _write_temporary(entries: Path, files: dict[str, bytes]) -> Path:
    """A new temporary directory in `entries` holding `files`."""
    temporary = Path(tempfile.mkdtemp(dir=entries, prefix=_TEMP_PREFIX))
    try:
        for name, data in files.items():
            (temporary / name).write_bytes(data)
    except OSError:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return temporary


def _load_entry(path: Path, key: str) -> CacheEntry | None:
    """The verified entry in `path`, None if there is none; a damaged entry is removed."""
    try:
        manifest = json.loads((path / _MANIFEST).read_bytes())
    except FileNotFoundError:
        if path.is_dir():  # entries appear whole, so a directory without manifest is damaged
            _discard(path)
        return None
    except (OSError, ValueError):
        _discard(path)
        return None
    try:
        abi = (path / _ABI).read_bytes()
        so = (path / _SO).read_bytes()
        valid = (manifest["format"] == FORMAT and manifest["key"] == key
                 and manifest["so_size"] == len(so) and manifest["so_sha256"] == _sha256(so)
                 and manifest["abi_sha256"] == _sha256(abi))
        abi_json = abi.decode("utf-8") if valid else ""
    except (OSError, ValueError, KeyError, TypeError):
        valid = False
    if not valid:
        _discard(path)
        return None
    return CacheEntry(key, path / _SO, abi_json)


def _discard(path: Path) -> None:
    """Remove a damaged entry: first rename it away (one step, so no process sees it half
    deleted), then delete it. Errors are ignored: the entry is then just not used."""
    trash = path.with_name(f"{_TRASH_PREFIX}{os.urandom(16).hex()}")
    try:
        os.rename(path, trash)
    except OSError:
        return
    shutil.rmtree(trash, ignore_errors=True)


def _remove_stale_temporaries(entries: Path) -> None:
    """Delete what processes that died while storing or discarding left behind."""
    cutoff = time.time() - _STALE_TEMP_S
    try:
        with os.scandir(entries) as scan:
            stale = [e.path for e in scan if e.name.startswith((_TEMP_PREFIX, _TRASH_PREFIX))
                     and e.stat(follow_symlinks=False).st_mtime < cutoff]
    except OSError:
        return
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
