#!/usr/bin/env bash
# The main job: execute every notebook in order (quick profile unless
# RNN_KERAS_PROFILE=full), writing executed copies and HTML under build/.
source "$(dirname "$0")/_venv.sh"
OUT="$ROOT/build/notebooks"
mkdir -p "$OUT"
echo "[run] profile=$RNN_KERAS_PROFILE data=${RNN_KERAS_DATA_DIR:-<none>}"
for nb in notebooks/[0-9][0-9]_*.ipynb; do
  name="$(basename "$nb")"
  t0=$(date +%s)
  echo "[run] executing $name"
  jupyter nbconvert --to notebook --execute --ExecutePreprocessor.timeout=3600 \
    --output-dir "$OUT" "$nb" --log-level WARN
  jupyter nbconvert --to html --output-dir "$OUT" "$OUT/$name" --log-level WARN
  echo "[run] $name done in $(( $(date +%s) - t0 )) s"
done
echo "[run] executed notebooks and HTML copies are in $OUT"
