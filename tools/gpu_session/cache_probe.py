"""A pytest plugin for the rehearsal without a GPU (tools/gpu_session/README.md): runs
tests/gpu in precompile mode on a machine WITHOUT MLIR and checks that every CUDA
specialisation the tests ask for is found in the carried cache (and its shared object
loads), i.e. that the GPU machine will not need the compiler.

    SHAPEKIT_GPU_PRECOMPILE=1 SHAPEKIT_CACHE_DIR=.device/gpu-cache PYTHONPATH=tools/gpu_session \
        python -m pytest -p cache_probe -p no:cacheprovider -q tests/gpu

The kernels' CPU calls (which would compile with MLIR) run eagerly instead, so a few tests
that compare compiled-only messages fail: the probe does not judge them. At the end it prints
the number of cache hits and lists the misses and the tests that tried to import MLIR; the
session fails if there is any of those, and passes otherwise.
"""

from __future__ import annotations

from typing import Any

import pytest

HITS: list[str] = []
MISSES: list[str] = []
NEEDS_MLIR: list[str] = []


def _patch() -> None:
    """Count the CUDA cache lookups; make the redirect's CPU calls eager (no MLIR)."""
    import dsl._compiled as compiled
    from dsl._errors import DeviceError

    original = compiled.Specializer._load_or_compile_cuda

    def probe(self: Any, kinds: Any, chip: str) -> Any:
        name = f"{getattr(self.fn, '__qualname__', '?')}{list(kinds)} {chip}"
        try:
            result = original(self, kinds, chip)
        except DeviceError:
            MISSES.append(name)
            raise
        HITS.append(name)
        return result

    compiled.Specializer._load_or_compile_cuda = probe  # type: ignore[method-assign]
    try:
        import gpu_redirect  # tests/gpu, on sys.path once its conftest is loaded
    except ImportError:
        return
    gpu_redirect._ORIGINAL = lambda self, args, kwargs: self._runner.run(args, kwargs)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Patch once the tests (and tests/gpu/conftest.py) are imported."""
    _patch()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Note the tests that failed because they needed the compiler."""
    if report.failed and "No module named 'mlir'" in str(report.longrepr):
        NEEDS_MLIR.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Report the lookups; misses or MLIR imports fail the session, nothing else does."""
    print(f"\ncache probe: {len(HITS)} CUDA lookups found in the cache, {len(MISSES)} missing, "
          f"{len(NEEDS_MLIR)} tests needed MLIR")
    for name in sorted(set(MISSES))[:40]:
        print(f"  missing: {name}")
    for name in NEEDS_MLIR[:40]:
        print(f"  needed MLIR: {name}")
    session.exitstatus = 1 if MISSES or NEEDS_MLIR else 0
