#!/usr/bin/env bash
# bench/gpu: the paper autoencoder at paper scale (500 epochs x 127,600 spectra x 240 channels, batch 512) on one
# GPU, ours (NeuralCore's CUDA backend) against PyTorch on the same GPU and the same data, in one run.
# Runs on the GPU machine: build the binary here first with bench/gpu-build.sh and carry bench/gpu/bin and
# bench/gpu/lib (the device tool's `carry`). PyTorch is the GPU machine's own (no network there).
#   EPOCHS=500 SAMPLES=127600 bench/gpu.sh
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-500}
SAMPLES=${SAMPLES:-127600}
BATCH=${BATCH:-512}
INFERENCE=${INFERENCE:-1048576}
OUT=bench/gpu/out
mkdir -p "$OUT"
PYTHON=${PYTHON:-python3}
"$PYTHON" bench/gpu/torch_aec.py --write-data "$OUT/x.f32" --samples "$SAMPLES"
export LD_LIBRARY_PATH="$PWD/bench/gpu/lib:${LD_LIBRARY_PATH:-}"
bench/gpu/bin/rapideels-gpu-bench --data "$OUT/x.f32" --samples "$SAMPLES" --epochs "$EPOCHS" --batch "$BATCH" \
  --inference "$INFERENCE" --device cuda | tee "$OUT/ours.txt"
"$PYTHON" bench/gpu/torch_aec.py --data "$OUT/x.f32" --samples "$SAMPLES" --epochs "$EPOCHS" --batch "$BATCH" \
  --inference "$INFERENCE" | tee "$OUT/torch.txt"
"$PYTHON" - "$OUT/ours.txt" "$OUT/torch.txt" <<'PY'
import sys
def read(path):
    values = {}
    for line in open(path):
        key, _, value = line.partition(": ")
        values[key.strip()] = value.strip()
    return values
ours, peer = read(sys.argv[1]), read(sys.argv[2])
train_ours, train_peer = float(ours["train_seconds"]), float(peer["train_seconds"])
print(f"training_wall_time: ours {train_ours:.2f} s, peer {train_peer:.2f} s, ratio {train_peer / train_ours:.2f}")
inf_ours = float(ours["inference_device_spectra_per_second"])
inf_peer = float(peer["inference_device_spectra_per_second"])
print(f"inference_device: ours {inf_ours:.3g} spectra/s, peer {inf_peer:.3g} spectra/s, ratio {inf_ours / inf_peer:.2f}")
print(f"inference_host_arrays: ours {float(ours['inference_host_spectra_per_second']):.3g} spectra/s")
print(f"final_loss: ours {ours['loss_last_epoch']}, peer {peer['loss_last_epoch']}")
print(f"ratio: {train_peer / train_ours:.2f}")
PY
