#!/usr/bin/env bash
# The simulator's calibration (issue 6): the paper's method, through the project's own pipeline, on
# simulatePaperDataset; prints the test accuracy at 400 / 200 / 100 / 25 FPS next to the paper's, one
# `accuracy_<fps>fps: ours X %, paper Y %, ratio Z` line each, and `ratio:` for 400 FPS.
# Arguments go to calibration-bench, e.g. the recorded full-size run:
#   bench/calibration.sh --scale 1.0 --ae-epochs 25 --sim-seed 7 --seed 7
# (the defaults, --scale 0.25 --ae-epochs 60, take about 10 minutes on 2 idle cores).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product calibration-bench >/dev/null
exec .build/release/calibration-bench "$@"
