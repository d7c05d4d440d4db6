"""The `shapekit` command line (`python -m dsl ...`).

    python -m dsl build FILE [KERNEL ...] -o OUT_DIR [--name NAME] [--target cpu]
                        [--cpu LLVM_CPU] [--chip SM] [--sig KERNEL:PARAM=DTYPE[RANK],...]

writes OUT_DIR/lib<NAME>.so and OUT_DIR/<NAME>.h (README, "Ahead-of-time builds").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["main"]

_SIG_HELP = """\
choose the specialisation of a kernel whose annotations do not fix a parameter's dtype
(e.g. Shaped, or a union of dtypes) or rank (*name, ...): KERNEL:PARAM=DTYPE[RANK],...
e.g. --sig 'gelu:x=float32[2]'; the dtype may be left out where it is annotated
(--sig 'gelu:x=[2]'). Repeat for several kernels."""

_EPILOG = """\
Each kernel K becomes `int NAME_K(...)` in NAME.h: one int64_t per dim name, then per tensor
(data, sizes, strides), scalars by value, results last; it returns SHAPEKIT_OK or an error
code, and NAME_last_error() gives the message. With --target cuda, tensors are device
pointers and a last `void *stream` is taken. From Python: dsl.load_library(path)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shapekit", description="shapekit kernels, "
                                     "ahead of time.")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="compile kernels to lib<name>.so + <name>.h",
                           epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    build.add_argument("file", type=Path, help="the Python file defining the kernels")
    build.add_argument("kernels", nargs="*", metavar="KERNEL",
                       help="kernels to export (default: every @kernel the file defines)")
    build.add_argument("-o", "--out", type=Path, required=True, metavar="OUT_DIR",
                       help="folder for lib<name>.so and <name>.h (created if missing)")
    build.add_argument("--name", help="library name and C symbol prefix (default: the file's "
                       "name)")
    build.add_argument("--target", default="cpu", choices=("cpu", "cuda"),
                       help="what the code runs on (default cpu; cuda: NVIDIA GPUs, the "
                       "entries take device pointers and a stream)")
    build.add_argument("--cpu", metavar="NAME", help="LLVM CPU to compile for, with its "
                       "default features: x86-64, x86-64-v2, x86-64-v3, x86-64-v4 on x86_64; "
                       "generic, neoverse-n1, neoverse-v1, neoverse-v2, cortex-a72 on aarch64 "
                       "(default: this machine's CPU, whose instructions other machines may "
                       "lack)")
    build.add_argument("--chip", default="sm_90a", metavar="SM", help="--target cuda: the "
                       "GPU the cubin is for (default sm_90a; PTX is embedded too)")
    build.add_argument("--sig", action="append", default=[], metavar="SIG", help=_SIG_HELP)
    return parser


def _build(args: argparse.Namespace) -> int:
    from dsl._errors import CompileError
    from lowering.aot.build import build_library, check_options
    from lowering.aot.select import BuildError, load_kernels, parse_sigs, select
    from typecheck.errors import AnnotationError
    name = args.name or args.file.stem
    try:
        check_options(name, args.target, args.cpu, args.chip)
        exported = select(load_kernels(args.file), args.kernels, parse_sigs(args.sig))
        result = build_library(exported, name, args.out, args.target, args.cpu, args.chip)
    except (BuildError, CompileError, AnnotationError) as exc:
        print(f"shapekit build: error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # LLVM or the linker: still a message, not a traceback
        print(f"shapekit build: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {result.library} and {result.header} ({', '.join(result.entries)})")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "build":
        return _build(args)
    return 2  # argparse rejects other commands first


if __name__ == "__main__":
    sys.exit(main())
