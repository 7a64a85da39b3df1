#!/usr/bin/env bash
# DM4 reading and the paper's preprocessing: ours against rosettasciio + NumPy + lmfit, one run, ratios.
# Creates bench/.venv-io on first use. Env: IO_REPEATS (timed repeats, default 7).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=bench/.venv-io
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import rsciio, numpy, lmfit" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check rosettasciio numpy lmfit
fi
swift build -c release --product io-preprocess-bench >/dev/null
# Both sides single-threaded. None of the timed steps parallelise, but an idle OpenBLAS pool spins for a while
# after the library loads, which process CPU time would charge to whichever side loaded it last.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
exec "$VENV/bin/python" bench/io_preprocess.py
