#!/usr/bin/env bash
# The whole test suite: unit tests and notebooks (nbval) on TensorFlow,
# then the layer tests again on JAX.  Usage: scripts/test.sh [pytest args]
source "$(dirname "$0")/_venv.sh"
echo "[test] profile=$RNN_KERAS_PROFILE data=${RNN_KERAS_DATA_DIR:-<none>}"
start=$(date +%s)
KERAS_BACKEND=jax python -m pytest -q -p no:cacheprovider -m "not slow" tests/test_cells.py tests/test_bptt.py \
  tests/test_attention.py tests/test_grid_layers.py "$@"
KERAS_BACKEND=tensorflow python -m pytest -q -p no:cacheprovider tests \
  --nbval-lax --nbval-current-env notebooks "$@"
echo "[test] all passes finished in $(( $(date +%s) - start )) s"
