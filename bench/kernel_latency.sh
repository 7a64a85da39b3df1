#!/usr/bin/env bash
# Kernel latency: start-up to the first kernel_info reply and execute round trip (p50/p99), ours against
# ipykernel, driven by the same jupyter_client code in one run. Creates bench/.venv-kernel on first use.
# Env: LATENCY_STARTS (start-ups per kernel, default 10), LATENCY_ROUNDS (execute round trips, default 300).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=bench/.venv-kernel
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c "import jupyter_client, ipykernel" 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check jupyter_client ipykernel
fi
swift build -c release --product rapideels-kernel >/dev/null
.build/release/rapideels-kernel install --prefix "$VENV" >/dev/null
"$VENV/bin/python" -m ipykernel install --prefix "$VENV" --name python3 >/dev/null
JUPYTER_PATH="$PWD/$VENV/share/jupyter" exec "$VENV/bin/python" bench/kernel_latency.py
