# Sourced by scripts/test.sh and scripts/run-notebooks.sh.
# Creates .venv on first use and refreshes it whenever pyproject.toml changes,
# so a fresh clone needs nothing but Python 3.10+ and access to PyPI.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${RNN_KERAS_VENV:-$ROOT/.venv}"
PYTHON="${PYTHON:-python3}"
EXTRAS="${RNN_KERAS_EXTRAS:-cpu,jax,notebooks,docs,test}"
if [ ! -x "$VENV/bin/python" ]; then
  echo "[setup] creating virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi
STAMP="$VENV/.rnn-keras-stamp"
WANT="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -d' ' -f1) $EXTRAS"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$WANT" ]; then
  echo "[setup] installing rnn-keras[$EXTRAS] into $VENV (first run: about a minute)"
  "$VENV/bin/python" -m pip install -qq --upgrade pip
  "$VENV/bin/python" -m pip install -qq -e "$ROOT[$EXTRAS]"
  echo "$WANT" > "$STAMP"
fi
export PATH="$VENV/bin:$PATH"
# CI and the shared machines keep real data sets beside the project.
if [ -z "${RNN_KERAS_DATA_DIR:-}" ] && [ -d "$ROOT/../shared/data" ]; then
  export RNN_KERAS_DATA_DIR="$(cd "$ROOT/../shared/data" && pwd)"
fi
export RNN_KERAS_PROFILE="${RNN_KERAS_PROFILE:-quick}"
cd "$ROOT"
