#!/usr/bin/env bash
# Runs HERE after prepare.sh: a dress rehearsal of the GPU call without a GPU. Copies what a
# `run` call carries (tracked + untracked-not-ignored files, .device, .whl) to another
# absolute path, then, with a Python like the GPU machine's (a venv WITHOUT mlir, mypy,
# typeguard; another numpy than .venv's), runs run_gpu.sh there (tests/gpu must collect
# and skip cleanly, the benchmark must say it has no torch; its kernels must load without
# MLIR) and the cache probe
# (cache_probe.py: every CUDA specialisation the tests ask for is found in the carried cache
# and its shared object loads).
#
#   bash tools/gpu_session/rehearse.sh      # venv in /tmp/gpusim (made if missing)
set -uo pipefail
cd "$(dirname "$0")/../.."
SIM="${SIM:-/tmp/gpusim}"
COPY="${COPY:-/tmp/gpu_rehearsal}"
START=$(date +%s)
step() { echo "== $* ($(( $(date +%s) - START )) s)"; }

if [ ! -x "$SIM/bin/python" ]; then
    step "venv $SIM (python3.11; numpy 2.4.1, not .venv's 2.4.6; no mlir, mypy, typeguard)"
    python3.11 -m venv "$SIM" && "$SIM/bin/pip" install -q numpy==2.4.1 jaxtyping==0.3.11 \
        ml_dtypes==0.6.0 pytest hypothesis || exit 1
fi

step "copy what travels to $COPY/repo"
rm -rf "$COPY" && mkdir -p "$COPY/repo" "$COPY/out"
git ls-files -z -c -o --exclude-standard | while IFS= read -r -d '' f; do
    [ -f "$f" ] && printf '%s\0' "$f"
done | tar -cf - --null -T - .device .whl | tar -xf - -C "$COPY/repo" || exit 1
cd "$COPY/repo" || exit 1

step "run_gpu.sh env tests bench (expect: skips, 'torch is not installed')"
PYTHON="$SIM/bin/python" OUT="$COPY/out" SITE="$COPY/site" \
    bash tools/gpu_session/run_gpu.sh env tests bench
echo "(run_gpu.sh exit $?)"

step "benchmarks/gpu.py --run's kernels load from .device/bench without MLIR or lowering"
PYTHONPATH="$PWD:$COPY/site" "$SIM/bin/python" -c "
import pathlib, sys
sys.path.insert(0, 'benchmarks')
import gpu
k = gpu.load(pathlib.Path('.device/bench'))
bad = sorted(m for m in sys.modules if m.split('.')[0] in ('mlir', 'lowering'))
assert not bad, bad
print(len(k), 'benchmark kernels loaded:', ', '.join(k))" || exit 1

step "cache probe: tests/gpu in precompile mode without MLIR, all from the carried cache"
"$SIM/bin/python" -c "import mlir" 2> /dev/null && { echo "the venv has mlir" >&2; exit 1; }
PYTHONPATH="$PWD:$COPY/site:$PWD/tools/gpu_session" SHAPEKIT_GPU_PRECOMPILE=1 \
    SHAPEKIT_CUDA_KEEP_IR=0 SHAPEKIT_CACHE_DIR="$PWD/.device/gpu-cache" \
    "$SIM/bin/python" -m pytest -p cache_probe -p no:cacheprovider --maxfail=20 tests/gpu \
    --ignore tests/gpu/test_gpu_aot.py > "$COPY/probe.log" 2>&1  # that one builds
rc=$?
tail -n 1 "$COPY/probe.log"
grep -E "^cache probe:|^  missing: |^  needed MLIR: " "$COPY/probe.log"
step "done (probe exit $rc)"
exit "$rc"
