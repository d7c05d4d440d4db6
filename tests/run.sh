#!/usr/bin/env bash
# The project's test command (README, .ci/run): strict typing of our packages, the clean mypy
# run of the examples with the shape plugin, then the whole pytest suite.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-.venv/bin/python}"
echo "== mypy --strict dsl typecheck lowering"
"$PY" -m mypy --strict dsl typecheck lowering
echo "== mypy (shape plugin) examples/"
"$PY" -m mypy examples
echo "== pytest"
# pytest exits 5 when it collected no tests: that is a failure too (set -e).
"$PY" -m pytest -p no:cacheprovider "$@"
