#!/usr/bin/env bash
# The course site: bash scripts/build-site.sh  ->  build/site/index.html
# Offline once .venv exists, from the committed notebooks (not re-executed): 11 s on 2 cores.
source "$(dirname "$0")/_venv.sh"
exec python scripts/build_site.py "$@"
