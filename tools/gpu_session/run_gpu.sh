#!/usr/bin/env bash
# Runs THERE (the GPU machine, in the repo root, no MLIR), after prepare.sh ran here and with
# .device and .whl carried: installs the carried wheels, then runs the named phases in order,
# each logged to $OUT/<phase>.log, all within BUDGET seconds (default 540: one call's
# 600 s minus the start).
#
#   bash tools/gpu_session/run_gpu.sh env runtime suite-torch
#
# Phases:
#   env          nvidia-smi, python/torch/cupy/numpy versions, `import dsl`, cache entries
#   runtime      tests/gpu/test_gpu_runtime.py (torch, cupy, numpy) + test_gpu_reduce_matmul.py
#   suite-torch  tests/gpu/test_gpu_suite.py with torch tensors (also suite-cupy, suite-numpy)
#   tests        all of tests/gpu in one go (all modes)
#   aot          the AOT GPU tests ($AOT_TESTS, else tests/gpu/test_gpu_aot.py), all modes
#   bench        python3 benchmarks/gpu.py --run .device/bench
# Env: PYTHON (default python3), OUT (default /tmp/gpu_session_out), BUDGET, SITE (/tmp/site).
set -uo pipefail
cd "$(dirname "$0")/../.."
PY="${PYTHON:-python3}"
OUT="${OUT:-/tmp/gpu_session_out}"
SITE="${SITE:-/tmp/site}"
BUDGET="${BUDGET:-540}"
START=$(date +%s)
mkdir -p "$OUT" && : > "$OUT/summary.txt"
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
export SHAPEKIT_CACHE_DIR="$PWD/.device/gpu-cache" SHAPEKIT_CUDA_KEEP_IR=0

if [ -f .device/gpu-cache.tar.xz ] && [ ! -d .device/gpu-cache ]; then
    tar -xJf .device/gpu-cache.tar.xz -C .device || exit 1
fi
if compgen -G ".whl/*.whl" > /dev/null; then
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade \
        --target "$SITE" .whl/*.whl || exit 1
    export PYTHONPATH="$PWD:$SITE${PYTHONPATH:+:$PYTHONPATH}"
else
    export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
fi

left() { echo $(( BUDGET - ($(date +%s) - START) )); }
PYTEST_OPTS=(-p no:cacheprovider -rfE --maxfail=20 --durations=10)  # -q: pyproject
if "$PY" -c "import pytest_timeout" 2> /dev/null; then
    PYTEST_OPTS+=(--timeout=120)  # one hung test must not eat the whole call
fi

pytest_phase() {  # pytest_phase MODES ARGS...: tests/gpu with SHAPEKIT_GPU_MODES=MODES
    local modes="$1"; shift
    SHAPEKIT_GPU_MODES="$modes" timeout -k 5 "$(left)" "$PY" -m pytest "${PYTEST_OPTS[@]}" "$@"
}

env_phase() {
    nvidia-smi || echo "(no nvidia-smi)"
    "$PY" - <<'EOF'
import importlib, platform, sys
print("python", sys.version.split()[0], platform.machine())
for name in ("numpy", "torch", "cupy", "ml_dtypes", "jaxtyping", "typeguard", "typing_extensions",
             "pytest", "hypothesis", "mlir"):
    try:
        mod = importlib.import_module(name)
        print(f"{name:18s} {getattr(mod, '__version__', '?')}  {getattr(mod, '__file__', '')}")
    except Exception as exc:  # noqa: BLE001 - report whatever is missing
        print(f"{name:18s} MISSING ({type(exc).__name__}: {exc})")
try:
    import torch
    print("torch.cuda", torch.cuda.is_available(), torch.version.cuda,
          torch.cuda.get_device_name() if torch.cuda.is_available() else "")
except Exception as exc:  # noqa: BLE001
    print("torch.cuda unavailable:", exc)
import dsl
from dsl._compiled import _portable_compiler_identity
print("import dsl: ok")
with open(".device/compiler_identity") as f:
    same = f.read().strip() == _portable_compiler_identity()
print("compiler identity:", "same as prepare.sh's" if same else
      "DIFFERENT from prepare.sh's: lowering/ or the shim changed, every kernel will miss")
from dsl._runtime import cuda_driver
try:
    print("chip", cuda_driver.chip_for_device(0))
except dsl.DeviceError as exc:
    print("no CUDA device:", exc)
EOF
    cat .device/built_from 2> /dev/null
    echo "cache entries: $(find .device/gpu-cache -name manifest.json 2> /dev/null | wc -l)"
    ls .device/gpu-cache/aot-cuda 2> /dev/null | tr '\n' ' '; echo
    ls .device/bench 2> /dev/null | tr '\n' ' '; echo
}

run_phase() {
    case "$1" in
        env) env_phase ;;
        runtime) pytest_phase torch,cupy,numpy tests/gpu/test_gpu_runtime.py \
                     tests/gpu/test_gpu_reduce_matmul.py ;;
        suite-torch|suite-cupy|suite-numpy) pytest_phase "${1#suite-}" tests/gpu/test_gpu_suite.py ;;
        tests) pytest_phase torch,cupy,numpy tests/gpu ;;
        aot)
            local aot="${AOT_TESTS:-tests/gpu/test_gpu_aot.py}"
            if [ -e "$aot" ]; then
                pytest_phase torch,cupy,numpy "$aot"
            else
                echo "no AOT GPU tests ($aot absent)"
            fi ;;
        bench) timeout -k 5 "$(left)" "$PY" benchmarks/gpu.py --run .device/bench ;;
        *) echo "run_gpu.sh: unknown phase '$1'" >&2; return 2 ;;
    esac
}

status=0
for phase in "$@"; do
    if [ "$(left)" -le 10 ]; then
        echo "== $phase: skipped, the budget of $BUDGET s is spent" | tee -a "$OUT/summary.txt"
        status=1
        continue
    fi
    t0=$(date +%s)
    run_phase "$phase" > "$OUT/$phase.log" 2>&1
    rc=$?
    echo "== $phase: exit $rc in $(( $(date +%s) - t0 )) s" | tee -a "$OUT/summary.txt"
    tail -n 25 "$OUT/$phase.log"
    [ "$rc" -eq 0 ] || status=1
done
exit "$status"
