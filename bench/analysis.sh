#!/usr/bin/env bash
# PCA, t-SNE and per-pixel Gaussian fits: ours against scikit-learn, openTSNE, lmfit and scipy on 25,520 x 240
# spectra, one run. Usage: bench/analysis.sh [--skip-slow] [--skip-tsne]   (see bench/analysis.py)
set -euo pipefail
cd "$(dirname "$0")"
venv=.venv-analysis
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q numpy scipy scikit-learn openTSNE lmfit
fi
(cd analysis-swift && swift build -c release 2>&1 | grep -E "error|Compiling|Build complete" >&2)
exec "$venv/bin/python" analysis.py --ours analysis-swift/.build/release/analysis-bench "$@"
