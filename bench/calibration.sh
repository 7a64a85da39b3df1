#!/usr/bin/env bash
# The simulator's calibration (issues 6, 15): the paper's method, through the project's own pipeline, on
# simulatePaperDataset; prints the test accuracy at 400 / 200 / 100 / 25 FPS next to the paper's, one
# `accuracy_<fps>fps: ours X %, paper Y %, ratio Z` line each, and `ratio:` for 400 FPS.
# Arguments go to calibration-bench, e.g. the recorded full-size run:
#   bench/calibration.sh --scale 1.0 --ae-epochs 25 --sim-seed 7 --seed 7
# (the defaults, --scale 0.25 --ae-epochs 60, take about 10 minutes on 2 idle cores).
# SEEDS="7 8 9" runs once per model seed (the --seed given is replaced) and ends with the median and the spread
# (max - min) of each accuracy and MSE over the seeds, and whether any seed failed:
#   SEEDS="7 8 9" bench/calibration.sh --scale 1.0 --ae-epochs 500 --sim-seed 7 --noise resampled
# CHECKPOINT_DIR=dir checkpoints each seed's autoencoder training in dir/seed<N>.checkpoint every 5 epochs: stop the
# run at any time and start the same command again to carry on (the result is that of one uninterrupted run).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product calibration-bench >/dev/null
if [ -z "${SEEDS:-}" ]; then
  exec .build/release/calibration-bench "$@"
fi
args=()
while [ $# -gt 0 ]; do
  if [ "$1" = "--seed" ]; then shift 2; else args+=("$1"); shift; fi
done
logs=()
for seed in $SEEDS; do
  log=$(mktemp)
  logs+=("$log")
  echo "== seed $seed"
  extra=()
  if [ -n "${CHECKPOINT_DIR:-}" ]; then mkdir -p "$CHECKPOINT_DIR"; extra=(--checkpoint "$CHECKPOINT_DIR/seed$seed.checkpoint"); fi
  .build/release/calibration-bench "${args[@]}" --seed "$seed" "${extra[@]}" | tee "$log"
done
python3 - "${logs[@]}" <<'PY'
import os, re, statistics, sys
seeds = os.environ["SEEDS"].split()
runs = [open(p).read() for p in sys.argv[1:]]
print("== over %d seeds" % len(runs))
for fps, paper in (("400", 83.9), ("200", 88.5), ("100", 92.3), ("25", 93.0)):
    values = [float(re.search(r"accuracy_%sfps: ours ([0-9.]+)" % fps, r).group(1)) for r in runs]
    print("accuracy_%sfps: median %.1f %%, spread %.1f points, paper %.1f %%, per seed %s"
          % (fps, statistics.median(values), max(values) - min(values), paper, ", ".join("%.1f" % v for v in values)))
for r in runs[:1]:
    names = re.findall(r"(EELS [a-z]+ [0-9_a]+) ([0-9.]+)", r.split("AEC MSE vs ground truth")[1].splitlines()[0])
for name, _ in names:
    values = [float(re.search(re.escape(name) + r" ([0-9.]+)", r.split("AEC MSE vs ground truth")[1]).group(1)) for r in runs]
    print("mse %s: median %.3f, spread %.3f" % (name, statistics.median(values), max(values) - min(values)))
def all_dead(r):
    m = re.search(r"dead at the end: ([0-9, ]+)$", r, re.M)
    return m is not None and len(m.group(1).split(",")) >= 5
failed = [i for i, r in enumerate(runs) if float(re.search(r"accuracy_400fps: ours ([0-9.]+)", r).group(1)) < 70
          or all_dead(r)]
for i, r in enumerate(runs):
    m = re.search(r"dead at the end: (.+)$", r, re.M)
    print("seed %s: latent units dead at the end: %s" % (seeds[i], m.group(1) if m else "not trained here"))
print("failed seeds (400 FPS accuracy under 70 %% or every latent unit dead): %s" % (", ".join(seeds[i] for i in failed) or "none"))
PY
rm -f "${logs[@]}"
