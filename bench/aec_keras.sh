#!/usr/bin/env bash
# The paper's autoencoder: ours against Keras/TensorFlow (tensorflow-cpu from PyPI), batch 512, 1 and 2 threads.
# Creates bench/.venv-keras on first use. Env: AEC_COUNT (spectra, default 8192), AEC_EPOCHS (timed epochs, 5),
# AEC_REPS (alternating runs per setting, 3).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=bench/.venv-keras
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import tensorflow, numpy" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check tensorflow-cpu numpy
fi
# AEC_SKIP_BUILD=1 uses the aec-bench already in .build/release.
[ "${AEC_SKIP_BUILD:-0}" = 1 ] || swift build -c release --product aec-bench >/dev/null
exec "$VENV/bin/python" bench/aec_keras.py
