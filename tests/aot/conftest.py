"""Libraries built once per test session from the examples and `aot_kernels.py`, with the
command line's own entry (`dsl.__main__.main`)."""

from __future__ import annotations

import pathlib
import platform
import shutil
import subprocess
import sys

import pytest

from dsl.__main__ import main
from lowering.aot.build import CPUS

HERE = pathlib.Path(__file__).parent
EXAMPLES = HERE.parent.parent / "examples"

# library name -> (Python file, extra command-line arguments)
BUILDS: dict[str, tuple[pathlib.Path, list[str]]] = {
    "softmax": (EXAMPLES / "softmax.py", []),
    # built for a baseline CPU rather than this machine's (where the machine knows one)
    "layernorm": (EXAMPLES / "layernorm.py", ["--cpu", CPUS[platform.machine()][0]]
                  if platform.machine() in CPUS else []),
    "kv_cache": (EXAMPLES / "kv_cache.py", []),
    "mlp": (EXAMPLES / "mlp.py", ["--sig", "gelu:x=[2]"]),
    "attention": (EXAMPLES / "attention.py", ["attention"]),
    "aot_kernels": (HERE / "aot_kernels.py", ["--sig", "double:x=float64[2]"]),
    "print_kernels": (HERE / "print_kernels.py", []),
}


@pytest.fixture(scope="session")
def libdir(tmp_path_factory: pytest.TempPathFactory) -> pathlib.Path:
    """A folder with lib<name>.so and <name>.h for every entry of BUILDS."""
    out = tmp_path_factory.mktemp("aot")
    # Two cores: the two slowest builds run in a second process (`python -m dsl build`, the
    # command line as users run it) while this one builds the rest.
    apart = ("attention", "aot_kernels")
    procs = [subprocess.Popen([sys.executable, "-m", "dsl", "build", str(BUILDS[n][0]),
                               *BUILDS[n][1], "-o", str(out)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for n in apart[:1]]
    for name, (source, extra) in BUILDS.items():
        if name not in apart[:1]:
            assert main(["build", str(source), *extra, "-o", str(out)]) == 0, name
    for proc in procs:
        _, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err
    return out


def compile_c(libdir: pathlib.Path, program: str, libs: list[str]) -> pathlib.Path:
    """Compile tests/aot/<program>.c against the headers in `libdir` and link `libs`."""
    if shutil.which("gcc") is None:
        pytest.skip("no gcc")
    exe = libdir / program
    cmd = ["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", f"-I{libdir}", "-o", str(exe),
           str(HERE / f"{program}.c"), f"-L{libdir}", *(f"-l{lib}" for lib in libs), "-lm",
           f"-Wl,-rpath,{libdir}"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return exe


def run_c(exe: pathlib.Path) -> list[str]:
    """Run a compiled test program; its stdout lines."""
    done = subprocess.run([str(exe)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()
