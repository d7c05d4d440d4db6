#!/usr/bin/env bash
# Runs HERE (a machine with MLIR, no GPU), right before a GPU session: compiles every CUDA
# kernel the GPU run needs into .device/ (ignored by git), downloads the wheels the GPU
# machine lacks into .whl/, measures what a `run` call will carry and prints the commands.
#
#   bash tools/gpu_session/prepare.sh          # fresh build (removes .device/gpu-cache first)
#   KEEP=1 bash tools/gpu_session/prepare.sh   # reuse the entries already in the cache
#   PACK=1 bash tools/gpu_session/prepare.sh   # ship the cache as .device/gpu-cache.tar.xz
#                                              # (default PACK=auto: only when over 60 MiB)
#
# Any change to lowering/, to dsl/_runtime/cuda_shim.c or to a test kernel's file changes the
# cache keys: run this again after the last commit that touches them.
set -uo pipefail
cd "$(dirname "$0")/../.."
main() {  # a function: bash reads it whole, so editing this file while it runs is harmless
PY="${PYTHON:-.venv/bin/python}"
CACHE=.device/gpu-cache
BENCH=.device/bench
START=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - START )) s)"; }

grep -qx '/.device/' .gitignore || { echo "prepare.sh: .gitignore lacks /.device/" >&2; exit 2; }
grep -qx '/.whl/' .gitignore || { echo "prepare.sh: .gitignore lacks /.whl/" >&2; exit 2; }

if [ "${KEEP:-0}" = "0" ]; then
    rm -rf "$CACHE" "$BENCH" "$CACHE.tar.xz"
fi
mkdir -p "$CACHE" "$BENCH" .whl

step "wheels the GPU machine lacks (typeguard; typing_extensions new enough for it)"
rm -f .whl/*.whl
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 \
    --implementation cp --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 \
    --platform manylinux2014_x86_64 -d .whl typeguard==4.6.0 typing_extensions==4.16.0 \
    || { echo "prepare.sh: pip download failed" >&2; exit 1; }
ls -l .whl

identity() {  # what every CUDA cache key starts from: lowering/*.py and the CUDA shim
    "$PY" -c "from dsl._compiled import _portable_compiler_identity as f; print(f())"
}
identity > .device/compiler_identity
{ git log -1 --format="built from %h %s"; date -u +"on %F %T UTC"
  git status --short -- lowering dsl/_runtime/cuda_shim.c; } > .device/built_from
step "precompile tests/gpu (SHAPEKIT_GPU_PRECOMPILE=1, PTX only)"
SHAPEKIT_GPU_PRECOMPILE=1 SHAPEKIT_CUDA_KEEP_IR=0 SHAPEKIT_CACHE_DIR="$CACHE" \
    "$PY" -m pytest -p no:cacheprovider tests/gpu 2>&1 | tail -3
step "benchmark kernels (benchmarks/gpu.py --build $BENCH; also into the cache)"
SHAPEKIT_CUDA_KEEP_IR=0 SHAPEKIT_CACHE_DIR="$CACHE" "$PY" benchmarks/gpu.py --build "$BENCH" \
    || { echo "prepare.sh: benchmark build failed" >&2; exit 1; }

if [ "$(identity)" != "$(cat .device/compiler_identity)" ]; then
    echo "prepare.sh: lowering/ or the CUDA shim changed while compiling: run it again" >&2
    exit 1
fi
step "dropping the CPU entries (precompile mode also runs every test on the CPU)"
"$PY" - "$CACHE" <<'PY'
import pathlib, shutil, sys
entries = [d for d in pathlib.Path(sys.argv[1]).glob("v*/*") if (d / "kernel.so").is_file()]
cpu = [d for d in entries if b"_cuda_prepare" not in (d / "kernel.so").read_bytes()]
for d in cpu:
    shutil.rmtree(d)
print(f"kept {len(entries) - len(cpu)} CUDA entries, removed {len(cpu)} CPU entries")
PY
step "what a call carries"
local over=0
"$PY" tools/gpu_session/travel_size.py .device .whl || over=1
echo "cache entries: $(find "$CACHE" -name manifest.json | wc -l)"
if [ "${PACK:-auto}" = "1" ] || { [ "${PACK:-auto}" = "auto" ] && [ "$over" = 1 ]; }; then
    step "packing the cache: .device/gpu-cache.tar.xz (run_gpu.sh unpacks it there)"
    tar -cf - -C .device gpu-cache | xz -T2 -6 > "$CACHE.tar.xz" && rm -rf "$CACHE" || exit 1
    "$PY" tools/gpu_session/travel_size.py .device .whl || exit 1
fi
step "done; the calls to make (see tools/gpu_session/README.md):"
cat <<'EOF'
run(kind="nvidia-h100-x1", timeout_s=600, carry=[".device", ".whl"],
    command="bash tools/gpu_session/run_gpu.sh env runtime suite-torch")
run(timeout_s=600, carry=[".device", ".whl"],
    command="bash tools/gpu_session/run_gpu.sh suite-cupy suite-numpy")
run(timeout_s=600, carry=[".device", ".whl"],
    command="bash tools/gpu_session/run_gpu.sh bench aot")
EOF
}
main "$@"
