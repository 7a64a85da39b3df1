#!/usr/bin/env bash
# Live mode end to end: files landing in a folder -> display update, ours (`watch` in the kernel) against the same
# pipeline in Python (rosettasciio read, the scaler, Keras predict, NumPy argmax) on the same files, in one run.
# Creates bench/.venv-live (tensorflow-cpu, rosettasciio, jupyter_client) on first use.
# Env: LIVE_FRAMES (frames per pass, default 40), LIVE_RATE (paced pass, frames/s, default 8), LIVE_THREADS (2),
# LIVE_WORK (staging folder; default /dev/shm/rapideels-live-bench, i.e. RAM, so the disk is not what is measured).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=bench/.venv-live
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import tensorflow, numpy, rsciio, jupyter_client" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check tensorflow-cpu numpy rosettasciio jupyter_client
fi
[ "${LIVE_SKIP_BUILD:-0}" = 1 ] || swift build -c release --product rapideels-kernel >/dev/null
exec "$VENV/bin/python" bench/live.py
