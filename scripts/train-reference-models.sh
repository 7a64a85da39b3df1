#!/usr/bin/env bash
# Retrains the reference models in models/ (see models/README.md) with this project's own pipeline: the paper's
# autoencoder and classifier at the paper's size (127,600 training spectra of the simulated SrFeO3/SrFeO2.5 dataset,
# batch 512), then writes models/catalog.json (SHA-256 of each file and how it was made) and models/record.json (the
# test numbers measured with them, which Tests/RapidEELSTests/ReferenceModelTests reproduces).
#   scripts/train-reference-models.sh                 # the shipped settings (EPOCHS=500 by default)
#   EPOCHS=100 scripts/train-reference-models.sh      # shorter
# The autoencoder's training is checkpointed every 5 epochs in $CHECKPOINT (default
# .build/reference-training.checkpoint): stop the script at any time and run it again to carry on where it stopped,
# with the same result as one uninterrupted run. Delete the file to start over (it is refused by a run with other
# settings).
# Wall time: about 10-11 s per autoencoder epoch on 2 idle x86-64 cores (500 epochs: about 90 minutes), and up to
# three times that on busy ones.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS="${EPOCHS:-500}"
OUT="${OUT:-models}"
CHECKPOINT="${CHECKPOINT:-.build/reference-training.checkpoint}"
swift build -c release --product calibration-bench >/dev/null
exec .build/release/calibration-bench --scale 1.0 --ae-epochs "$EPOCHS" --clf-epochs 500 --sim-seed 7 --seed 7 \
  --noise resampled --diagnose 1 --save-models "$OUT" --checkpoint "$CHECKPOINT"
