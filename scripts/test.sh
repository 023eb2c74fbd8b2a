#!/usr/bin/env bash
# The whole test suite, in tiers (markers in pyproject.toml, tests/conftest.py).
#
#   bash scripts/test.sh          everything: the JAX pass (tests marked `jax`),
#                                 then every test and every notebook (nbval) on
#                                 TensorFlow, on two pytest-xdist workers. CI runs this.
#   bash scripts/test.sh --fast   the unit tier on TensorFlow only: no training past a
#                                 few seconds, no subprocess, no notebook (the edit-test loop).
#   bash scripts/test.sh --serial the whole suite without xdist.
#   Other arguments go to pytest:  bash scripts/test.sh --fast -k lstm
#
# Tests never download: RNN_KERAS_OFFLINE=1 is set, and what needs a data set that
# RNN_KERAS_DATA_DIR lacks is skipped with one line saying so.
source "$(dirname "$0")/_venv.sh"
MODE=full
WORKERS="${RNN_KERAS_TEST_WORKERS:-2}"
ARGS=()
for arg in "$@"; do
  case "$arg" in
    --fast) MODE=fast ;;
    --serial) WORKERS=0 ;;
    *) ARGS+=("$arg") ;;
  esac
done
export RNN_KERAS_OFFLINE=1
set +e  # report both passes' results, not only the first failure
COMMON=(-q -p no:cacheprovider --durations=15 --durations-min=5)
echo "[test] mode=$MODE profile=$RNN_KERAS_PROFILE data=${RNN_KERAS_DATA_DIR:-<none: data-dependent tests are skipped>}"
start=$(date +%s)
if [ "$MODE" = fast ]; then
  KERAS_BACKEND=tensorflow python -m pytest "${COMMON[@]}" tests \
    -m "not slow and not subprocess and not notebook and not distributed" ${ARGS[@]+"${ARGS[@]}"}
  status=$?
  echo "[test] fast tier finished in $(( $(date +%s) - start )) s (exit $status)"
  exit $status
fi
# The site's browser test (tests/test_site.py) opens every page in Debian's Chromium:
# installed here where we may (root with apt-get); elsewhere that test is skipped, saying so.
if ! command -v chromium >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "[setup] installing Chromium for the site's browser test (apt-get install chromium)"
  { apt-get install -y -qq chromium || { apt-get update -qq && apt-get install -y -qq chromium; }; } \
    >/dev/null 2>&1 || echo "[setup] could not install Chromium: the browser test will be skipped"
fi
PARALLEL=()
if [ "$WORKERS" != 0 ]; then
  # --dist loadfile keeps each notebook (and each test file) whole on one worker.
  PARALLEL=(-n "$WORKERS" --dist loadfile)
fi
KERAS_BACKEND=jax python -m pytest "${COMMON[@]}" "${PARALLEL[@]}" tests -m "jax and not slow" \
  ${ARGS[@]+"${ARGS[@]}"}
jax_status=$?
jax_end=$(date +%s)
# Tests before notebooks: handing the notebooks out first measured slower (23.9 min
# against 19.5 min for the whole command on a fresh clone, 2026-12-05).
KERAS_BACKEND=tensorflow python -m pytest "${COMMON[@]}" "${PARALLEL[@]}" tests \
  --nbval-lax --nbval-current-env notebooks ${ARGS[@]+"${ARGS[@]}"}
tf_status=$?
echo "[test] JAX pass: exit $jax_status in $(( jax_end - start )) s;" \
     "TensorFlow pass (tests + notebooks): exit $tf_status in $(( $(date +%s) - jax_end )) s"
# pytest exits 5 when a -k/-m filter selects nothing in one pass: not a failure.
for s in $jax_status $tf_status; do
  if [ "$s" != 0 ] && [ "$s" != 5 ]; then exit 1; fi
done
exit 0
