#!/usr/bin/env python3
"""The Python peer of live mode (bench/live.sh): the same pipeline as `watch(...)` written the way a HyperSpy user
would, in one loop: poll the folder, wait until a file's size is stable, read it with rosettasciio, take the
paper's input window (520-580 eV binned to 0.25 eV: 240 channels), robust-scale it with the model's scaler, run the
autoencoder and the classifier with Keras predict, NumPy argmax for the class map and the class fractions, and the
mean denoised spectrum. With DENOISE `all`, one Keras model (shared encoder, two outputs) runs on every pixel; with
DENOISE N (watch's `denoise: N`), the classifier runs on every pixel and the decoder on the latent vectors of the
same N evenly spread pixels ours denoises (pixel i * n / N). Prints `done <file> <unix time>` per file. No display
(ours updates one).

Usage: live_peer.py WATCH_DIR FRAMES MODEL.safetensors THREADS [DENOISE]
"""
import json, os, struct, sys, time

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import tensorflow as tf
from tensorflow import keras
from keras import layers
from rsciio.digitalmicrograph import file_reader

folder, frames, model_path, threads = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
denoise = sys.argv[5] if len(sys.argv) > 5 else "all"
tf.config.threading.set_intra_op_parallelism_threads(threads)

with open(model_path, "rb") as f:
    n = struct.unpack("<Q", f.read(8))[0]
    meta = json.loads(f.read(n))["__metadata__"]
scaler = json.loads(meta["scaler"])
center = np.asarray(scaler["center"], dtype=np.float32)
scale = np.asarray(scaler["scale"], dtype=np.float32)

# The paper's autoencoder (44,678 parameters) and its classifier head on the same encoder.
inp = keras.Input((240, 1))
h = inp
for i, (f, k) in enumerate([(8, 7), (16, 7), (16, 5), (32, 5), (64, 3)]):
    h = layers.Conv1D(f, k, strides=2, padding="same", activation="relu")(h)
    if i < 4:
        h = layers.Dropout(0.2)(h)
h = layers.Flatten()(h)
z = layers.Dense(5, activation="relu")(h)
probabilities = layers.Dense(2, activation="softmax")(z)
decoder_layers = [layers.Dense(512), layers.Reshape((8, 64))]
for f, k, op in [(64, 3, 0), (32, 5, None), (16, 5, None), (16, 7, None), (8, 7, None)]:
    decoder_layers.append(layers.Conv1DTranspose(f, k, strides=2, padding="same", output_padding=op, activation="relu"))
decoder_layers.append(layers.Conv1DTranspose(1, 7, strides=1, padding="same"))


def decode(h):
    for layer in decoder_layers:
        h = layer(h)
    return h


denoised = decode(z)
model = keras.Model(inp, [denoised, probabilities])
encoder = keras.Model(inp, [z, probabilities])
latent = keras.Input((5,))
decoder = keras.Model(latent, decode(latent))
model.predict(np.zeros((512, 240, 1), np.float32), batch_size=512, verbose=0)   # warm up before files land
encoder.predict(np.zeros((512, 240, 1), np.float32), batch_size=512, verbose=0)
decoder.predict(np.zeros((512, 5), np.float32), batch_size=512, verbose=0)
print("ready", flush=True)


def process(path):
    signal = file_reader(path)[0]
    data = signal["data"]                                          # rsciio: (channels, rows, columns) for our SIs
    e = next(i for i, a in enumerate(signal["axes"]) if a.get("units") == "eV" or "nergy" in str(a.get("name")))
    axis = signal["axes"][e]
    start = int(round((520.0 - axis["offset"]) / axis["scale"]))
    factor = int(round(0.25 / axis["scale"]))
    window = np.moveaxis(np.take(data, range(start, start + 240 * factor), axis=e), e, -1).astype(np.float32)
    x = window.reshape(-1, 240, factor).mean(axis=2)                # the paper's bin: mean of adjacent channels
    x = (x - center) / scale
    if denoise == "all":
        y, p = model.predict(x[..., None], batch_size=512, verbose=0)
    else:
        n, m = x.shape[0], int(denoise)
        latents, p = encoder.predict(x[..., None], batch_size=512, verbose=0)
        pixels = np.arange(m) * n // m if m < n else np.arange(n)
        y = decoder.predict(latents[pixels], batch_size=512, verbose=0)
    labels = np.argmax(p, axis=1)
    fractions = np.bincount(labels, minlength=2) / labels.size
    mean = y[..., 0].mean(axis=0)
    return fractions, mean


seen, done = {}, set()
count = 0
while count < frames:
    now = time.time()
    with os.scandir(folder) as entries:
        names = sorted(e.name for e in entries if e.name.endswith(".dm4") and not e.name.startswith("."))
    for name in names:
        if name in done:
            continue
        st = os.stat(os.path.join(folder, name))
        key = (st.st_size, st.st_mtime_ns)
        if seen.get(name, (None, None, 0))[:2] != key:
            seen[name] = (*key, now)
            continue
        if now - seen[name][2] < 0.05:
            continue
        process(os.path.join(folder, name))
        done.add(name)
        count += 1
        print("done", name, f"{time.time():.6f}", flush=True)
        if count >= frames:
            break
    else:
        time.sleep(0.01)
